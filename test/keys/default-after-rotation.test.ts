// After a rotation with a grace period the old key is dying: the default (and what
// default/decrypted reveals) is its successor, never the key about to stop working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

for (const target of databaseTargets()) {
  describe(`the default key after a rotation (${target.name})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    const rotate = async (auth: Record<string, string>, id: string) => {
      const answer = await gw.app.inject({ method: 'POST', url: `/api/v1/auth/keys/${id}/rotate`, headers: auth, payload: { grace_period_seconds: 3600 } });
      expect(answer.statusCode).toBe(201);
      rememberSecret(answer.json().key);
      return answer.json() as { id: string; key: string };
    };

    it('makes the successor of the marked default the default, and reveals it', async () => {
      const user = await signUp(gw.app);
      const first = await createKey(gw.app, user, { is_default: true });
      const successor = await rotate(user.auth, first.id);
      const current = await gw.app.inject({ method: 'GET', url: '/api/v1/auth/keys/default', headers: user.auth });
      expect(current.json().id).toBe(successor.id);
      const revealed = await gw.app.inject({ method: 'GET', url: '/api/v1/auth/keys/default/decrypted', headers: user.auth });
      rememberSecret(revealed.json().key);
      expect(revealed.json()).toMatchObject({ id: successor.id, key: successor.key });
    });

    it('skips a key scheduled for revocation when no key is marked', async () => {
      const user = await signUp(gw.app);
      const first = await createKey(gw.app, user);
      const successor = await rotate(user.auth, first.id);
      const current = await gw.app.inject({ method: 'GET', url: '/api/v1/auth/keys/default', headers: user.auth });
      expect(current.json().id).toBe(successor.id);
    });
  });
}
