// Key metadata as forward-auth headers (SPEC §8): names clashing apart from case are found, and a
// value is a header value a receiver can percent-decode back to the original.
import { describe, expect, it } from 'vitest';
import { caseClashingName, metadataHeaders, metadataHeaderValue } from '../../src/core/metadata-pairs.js';

describe('key metadata as headers', () => {
  it('names a name that repeats another apart from case', () => {
    expect(caseClashingName({ plan: 'a', Team: 'b' })).toBeNull();
    expect(caseClashingName({ plan: 'a', Plan: 'b' })).toBe('Plan');
  });

  it('writes printable ASCII as it is and percent-encodes the rest, and % itself', () => {
    expect(metadataHeaderValue('Team A (pro)')).toBe('Team A (pro)');
    for (const value of ['50%', 'café', 'line\nbreak', '日本', 'tab\there', '%41']) {
      const header = metadataHeaderValue(value);
      expect(header, value).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeURIComponent(header), value).toBe(value);
    }
  });

  it('prefixes every name with X-Tollgate-Key-Meta-', () => {
    expect(metadataHeaders({ Plan: 'pro', 'customer-id': 'c_42' })).toEqual({ 'x-tollgate-key-meta-plan': 'pro', 'x-tollgate-key-meta-customer-id': 'c_42' });
  });
});
