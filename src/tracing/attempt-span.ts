// One upstream attempt as a CLIENT span, a child of the request's SERVER span: one per target tried
// when a call fails over. It ends when the upstream's status line arrives (or the attempt fails);
// the body's relay is timed by the server span. Its context is what the upstream receives as
// `traceparent`, so the upstream's own spans hang below this attempt. Recorded: the upstream's host
// and port, the method and status — never the path, query string, headers or body.
import { SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { withTraceContext } from './trace-context.js';

export class AttemptSpan {
  private ended = false;

  constructor(
    private readonly span: Span,
    private readonly context: Context,
  ) {}

  /** The upstream request's headers with this attempt's trace context added. */
  headers(headers: Record<string, string>): Record<string, string> {
    return withTraceContext(this.context, headers);
  }

  /** The upstream answered: a 4xx or 5xx is an error of this attempt (HTTP client semantic conventions). */
  answered(status: number): void {
    if (this.ended) return;
    this.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 400) this.fail(String(status));
    this.close();
  }

  /** The attempt got no answer: connect, timeout, blocked, aborted… */
  failed(failure: string): void {
    if (this.ended) return;
    this.fail(failure);
    this.close();
  }

  private fail(errorType: string): void {
    this.span.setAttribute(ATTR_ERROR_TYPE, errorType);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
  }

  private close(): void {
    this.ended = true;
    this.span.end();
  }
}
