// The HTTP client for upstream calls (undici). Time limits per phase: connect, first byte
// (response headers) and idle time between body chunks; redirects are never followed (undici's
// request() does not follow them, and a 3xx is treated as a failure by callers). Account-owned
// upstreams use an agent whose DNS lookup refuses private addresses, and their IP-literal hosts
// are re-checked here, because a literal never goes through a lookup. The URL is built so that it
// cannot leave the base URL's path (issue 9 item 2): see upstreamUrlWithin. With tracing on, each
// attempt is a client span whose context the upstream receives as `traceparent` (SPEC §12).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import type { ConfigFile } from '../config-file.js';
import type { DeepReadonly } from '../core/deep-freeze.js';
import { checkUpstreamUrl } from '../core/private-address.js';
import { upstreamUrlWithin } from '../core/route-upstream-url.js';
import type { ProviderDef } from '../catalog/catalog.js';
import type { RequestSpan } from '../tracing/request-span.js';
import type { CallCancel } from './call-cancel.js';
import { BLOCKED_ADDRESS, guardedLookup } from './guarded-lookup.js';

export interface UpstreamTimeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

export function upstreamTimeouts(file: DeepReadonly<ConfigFile>): UpstreamTimeouts {
  return {
    connectMs: file.upstream.connect_timeout_ms,
    firstByteMs: file.upstream.first_byte_timeout_ms,
    idleMs: file.upstream.idle_timeout_ms,
  };
}

export interface UpstreamRequest {
  provider: Pick<ProviderDef, 'baseUrl' | 'guarded'>;
  /** Appended to the provider's base URL: starts with "/", may carry a query string. */
  path: string;
  /** A path prefix below the base URL's path that the final URL must stay inside (default: none). */
  within?: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | string | undefined;
  signal: CallCancel;
  /** The request's span when tracing is on: the attempt is traced below it. */
  trace?: Pick<RequestSpan, 'attempt'> | null;
}

/** connect: never reached the upstream (safe to try another target); timeout: a phase ran out. */
export type UpstreamFailure = 'connect' | 'connect_timeout' | 'timeout' | 'blocked' | 'aborted' | 'error';

export type UpstreamResult =
  | { ok: true; status: number; headers: IncomingHttpHeaders; body: Readable; url: URL; startedMs: number }
  | { ok: false; failure: UpstreamFailure; startedMs: number };

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export function classifyUpstreamError(error: unknown, signal: Pick<CallCancel, 'aborted'>): UpstreamFailure {
  if (signal.aborted) return 'aborted';
  const code = (error as { code?: string } | null)?.code ?? (error as { cause?: { code?: string } } | null)?.cause?.code;
  if (code === BLOCKED_ADDRESS) return 'blocked';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (code && CONNECT_ERRORS.has(code)) return 'connect';
  return 'error';
}

/** Two connection pools: operator providers (trusted) and account providers (every connect re-checked). */
export interface UpstreamAgents {
  trusted: Agent;
  guarded: Agent;
}

/** Called by the composition root, which owns and closes the agents. */
export function upstreamAgents(timeouts: UpstreamTimeouts): UpstreamAgents {
  const common = { headersTimeout: timeouts.firstByteMs, bodyTimeout: timeouts.idleMs, keepAliveTimeout: 30_000 };
  return {
    trusted: new Agent(Object.assign({}, common, { connect: { timeout: timeouts.connectMs } })),
    guarded: new Agent(Object.assign({}, common, { connect: { timeout: timeouts.connectMs, lookup: guardedLookup } })),
  };
}

/** Upstream URLs already built and checked (a model call's are few: one per provider and endpoint). */
const URLS_REMEMBERED = 1024;

export class UpstreamClient {
  private readonly trusted: Agent;
  private readonly guarded: Agent;
  /** By base URL, prefix and path: the checked URL, or null when it was refused. Never changed once made. */
  private readonly urls = new Map<string, URL | null>();

  constructor(agents: UpstreamAgents) {
    this.trusted = agents.trusted;
    this.guarded = agents.guarded;
  }

  async send(req: UpstreamRequest): Promise<UpstreamResult> {
    const startedMs = performance.now();
    // A URL that parsing would change (dot segments, backslashes) or that leaves its prefix is
    // never sent: the same refusal as a private address.
    const url = this.upstreamUrl(req);
    if (!url) return { ok: false, failure: 'blocked', startedMs };
    if (req.provider.guarded && !checkUpstreamUrl(req.provider.baseUrl, false).ok) return { ok: false, failure: 'blocked', startedMs };
    const attempt = req.trace?.attempt(url, req.method);
    try {
      // The agent's own request(), given origin and path: undici's top-level request(url, options)
      // copies the options with a spread and fields of its own (ARCHITECTURE.md, "Hot-path objects").
      const response = await (req.provider.guarded ? this.guarded : this.trusted).request({
        origin: url.origin,
        path: url.search ? `${url.pathname}${url.search}` : url.pathname,
        method: req.method as 'GET',
        headers: attempt ? attempt.headers(req.headers) : req.headers,
        body: req.body ?? null,
        signal: req.signal,
      });
      attempt?.answered(response.statusCode);
      return { ok: true, status: response.statusCode, headers: response.headers, body: response.body, url, startedMs };
    } catch (error) {
      const failure = classifyUpstreamError(error, req.signal);
      attempt?.failed(failure);
      return { ok: false, failure, startedMs };
    }
  }

  private upstreamUrl({ provider, path, within = '' }: UpstreamRequest): URL | null {
    const key = `${provider.baseUrl}\n${within}\n${path}`;
    let url = this.urls.get(key);
    if (url === undefined) {
      if (this.urls.size >= URLS_REMEMBERED) this.urls.clear();
      url = upstreamUrlWithin(provider.baseUrl, path, within) ?? null;
      this.urls.set(key, url);
    }
    return url;
  }
}
