// Which price applies: the operator's over the config file's, a route's own cost otherwise, and
// nothing (free, still metered) for anything unpriced. Limits defaults and the fallback share come
// from the same config file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { setPrice } from './credit-fixtures.js';

const CONFIG = `
prices:
  - { model: openai/gpt-mini, input_per_mtok: 150, output_per_mtok: 600, per_request: 1, max_output_tokens: 512 }
  - { model: cheap, per_request: 2 }
limits:
  default: { rpm: 600, tpm: 1000000, concurrency: 20 }
  fallback_share: 0.25
`;

describe('the price book and limit defaults from the config file', () => {
  let gateway: TestGateway;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-prices-'));
    writeFileSync(join(dir, 'tollgate.yaml'), CONFIG);
    gateway = await startTestGateway({ env: { TOLLGATE_CONFIG: join(dir, 'tollgate.yaml') } });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prices a model from the config file, with its reservation cap', async () => {
    expect(await gateway.services.credits.prices.priceFor({ kind: 'model', model: 'openai/gpt-mini' })).toEqual({
      targetKind: 'model',
      target: 'openai/gpt-mini',
      inputPerMtok: 150,
      outputPerMtok: 600,
      perRequest: 1,
      maxOutputTokens: 512,
      source: 'config',
      updatedAt: null,
    });
  });

  it("lets an operator price override the config file's, and leaves unknown models unpriced", async () => {
    await setPrice(gateway.services, 'cheap', { perRequest: 5 });
    expect(await gateway.services.credits.prices.priceFor({ kind: 'model', model: 'cheap' })).toMatchObject({ perRequest: 5, source: 'operator' });
    expect(await gateway.services.credits.prices.priceFor({ kind: 'model', model: 'unknown' })).toBeNull();
    const listed = await gateway.services.credits.prices.list();
    expect(listed.map((p) => `${p.target}:${p.source}`)).toEqual(['cheap:operator', 'openai/gpt-mini:config']);
  });

  it("charges a route its own cost unless an operator priced it", async () => {
    expect(await gateway.services.credits.prices.priceFor({ kind: 'route', routeId: 'rte_x', cost: 4 })).toMatchObject({ perRequest: 4 });
  });

  it('applies the configured default limits to every account without an override', async () => {
    expect(await gateway.services.credits.limits.effective('acc_any')).toEqual({ rpm: 600, tpm: 1_000_000, concurrency: 20 });
    expect(gateway.services.config.file.limits.fallback_share).toBe(0.25);
  });
});
