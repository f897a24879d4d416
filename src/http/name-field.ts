// Applies the name rule (src/core/names.ts) to one body field: the NFC value, or a 422 naming it.
import { nameProblem, normalizeName } from '../core/names.js';
import { invalidField } from '../core/validation-error.js';

export function nameField<T extends string | null | undefined>(field: string, value: T): T {
  if (typeof value !== 'string') return value;
  // Checked before trimming: String.prototype.trim removes U+FEFF, which must be refused, not hidden.
  const problem = nameProblem(value);
  if (problem) throw invalidField(field, problem);
  return normalizeName(value) as T;
}
