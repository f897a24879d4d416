// The roles a member holds in an account (SPEC §1 "membership"), from most to least power.
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
