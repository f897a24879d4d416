// A span exporter that tells the operator when spans could not be exported (a collector down, a
// wrong endpoint, a refused token): one warning per failed batch in Tollgate's own log, where the
// SDK would otherwise report it only to OpenTelemetry's diagnostic logger, silent by default and
// process-wide. The warning names the failure, never the exporter's headers.
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface ExportLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export function loggedExporter(inner: SpanExporter, log: ExportLog): SpanExporter {
  return {
    export(spans, done) {
      inner.export(spans, function reportFailure(result) {
        if (result.code !== ExportResultCode.SUCCESS) {
          const error = result.error as (Error & { code?: unknown }) | undefined;
          log.warn({ spans: spans.length, failure: error?.message, ...(typeof error?.code === 'number' ? { status: error.code } : {}) }, 'could not export spans');
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
