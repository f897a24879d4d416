// Request and response schemas of /api/v1/accounts, its members and its service tokens
// (invitations: invitation-schemas.ts).
import { Type } from '@sinclair/typebox';
import { BudgetOut } from './budget-schemas.js';

export const RoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
export const AccountName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });

export const AccountIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const MemberParams = Type.Object({ id: Type.String({ maxLength: 64 }), user_id: Type.String({ maxLength: 64 }) });
export const ServiceTokenParams = Type.Object({ id: Type.String({ maxLength: 64 }), token_id: Type.String({ maxLength: 64 }) });

export const CreateAccountBody = Type.Object({ name: AccountName }, { additionalProperties: false });
export const PatchAccountBody = Type.Object({ name: Type.Optional(AccountName) }, { additionalProperties: false });

export const AccountOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('personal'), Type.Literal('team')]),
  /** The caller's role; `operator` when an operator looks at an account they are not in. */
  role: Type.Union([RoleSchema, Type.Literal('operator')]),
  created_at: Type.String(),
  updated_at: Type.String(),
  budget: BudgetOut,
});
export const AccountList = Type.Object({ accounts: Type.Array(AccountOut) });

export const PatchMemberBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });

export const MemberOut = Type.Object({
  user_id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
  role: RoleSchema,
  created_at: Type.String(),
});
export const MemberList = Type.Object({ members: Type.Array(MemberOut) });

export const CreateServiceTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false },
);

const serviceTokenFields = {
  id: Type.String(),
  name: Type.String(),
  token_prefix: Type.String(),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
};
export const ServiceTokenOut = Type.Object(serviceTokenFields);
export const CreatedServiceToken = Type.Object({ ...serviceTokenFields, token: Type.String() });
export const ServiceTokenList = Type.Object({ service_tokens: Type.Array(ServiceTokenOut) });
