// Which upstream serves a model name (SPEC §1): an alias maps a public name to targets with a
// strategy (`fallback`: in order; `weighted`: by weight), and `provider/model` resolves directly.
// An account's own aliases shadow server-wide ones of the same name, and each alias's targets
// resolve among providers of its own owner only — so an account can never re-point (or re-price)
// an operator's alias, nor reach an operator's upstream under a name the operator did not price.
//
// Direct `provider/model` reaches an account's own providers always, and a server-wide provider
// only where the operator opted in (`direct: true`, off by default): otherwise any key could call
// any model of the operator's upstreams, with the operator's secret, under names nobody priced
// (issue 9). A server provider without `direct` answers exactly like one that does not exist, so
// its name does not leak. Pure: the caller passes the catalog view and the random source.

export type Owner = 'account' | 'server';

export interface ProviderView {
  name: string;
  owner: Owner;
  type: 'openai' | 'http';
  models: readonly string[] | null;
  /** Server-wide providers: reachable as `provider/model` (the operator's opt-in). Ignored for account-owned ones. */
  direct: boolean;
}

export interface AliasView {
  name: string;
  owner: Owner;
  strategy: 'fallback' | 'weighted';
  targets: ReadonlyArray<{ provider: string; model: string; weight?: number | undefined }>;
}

export interface Target {
  provider: string;
  owner: Owner;
  model: string;
  weight: number;
}

export type ModelResolution =
  | { ok: true; name: string; via: 'alias' | 'direct'; strategy: 'fallback' | 'weighted'; targets: Target[] }
  | { ok: false; reason: 'unknown_model' | 'no_targets' };

function findProvider(providers: readonly ProviderView[], name: string, owners: readonly Owner[]): ProviderView | undefined {
  for (const owner of owners) {
    const found = providers.find((p) => p.owner === owner && p.name === name && p.type === 'openai');
    if (found) return found;
  }
  return undefined;
}

export function resolveModel(name: string, aliases: readonly AliasView[], providers: readonly ProviderView[]): ModelResolution {
  const alias = aliases.find((a) => a.owner === 'account' && a.name === name) ?? aliases.find((a) => a.owner === 'server' && a.name === name);
  if (alias) {
    const targets = alias.targets
      .filter((t) => findProvider(providers, t.provider, [alias.owner]) !== undefined)
      .map((t) => ({ provider: t.provider, owner: alias.owner, model: t.model, weight: t.weight ?? 1 }));
    return targets.length > 0 ? { ok: true, name, via: 'alias', strategy: alias.strategy, targets } : { ok: false, reason: 'no_targets' };
  }
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return { ok: false, reason: 'unknown_model' };
  const provider = findProvider(providers, name.slice(0, slash), ['account', 'server']);
  const model = name.slice(slash + 1);
  if (!provider || !directlyReachable(provider)) return { ok: false, reason: 'unknown_model' };
  // A provider that declares its models serves only those; one that declares none serves any.
  if (provider.models !== null && !provider.models.includes(model)) return { ok: false, reason: 'unknown_model' };
  return { ok: true, name, via: 'direct', strategy: 'fallback', targets: [{ provider: provider.name, owner: provider.owner, model, weight: 1 }] };
}

/** An account's own providers always; a server-wide one only with the operator's `direct: true`. */
function directlyReachable(provider: Pick<ProviderView, 'owner' | 'direct'>): boolean {
  return provider.owner === 'account' || provider.direct;
}

/** Weighted random order without replacement (zero weights last, in their listed order). */
function weightedOrder(targets: readonly Target[], random: () => number): Target[] {
  const pool = targets.filter((t) => t.weight > 0);
  const ordered: Target[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let point = random() * total;
    let index = pool.findIndex((t) => (point -= t.weight) < 0);
    if (index < 0) index = pool.length - 1;
    ordered.push(pool.splice(index, 1)[0]!);
  }
  return [...ordered, ...targets.filter((t) => t.weight <= 0)];
}

/**
 * The order to try targets in: a session's pinned target first, then the rest (fallback: in the
 * alias's order after the pinned one, wrapping; weighted: by weight).
 */
export function orderTargets(
  resolution: Extract<ModelResolution, { ok: true }>,
  pinned: { provider: string; model: string } | null,
  random: () => number = Math.random,
): Target[] {
  const { targets } = resolution;
  const pinnedIndex = pinned ? targets.findIndex((t) => t.provider === pinned.provider && t.model === pinned.model) : -1;
  if (resolution.strategy === 'weighted') {
    if (pinnedIndex < 0) return weightedOrder(targets, random);
    return [targets[pinnedIndex]!, ...weightedOrder(targets.filter((_, i) => i !== pinnedIndex), random)];
  }
  if (pinnedIndex < 0) return [...targets];
  return [...targets.slice(pinnedIndex), ...targets.slice(0, pinnedIndex)];
}

export function sameTarget(a: { provider: string; model: string }, b: { provider: string; model: string }): boolean {
  return a.provider === b.provider && a.model === b.model;
}
