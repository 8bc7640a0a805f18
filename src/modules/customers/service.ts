// Customers (R2): the profile, the national id sealed with AES-256-GCM and found through a
// keyed blind index, staff search and reads (each audited), and key rotation.
import type { AppContext } from '../../context.js';
import { piiCrypto, type PiiCrypto } from '../../platform/crypto.js';
import { uniqueViolation } from '../../platform/db/errors.js';
import type { PoolClient, Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import { recordAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/types.js';
import type { Principal } from '../auth/roles.js';
import {
  customersToReseal,
  getCustomerRow,
  insertCustomer,
  resealCustomer,
  searchCustomerRows,
  updateCustomerRow,
  type CustomerRow,
  type SealedNationalId,
} from './repo.js';
import {
  maskNationalId,
  normalizeNationalId,
  type Address,
  type Customer,
  type ProfilePatch,
} from './schemas.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { isUuid, newId } from '../../platform/ids.js';

const NATIONAL_ID_DOMAIN = 'customers.national_id';
const aadFor = (customerId: string) => `${NATIONAL_ID_DOMAIN}:${customerId}`;

export function toCustomer(r: CustomerRow): Customer {
  return {
    id: r.id,
    fullName: r.full_name,
    email: r.email,
    phone: r.phone,
    dateOfBirth: r.date_of_birth,
    address: r.address,
    nationalId: maskNationalId(r.national_id_last4),
    kycStatus: r.kyc_status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function seal(pc: PiiCrypto, customerId: string, nationalId: string): SealedNationalId {
  const normalized = normalizeNationalId(nationalId);
  const sealed = pc.keyring.seal(normalized, aadFor(customerId));
  return {
    ciphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    hmac: pc.blindIndex(NATIONAL_ID_DOMAIN, normalized),
    last4: normalized.slice(-4),
  };
}

const conflictFields: Record<string, string> = {
  customers_email_key: 'email',
  customers_phone_key: 'phone',
  customers_national_id_hmac_key: 'nationalId',
};

/** Turns a unique violation on customers into 409 CONFLICT naming the field; rethrows others. */
export function customerConflict(err: unknown): never {
  const constraint = uniqueViolation(err);
  const field = constraint === undefined ? undefined : conflictFields[constraint];
  if (field) {
    throw new BankError(
      'CONFLICT',
      `A customer with this ${field === 'nationalId' ? 'national id' : field} already exists`,
      {
        errors: [{ path: `body.${field}`, message: 'is already registered' }],
      },
    );
  }
  throw err;
}

export interface NewCustomer {
  fullName: string;
  email: string;
  phone?: string | null | undefined;
  dateOfBirth?: string | null | undefined;
  address?: Address | null | undefined;
  nationalId?: string | undefined;
}

/** Creates a customer inside the caller's transaction and audits it. */
export async function createCustomer(
  ctx: AppContext,
  client: PoolClient,
  input: NewCustomer,
  actor: AuditActor,
): Promise<Customer> {
  const id = newId();
  const row = await insertCustomer(client, {
    id,
    fullName: input.fullName,
    email: input.email,
    phone: input.phone ?? null,
    dateOfBirth: input.dateOfBirth ?? null,
    address: input.address ?? null,
    nationalId: input.nationalId ? seal(piiCrypto(ctx.config), id, input.nationalId) : null,
  }).catch(customerConflict);
  const customer = toCustomer(row);
  await recordAudit(client, {
    actor,
    entityType: 'customer',
    entityId: id,
    action: 'customer.created',
    after: customer,
  });
  return customer;
}

export async function getCustomer(q: Queryable, id: string): Promise<Customer | undefined> {
  const row = await getCustomerRow(q, id);
  return row && toCustomer(row);
}

function ownCustomerId(principal: Principal): string {
  if (!principal.customerId) throw new BankError('NOT_FOUND', 'You have no customer profile');
  return principal.customerId;
}

export async function updateOwnProfile(
  ctx: AppContext,
  principal: Principal,
  patch: ProfilePatch,
  actor: AuditActor,
): Promise<Customer> {
  const id = ownCustomerId(principal);
  return tx(ctx.pool, async (client) => {
    const before = await getCustomerRow(client, id, true);
    if (!before) throw new BankError('NOT_FOUND', 'You have no customer profile');
    const row = await updateCustomerRow(client, id, {
      ...(patch.fullName !== undefined ? { fullName: patch.fullName } : {}),
      ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
      ...(patch.dateOfBirth !== undefined ? { dateOfBirth: patch.dateOfBirth } : {}),
      ...(patch.address !== undefined ? { address: patch.address } : {}),
      ...(patch.nationalId !== undefined
        ? { nationalId: seal(piiCrypto(ctx.config), id, patch.nationalId) }
        : {}),
    }).catch(customerConflict);
    const after = toCustomer(row);
    await recordAudit(client, {
      actor,
      entityType: 'customer',
      entityId: id,
      action: 'customer.profile_updated',
      before: toCustomer(before),
      after: { ...after, fields: Object.keys(patch) },
    });
    return after;
  });
}

/** Staff search by name or e-mail prefix, exact phone, exact national id, or id. Audited. */
export async function searchCustomers(
  ctx: AppContext,
  query: { q?: string | undefined; limit: number; cursor?: string | undefined },
  actor: AuditActor,
): Promise<{ items: Customer[]; nextCursor: string | null }> {
  const q = query.q;
  const terms: Parameters<typeof searchCustomerRows>[1] = { limit: query.limit + 1 };
  let auditedQuery: string | undefined;
  if (q !== undefined) {
    // The trail keeps ids as they are and anything else masked (it may be a name).
    auditedQuery = isUuid(q) ? q : `${[...q][0]}*** (${[...q].length} characters)`;
    if (isUuid(q)) terms.id = q.toLowerCase();
    const nid = normalizeNationalId(q);
    if (/^[0-9A-Z]{4,20}$/.test(nid) && /[0-9]/.test(nid)) {
      terms.nationalIdHmac = piiCrypto(ctx.config).blindIndex(NATIONAL_ID_DOMAIN, nid);
      // The query may be a national id: the trail keeps only its masked form.
      auditedQuery = maskNationalId(nid.slice(-4)) ?? undefined;
    }
    const phone = q.replace(/[\s().-]/g, '');
    if (/^\+?[0-9]{6,15}$/.test(phone)) terms.phone = phone;
    terms.prefix = q.toLowerCase();
  }
  if (query.cursor !== undefined) {
    const { key, id } = decodeCursor(query.cursor, 'text');
    terms.after = { name: key, id };
  }
  return tx(ctx.pool, async (client) => {
    const rows = await searchCustomerRows(client, terms);
    const page = rows.slice(0, query.limit);
    await recordAudit(client, {
      actor,
      entityType: 'customer',
      entityId: null,
      action: 'customer.searched',
      after: { query: auditedQuery ?? null, results: page.map((r) => r.id) },
    });
    return {
      items: page.map(toCustomer),
      nextCursor:
        rows.length > query.limit
          ? encodeCursor(page[page.length - 1]!.full_name.toLowerCase(), page[page.length - 1]!.id)
          : null,
    };
  });
}

/** A staff member reads one customer's record (personal data): audited. */
export async function readCustomerAsStaff(ctx: AppContext, id: string, actor: AuditActor): Promise<Customer> {
  return tx(ctx.pool, async (client) => {
    const row = await getCustomerRow(client, id);
    if (!row) throw new BankError('NOT_FOUND', 'No such customer');
    await recordAudit(client, {
      actor,
      entityType: 'customer',
      entityId: id,
      action: 'customer.pii_read',
      after: { fields: ['fullName', 'email', 'phone', 'dateOfBirth', 'address', 'nationalId(masked)'] },
    });
    return toCustomer(row);
  });
}

/** Re-encrypts every national id not under the keyring's newest key; returns how many. */
export async function resealNationalIds(ctx: AppContext, batch = 500): Promise<number> {
  const { keyring } = piiCrypto(ctx.config);
  const target = keyring.activeKeyId;
  let total = 0;
  for (;;) {
    const n = await tx(ctx.pool, async (client) => {
      const rows = await customersToReseal(client, target, batch);
      for (const r of rows) {
        const plain = keyring.open(
          { keyId: r.national_id_key_id, ciphertext: r.national_id_ciphertext },
          aadFor(r.id),
        );
        const sealed = keyring.seal(plain, aadFor(r.id));
        await resealCustomer(client, r.id, sealed.ciphertext, sealed.keyId);
      }
      return rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
