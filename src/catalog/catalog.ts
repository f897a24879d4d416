// What a key's account can reach upstream: providers, aliases and routes from the config file and
// server-wide storage (operators), plus the account's own (admin plane). Snapshots are cached for
// a few seconds per owner and dropped at once when this node changes them; other nodes hear of
// changes through the Redis bus (and otherwise within the cache lifetime).
import { ChangeEvents } from '../core/change-events.js';
import type { Config } from '../config.js';
import type { AliasView, Owner, ProviderView } from '../core/model-targets.js';
import { DEFAULT_OUTPUT_CAP_FIELD, type OutputCapField } from '../core/output-cap.js';
import { normalizeRoutePath } from '../core/route-match.js';
import type { DerivedSecrets } from '../crypto/master-key.js';
import type { Storage } from '../storage/storage.js';
import { LruMap } from '../core/lru-map.js';
import { openProviderSecret } from './provider-secrets.js';

export interface ProviderDef extends ProviderView {
  id: string;
  baseUrl: string;
  /** The chat field its upstream honours for the output cap (issue 9 item 5). */
  outputCapField?: OutputCapField;
  /** Plaintext upstream secret; lives in memory only, never logged or returned. */
  secret: string | null;
  /** Account-owned upstreams go through the private-address guard at connect time. */
  guarded: boolean;
}

export interface RouteDef {
  id: string;
  owner: Owner;
  path: string;
  provider: string;
  methods: readonly string[];
  scopes: readonly string[];
  cost: number;
}

export interface CatalogPart {
  providers: ProviderDef[];
  aliases: AliasView[];
  routes: RouteDef[];
}

/** The account's own entries first, then the server-wide ones (own names shadow server names). */
export type CatalogSnapshot = CatalogPart;

export const SERVER_OWNER = '*';

interface Cached<T> {
  value: T;
  atMs: number;
}

export class Catalog {
  private readonly parts: LruMap<string, Cached<Promise<CatalogPart>>>;
  private readonly changes = new ChangeEvents();

  constructor(
    private readonly storage: Storage,
    private readonly config: Config,
    private readonly secrets: DerivedSecrets,
    private readonly ttlMs: number,
  ) {
    this.parts = new LruMap(10_000);
  }

  async forAccount(accountId: string): Promise<CatalogSnapshot> {
    const [own, server] = await Promise.all([this.part(accountId), this.part(SERVER_OWNER)]);
    return {
      providers: [...own.providers, ...server.providers],
      aliases: [...own.aliases, ...server.aliases],
      routes: [...own.routes, ...server.routes],
    };
  }

  /** Drops cached entries of an owner (an account id, or "*" for server-wide) without telling anyone. */
  invalidate(owner: string): void {
    this.parts.delete(owner);
  }

  /** A change made on this node: forget it here and tell listeners (the bus, for other nodes). */
  changed(owner: string | null): void {
    const key = owner ?? SERVER_OWNER;
    this.invalidate(key);
    this.changes.changed(key);
  }

  onChanged(listener: (owner: string) => void): () => void {
    return this.changes.onChanged(listener);
  }

  clear(): void {
    this.parts.clear();
  }

  private part(owner: string): Promise<CatalogPart> {
    const cached = this.parts.get(owner);
    if (cached && Date.now() - cached.atMs < this.ttlMs) return cached.value;
    const value = this.load(owner);
    value.catch(() => this.parts.delete(owner));
    this.parts.set(owner, { value, atMs: Date.now() });
    return value;
  }

  private async load(owner: string): Promise<CatalogPart> {
    const server = owner === SERVER_OWNER;
    const accountId = server ? null : owner;
    const as: Owner = server ? 'server' : 'account';
    const [providers, aliases, routes] = await Promise.all([
      this.storage.providers.listByOwner(accountId),
      this.storage.aliases.listByOwner(accountId),
      this.storage.routes.listByOwner(accountId),
    ]);
    const part: CatalogPart = {
      providers: providers.map((p) => ({
        id: p.id,
        name: p.name,
        owner: as,
        type: p.type,
        baseUrl: p.baseUrl,
        models: p.models,
        direct: p.direct,
        outputCapField: p.outputCapField ?? DEFAULT_OUTPUT_CAP_FIELD,
        secret: openProviderSecret(this.secrets, p),
        // Operators are trusted like the config file; account admins are not (SPEC §7).
        guarded: !server && !this.config.allowPrivateUpstreams,
      })),
      aliases: aliases.map((a) => ({ name: a.name, owner: as, strategy: a.strategy, targets: a.targets })),
      routes: routes.map((r) => ({ id: r.id, owner: as, path: normalizeRoutePath(r.path), provider: r.provider, methods: r.methods, scopes: r.scopes, cost: r.cost })),
    };
    return server ? mergeConfig(part, this.config) : part;
  }
}

/** Config-file entries come first among server-wide ones; operators cannot reuse their names. */
function mergeConfig(stored: CatalogPart, config: Config): CatalogPart {
  const file = config.file;
  return {
    providers: [
      ...file.providers.map((p) => ({
        id: p.id,
        name: p.id,
        owner: 'server' as const,
        type: p.type,
        baseUrl: p.base_url,
        models: p.models ?? null,
        direct: p.direct,
        outputCapField: p.output_cap_field ?? DEFAULT_OUTPUT_CAP_FIELD,
        secret: p.api_key ?? null,
        guarded: false,
      })),
      ...stored.providers,
    ],
    aliases: [...file.aliases.map((a) => ({ name: a.name, owner: 'server' as const, strategy: a.strategy, targets: a.targets })), ...stored.aliases],
    routes: [
      ...file.routes.map((r) => ({
        id: `route:${normalizeRoutePath(r.path)}`,
        owner: 'server' as const,
        path: normalizeRoutePath(r.path),
        provider: r.provider,
        methods: r.methods,
        scopes: r.scopes,
        cost: r.cost,
      })),
      ...stored.routes,
    ],
  };
}
