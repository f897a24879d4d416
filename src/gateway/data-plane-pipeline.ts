// The data plane as one pipeline of Fastify hooks, in SPEC §4 order, numbered as in ARCHITECTURE.md
// ("The request path on the data plane"). Every data-plane scope registers it once; an endpoint
// then supplies only its own steps (`DataPlaneEndpoint`):
//
//   onRequest   1–5  extract → shape and checksum → cached lookup → key state → origin
//                    (before the body is read: a bad key is a 401 whatever the body)
//   preHandler  6    scope and model (the endpoint's `locate` and `authorize`)
//               7–8  admission: rate limits (key, then account), then credits (reserve); its
//                    numbers rendered as headers here, at the edge; the result on `request.dataPlane`
//   handler     9–10 session and target, upstream, relay (the endpoint's `handle`)
//   onResponse  11   settle and record usage, after the response is sent (or the client left)
//
// The lifecycle — opening the call, a client that went away, settling exactly once — lives here
// and nowhere else. With tracing on (SPEC §12), each request is one span, opened before step 1
// and ended once step 11 has settled it; with tracing off, none of that code runs.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, RouteHandlerMethod } from 'fastify';
import { ApiError } from '../core/errors.js';
import { clientRequestIdOf } from '../http/request-id.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { RequestSpan } from '../tracing/request-span.js';
import type { Tracing } from '../tracing/start-tracing.js';
import { CallCancel } from '../upstream/call-cancel.js';
import { ClientGone } from '../upstream/forward-upstream.js';
import { authenticateKey, type KeyCheckDeps } from './authenticate-key.js';
import { CLIENT_CLOSED_STATUS, DataPlaneCall, type AdmissionInput, type CallDeps, type CallEnding, type CallSubject } from './data-plane-call.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

export interface PipelineDeps extends KeyCheckDeps, CallDeps {
  /** Keeps a settlement in view until it has queued its usage record (flush and shutdown wait for it). */
  trackSettlement(settling: Promise<unknown>): void;
  /** Set when tracing is on: every request is then one span. */
  tracing: Pick<Tracing, 'startRequest'> | null;
}

/** What steps 1–8 established, for the handler. */
export interface Admitted<Plan> {
  key: CheckedKey;
  call: DataPlaneCall;
  plan: Plan;
  /** The output tokens per choice the credit reservation covers, when admission set a cap. */
  cap: number | null;
  /** Aborted when the client goes away before the response is complete. */
  signal: CallCancel;
  /** The request's span (tracing on): upstream attempts are traced as its children. */
  span: RequestSpan | null;
}

interface DataPlaneState {
  call: DataPlaneCall;
  signal: CallCancel;
  span: RequestSpan | null;
  admitted: Admitted<unknown> | null;
  /** Resolves when the endpoint's own work (preHandler and handler) is over. */
  done: Promise<void>;
  markDone(): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key that passed steps 1–5. */
    apiKey: CheckedKey | null;
    /** The call opened by step 6 and admitted by steps 7–8. */
    dataPlane: DataPlaneState | null;
    /** The request's span, when tracing is on. */
    span: RequestSpan | null;
  }
}

export interface DataPlaneEndpoint<Found extends { subject: CallSubject }, Plan extends { admission: AdmissionInput }> {
  /** The GenAI operation a model call performs (`chat`, `embeddings`), naming its span. */
  operation?: string;
  /** What the request is for (a model or a route), from its body or path; a refusal here is not counted as a call. */
  locate(request: FastifyRequest, key: CheckedKey): Found | Promise<Found>;
  /** 6. Scope and model: the key's rights, then what admission must price. A refusal from here on is recorded. */
  authorize(found: Found, key: CheckedKey, request: FastifyRequest): Plan | Promise<Plan>;
  /** 9–10. The endpoint's own story: session and target, upstream, relay. It tells the call how it ended. */
  handle(admitted: Admitted<Found & Plan>, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

/** Registers steps 1–5 and 11 on a data-plane scope: every route of it takes an API key and nothing else. */
export function registerDataPlane(scope: FastifyInstance, deps: PipelineDeps): void {
  scope.decorateRequest('apiKey', null);
  scope.decorateRequest('dataPlane', null);
  scope.decorateRequest('span', null);
  if (deps.tracing) traceRequests(scope, deps.tracing);
  // 1–5. Before the body is read.
  scope.addHook('onRequest', async function checkKeyBeforeBody(request) {
    request.apiKey = await authenticateKey(deps, request);
    request.span?.identify(request.apiKey.accountId, request.apiKey.id);
  });
  // 11. After the response is sent; a client that left is settled when its connection closes (see openCall).
  scope.addHook('onResponse', async function settleAfterResponse(request, reply) {
    if (request.dataPlane) settle(deps, request.dataPlane, { status: reply.statusCode, outcome: reply.statusCode < 400 ? 'ok' : 'failed' });
    // Refused before it knew what it was for (a bad key, no model, no route): nothing to settle.
    else request.span?.end({ status: reply.statusCode, outcome: 'refused' });
  });
}

/** Opens each request's span before step 1 (a refused key is traced too) and notes the error code of a failure. */
function traceRequests(scope: FastifyInstance, tracing: Pick<Tracing, 'startRequest'>): void {
  scope.addHook('onRequest', async function startRequestSpan(request) {
    request.span = tracing.startRequest({ id: request.id, method: request.method, route: request.routeOptions.url ?? '/*', headers: request.headers });
  });
  scope.addHook('onError', async function noteErrorCode(request, _reply, error) {
    if (error instanceof ApiError) request.span?.failed(error.code);
  });
}

/** Steps 6–8 and the handler of one endpoint, as Fastify route options. */
export function dataPlaneRoute<Found extends { subject: CallSubject }, Plan extends { admission: AdmissionInput }>(
  deps: PipelineDeps,
  endpoint: DataPlaneEndpoint<Found, Plan>,
): { preHandler: preHandlerAsyncHookHandler; handler: RouteHandlerMethod } {
  return {
    preHandler: async function scopeModelAndAdmission(request, reply) {
      const key = keyOf(request);
      const found = await endpoint.locate(request, key);
      const state = openCall(deps, request, reply, key, found.subject);
      state.span?.describe(found.subject, endpoint.operation);
      try {
        const plan = await endpoint.authorize(found, key, request);
        // 7–8. Rate limits, then credits: numbers from the engine, headers rendered here.
        const decision = await state.call.decide(plan.admission);
        reply.headers(rateLimitHeaders(decision.rateLimit));
        if (!decision.ok) throw decision.error;
        state.admitted = { key, call: state.call, plan: Object.assign({}, found, plan), cap: decision.maxOutputTokens ?? null, signal: state.signal, span: state.span };
      } catch (error) {
        state.markDone();
        throw error;
      }
    },
    handler: async function runDataPlaneHandler(request, reply) {
      const state = request.dataPlane!;
      try {
        return await endpoint.handle(state.admitted as Admitted<Found & Plan>, request, reply);
      } catch (error) {
        if (!(error instanceof ClientGone)) throw error;
        state.call.end({ status: CLIENT_CLOSED_STATUS, outcome: 'aborted', usage: state.call.usageAtLeast });
        // Nobody is listening; end the exchange without an error body.
        return reply.status(CLIENT_CLOSED_STATUS).send();
      } finally {
        state.markDone();
      }
    },
  };
}

function keyOf(request: FastifyRequest): CheckedKey {
  if (!request.apiKey) throw new Error('This route is not inside a data-plane scope.');
  return request.apiKey;
}

function openCall(deps: PipelineDeps, request: FastifyRequest, reply: FastifyReply, key: CheckedKey, subject: CallSubject): DataPlaneState {
  const call = new DataPlaneCall(deps, request.id, key, subject);
  call.clientRequestId = clientRequestIdOf(request) ?? null;
  let markDone!: () => void;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  const signal = new CallCancel();
  const state: DataPlaneState = { call, signal, span: request.span, admitted: null, done, markDone };
  // The client went away before the response was complete: the upstream call is cancelled, and the
  // call settled once the endpoint's work is over (a listener on the connection, not on the signal:
  // an EventTarget listener cost more than the rest of opening the call).
  reply.raw.once('close', function settleAbandoned() {
    if (reply.raw.writableFinished) return;
    signal.abort();
    settle(deps, state, { status: CLIENT_CLOSED_STATUS, outcome: 'aborted' });
  });
  request.dataPlane = state;
  return state;
}

/**
 * 11. Once the endpoint's work is over: settle the ticket and queue the usage record, exactly once;
 * then the span ends with what was charged (the response has long been sent).
 */
function settle(deps: PipelineDeps, state: DataPlaneState, otherwise: Omit<CallEnding, 'usage'>): void {
  const settling = state.done.then(() => state.call.finish(otherwise));
  deps.trackSettlement(state.span ? settling.then(() => endSpan(state)) : settling);
}

function endSpan({ span, call }: DataPlaneState): void {
  // Only the settlement that ran sets `settled`; a second one (abort and response both seen) ends nothing.
  if (span && call.settled) span.end(Object.assign({}, call.settled, { target: call.target }));
}

