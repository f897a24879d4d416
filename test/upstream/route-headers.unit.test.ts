// SPEC §12: a caller's W3C trace context never reaches a plain route's upstream raw; Tollgate's own
// attempt span is what the upstream sees (test/tracing/request-spans.test.ts), or nothing.
import { describe, expect, it } from 'vitest';
import { passesToUpstream } from '../../src/upstream/route-headers.js';

describe('route headers', () => {
  it('drops the caller’s traceparent and tracestate, and keeps baggage and ordinary headers', () => {
    expect(passesToUpstream('traceparent')).toBe(false);
    expect(passesToUpstream('tracestate')).toBe(false);
    expect(passesToUpstream('baggage')).toBe(true);
    expect(passesToUpstream('accept')).toBe(true);
  });
});
