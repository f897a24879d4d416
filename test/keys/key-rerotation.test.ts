// Issue 9 item 26b: a key rotated with a grace period already has its successor; rotating it again
// (by mistake, or twice at once) must not mint a second live successor. The second rotation is a
// 409 naming the successor, decided by a conditional update so that concurrent rotations race safely.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

for (const target of databaseTargets()) {
  describe(`re-rotating a key inside its grace period (${target.name})`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    const rotate = (auth: Record<string, string>, id: string) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/auth/keys/${id}/rotate`, headers: auth, payload: { grace_period_seconds: 3600 } });

    it('refuses to rotate a key that already has a successor, with 409 naming it', async () => {
      const user = await signUp(gw.app);
      const original = await createKey(gw.app, user);
      const first = await rotate(user.auth, original.id);
      expect(first.statusCode).toBe(201);
      rememberSecret(first.json().key);
      const again = await rotate(user.auth, original.id);
      rememberSecret(again.json().key);
      expect(again.statusCode).toBe(409);
      expect(again.json().errors[0]).toMatchObject({ code: 'conflict', message: expect.stringContaining(first.json().id) });
      // The successor itself rotates normally.
      const next = await rotate(user.auth, first.json().id);
      rememberSecret(next.json().key);
      expect(next.statusCode).toBe(201);
      const keys = (await gw.app.inject({ url: '/api/v1/auth/keys', headers: user.auth })).json();
      expect(keys.filter((k: { rotated_from: string | null }) => k.rotated_from === original.id)).toHaveLength(1);
    });

    it('mints exactly one successor when the same key is rotated twice at once', async () => {
      const user = await signUp(gw.app);
      const original = await createKey(gw.app, user);
      const answers = await Promise.all([rotate(user.auth, original.id), rotate(user.auth, original.id), rotate(user.auth, original.id)]);
      for (const answer of answers) rememberSecret(answer.json().key);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409]);
      const keys = (await gw.app.inject({ url: '/api/v1/auth/keys', headers: user.auth })).json();
      const successors = keys.filter((k: { rotated_from: string | null }) => k.rotated_from === original.id);
      expect(successors).toHaveLength(1);
      const active = keys.filter((k: { is_active: boolean }) => k.is_active);
      expect(active).toHaveLength(2); // the original in its grace period and its one successor
    });
  });
}
