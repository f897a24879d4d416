// Freezes a value and everything it holds, so the config a node parsed at start cannot drift later:
// `Object.freeze` alone is shallow (config.file.providers could still be pushed to). Byte arrays
// (the master key's Buffer) cannot be frozen and are left as they are; callers freeze a copy they
// own. A write is refused by the compiler (DeepReadonly) and at run time (a TypeError in strict mode).
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value as DeepReadonly<T>;
}

/** The type of a deep-frozen value: every property and element read-only, all the way down. */
export type DeepReadonly<T> = T extends Buffer | ((...args: never[]) => unknown)
  ? T
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
