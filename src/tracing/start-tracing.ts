// The OpenTelemetry tracer provider (SPEC §12), built by the composition root only when tracing is
// on and shut down there, which flushes the spans still queued. Spans go to an OTLP/HTTP collector
// in batches, off the request path; a test hands its own exporter and sees each span as it ends.
// Nothing is registered globally (no global provider, propagator or context manager): the data
// plane is handed `startRequest` and passes span contexts explicitly, so several Tollgates in one
// process (tests) never see each other's spans. The composition root imports this module only when
// tracing is on: with it off, neither the SDK nor the exporter is even loaded.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { loggedExporter, type ExportLog } from './logged-exporter.js';
import { RequestSpan, type RequestStart } from './request-span.js';

export interface TracingOptions {
  serviceName: string;
  /** Where a failed export is reported. */
  log: ExportLog;
  /** Instead of OTLP (tests): every span is handed over as it ends. */
  exporter?: SpanExporter | undefined;
}

export interface Tracing {
  /** Opens the span of one data-plane request. */
  startRequest(request: RequestStart): RequestSpan;
  /** Exports what is still queued, then stops. */
  shutdown(): Promise<void>;
}

export function startTracing(options: TracingOptions): Tracing {
  // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and _TIMEOUT itself.
  const processor = options.exporter
    ? new SimpleSpanProcessor(loggedExporter(options.exporter, options.log))
    : new BatchSpanProcessor(loggedExporter(new OTLPTraceExporter(), options.log));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('tollgate');
  return {
    startRequest: (request) => RequestSpan.start(tracer, request),
    shutdown: () => provider.shutdown(),
  };
}
