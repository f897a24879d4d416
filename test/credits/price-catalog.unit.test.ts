// SPEC §8's price catalogue (issue 11 item 3): the bundled @pydantic/genai-prices data, offline,
// mapped to our providers by base URL or provider id, converted to credits exactly with
// pricing.credits_per_usd, and looked up once per (provider, base URL, model).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfigFile } from '../../src/config-file.js';
import { catalogPrice, PriceCatalog } from '../../src/credits/price-catalog.js';
import { exactRequestCost, tokenRates } from '../../src/credits/pricing.js';
import { unitsToDecimal } from '../../src/core/sub-credits.js';

const MICRO_DOLLAR = 1_000_000;

describe('the price catalogue', () => {
  beforeEach(() => {
    // The catalogue must never reach the network: any fetch fails the test.
    vi.stubGlobal('fetch', () => {
      throw new Error('the price catalogue tried to fetch');
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('prices openai gpt-4o-mini from its bundled data: $0.15 / $0.60 per Mtok = 150,000 / 600,000 credits', async () => {
    const catalog = new PriceCatalog({ creditsPerUsd: MICRO_DOLLAR });
    const price = await catalog.priceFor({ provider: 'upstream', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' });
    expect(price).toMatchObject({ inputPerMtok: 150_000, outputPerMtok: 600_000, perRequest: 0, source: 'catalog' });
    // 7 in, 4 out: 7 × 0.15 + 4 × 0.6 = 3.45 credits (micro-dollars), exactly.
    expect(unitsToDecimal(exactRequestCost(price!, { inputTokens: 7, outputTokens: 4 }))).toBe('3.45');
  });

  it('maps by base URL first, else by a provider id the catalogue knows, else has no price', async () => {
    const catalog = new PriceCatalog({ creditsPerUsd: MICRO_DOLLAR });
    expect(await catalog.priceFor({ provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4o-mini' })).toMatchObject({ inputPerMtok: 150_000 });
    expect(await catalog.priceFor({ provider: 'claude', baseUrl: 'https://api.anthropic.com/v1', model: 'claude-3-5-haiku-latest' })).toMatchObject({ inputPerMtok: 800_000, outputPerMtok: 4_000_000 });
    expect(await catalog.priceFor({ provider: 'local', baseUrl: 'http://127.0.0.1:11434/v1', model: 'gpt-4o-mini' })).toBeNull();
    expect(await catalog.priceFor({ provider: 'openai', baseUrl: null, model: 'llama3.2' })).toBeNull();
  });

  it('converts with pricing.credits_per_usd (one credit per dollar: 0.15 credits per Mtok, kept exact)', async () => {
    const catalog = new PriceCatalog({ creditsPerUsd: 1 });
    const price = await catalog.priceFor({ provider: 'openai', baseUrl: null, model: 'gpt-4o-mini' });
    expect(price).toMatchObject({ inputPerMtok: 0.15, outputPerMtok: 0.6 });
    expect(unitsToDecimal(exactRequestCost(price!, { inputTokens: 1_000_000, outputTokens: 1_000_000 }))).toBe('0.75');
  });

  it('looks a target up once and keeps it: the bundled data is not consulted per request', async () => {
    const catalog = new PriceCatalog({ creditsPerUsd: MICRO_DOLLAR });
    const target = { provider: 'openai', baseUrl: null, model: 'gpt-4o-mini' };
    const first = await catalog.priceFor(target);
    expect(await catalog.priceFor(target)).toBe(first);
  });

  it('keeps long-context tiers: the whole request at the tier its input passes', () => {
    const price = catalogPrice({ input_mtok: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] } as never, output_mtok: 10 }, 1_000_000n)!;
    expect(price.tiers).toEqual([{ aboveInputTokens: 200_000, inputPerMtok: 2_500_000, outputPerMtok: 10_000_000 }]);
    expect(tokenRates(price, 200_000)).toEqual({ inputPerMtok: 1_250_000, outputPerMtok: 10_000_000 });
    expect(tokenRates(price, 200_001)).toMatchObject({ inputPerMtok: 2_500_000 });
  });

  it('uses a per-request price (requests_kcount) and ignores units Tollgate does not meter', () => {
    expect(catalogPrice({ requests_kcount: 5 }, 1_000_000n)).toMatchObject({ inputPerMtok: 0, outputPerMtok: 0, perRequest: 5_000 });
    expect(catalogPrice({ output_audio_mtok: 3 }, 1_000_000n)).toBeNull();
  });
});

describe('the catalogue and decimal prices in the config file', () => {
  it('defaults to the catalogue off and a credit worth a micro-dollar', () => {
    expect(parseConfigFile('{}', 'tollgate.yaml', {}).pricing).toEqual({ catalog: false, credits_per_usd: 1_000_000 });
    expect(parseConfigFile('pricing: { catalog: true, credits_per_usd: 1000 }', 'tollgate.yaml', {}).pricing).toMatchObject({ catalog: true, credits_per_usd: 1000 });
  });

  it('takes prices per Mtok with up to 6 decimals and refuses a 7th, naming the entry', () => {
    expect(parseConfigFile('prices: [{ model: m, input_per_mtok: 0.15, output_per_mtok: 0.000001 }]', 'tollgate.yaml', {}).prices[0]).toMatchObject({ input_per_mtok: 0.15 });
    expect(() => parseConfigFile('prices: [{ model: m, input_per_mtok: 0.1234567 }]', 'tollgate.yaml', {})).toThrow(/prices\[0\]\.input_per_mtok: at most 6 decimal places/);
    expect(() => parseConfigFile('pricing: { credits_per_usd: 0 }', 'tollgate.yaml', {})).toThrow(/setting \/pricing\/credits_per_usd/);
  });
});
