// Re-pointing a provider (issue 9 item 3; SPEC §7 "clients can never … see a provider secret"), as
// a pure decision. A provider's stored secret was given for one origin (scheme, host and port,
// RFC 6454 §4): moving the base URL to another origin drops it unless a new secret comes in the
// same request, so whoever re-points a provider can never make Tollgate send the old secret to a
// host of their choosing. Any change of base URL needs an owner or admin of the account (or a
// service token, or an operator); members may still edit the model list.

/** The caller's standing on the plane that owns the provider. */
export type CatalogRole = 'owner' | 'admin' | 'member' | 'operator' | 'service';

export type RepointDecision =
  | { ok: false; message: string }
  | { ok: true; changed: false }
  | { ok: true; changed: true; originChanged: boolean; dropSecret: boolean; from: string; to: string };

const MAY_REPOINT: ReadonlySet<CatalogRole> = new Set(['owner', 'admin', 'operator', 'service']);

/** `current` and `next` are normalised base URLs (as stored); `secretGiven`: the request sets or clears the secret. */
export function decideRepoint(role: CatalogRole, current: string, next: string | undefined, secretGiven: boolean): RepointDecision {
  if (next === undefined || next === current) return { ok: true, changed: false };
  if (!MAY_REPOINT.has(role)) return { ok: false, message: "Only the account's owners and admins can change a provider's base_url." };
  const from = new URL(current).origin;
  const to = new URL(next).origin;
  const originChanged = from !== to;
  return { ok: true, changed: true, originChanged, dropSecret: originChanged && !secretGiven, from, to };
}
