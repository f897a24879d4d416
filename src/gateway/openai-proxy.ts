// POST /v1/chat/completions, /v1/responses and /v1/embeddings (and the same under /api/v1): one
// request, top to bottom in SPEC §4 order — key → scope and model → rate limits and credits →
// session and target → upstream (with failover) → relay → settle and record usage.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { orderTargets, resolveModel, sameTarget, type Target } from '../core/model-targets.js';
import { isModelAllowed } from '../core/scopes.js';
import { estimateInputTokens } from '../core/input-tokens.js';
import { DEFAULT_OUTPUT_CAP_FIELD, forwardedBody, readOutputRequest, type OpenAiEndpoint } from '../core/output-cap.js';
import { usageOf, type TokenUsage } from '../core/token-usage.js';
import { clientRequestIdOf } from '../http/request-id.js';
import type { Services } from '../services.js';
import type { ProviderDef } from '../catalog/catalog.js';
import { CLIENT_CLOSED_STATUS, DataPlaneCall, statusOf } from './data-plane-call.js';
import { ClientGone, failureError, forwardWithFailover, readLimited } from '../upstream/forward-upstream.js';
import { requestKey } from './key-check-hook.js';
import { relayStream } from '../upstream/relay-stream.js';
import { sessionForRequest } from '../sessions/session-target.js';
import type { UpstreamRequest } from '../upstream/upstream-client.js';

export type { OpenAiEndpoint };

const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;

export async function proxyOpenAi(services: Services, endpoint: OpenAiEndpoint, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // 1–5. Key present → shape and checksum → cached lookup → revoked/expired/inactive → origin:
  // done by the scope's onRequest hook, before the body was read.
  const key = requestKey(request);
  const body = requestBody(request.body);
  const call = new DataPlaneCall(services, request.id, key, { model: body.model, route: null });
  call.clientRequestId = clientRequestIdOf(request) ?? null;
  const signal = abortOnClientClose(reply);
  // Once an upstream has answered, it has read the prompt: whatever happens next, the input is charged.
  let answeredInput: TokenUsage | null = null;
  try {
    // 6. Scope and model: the key's allowlist, then a model this account can reach.
    if (!isModelAllowed(key.models, body.model)) throw new ApiError('forbidden', { message: `This key may not use the model ${JSON.stringify(body.model)}.`, field: 'model' });
    const catalog = await services.gateway.catalog.forAccount(key.accountId);
    const resolution = resolveModel(body.model, catalog.aliases, catalog.providers);
    if (!resolution.ok) throw unknownModel(body.model, resolution.reason);

    // 7–8. Rate limits (key, then account) and the credit reservation, priced by the resolved
    // targets: the input as their tokenizer counts it, the output cap the endpoint honours, per choice.
    const output = readOutputRequest(endpoint, body.fields);
    const estimatedInputTokens = await estimateInputTokens(endpoint, body.fields, resolution.targets.map((target) => target.model));
    // The cap the reservation covers (the client's, else the price's) is forwarded to every target,
    // in the field its provider honours, so a priced call cannot cost more than was reserved.
    const cap = await call.admit(reply, {
      price: { kind: 'model', call: resolution },
      estimatedInputTokens,
      maxOutputTokens: output.cap,
      choices: output.choices,
    });
    const fields = body.fields;

    // 9. Session and target: a session pins its target; the rest are the fallbacks.
    const now = new Date();
    const session = await sessionForRequest(services, key, resolution, now);
    call.sessionId = session.id;
    const targets = orderTargets(resolution, { provider: session.provider, model: session.targetModel });

    // 10. Upstream: the first target that answers; a failed pinned target moves the session.
    const stream = fields.stream === true;
    const clientWantsUsage = (fields.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const forwarded = await forwardWithFailover(services, targets, catalog.providers, (target, provider) =>
      upstreamRequest(endpoint, fields, cap, target, provider, stream, signal),
    );
    answeredInput = { inputTokens: estimatedInputTokens, outputTokens: 0 };
    call.target = { provider: forwarded.target.provider, model: forwarded.target.model };
    call.failovers = forwarded.failovers;
    if (!sameTarget(forwarded.target, { provider: session.provider, model: session.targetModel })) {
      await services.gateway.sessions.move(session, forwarded.target);
    }

    // 11. Relay the answer; settle credits and record usage when it is over.
    if (stream) {
      relayStream({
        upstream: forwarded.answer.body,
        reply,
        signal,
        stripUsageChunk: endpoint === 'chat/completions' && !clientWantsUsage,
        estimatedInputTokens,
        onEnd: ({ outcome, usage, timedOut }) => call.finish(outcome === 'ok' ? 200 : outcome === 'aborted' ? CLIENT_CLOSED_STATUS : timedOut ? 504 : 502, outcome, usage),
      });
      return reply;
    }
    const text = await readLimited(forwarded.answer.body, MAX_UPSTREAM_BODY_BYTES).catch((error: unknown) => {
      throw error instanceof ApiError ? error : failureError(signal.aborted ? 'aborted' : 'timeout');
    });
    await call.finish(200, 'ok', usageOf(parseJson(text)?.usage) ?? answeredInput);
    return reply.status(200).header('content-type', forwarded.answer.headers['content-type'] ?? 'application/json').send(text);
  } catch (error) {
    if (error instanceof ClientGone) {
      await call.finish(CLIENT_CLOSED_STATUS, 'aborted', answeredInput);
      // Nobody is listening; end the exchange without an error body.
      return reply.status(CLIENT_CLOSED_STATUS).send();
    }
    await call.finish(statusOf(error), 'failed', answeredInput);
    throw error;
  }
}

function requestBody(raw: unknown): { model: string; fields: Record<string, unknown> } {
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

function upstreamRequest(endpoint: OpenAiEndpoint, fields: Record<string, unknown>, cap: number | null, target: Target, provider: ProviderDef, stream: boolean, signal: AbortSignal): UpstreamRequest {
  const payload = forwardedBody(endpoint, { ...fields, model: target.model }, cap, provider.outputCapField ?? DEFAULT_OUTPUT_CAP_FIELD);
  // Ask for usage on chat streams so credits settle to real numbers (SPEC §6); stripped on relay
  // unless the client asked for it too.
  if (stream && endpoint === 'chat/completions') payload.stream_options = { ...(fields.stream_options as object | undefined), include_usage: true };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', 'user-agent': 'tollgate' };
  if (provider.secret) headers.authorization = `Bearer ${provider.secret}`;
  return { provider, path: `/${endpoint}`, method: 'POST', headers, body: JSON.stringify(payload), signal };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An AbortSignal that fires when the client disconnects before the response is complete. */
export function abortOnClientClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
