// Request and response schemas of invitations: POST /api/v1/accounts/{id}/members (an invitation),
// /api/v1/accounts/{id}/invitations (owners and admins) and /api/v1/invitations (the invitee).
import { Type } from '@sinclair/typebox';
import { RoleSchema } from './account-schemas.js';

export const InviteBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), role: Type.Optional(RoleSchema) },
  { additionalProperties: false },
);

/** The same for every email, registered or not (SPEC §4). */
export const InvitationCreated = Type.Object(
  { invitation_id: Type.String(), email: Type.String(), role: RoleSchema, expires_at: Type.String() },
  { additionalProperties: false },
);

export const InvitationParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const AccountInvitationParams = Type.Object({ id: Type.String({ maxLength: 64 }), invitation_id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

const invitationFields = {
  id: Type.String(),
  account_id: Type.String(),
  account_name: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  created_at: Type.String(),
  expires_at: Type.String(),
};

/** What the invitee sees. */
export const MyInvitationList = Type.Object({ invitations: Type.Array(Type.Object(invitationFields, { additionalProperties: false })) }, { additionalProperties: false });

/** What the account's owners and admins see: also who sent it. */
export const AccountInvitationList = Type.Object(
  { invitations: Type.Array(Type.Object({ ...invitationFields, invited_by: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })) },
  { additionalProperties: false },
);
