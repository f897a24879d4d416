// A Tollgate in front of a real mock OpenAI upstream, for the gateway suites: writes a config file
// declaring the upstream (and any extra providers, aliases and routes), starts the gateway on the
// given storage target, listens on 127.0.0.1 when a test needs a real socket, and cleans up.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DatabaseTarget } from './databases.js';
import { startTestGateway, signUp, createKey, type SignedIn, type TestGateway, type TestGatewayOptions } from './harness.js';
import { startMockOpenAI, type MockOpenAI, type MockOpenAIOptions } from './mock-openai.js';
import { rememberSecret } from './log-capture.js';

export const UPSTREAM_SECRET = 'sk-upstream-secret-for-tests-0123456789';

export interface GatewayFixture {
  gw: TestGateway;
  mock: MockOpenAI;
  user: SignedIn;
  key: string;
  keyId: string;
  /** http://127.0.0.1:PORT once `listen()` was called. */
  baseUrl: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  target?: DatabaseTarget;
  mock?: MockOpenAIOptions;
  /** Extra config-file content merged into the default (providers/aliases/routes are appended). */
  config?: { providers?: object[]; aliases?: object[]; routes?: object[]; prices?: object[]; pricing?: object; upstream?: object; automation?: object; limits?: object };
  env?: Record<string, string>;
  shared?: TestGatewayOptions['shared'];
  keyBody?: Record<string, unknown>;
  spanExporter?: TestGatewayOptions['spanExporter'];
  /** The time budgets are read at (default: the system clock). */
  clock?: () => Date;
}

/**
 * The config file every fixture gets: the mock as provider `mock` (open to direct `mock/<model>`
 * calls), and alias `chat-default`.
 */
export function fixtureConfig(mock: MockOpenAI, extra: FixtureOptions['config'] = {}): object {
  return {
    providers: [{ id: 'mock', type: 'openai', base_url: mock.url, api_key: UPSTREAM_SECRET, models: ['gpt-4o-mini', 'gpt-4.1-mini', 'text-embedding-3-small'], direct: true }, ...(extra.providers ?? [])],
    aliases: [{ name: 'chat-default', strategy: 'fallback', targets: [{ provider: 'mock', model: 'gpt-4o-mini' }] }, ...(extra.aliases ?? [])],
    routes: extra.routes ?? [],
    ...(extra.upstream ? { upstream: extra.upstream } : {}),
    ...(extra.automation ? { automation: extra.automation } : {}),
    ...(extra.limits ? { limits: extra.limits } : {}),
    ...(extra.prices ? { prices: extra.prices } : {}),
    ...(extra.pricing ? { pricing: extra.pricing } : {}),
  };
}

export function writeConfigFile(content: object): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  const path = join(dir, 'tollgate.json');
  writeFileSync(path, JSON.stringify(content));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startGatewayFixture(options: FixtureOptions = {}): Promise<GatewayFixture> {
  rememberSecret(UPSTREAM_SECRET);
  const mock = await startMockOpenAI(options.mock);
  const file = writeConfigFile(fixtureConfig(mock, options.config));
  let gw: TestGateway | undefined;
  let user: SignedIn;
  let created: Awaited<ReturnType<typeof createKey>>;
  try {
    gw = await startTestGateway({
      ...(options.target ? { target: options.target } : {}),
      ...(options.shared ? { shared: options.shared } : {}),
      ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      env: { TOLLGATE_CONFIG: file.path, ...options.env },
    });
    user = await signUp(gw.app);
    created = await createKey(gw.app, user, options.keyBody ?? {});
  } catch (error) {
    // Leave nothing behind when start-up fails.
    await gw?.close();
    await mock.close();
    file.remove();
    throw error;
  }
  const started = gw;
  const fixture: GatewayFixture = {
    gw: started,
    mock,
    user,
    key: created.key,
    keyId: created.id,
    baseUrl: '',
    async listen() {
      await started.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = started.app.server.address() as AddressInfo;
      fixture.baseUrl = `http://127.0.0.1:${port}`;
      return fixture.baseUrl;
    },
    async close() {
      // Node 20 keeps a client's pre-opened, never-used socket through closeIdleConnections (seen
      // with undici after an aborted stream), which would stall app.close(); every test request
      // is over by now, so drop them all.
      if (fixture.baseUrl) started.app.server.closeAllConnections();
      await started.close();
      await mock.close();
      file.remove();
    },
  };
  return fixture;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3000, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
