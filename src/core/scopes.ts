// Scopes on the data plane: an endpoint names the scopes it requires (a route's `scopes`; the
// OpenAI-compatible endpoints require none) and a key passes when it holds every one of them.
// Restricting a key away from models is the job of its model allowlist (`models: []` = none).

export function hasScopes(held: readonly string[], required: readonly string[]): boolean {
  return required.every((scope) => held.includes(scope));
}

/** The key's model allowlist: null allows every model; a list allows exactly those names. */
export function isModelAllowed(allowlist: readonly string[] | null, model: string): boolean {
  return allowlist === null || allowlist.includes(model);
}
