// Which price applies to a request: the operator's price (database) wins over the config file's;
// a route without either costs what the route declares; a model call is priced by the target it
// resolved to (price-lookup.ts), and one with no price follows the unpriced policy
// (unpriced-policy.ts). Operator prices are few, so the book keeps all of them in memory, with
// whether any server-wide route has a cost, and reloads them every `ttlMs` — a change made on
// another node is seen within that time, on this node at once. With the catalogue on
// (`pricing.catalog: true`), a server-wide target no operator priced is priced from it
// (price-catalog.ts), and the catalogue counts as "a price exists" for the unpriced policy.
import type { ConfigFile } from '../config-file.js';
import type { DeepReadonly } from '../core/deep-freeze.js';
import type { PriceCatalog } from './price-catalog.js';
import type { PricedCall, PriceTarget } from './price-lookup.js';
import type { Storage } from '../storage/storage.js';
import type { PriceTargetKind, StoredPrice } from '../storage/prices.js';
import { quoteCall, type Quote } from './price-lookup.js';
import { isPriced, routePrice, type Price } from './pricing.js';
import { effectiveUnpricedPolicy, type UnpricedPolicy, type UnpricedSetting } from './unpriced-policy.js';

export interface EffectivePrice extends Price {
  targetKind: PriceTargetKind;
  target: string;
  source: 'operator' | 'config';
  updatedAt: string | null;
}

/** A price looked up by its name (a model or alias name, or a route with its own cost). */
export type PriceName = { kind: 'model'; model: string } | { kind: 'route'; routeId: string; cost: number };

export interface PriceBookOptions {
  /** The config file's prices, routes (a route cost above 0 is a price) and providers (base URLs). */
  file: DeepReadonly<Pick<ConfigFile, 'prices' | 'routes'> & { providers?: ReadonlyArray<{ id: string; base_url: string }> }>;
  /** The public price catalogue, when `pricing.catalog` is on. */
  catalog?: PriceCatalog | null;
  unpriced: UnpricedSetting;
  ttlMs?: number;
  now?: () => number;
}

interface OperatorPrices {
  prices: Map<string, EffectivePrice>;
  /** Some operator price can charge, or some server-wide stored route has a cost. */
  anyPriced: boolean;
  /** Server-wide stored providers' base URLs by name (the catalogue maps by base URL). */
  baseUrls: Map<string, string>;
}

function key(kind: PriceTargetKind, target: string): string {
  return `${kind}\u0000${target}`;
}

export class PriceBook {
  private readonly configured = new Map<string, EffectivePrice>();
  private readonly configPriced: boolean;
  private operator: OperatorPrices | null = null;
  private loadedAt = 0;
  private loading: Promise<OperatorPrices> | null = null;
  private readonly unpriced: UnpricedSetting;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly catalog: PriceCatalog | null;
  private readonly fileBaseUrls: Map<string, string>;

  constructor(
    private readonly storage: Storage,
    options: PriceBookOptions,
  ) {
    this.unpriced = options.unpriced;
    this.ttlMs = options.ttlMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.catalog = options.catalog ?? null;
    this.fileBaseUrls = new Map((options.file.providers ?? []).map((p) => [p.id, p.base_url]));
    for (const p of options.file.prices) {
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
    // The catalogue prices (nearly) every well-known model: with it on, a price exists.
    this.configPriced = this.catalog !== null || [...this.configured.values()].some(isPriced) || options.file.routes.some((r) => r.cost > 0);
  }

  /** The price stored under a name, or null when there is none (a route always has its own cost). */
  async priceFor(name: PriceName): Promise<Price | null> {
    const { prices } = await this.operatorPrices();
    if (name.kind === 'route') return prices.get(key('route', name.routeId)) ?? routePrice(name.cost);
    const k = key('model', name.model);
    return prices.get(k) ?? this.configured.get(k) ?? null;
  }

  /** What a request may be charged, per candidate target, or the unpriced policy's refusal. */
  async quote(target: PriceTarget): Promise<Quote> {
    if (target.kind === 'route') return { ok: true, prices: [{ target: null, price: await this.priceFor(target) }], unpriced: null };
    const { prices, baseUrls } = await this.operatorPrices();
    const lookup = (name: string) => prices.get(key('model', name)) ?? this.configured.get(key('model', name));
    const catalogued = await this.catalogPrices(target.call.targets, lookup, baseUrls);
    return quoteCall(target.call, lookup, await this.unpricedPolicy(), (t) => catalogued.get(`${t.provider}/${t.model}`) ?? undefined);
  }

  /** The catalogue's prices of the server-wide targets no operator priced by `provider/model`. */
  private async catalogPrices(targets: PricedCall['targets'], lookup: (name: string) => Price | undefined, baseUrls: Map<string, string>): Promise<Map<string, Price | null>> {
    const found = new Map<string, Price | null>();
    if (!this.catalog) return found;
    for (const t of targets) {
      const name = `${t.provider}/${t.model}`;
      if (t.owner !== 'server' || found.has(name) || lookup(name)) continue;
      const baseUrl = this.fileBaseUrls.get(t.provider) ?? baseUrls.get(t.provider) ?? null;
      found.set(name, await this.catalog.priceFor({ provider: t.provider, baseUrl, model: t.model }));
    }
    return found;
  }

  /** The unpriced policy in force now (the default depends on whether any price exists). */
  private async unpricedPolicy(): Promise<UnpricedPolicy> {
    if (this.unpriced.kind !== 'free_until_priced') return this.unpriced;
    return effectiveUnpricedPolicy(this.unpriced, this.configPriced || (await this.operatorPrices()).anyPriced);
  }

  /** Every effective price: operator prices, then config prices they do not override. */
  async list(): Promise<EffectivePrice[]> {
    const operator = await this.operatorPrices(true);
    const merged = new Map(this.configured);
    for (const [k, p] of operator.prices) merged.set(k, p);
    return [...merged.values()].sort((a, b) => a.targetKind.localeCompare(b.targetKind) || a.target.localeCompare(b.target));
  }

  /** Forget the cached operator prices (after a write on this node). */
  invalidate(): void {
    this.operator = null;
    this.loadedAt = 0;
  }

  private async operatorPrices(fresh = false): Promise<OperatorPrices> {
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

  private async load(): Promise<OperatorPrices> {
    const [rows, serverRoutes, serverProviders] = await Promise.all([
      this.storage.prices.list(),
      this.storage.routes.listByOwner(null),
      this.catalog ? this.storage.providers.listByOwner(null) : Promise.resolve([]),
    ]);
    const prices = new Map<string, EffectivePrice>();
    for (const row of rows) prices.set(key(row.targetKind, row.target), fromStored(row));
    // Account-owned routes do not count: an account must not switch the server's policy.
    const anyPriced = [...prices.values()].some(isPriced) || serverRoutes.some((r) => r.cost > 0);
    this.operator = { prices, anyPriced, baseUrls: new Map(serverProviders.map((p) => [p.name, p.baseUrl])) };
    this.loadedAt = this.now();
    return this.operator;
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
