// What a key's allowed_ips and metadata refuse (SPEC §8 "More key settings"), on create and patch
// of both planes that mint keys: each malformed value is a 422 naming its field (SPEC §5), and a
// patch replaces the values whole, so null is refused like any other non-list (`[]`/`{}` clear).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
const invalid: Array<[string, object, string]> = [
  ['17 metadata pairs', { metadata: tooMany }, 'metadata'],
  ['a metadata name with a space', { metadata: { 'bad name': 'v' } }, 'metadata.bad name'],
  ['a metadata name with an underscore', { metadata: { bad_name: 'v' } }, 'metadata.bad_name'],
  ['a 41-character metadata name', { metadata: { ['n'.repeat(41)]: 'v' } }, `metadata.${'n'.repeat(41)}`],
  ['names equal apart from case', { metadata: { plan: 'a', Plan: 'b' } }, 'metadata.Plan'],
  ['a 257-character value', { metadata: { plan: 'x'.repeat(257) } }, 'metadata.plan'],
  ['a number as a value', { metadata: { plan: 5 } }, 'metadata.plan'],
  ['metadata as a list', { metadata: ['plan'] }, 'metadata'],
  ['metadata as null', { metadata: null }, 'metadata'],
  ['an address that is not one', { allowed_ips: ['10.0.0.256'] }, 'allowed_ips.0'],
  ['a block with host bits set', { allowed_ips: ['10.0.0.0/8', '10.1.2.3/8'] }, 'allowed_ips.1'],
  ['a prefix out of range', { allowed_ips: ['::/129'] }, 'allowed_ips.0'],
  ['a hostname', { allowed_ips: ['example.com'] }, 'allowed_ips.0'],
  ['a number in the list', { allowed_ips: [10] }, 'allowed_ips.0'],
  ['a string instead of a list', { allowed_ips: '10.0.0.0/8' }, 'allowed_ips'],
  ['allowed_ips as null', { allowed_ips: null }, 'allowed_ips'],
  ['101 entries', { allowed_ips: Array.from({ length: 101 }, (_, i) => `10.0.0.${i}`) }, 'allowed_ips'],
];

for (const target of databaseTargets()) {
  describe(`key settings validation on ${target.name}`, () => {
    let gw: TestGateway;
    let user: SignedIn;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      user = await signUp(gw.app);
    });
    afterAll(() => gw?.close());

    const patch = (url: string, payload: object) => gw.app.inject({ method: 'PATCH', url, headers: user.auth, payload });

    describe.each([
      ['personal create', '/api/v1/auth/keys'],
      ['org create', '/admin/keys'],
    ] as const)('validation on %s', (_plane, url) => {
      it.each(invalid)('refuses %s with a 422 naming the field', async (_what, body, field) => {
        const response = await gw.app.inject({ method: 'POST', url, headers: user.auth, payload: { name: 'k', ...body } });
        expect(response.statusCode, response.body).toBe(422);
        expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
      });
    });

    it('refuses the same values on a patch, on both planes', async () => {
      const personal = await createKey(gw.app, user);
      const org = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: user.auth, payload: { name: 'org' } });
      rememberSecret(org.json().secret);
      for (const url of [`/api/v1/auth/keys/${personal.id}`, `/admin/keys/${org.json().key.id}`]) {
        for (const [what, body, field] of invalid) {
          const response = await patch(url, body);
          expect(response.statusCode, `${url} ${what}`).toBe(422);
          expect(response.json().errors.map((e: { field: string }) => e.field), `${url} ${what}`).toContain(field);
        }
      }
    });

    it('says which two readings a block with host bits set may have', async () => {
      const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: user.auth, payload: { allowed_ips: ['10.1.2.3/8'] } });
      expect(response.json().errors[0].message).toContain('write 10.0.0.0/8 for the block or 10.1.2.3/32 for the one address');
    });
  });
}
