// THE access policy: every /api route, who may call it. One hook (./access.ts) enforces it for
// every request, and the app refuses to start if an /api route is missing here. Roles say who
// may call a route at all; which objects a caller may touch (their own accounts …) is checked
// by the services, and another customer's object is 404.
//
// Adding a route: add a line `'METHOD /api/v1/path/:param': allow(...roles)` (Fastify's path
// syntax), and the role × route matrix test (test/access.test.ts) checks it.
import { roles, staffRoles, type Role } from './roles.js';

export type Access =
  | { public: true }
  | {
      public?: false;
      roles: readonly Role[];
      /** Open to staff who must still set up MFA (MFA_REQUIRED_FOR_STAFF). */
      duringMfaSetup?: boolean;
    };

export const PUBLIC: Access = { public: true };

export function allow(...allowed: Role[]): Access {
  return { roles: allowed };
}

const ANYONE_SIGNED_IN: Access = { roles: roles, duringMfaSetup: true };
const ALL_ROLES = allow(...roles);
const STAFF = allow(...staffRoles);

export const policyTable: Readonly<Record<string, Access>> = {
  // auth
  'POST /api/v1/auth/register': PUBLIC,
  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/refresh': PUBLIC,
  'POST /api/v1/auth/logout': ANYONE_SIGNED_IN,
  'POST /api/v1/auth/password': ANYONE_SIGNED_IN,
  'POST /api/v1/auth/mfa/setup': ANYONE_SIGNED_IN,
  'POST /api/v1/auth/mfa/verify': ANYONE_SIGNED_IN,
  'GET /api/v1/me': ANYONE_SIGNED_IN,
  // customers
  'PATCH /api/v1/me/profile': allow('customer'),
  'GET /api/v1/customers': STAFF,
  'GET /api/v1/customers/:id': STAFF,
  // accounts (ownership checked in the service)
  'POST /api/v1/accounts': allow('customer', 'teller', 'admin'),
  'GET /api/v1/accounts': ALL_ROLES,
  'GET /api/v1/accounts/:id': ALL_ROLES,
  'GET /api/v1/accounts/:id/balance': ALL_ROLES,
  'POST /api/v1/accounts/:id/freeze': allow('teller', 'analyst', 'admin'),
  'POST /api/v1/accounts/:id/unfreeze': allow('teller', 'analyst', 'admin'),
  'POST /api/v1/accounts/:id/close': allow('customer', 'teller', 'admin'),
  'GET /api/v1/accounts/:id/statement': ALL_ROLES,
  // money movement (ownership checked in the service: a customer moves money out of their own accounts)
  'POST /api/v1/deposits': allow('customer', 'teller', 'admin'),
  'POST /api/v1/withdrawals': allow('customer', 'teller', 'admin'),
  'POST /api/v1/transfers': allow('customer', 'teller', 'admin'),
  'POST /api/v1/holds': allow('teller', 'admin'),
  'POST /api/v1/holds/:id/capture': allow('teller', 'admin'),
  'POST /api/v1/holds/:id/void': allow('teller', 'admin'),
  'POST /api/v1/transactions/:id/reverse': allow('teller', 'admin'),
  'POST /api/v1/external/inbound': allow('teller', 'admin'),
  'POST /api/v1/external/settlements': allow('teller', 'admin'),
  'GET /api/v1/transactions': ALL_ROLES,
  'GET /api/v1/transactions/:id': ALL_ROLES,
  'PATCH /api/v1/transactions/:id': allow('customer'),
  'GET /api/v1/accounts/:id/transactions': ALL_ROLES,
  // fraud alerts: analysts work them (admin too)
  'GET /api/v1/fraud/alerts': allow('analyst', 'admin'),
  'GET /api/v1/fraud/alerts/:id': allow('analyst', 'admin'),
  'PATCH /api/v1/fraud/alerts/:id': allow('analyst', 'admin'),
  'POST /api/v1/fraud/alerts/:id/release': allow('analyst', 'admin'),
  'POST /api/v1/fraud/alerts/:id/reject': allow('analyst', 'admin'),
  // reports (ownership checked in the service; saved reports are their owner's only)
  'GET /api/v1/reports': ALL_ROLES,
  'GET /api/v1/reports/:id': ALL_ROLES,
  'GET /api/v1/reports/accounts/:id': ALL_ROLES,
  'GET /api/v1/reports/transactions': ALL_ROLES,
  'GET /api/v1/reports/system': allow('admin'),
  // audit
  'GET /api/v1/audit': allow('auditor', 'admin'),
  'GET /api/v1/audit/verify': allow('auditor', 'admin'),
  // admin
  'GET /api/v1/admin/users': allow('admin'),
  'POST /api/v1/admin/users': allow('admin'),
  'PATCH /api/v1/admin/users/:id': allow('admin'),
};

export function policyFor(method: string, url: string): Access | undefined {
  return policyTable[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
