// Which price applies to a request: the operator's price (database) wins over the config file's;
// a route without either costs what the route declares; anything else is unpriced (free, still
// metered). Operator prices are few, so the book keeps all of them in memory and reloads them
// every `ttlMs` — a change made on another node is seen within that time, on this node at once.
import type { ConfigFile } from '../config-file.js';
import type { PriceTarget } from '../limits/admission.js';
import type { Storage } from '../storage/storage.js';
import type { PriceTargetKind, StoredPrice } from '../storage/prices.js';
import { routePrice, type Price } from './pricing.js';

export interface EffectivePrice extends Price {
  targetKind: PriceTargetKind;
  target: string;
  source: 'operator' | 'config';
  updatedAt: string | null;
}

export interface PriceBookOptions {
  ttlMs?: number;
  now?: () => number;
}

function key(kind: PriceTargetKind, target: string): string {
  return `${kind}\u0000${target}`;
}

export class PriceBook {
  private readonly configured = new Map<string, EffectivePrice>();
  private operator: Map<string, EffectivePrice> | null = null;
  private loadedAt = 0;
  private loading: Promise<Map<string, EffectivePrice>> | null = null;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly storage: Storage,
    configPrices: ConfigFile['prices'],
    options: PriceBookOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.now = options.now ?? Date.now;
    for (const p of configPrices) {
      this.configured.set(key('model', p.model), {
        targetKind: 'model',
        target: p.model,
        inputPerMtok: p.input_per_mtok,
        outputPerMtok: p.output_per_mtok,
        perRequest: p.per_request,
        maxOutputTokens: p.max_output_tokens ?? null,
        source: 'config',
        updatedAt: null,
      });
    }
  }

  /** The price for a request, or null when it is unpriced. */
  async priceFor(target: PriceTarget): Promise<Price | null> {
    const operator = await this.operatorPrices();
    if (target.kind === 'route') return operator.get(key('route', target.routeId)) ?? routePrice(target.cost);
    const k = key('model', target.model);
    return operator.get(k) ?? this.configured.get(k) ?? null;
  }

  /** Every effective price: operator prices, then config prices they do not override. */
  async list(): Promise<EffectivePrice[]> {
    const operator = await this.operatorPrices(true);
    const merged = new Map(this.configured);
    for (const [k, p] of operator) merged.set(k, p);
    return [...merged.values()].sort((a, b) => a.targetKind.localeCompare(b.targetKind) || a.target.localeCompare(b.target));
  }

  /** Forget the cached operator prices (after a write on this node). */
  invalidate(): void {
    this.operator = null;
    this.loadedAt = 0;
  }

  private async operatorPrices(fresh = false): Promise<Map<string, EffectivePrice>> {
    if (!fresh && this.operator && this.now() - this.loadedAt < this.ttlMs) return this.operator;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    try {
      return await this.loading;
    } catch (error) {
      // A stale price list beats refusing traffic while the database blips; with none, fail.
      if (this.operator && !fresh) return this.operator;
      throw error;
    }
  }

  private async load(): Promise<Map<string, EffectivePrice>> {
    const rows = await this.storage.prices.list();
    const map = new Map<string, EffectivePrice>();
    for (const row of rows) map.set(key(row.targetKind, row.target), fromStored(row));
    this.operator = map;
    this.loadedAt = this.now();
    return map;
  }
}

function fromStored(row: StoredPrice): EffectivePrice {
  return {
    targetKind: row.targetKind,
    target: row.target,
    inputPerMtok: row.inputPerMtok,
    outputPerMtok: row.outputPerMtok,
    perRequest: row.perRequest,
    maxOutputTokens: row.maxOutputTokens,
    source: 'operator',
    updatedAt: row.updatedAt,
  };
}
