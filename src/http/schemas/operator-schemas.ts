// Request and response schemas of the operator's directory: accounts and users, searched and paged.
import { Type } from '@sinclair/typebox';
import { Memberships, UserSummary } from './auth-schemas.js';
import { BudgetOut } from './budget-schemas.js';

export const DirectoryQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  /** `next_cursor` of the previous page. */
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const OperatorUser = UserSummary;

export const OperatorUserDetail = Type.Object({ ...UserSummary.properties, memberships: Memberships });

export const OperatorAccount = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('personal'), Type.Literal('team')]),
  member_count: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
  budget: BudgetOut,
});

export const OperatorAccountDetail = Type.Object({
  ...OperatorAccount.properties,
  members: Type.Array(Type.Object({ user_id: Type.String(), email: Type.String(), role: Type.String(), is_active: Type.Boolean() })),
});

export const UserPage = Type.Object({ users: Type.Array(OperatorUser), next_cursor: Type.Union([Type.String(), Type.Null()]) });
export const AccountPage = Type.Object({ accounts: Type.Array(OperatorAccount), next_cursor: Type.Union([Type.String(), Type.Null()]) });
