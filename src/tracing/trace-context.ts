// W3C Trace Context (https://www.w3.org/TR/trace-context/): how a span's context is read from a
// caller's `traceparent`/`tracestate` headers and written into an upstream request's. One
// propagator instance, used explicitly: nothing is registered as the process-wide propagator.
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const propagator = new W3CTraceContextPropagator();

export type HeaderMap = Record<string, string | string[] | undefined>;

/** The caller's trace context, or the root context when it sent none (or a malformed one). */
export function extractTraceContext(headers: HeaderMap): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** A copy of `headers` carrying `context` as `traceparent` (and `tracestate` when it has one). */
export function withTraceContext(context: Context, headers: Record<string, string>): Record<string, string> {
  const out = Object.assign({}, headers);
  propagator.inject(context, out, defaultTextMapSetter);
  return out;
}
