// POST /v1/chat/completions, /v1/responses and /v1/embeddings (and the same under /api/v1): the
// endpoint's own steps in the data-plane pipeline (data-plane-pipeline.ts runs 1–5, admission and
// settlement) — scope and model, then session and target → upstream (with failover) → relay.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { orderTargets, resolveModel, sameTarget, type ModelResolution, type Target } from '../core/model-targets.js';
import { isModelAllowed } from '../core/scopes.js';
import { estimateInputTokens } from '../core/input-tokens.js';
import { DEFAULT_OUTPUT_CAP_FIELD, forwardedBody, readOutputRequest, type OpenAiEndpoint } from '../core/output-cap.js';
import { usageOf } from '../core/token-usage.js';
import type { CatalogSnapshot, ProviderDef } from '../catalog/catalog.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { SessionRecord } from '../storage/sessions.js';
import type { CallCancel } from '../upstream/call-cancel.js';
import { failureError, readLimited, type AttemptLog, type Forwarded } from '../upstream/forward-upstream.js';
import { relayStream } from '../upstream/relay-stream.js';
import { classifyUpstreamError, type UpstreamRequest } from '../upstream/upstream-client.js';
import { CLIENT_CLOSED_STATUS, type AdmissionInput, type CallEnding } from './data-plane-call.js';
import type { Admitted, DataPlaneEndpoint } from './data-plane-pipeline.js';

export type { OpenAiEndpoint };
type Resolved = Extract<ModelResolution, { ok: true }>;

export interface OpenAiDeps {
  catalogFor(accountId: string): Promise<CatalogSnapshot>;
  /** The key's open session for the model, or one automation opens (else 409 session_required). */
  sessionFor(key: CheckedKey, resolution: Resolved, now: Date): Promise<SessionRecord>;
  moveSession(session: SessionRecord, target: Target): Promise<unknown>;
  /** The first target that answers, in order. */
  forward(targets: readonly Target[], providers: readonly ProviderDef[], build: (target: Target, provider: ProviderDef) => UpstreamRequest, log: AttemptLog): Promise<Forwarded>;
}

interface Body {
  model: string;
  fields: Record<string, unknown>;
}
interface Found {
  subject: { model: string; route: null };
  body: Body;
}
interface ModelPlan {
  catalog: CatalogSnapshot;
  resolution: Resolved;
  estimatedInputTokens: number;
  admission: AdmissionInput;
}

const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;
/** gen_ai.operation.name of each endpoint (OpenTelemetry GenAI semantic conventions). */
const GEN_AI_OPERATIONS: Record<OpenAiEndpoint, string> = { 'chat/completions': 'chat', responses: 'chat', embeddings: 'embeddings' };

export function openAiEndpoint(deps: OpenAiDeps, endpoint: OpenAiEndpoint): DataPlaneEndpoint<Found, ModelPlan> {
  function readModel(request: FastifyRequest): Found {
    const body = requestBody(request.body);
    return { subject: { model: body.model, route: null }, body };
  }

  /** 6. Scope and model: the key's allowlist, then a model this account can reach, priced by its targets. */
  async function authorizeModel({ body }: Found, key: CheckedKey): Promise<ModelPlan> {
    if (!isModelAllowed(key.models, body.model)) throw new ApiError('forbidden', { message: `This key may not use the model ${JSON.stringify(body.model)}.`, field: 'model' });
    const catalog = await deps.catalogFor(key.accountId);
    const resolution = resolveModel(body.model, catalog.aliases, catalog.providers);
    if (!resolution.ok) throw unknownModel(body.model, resolution.reason);
    // The input as the targets' tokenizer counts it, the output cap the endpoint honours, per choice.
    const output = readOutputRequest(endpoint, body.fields);
    const estimatedInputTokens = await estimateInputTokens(endpoint, body.fields, resolution.targets.map((target) => target.model));
    return { catalog, resolution, estimatedInputTokens, admission: { price: { kind: 'model', call: resolution }, estimatedInputTokens, maxOutputTokens: output.cap, choices: output.choices } };
  }

  /** 9–10. Session and target → upstream → relay. */
  async function proxyOpenAi(admitted: Admitted<Found & ModelPlan>, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { key, call, cap, signal, plan } = admitted;
    const { fields } = plan.body;

    // 9. Session and target: a session pins its target; the rest are the fallbacks.
    const session = await deps.sessionFor(key, plan.resolution, new Date());
    call.sessionId = session.id;
    const pinned = { provider: session.provider, model: session.targetModel };

    // 10. Upstream: the first target that answers; a failed pinned target moves the session. The
    // cap the reservation covers goes to every target, in the field its provider honours.
    const stream = fields.stream === true;
    const forwarded = await deps.forward(
      orderTargets(plan.resolution, pinned),
      plan.catalog.providers,
      (target, provider) => upstreamRequest(endpoint, fields, cap, target, provider, stream, signal, admitted.span),
      request.log,
    );
    // Once an upstream has answered, it has read the prompt: whatever happens next, the input is charged.
    call.usageAtLeast = { inputTokens: plan.estimatedInputTokens, outputTokens: 0 };
    call.target = { provider: forwarded.target.provider, model: forwarded.target.model };
    call.failovers = forwarded.failovers;
    if (!sameTarget(forwarded.target, pinned)) await deps.moveSession(session, forwarded.target);

    // 10. Relay: events as they come, or one JSON answer; settled by the pipeline once it is sent.
    if (stream) {
      const clientWantsUsage = (fields.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
      call.endsWhen(relayed(forwarded, reply, signal, endpoint === 'chat/completions' && !clientWantsUsage, plan.estimatedInputTokens));
      return reply;
    }
    const text = await readLimited(forwarded.answer.body, MAX_UPSTREAM_BODY_BYTES).catch((error: unknown) => {
      // A body cut off by a reset is the upstream failing (502), not it running out of time (504).
      throw error instanceof ApiError ? error : failureError(classifyUpstreamError(error, signal));
    });
    call.end({ status: 200, outcome: 'ok', usage: usageOf(parseJson(text)?.usage) ?? call.usageAtLeast });
    return reply.status(200).header('content-type', forwarded.answer.headers['content-type'] ?? 'application/json').send(text);
  }

  return { operation: GEN_AI_OPERATIONS[endpoint], locate: readModel, authorize: authorizeModel, handle: proxyOpenAi };
}

/** Starts the event stream; resolves with how it ended (the usage chunk, else what was delivered). */
function relayed(forwarded: Forwarded, reply: FastifyReply, signal: CallCancel, stripUsageChunk: boolean, estimatedInputTokens: number): Promise<CallEnding> {
  return new Promise((resolve) => {
    relayStream({
      upstream: forwarded.answer.body,
      reply,
      signal,
      stripUsageChunk,
      estimatedInputTokens,
      onEnd: async ({ outcome, usage, timedOut }) => resolve({ status: outcome === 'ok' ? 200 : outcome === 'aborted' ? CLIENT_CLOSED_STATUS : timedOut ? 504 : 502, outcome, usage }),
    });
  });
}

function requestBody(raw: unknown): Body {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError('invalid_request', { message: 'The request body must be a JSON object.' });
  const fields = raw as Record<string, unknown>;
  if (typeof fields.model !== 'string' || fields.model.length === 0 || fields.model.length > 256) {
    throw new ApiError('invalid_request', { message: 'You must provide a model parameter.', field: 'model' });
  }
  return { model: fields.model, fields };
}

function unknownModel(model: string, reason: 'unknown_model' | 'no_targets'): ApiError {
  if (reason === 'no_targets') return new ApiError('unavailable', { message: `No upstream is configured for the model ${JSON.stringify(model)}.` });
  return new ApiError('invalid_request', {
    message: `The model ${JSON.stringify(model)} does not exist or you do not have access to it.`,
    suggestion: 'List the models this key may use with GET /v1/models.',
    field: 'model',
  });
}

function upstreamRequest(
  endpoint: OpenAiEndpoint,
  fields: Record<string, unknown>,
  cap: number | null,
  target: Target,
  provider: ProviderDef,
  stream: boolean,
  signal: CallCancel,
  trace: UpstreamRequest['trace'],
): UpstreamRequest {
  const payload = forwardedBody(endpoint, fields, target.model, cap, provider.outputCapField ?? DEFAULT_OUTPUT_CAP_FIELD);
  // Ask for usage on chat streams so credits settle to real numbers (SPEC §6); stripped on relay
  // unless the client asked for it too.
  if (stream && endpoint === 'chat/completions') payload.stream_options = Object.assign({}, fields.stream_options as object | undefined, { include_usage: true });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', 'user-agent': 'tollgate' };
  if (provider.secret) headers.authorization = `Bearer ${provider.secret}`;
  return { provider, path: `/${endpoint}`, method: 'POST', headers, body: JSON.stringify(payload), signal, trace };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
