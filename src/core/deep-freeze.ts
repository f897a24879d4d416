// Freezes a value and everything it holds, so the config a node parsed at start cannot drift later:
// `Object.freeze` alone is shallow (config.file.providers could still be pushed to). Byte arrays
// (the master key's Buffer) cannot be frozen and are left as they are; callers freeze a copy they
// own. The type stays T: a write is refused at run time (a TypeError in strict-mode modules).
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
