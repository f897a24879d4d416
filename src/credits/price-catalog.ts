// The public price catalogue (SPEC §8): when `pricing.catalog: true`, a server-wide target that no
// operator priced is priced from the `@pydantic/genai-prices` package's bundled data — offline:
// its data ships inside the package and `updatePrices` is never called, so nothing is fetched at
// run time and a price changes only with the package version.
//
// Mapping our target to the catalogue: the provider's base URL against each catalogue provider's
// API address (api.openai.com → openai, api.anthropic.com → anthropic, openrouter.ai → openrouter…),
// else our provider id when it is a catalogue provider id (a provider named `openai` behind a
// proxy); the model name is matched by the catalogue's own rules (dated snapshots included).
// Dollars become credits with `pricing.credits_per_usd`, exactly (decimal arithmetic, rounded to
// the micro-credit per Mtok). What is used: input and output per Mtok, a per-request fee
// (`requests_kcount`), and long-context tiers (the whole request at the tier its input passes).
// What is not: cache-read/write, audio and tool prices — Tollgate meters input and output tokens
// only, so cached input is charged at the input price (never less than the catalogue's total).
//
// Looked up once per (provider, base URL, model) and kept (bounded LRU); a model whose catalogue
// price depends on the date or time of day is looked up again at most once a minute.
import { LruMap } from '../core/lru-map.js';
import { microsToCredits, toMicros } from '../core/sub-credits.js';
import type { Price, PriceTier } from './pricing.js';

type GenaiPrices = typeof import('@pydantic/genai-prices');
type ModelPrice = import('@pydantic/genai-prices').ModelPrice;

export interface CatalogTarget {
  provider: string;
  /** The provider's base URL (null: unknown; the provider id alone is then matched). */
  baseUrl: string | null;
  model: string;
}

export interface PriceCatalogOptions {
  /** Credits per US dollar (SPEC §8; default 1,000,000: one credit is a micro-dollar). */
  creditsPerUsd: number;
  now?: () => Date;
  maxEntries?: number;
}

/** Conditional (dated or time-of-day) catalogue prices are looked up again after this long. */
const CONDITIONAL_TTL_MS = 60_000;

interface Entry {
  price: Price | null;
  expiresAtMs: number;
}

export class PriceCatalog {
  private readonly entries: LruMap<string, Entry>;
  private module: Promise<GenaiPrices> | null = null;
  private readonly now: () => Date;

  constructor(private readonly options: PriceCatalogOptions) {
    this.entries = new LruMap(options.maxEntries ?? 10_000);
    this.now = options.now ?? (() => new Date());
  }

  /** The catalogue's price for a target, in credits, or null when it has none. */
  async priceFor(target: CatalogTarget): Promise<Price | null> {
    const key = `${target.provider}\u0000${target.baseUrl ?? ''}\u0000${target.model}`;
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAtMs > now.getTime()) return cached.price;
    // Loaded on first use only: a gateway without the catalogue never parses its data.
    this.module ??= import('@pydantic/genai-prices');
    const entry = lookUp(await this.module, target, now, BigInt(Math.round(this.options.creditsPerUsd)));
    this.entries.set(key, entry);
    return entry.price;
  }
}

function lookUp(genai: GenaiPrices, target: CatalogTarget, now: Date, creditsPerUsd: bigint): Entry {
  const none: Entry = { price: null, expiresAtMs: Number.POSITIVE_INFINITY };
  try {
    const byUrl = target.baseUrl ? genai.findProvider({ providerApiUrl: target.baseUrl }) : undefined;
    const providerId = byUrl?.id ?? genai.findProvider({ providerId: target.provider })?.id;
    if (!providerId) return none;
    const found = genai.calcPrice({}, target.model, { providerId, timestamp: now });
    if (!found) return none;
    const conditional = Array.isArray(found.model.prices);
    return { price: catalogPrice(found.model_price, creditsPerUsd), expiresAtMs: conditional ? now.getTime() + CONDITIONAL_TTL_MS : none.expiresAtMs };
  } catch {
    // An entry the package cannot price (malformed data): no catalogue price, the unpriced policy applies.
    return none;
  }
}

type Rate = ModelPrice[string];

function credits(usd: number, creditsPerUsd: bigint, per = 1n): number {
  return microsToCredits(toMicros(usd, creditsPerUsd) / per);
}

/** The rate of one catalogue key for a request whose input passes `start` tokens (−1: the base). */
function rateAt(rate: Rate, start: number): number {
  if (rate === undefined) return 0;
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (start >= tier.start) price = tier.price;
  return price;
}

/**
 * A catalogue model price (dollars) as a Tollgate price (credits): input and output per Mtok,
 * `requests_kcount` as a per-request fee, and the long-context tiers of either. Null when the
 * model has none of these (priced by images, audio or characters only).
 */
export function catalogPrice(prices: ModelPrice, creditsPerUsd: bigint): Price | null {
  const input = prices.input_mtok;
  const output = prices.output_mtok;
  const requests = prices.requests_kcount;
  if (input === undefined && output === undefined && typeof requests !== 'number') return null;
  const starts = new Set<number>();
  for (const rate of [input, output]) if (rate !== undefined && typeof rate !== 'number') for (const tier of rate.tiers) starts.add(tier.start);
  const tiers: PriceTier[] = [...starts]
    .sort((a, b) => a - b)
    .map((start) => ({ aboveInputTokens: start, inputPerMtok: credits(rateAt(input, start), creditsPerUsd), outputPerMtok: credits(rateAt(output, start), creditsPerUsd) }));
  return {
    inputPerMtok: credits(rateAt(input, -1), creditsPerUsd),
    outputPerMtok: credits(rateAt(output, -1), creditsPerUsd),
    perRequest: typeof requests === 'number' ? credits(requests, creditsPerUsd, 1000n) : 0,
    maxOutputTokens: null,
    source: 'catalog',
    ...(tiers.length > 0 ? { tiers } : {}),
  };
}
