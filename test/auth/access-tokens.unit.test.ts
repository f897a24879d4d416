import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/auth/access-tokens.js';

const secret = new Uint8Array(32).fill(7);
const tokens = new AccessTokens(secret);

function claims() {
  const now = Math.floor(Date.now() / 1000);
  return { base: new SignJWT({ ver: 0, token_type: 'access' }).setSubject('usr_a').setIssuer('tollgate').setAudience('tollgate:api').setIssuedAt(now).setExpirationTime(now + 60).setJti('req_x'), now };
}

describe('access tokens (RFC 8725 hardening)', () => {
  it('accepts a token it issued and returns its claims', async () => {
    const token = await tokens.issue('usr_a', 3);
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId: 'usr_a', tokenVersion: 3 });
  });

  it.each([
    ['alg none', async () => new UnsecuredJWT({ ver: 0, token_type: 'access', sub: 'usr_a' }).setIssuer('tollgate').setAudience('tollgate:api').setIssuedAt().setExpirationTime('1m').encode()],
    ['wrong type header', async () => claims().base.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret)],
    ['refresh-type claim', async () => new SignJWT({ ver: 0, token_type: 'refresh' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('usr_a').setIssuer('tollgate').setAudience('tollgate:api').setIssuedAt().setExpirationTime('1m').setJti('j').sign(secret)],
    ['expired', async () => { const now = Math.floor(Date.now() / 1000); return new SignJWT({ ver: 0, token_type: 'access' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('usr_a').setIssuer('tollgate').setAudience('tollgate:api').setIssuedAt(now - 3600).setExpirationTime(now - 1800).setJti('j').sign(secret); }],
    ['wrong audience', async () => new SignJWT({ ver: 0, token_type: 'access' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('usr_a').setIssuer('tollgate').setAudience('other').setIssuedAt().setExpirationTime('1m').setJti('j').sign(secret)],
    ['wrong issuer', async () => new SignJWT({ ver: 0, token_type: 'access' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('usr_a').setIssuer('evil').setAudience('tollgate:api').setIssuedAt().setExpirationTime('1m').setJti('j').sign(secret)],
    ['bad signature', async () => claims().base.setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new Uint8Array(32).fill(8))],
    ['algorithm outside the allowlist (HS512)', async () => claims().base.setProtectedHeader({ alg: 'HS512', typ: 'at+jwt' }).sign(new Uint8Array(64).fill(7))],
    ['tampered payload', async () => { const [h, , s] = (await tokens.issue('usr_a', 0)).split('.'); const p = Buffer.from(JSON.stringify({ sub: 'usr_b', ver: 0, token_type: 'access', iss: 'tollgate', aud: 'tollgate:api', iat: 1, exp: 9999999999, jti: 'j' })).toString('base64url'); return `${h}.${p}.${s}`; }],
    ['garbage', async () => 'not.a.jwt'],
    ['no expiry', async () => new SignJWT({ ver: 0, token_type: 'access' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('usr_a').setIssuer('tollgate').setAudience('tollgate:api').setIssuedAt().setJti('j').sign(secret)],
  ])('rejects %s', async (_name, make) => {
    await expect(tokens.verify(await make())).resolves.toBeNull();
  });
});
