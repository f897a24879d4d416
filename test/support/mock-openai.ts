// A real OpenAI-compatible upstream on node:http for integration tests and benchmarks: chat
// completions, responses, embeddings and models in OpenAI's wire formats (the official `openai` SDK
// parses them), with configurable latency, SSE pacing, failures and a bearer check. Binds 127.0.0.1
// on a free port. It records every request so tests can assert what the gateway forwarded.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleChatCompletions } from './mock-openai/handle-chat-completions.js';
import { handleEmbeddings } from './mock-openai/handle-embeddings.js';
import { handleModels } from './mock-openai/handle-models.js';
import { handleResponses } from './mock-openai/handle-responses.js';
import { sendJson, type MockExchange, type MockSettings } from './mock-openai/mock-exchange.js';
import { defaultFailureBody, sendOpenAIError } from './mock-openai/openai-error.js';

export interface MockFailure {
  status: number;
  /** Sent as JSON; defaults to an OpenAI-shaped error for that status. */
  body?: unknown;
}

export interface MockOpenAIOptions {
  /** Fixed wait before answering any request (default 0). */
  delayMs?: number;
  /** Pause between streamed content chunks (default 0). */
  chunkIntervalMs?: number;
  /** Words per completion, one per streamed content chunk (default 5). */
  chunks?: number;
  /** Answer every request with this error. */
  failWith?: MockFailure;
  /** Ids served by GET /v1/models. */
  models?: string[];
  /** When set, require `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Keep every request in `requests` (default true; benchmarks turn it off to stay flat in memory). */
  recordRequests?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query string, as received. */
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, the raw text if it was not JSON, or undefined if empty. */
  body: unknown;
}

export interface MockOpenAI {
  /** Base URL for SDK clients, ending in `/v1`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Streamed responses whose client disconnected before the stream finished. */
  readonly aborted: number;
  setFailure(failure: MockFailure | null): void;
  /** Stops listening and destroys open sockets (in-flight streams end as aborted). */
  close(): Promise<void>;
}

export const DEFAULT_MOCK_MODELS = ['gpt-4o-mini', 'gpt-4.1-mini', 'text-embedding-3-small'];

export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAI> {
  const settings: MockSettings = {
    delayMs: options.delayMs ?? 0,
    chunkIntervalMs: options.chunkIntervalMs ?? 0,
    chunks: options.chunks ?? 5,
    models: options.models ?? DEFAULT_MOCK_MODELS,
  };
  const record = options.recordRequests ?? true;
  const requests: RecordedRequest[] = [];
  let failure = options.failWith ?? null;
  let aborted = 0;
  let sequence = 0;

  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, function onRequest(req, res) {
    const exchangeSequence = ++sequence;
    serve(req, res, exchangeSequence).catch((error: unknown) => {
      if (!res.headersSent) sendOpenAIError(res, 500, `Mock failure: ${String(error)}`, 'server_error');
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse, exchangeSequence: number): Promise<void> {
    const { body, invalidJson } = parseBody(await readBody(req));
    const path = req.url ?? '/';
    if (record) requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    res.setHeader('x-request-id', `req_mock_${exchangeSequence}`);

    const signal = clientGoneSignal(res);
    if (settings.delayMs > 0) {
      try {
        await sleep(settings.delayMs, undefined, { signal: signal() });
      } catch {
        return;
      }
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendOpenAIError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
      return;
    }
    if (failure !== null) {
      sendJson(res, failure.status, failure.body ?? defaultFailureBody(failure.status));
      return;
    }
    if (invalidJson) {
      sendOpenAIError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    const exchange: MockExchange = {
      req,
      res,
      body,
      settings,
      get signal() {
        return signal();
      },
      sequence: exchangeSequence,
      countAbortedStream: () => void aborted++,
    };
    await route(exchange, req.method ?? 'GET', path.split('?')[0] ?? '/');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get aborted() {
      return aborted;
    },
    setFailure(next) {
      failure = next;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function route(exchange: MockExchange, method: string, pathname: string): Promise<void> {
  if (method === 'POST' && pathname === '/v1/chat/completions') return handleChatCompletions(exchange);
  if (method === 'POST' && pathname === '/v1/responses') return handleResponses(exchange);
  if (method === 'POST' && pathname === '/v1/embeddings') return handleEmbeddings(exchange);
  if (method === 'GET' && pathname === '/v1/models') return handleModels(exchange);
  if (method === 'GET' && pathname.startsWith('/v1/models/')) {
    return handleModels(exchange, decodeURIComponent(pathname.slice('/v1/models/'.length)));
  }
  sendOpenAIError(exchange.res, 404, `Unknown request URL: ${method} ${pathname}.`, 'invalid_request_error', 'unknown_url');
}

// Event callbacks rather than `for await`: the async iterator is a visible cost per request when
// the mock serves as a benchmark upstream.
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.once('end', () => resolve(parts.length === 0 ? '' : Buffer.concat(parts).toString('utf8')));
    req.once('error', reject);
  });
}

/**
 * A signal aborted when the client disconnects before the response ends. Made on first use: most
 * requests never wait, and an AbortController per request is a measurable cost in benchmarks.
 */
function clientGoneSignal(res: ServerResponse): () => AbortSignal {
  let controller: AbortController | undefined;
  return () => {
    if (controller === undefined) {
      const made = new AbortController();
      controller = made;
      if (res.destroyed && !res.writableFinished) made.abort();
      else res.once('close', () => !res.writableFinished && made.abort());
    }
    return controller.signal;
  };
}

/** Every endpoint of the mock takes JSON, so a body that does not parse is kept raw and refused. */
function parseBody(raw: string): { body: unknown; invalidJson: boolean } {
  if (raw.length === 0) return { body: undefined, invalidJson: false };
  try {
    return { body: JSON.parse(raw) as unknown, invalidJson: false };
  } catch {
    return { body: raw, invalidJson: true };
  }
}
