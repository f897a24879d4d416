// Sends a request to the first target that answers (SPEC §1 aliases): a connect error, a 5xx or a
// 429 from one target moves on to the next; anything else is the answer. Upstream trouble becomes
// 502 upstream_error or 504 upstream_timeout, and an upstream's own 4xx message is passed on with
// the provider's secret and address scrubbed out — clients never see either (SPEC §7).
import type { Readable } from 'node:stream';
import { ApiError, type ErrorCode } from '../core/errors.js';
import type { Target } from '../core/model-targets.js';
import type { ProviderDef } from '../catalog/catalog.js';
import type { UpstreamClient, UpstreamFailure, UpstreamRequest, UpstreamResult } from './upstream-client.js';

/** The upstream client, and where each attempt's outcome and latency are counted. */
export interface ForwardDeps {
  gateway: {
    upstream: Pick<UpstreamClient, 'send'>;
    metrics: { observeUpstream(provider: Pick<ProviderDef, 'name' | 'owner'>, outcome: string, seconds: number): void };
  };
}

export type UpstreamAnswer = Extract<UpstreamResult, { ok: true }>;

/** Where a failed attempt is told to the operator: the request's logger (its id is on every line). */
export interface AttemptLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * One line per failed attempt: which provider, which host and why — what the client's 502 must not
 * say (it names no upstream) and what an operator needs to find the fault. Never the URL's path,
 * query or credentials, never the answer's body.
 */
export function logAttempt(log: AttemptLog | undefined, provider: ProviderDef, failure: string, status?: number): void {
  let host: string;
  try {
    host = new URL(provider.baseUrl).host;
  } catch {
    host = 'unparsable base_url';
  }
  log?.warn({ provider: provider.name, owner: provider.owner, host, failure, ...(status === undefined ? {} : { status }) }, 'upstream attempt failed');
}

export interface Forwarded {
  answer: UpstreamAnswer;
  target: Target;
  provider: ProviderDef;
  /** Targets tried and given up on before this one. */
  failovers: number;
}

export class ClientGone extends Error {
  override name = 'ClientGone';
}

const MOVE_ON_FAILURES: ReadonlySet<UpstreamFailure> = new Set(['connect', 'connect_timeout', 'blocked']);
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function failureError(failure: UpstreamFailure): Error {
  if (failure === 'aborted') return new ClientGone('the client went away');
  if (failure === 'timeout' || failure === 'connect_timeout') return new ApiError('upstream_timeout');
  return new ApiError('upstream_error');
}

export function findProvider(providers: readonly ProviderDef[], target: Pick<Target, 'provider' | 'owner'>): ProviderDef | undefined {
  return providers.find((p) => p.name === target.provider && p.owner === target.owner);
}

export async function forwardWithFailover(
  services: ForwardDeps,
  targets: readonly Target[],
  providers: readonly ProviderDef[],
  build: (target: Target, provider: ProviderDef) => UpstreamRequest,
  log?: AttemptLog,
): Promise<Forwarded> {
  const { upstream, metrics } = services.gateway;
  // Created only when needed: an Error captures a stack trace, ~35 µs on every request (bench profile).
  let lastError: Error | undefined;
  for (const [index, target] of targets.entries()) {
    const provider = findProvider(providers, target);
    if (!provider) continue;
    const request = build(target, provider);
    const result = await upstream.send(request);
    const seconds = (performance.now() - result.startedMs) / 1000;
    metrics.observeUpstream(provider, result.ok ? String(result.status) : result.failure, seconds);
    if (!result.ok) {
      if (result.failure !== 'aborted') logAttempt(log, provider, result.failure);
      lastError = failureError(result.failure);
      if (MOVE_ON_FAILURES.has(result.failure)) continue;
      throw lastError;
    }
    if (result.status >= 200 && result.status < 300) return { answer: result, target, provider, failovers: index };
    logAttempt(log, provider, 'status', result.status);
    const error = await upstreamStatusError(result, provider);
    if (result.status >= 500 || result.status === 429) {
      lastError = error;
      continue;
    }
    throw error;
  }
  throw lastError ?? new ApiError('upstream_error');
}

/** Reads a small error body and turns an upstream status into our error, scrubbed. */
async function upstreamStatusError(answer: UpstreamAnswer, provider: ProviderDef): Promise<ApiError> {
  const text = await readLimited(answer.body, MAX_ERROR_BODY_BYTES).catch(() => '');
  const status = answer.status;
  // The provider's credentials or our own routing are at fault, not the client's request.
  if (status >= 500 || status === 429 || status === 401 || status === 403 || status === 407 || status < 400) {
    return new ApiError('upstream_error', { message: status === 429 ? 'The upstream provider is rate limiting requests.' : `The upstream provider failed (status ${status}).` });
  }
  const code: ErrorCode = status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : 'invalid_request';
  const message = upstreamMessage(text);
  return new ApiError(code, message ? { message: scrub(message, provider) } : {});
}

function upstreamMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'object' ? parsed.error?.message : (parsed.error ?? parsed.message);
    return typeof message === 'string' && message.length > 0 ? message.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}

function scrub(text: string, provider: ProviderDef): string {
  let out = text;
  const secrets = [provider.secret, provider.baseUrl, safeHost(provider.baseUrl)].filter((s): s is string => !!s && s.length >= 4);
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** Reads a body up to `maxBytes`; a longer body is an error (an upstream never needs that much). */
export async function readLimited(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new ApiError('upstream_error', { message: 'The upstream answer was too large.' });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
