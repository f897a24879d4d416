// Access tokens: JWT (RFC 7519) signed HS256 with a key derived from the master key, 15 minutes.
// Hardening per RFC 8725: an algorithm allowlist, an explicit type (RFC 9068 `at+jwt`), issuer,
// audience and expiry all checked. `ver` carries the user's token version: a password change
// bumps it and every earlier token stops working.
import { SignJWT, jwtVerify, errors } from 'jose';
import { newId } from '../core/ids.js';

export const ACCESS_TOKEN_TTL_S = 15 * 60;
const ISSUER = 'tollgate';
const AUDIENCE = 'tollgate:api';
const TYPE = 'at+jwt';

export interface AccessClaims {
  userId: string;
  tokenVersion: number;
  jti: string;
  issuedAtS: number;
}

export class AccessTokens {
  constructor(private readonly secret: Uint8Array) {}

  async issue(userId: string, tokenVersion: number, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ ver: tokenVersion, token_type: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_S)
      .setJti(newId('req'))
      .sign(this.secret);
  }

  /** The claims of a valid access token, or null for anything else (never throws on bad input). */
  async verify(token: string): Promise<AccessClaims | null> {
    if (token.length > 4096) return null;
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: TYPE,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      });
      if (payload.token_type !== 'access' || typeof payload.ver !== 'number' || typeof payload.sub !== 'string') return null;
      return { userId: payload.sub, tokenVersion: payload.ver, jti: payload.jti!, issuedAtS: payload.iat! };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
      throw error;
    }
  }
}
