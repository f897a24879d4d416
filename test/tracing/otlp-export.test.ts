// SPEC §12 Tracing, as an operator switches it on: `tollgate serve` with OTEL_EXPORTER_OTLP_ENDPOINT
// pointing at a collector (here an OTLP/HTTP receiver on loopback) sends its spans there under
// OTEL_SERVICE_NAME, in batches while it runs, and flushes what is still queued on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureConfig, UPSTREAM_SECRET, waitFor, writeConfigFile } from '../support/gateway-fixture.js';
import { capturedLogs, rememberSecret } from '../support/log-capture.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startTollgateProcess } from '../support/spawn-tollgate.js';

/** The few OTLP/JSON fields the test reads (opentelemetry-proto, trace/v1/trace.proto). */
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string };
}
interface OtlpSpan {
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
}
interface ExportedSpan extends OtlpSpan {
  serviceName: string | undefined;
}
interface OtlpRequest {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

const SPAN_KIND_SERVER = 2;

function attribute(attributes: OtlpAttribute[], key: string): string | undefined {
  const value = attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : String(value.intValue));
}

/** A collector's OTLP/HTTP traces endpoint: keeps every span it is sent, with its service name. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; contentTypes: Set<string>; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const contentTypes = new Set<string>();
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']));
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const raw = Buffer.concat(parts);
      const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as OtlpRequest;
      for (const resourceSpans of body.resourceSpans) {
        const serviceName = attribute(resourceSpans.resource.attributes, 'service.name');
        for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) spans.push({ ...span, serviceName });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function json(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; headers: Headers; body: Record<string, string> }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, string>) : {} };
}

describe('tollgate serve with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let mock: MockOpenAI;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let config: ReturnType<typeof writeConfigFile>;
  let dataDir: string;
  beforeAll(async () => {
    rememberSecret(UPSTREAM_SECRET);
    mock = await startMockOpenAI();
    collector = await startCollector();
    config = writeConfigFile(fixtureConfig(mock));
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-otlp-'));
  });
  afterAll(async () => {
    await collector?.close();
    await mock?.close();
    config?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports each request’s span under its service name while serving, and flushes the rest on SIGTERM', async () => {
    const server = await startTollgateProcess({
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_CONFIG: config.path,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'tollgate-under-test',
      // A batch leaves at 4 spans (two requests: server and upstream attempt each), else only after
      // a minute: whatever arrives from the third request sooner came from the shutdown's flush.
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    let stopped: number | null = null;
    try {
      rememberSecret('otlp-password-1');
      await json(`${server.url}/api/v1/auth/register`, { method: 'POST', body: { email: 'otlp@example.com', password: 'otlp-password-1' } });
      const login = await json(`${server.url}/api/v1/auth/login`, { method: 'POST', body: { email: 'otlp@example.com', password: 'otlp-password-1' } });
      rememberSecret(login.body.access_token!, login.body.refresh_token!);
      const key = (await json(`${server.url}/api/v1/auth/keys`, { method: 'POST', headers: { authorization: `Bearer ${login.body.access_token}` }, body: { name: 'otlp' } })).body.key!;
      rememberSecret(key);
      const chat = async () => {
        const response = await json(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: { model: 'chat-default', messages: [{ role: 'user', content: 'hello' }] } });
        expect(response.status).toBe(200);
        return response.headers.get('x-request-id')!;
      };
      const serverSpanOf = (requestId: string) => collector.spans.find((span) => span.kind === SPAN_KIND_SERVER && attribute(span.attributes, 'tollgate.request_id') === requestId);

      const first = [await chat(), await chat()];
      expect(await waitFor(() => first.every((id) => serverSpanOf(id) !== undefined), 10_000)).toBe(true);
      for (const id of first) expect(serverSpanOf(id)).toMatchObject({ name: 'chat chat-default', serviceName: 'tollgate-under-test' });

      const last = await chat();
      stopped = await server.stop('SIGTERM');
      expect(serverSpanOf(last)).toMatchObject({ name: 'chat chat-default', serviceName: 'tollgate-under-test' });
      expect(attribute(serverSpanOf(last)!.attributes, 'gen_ai.usage.output_tokens')).toMatch(/^[1-9]\d*$/);
      expect([...collector.contentTypes]).toEqual(['application/json']);
    } finally {
      stopped ??= await server.stop('SIGTERM');
      capturedLogs.push(server.output());
    }
    expect(stopped).toBe(0);
  });
});
