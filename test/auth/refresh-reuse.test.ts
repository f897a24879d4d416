// Refresh-token reuse detection (RFC 9700 §4.14.2, issue 9 item 23): a token that the retry grace
// superseded is a used token; whoever presents it later, the family it belongs to is revoked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_RETRY_GRACE_MS } from '../../src/auth/refresh-tokens.js';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

for (const target of databaseTargets()) {
  describe(`refresh reuse on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    async function rotate(token: string, at: Date) {
      const result = await gw.services.refreshTokens.rotate(token, at);
      if (result.ok) rememberSecret(result.token);
      return result;
    }
    const liveFamilies = (userId: string, at: Date) => gw.services.storage.refreshTokens.liveFamilies(userId, at.toISOString());

    it('revokes the family when the victim presents the token a thief superseded within the grace', async () => {
      const user = await signUp(gw.app);
      const t0 = new Date();
      const victim = await rotate(user.refreshToken, t0);
      // The thief replays the stolen original inside the retry grace and gets a fresh successor.
      const thief = await rotate(user.refreshToken, new Date(t0.getTime() + 1000));
      expect(victim.ok && thief.ok).toBe(true);
      // The victim's token was superseded; presenting it, now or after the grace, is reuse.
      const later = new Date(t0.getTime() + REFRESH_RETRY_GRACE_MS + 5000);
      expect(await rotate(victim.ok ? victim.token : '', later)).toEqual({ ok: false, reason: 'reused' });
      expect(await rotate(thief.ok ? thief.token : '', later)).toMatchObject({ ok: false });
      expect(await liveFamilies(user.userId, later)).toEqual([]);
    });

    it('revokes the family when a superseded token is presented inside the grace too', async () => {
      const user = await signUp(gw.app);
      const t0 = new Date();
      const first = await rotate(user.refreshToken, t0);
      const retried = await rotate(user.refreshToken, new Date(t0.getTime() + 500));
      expect(first.ok && retried.ok).toBe(true);
      const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: first.ok ? first.token : '' } });
      expect(response.statusCode).toBe(401);
      expect(await liveFamilies(user.userId, new Date())).toEqual([]);
    });

    it('revokes the family when a token rotated twice is presented after the grace', async () => {
      const user = await signUp(gw.app);
      const t0 = new Date();
      const second = await rotate(user.refreshToken, t0);
      const third = await rotate(second.ok ? second.token : '', new Date(t0.getTime() + 1000));
      expect(third.ok).toBe(true);
      const later = new Date(t0.getTime() + REFRESH_RETRY_GRACE_MS + 5000);
      expect(await rotate(user.refreshToken, later)).toEqual({ ok: false, reason: 'reused' });
      expect(await liveFamilies(user.userId, later)).toEqual([]);
    });

    it('answers a logged-out token as invalid without touching other families', async () => {
      const user = await signUp(gw.app);
      const other = await gw.services.refreshTokens.issue(user.userId);
      rememberSecret(other.token);
      await gw.services.refreshTokens.revokeFamilyOf(user.refreshToken);
      expect(await rotate(user.refreshToken, new Date())).toEqual({ ok: false, reason: 'invalid' });
      expect(await liveFamilies(user.userId, new Date())).toHaveLength(1);
    });
  });
}
