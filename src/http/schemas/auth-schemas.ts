// Request and response schemas of /api/v1/auth/* (sign-in).
import { Type } from '@sinclair/typebox';
import { PASSWORD_MAX_LENGTH } from '../../auth/password-policy.js';

export const Email = Type.String({ format: 'email', maxLength: 254 });
// The policy (length, common list) is checked by the handler with a precise message; the schema
// only bounds the size so that an oversized value never reaches argon2.
export const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 });

export const RegisterBody = Type.Object({
  email: Email,
  name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  password: Password,
  is_active: Type.Optional(Type.Boolean()),
});

export const UserOut = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
});

/** `use_cookie: true`: the refresh token goes into an HttpOnly cookie (src/http/refresh-cookie.ts), not the body. */
const UseCookie = Type.Optional(Type.Boolean({ description: 'Keep the refresh token in an HttpOnly, SameSite=Strict cookie instead of the response body (for browsers).' }));
export const LoginBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Password, use_cookie: UseCookie });
/** Without `refresh_token`, the session cookie is used (same-origin requests only). */
export const RefreshBody = Type.Object({ refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })), use_cookie: UseCookie });
export const LogoutBody = Type.Object({ refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) });

export const TokenPair = Type.Object({
  access_token: Type.String(),
  /** Absent when the refresh token was set as a cookie instead. */
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});

/** A user as /me and the operator directory show them. */
export const UserSummary = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
  is_operator: Type.Boolean(),
  created_at: Type.String(),
});

export const Memberships = Type.Array(
  Type.Object({ account_id: Type.String(), account_name: Type.String(), kind: Type.String(), role: Type.String() }),
);

export const MeOut = Type.Object({ ...UserSummary.properties, memberships: Memberships });

export const PasswordChangeBody = Type.Object({ current_password: Password, new_password: Password });
export const DeleteSelfBody = Type.Object({ password: Type.Optional(Password) });
