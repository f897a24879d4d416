// One data-plane request as a SERVER span (SPEC §12): started before the key is checked, named
// after what the request turned out to be — `chat gpt-4o-mini` for a model call (GenAI semantic
// conventions), `GET /weather` for a plain HTTP route — and ended once the call is settled, so the
// tokens and credits it was charged are on it; the response never waits for that.
//
// A caller's `traceparent` is always honoured as this span's parent, as most gateways do: it links
// the caller's trace to ours and decides nothing else here. Its sampled flag is honoured too (the
// SDK's parent-based sampler; OTEL_TRACES_SAMPLER changes that). It is never forwarded as sent:
// the upstream receives the context of Tollgate's own attempt span instead.
//
// Never recorded: the key or any header value, provider secrets, bodies (prompts, answers), paths
// beyond the route template, query strings. The key is named by its public id only.
import { SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { AttemptSpan } from './attempt-span.js';
import * as names from './gen-ai-attributes.js';
import { extractTraceContext, type HeaderMap } from './trace-context.js';

/** Status recorded for a request whose client went away: its end is not Tollgate's error. */
const CLIENT_CLOSED_STATUS = 499;

/** What a request's span starts from: Tollgate's request id, the method, the route template, the headers. */
export interface RequestStart {
  id: string;
  method: string;
  /** The matched route's template (Fastify's routeOptions.url), never the raw URL. */
  route: string;
  headers: HeaderMap;
}

export interface SpanEnding {
  status: number;
  outcome: string;
  usage?: { inputTokens: number; outputTokens: number } | null;
  credits?: number;
  /** The provider and model that answered (a plain route's "model" is its path). */
  target?: { provider: string; model: string } | null;
}

export class RequestSpan {
  private errorType: string | null = null;
  private genAi = false;
  private ended = false;

  private constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly context: Context,
    private readonly method: string,
  ) {}

  static start(tracer: Tracer, request: RequestStart): RequestSpan {
    const parent = extractTraceContext(request.headers);
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_HTTP_ROUTE]: request.route, [names.TOLLGATE_REQUEST_ID]: request.id };
    const span = tracer.startSpan(`${request.method} ${request.route}`, { kind: SpanKind.SERVER, attributes }, parent);
    return new RequestSpan(tracer, span, trace.setSpan(parent, span), request.method);
  }

  /** Steps 1–5 passed: the key's account and public id. */
  identify(accountId: string, keyId: string): void {
    this.span.setAttributes({ [names.TOLLGATE_ACCOUNT_ID]: accountId, [names.TOLLGATE_KEY_ID]: keyId });
  }

  /** What the request is for: a model under a GenAI operation (`chat`, `embeddings`), or a plain route. */
  describe(subject: { model: string | null; route: string | null }, operation: string | undefined): void {
    if (operation && subject.model !== null) {
      this.genAi = true;
      this.span.updateName(`${operation} ${subject.model}`);
      this.span.setAttributes({ [names.GEN_AI_OPERATION_NAME]: operation, [names.GEN_AI_REQUEST_MODEL]: subject.model });
    } else if (subject.route !== null) {
      this.span.updateName(`${this.method} ${subject.route}`);
      this.span.setAttribute(ATTR_HTTP_ROUTE, subject.route);
    }
  }

  /** The request failed with one of Tollgate's error codes (src/core/errors.ts). */
  failed(code: string): void {
    this.errorType ??= code;
  }

  /** A CLIENT span for one upstream attempt, a child of this one. */
  attempt(url: URL, method: string): AttemptSpan {
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
    const span = this.tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes }, this.context);
    return new AttemptSpan(span, trace.setSpan(this.context, span));
  }

  /** The request is over (and settled, when it was admitted); later calls do nothing. */
  end(ending: SpanEnding): void {
    if (this.ended) return;
    this.ended = true;
    const { span } = this;
    span.setAttributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: ending.status, [names.TOLLGATE_OUTCOME]: ending.outcome });
    if (ending.credits !== undefined) span.setAttribute(names.TOLLGATE_CREDITS, ending.credits);
    if (ending.target) {
      span.setAttributes(
        this.genAi ? { [names.GEN_AI_PROVIDER_NAME]: ending.target.provider, [names.GEN_AI_RESPONSE_MODEL]: ending.target.model } : { [names.TOLLGATE_PROVIDER]: ending.target.provider },
      );
    }
    if (this.genAi && ending.usage) {
      span.setAttributes({ [names.GEN_AI_USAGE_INPUT_TOKENS]: ending.usage.inputTokens, [names.GEN_AI_USAGE_OUTPUT_TOKENS]: ending.usage.outputTokens });
    }
    // Refusals (401, 402, 429…) are errors too: they are what an operator looks for in a gateway's traces.
    if (ending.status >= 400 && ending.status !== CLIENT_CLOSED_STATUS) {
      const errorType = this.errorType ?? String(ending.status);
      span.setAttribute(ATTR_ERROR_TYPE, errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    }
    span.end();
  }
}
