// Roles and the authenticated principal, as other modules see them.

export const roles = ['customer', 'teller', 'analyst', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];
export const staffRoles = ['teller', 'analyst', 'auditor', 'admin'] as const satisfies readonly Role[];
export type StaffRole = (typeof staffRoles)[number];

export function isStaff(role: Role): role is StaffRole {
  return role !== 'customer';
}

/** Who is calling: set on `request.principal` by the policy hook for every non-public route. */
export interface Principal {
  userId: string;
  role: Role;
  /** The caller's customer record (customers only; null for staff). */
  customerId: string | null;
  sessionId: string;
  email: string;
  mfaEnabled: boolean;
  /** Staff without a second factor while MFA_REQUIRED_FOR_STAFF is on: only MFA set-up is open. */
  mfaSetupRequired: boolean;
}
