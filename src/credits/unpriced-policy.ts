// What a call whose target has no price does (SPEC §8, issue 9): `free` (metered, 0 credits),
// `block` (402 model_unpriced before anything goes upstream) or `{ceiling: N}` (reserve and charge
// N credits per request). Unconfigured, the policy is free while no price exists anywhere — a
// gateway for keys and limits only — and block as soon as one does: unpriced traffic is never
// silently free once the operator charges for anything. "Any price exists" is read from the live
// price book, because operators add prices at run time. Pure.

export type UnpricedPolicy = { kind: 'free' } | { kind: 'block' } | { kind: 'ceiling'; credits: number };

/** The configured setting, resolved once at config load: a fixed policy, or SPEC's default. */
export type UnpricedSetting = UnpricedPolicy | { kind: 'free_until_priced' };

/** The config file's `pricing.unpriced` value (validated by its schema) as a setting. */
export function unpricedSetting(raw: 'free' | 'block' | { ceiling: number } | undefined): UnpricedSetting {
  if (raw === undefined) return { kind: 'free_until_priced' };
  if (raw === 'free' || raw === 'block') return { kind: raw };
  return { kind: 'ceiling', credits: raw.ceiling };
}

/** The policy that applies now, given whether any price (a model price, a route cost above 0) exists. */
export function effectiveUnpricedPolicy(setting: UnpricedSetting, anyPriceExists: boolean): UnpricedPolicy {
  if (setting.kind !== 'free_until_priced') return setting;
  return anyPriceExists ? { kind: 'block' } : { kind: 'free' };
}
