// SQL of the customers table.
import type { Queryable } from '../../platform/db/pool.js';
import type { Address } from './schemas.js';

export interface CustomerRow {
  id: string;
  full_name: string;
  email: string;
  phone: string | null;
  date_of_birth: string | null;
  address: Address | null;
  national_id_ciphertext: Buffer | null;
  national_id_key_id: string | null;
  national_id_hmac: Buffer | null;
  national_id_last4: string | null;
  kyc_status: 'PENDING' | 'VERIFIED' | 'REJECTED';
  created_at: string;
  updated_at: string;
}

export interface SealedNationalId {
  ciphertext: Buffer;
  keyId: string;
  hmac: Buffer;
  last4: string;
}

export interface NewCustomerRow {
  id: string;
  fullName: string;
  email: string;
  phone: string | null;
  dateOfBirth: string | null;
  address: Address | null;
  nationalId: SealedNationalId | null;
}

export async function insertCustomer(q: Queryable, c: NewCustomerRow): Promise<CustomerRow> {
  const { rows } = await q.query<CustomerRow>(
    `insert into customers (id, full_name, email, phone, date_of_birth, address, national_id_ciphertext,
       national_id_key_id, national_id_hmac, national_id_last4)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)
     returning *`,
    [
      c.id,
      c.fullName,
      c.email,
      c.phone,
      c.dateOfBirth,
      c.address === null ? null : JSON.stringify(c.address),
      c.nationalId?.ciphertext ?? null,
      c.nationalId?.keyId ?? null,
      c.nationalId?.hmac ?? null,
      c.nationalId?.last4 ?? null,
    ],
  );
  return rows[0]!;
}

export async function getCustomerRow(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<CustomerRow | undefined> {
  const { rows } = await q.query<CustomerRow>(
    `select * from customers where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
  return rows[0];
}

export interface CustomerUpdate {
  fullName?: string;
  phone?: string | null;
  dateOfBirth?: string | null;
  address?: Address | null;
  nationalId?: SealedNationalId;
}

export async function updateCustomerRow(q: Queryable, id: string, u: CustomerUpdate): Promise<CustomerRow> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = '') => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (u.fullName !== undefined) set('full_name', u.fullName);
  if (u.phone !== undefined) set('phone', u.phone);
  if (u.dateOfBirth !== undefined) set('date_of_birth', u.dateOfBirth);
  if (u.address !== undefined)
    set('address', u.address === null ? null : JSON.stringify(u.address), '::jsonb');
  if (u.nationalId !== undefined) {
    set('national_id_ciphertext', u.nationalId.ciphertext);
    set('national_id_key_id', u.nationalId.keyId);
    set('national_id_hmac', u.nationalId.hmac);
    set('national_id_last4', u.nationalId.last4);
  }
  sets.push('updated_at = now()');
  const { rows } = await q.query<CustomerRow>(
    `update customers set ${sets.join(', ')} where id = $1 returning *`,
    params,
  );
  return rows[0]!;
}

export interface SearchTerms {
  id?: string;
  nationalIdHmac?: Buffer;
  phone?: string;
  /** Lower-case prefix of the name or e-mail. */
  prefix?: string;
  after?: { name: string; id: string };
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchCustomerRows(q: Queryable, t: SearchTerms): Promise<CustomerRow[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const any: string[] = [];
  if (t.id !== undefined) any.push(`id = ${p(t.id)}::uuid`);
  if (t.nationalIdHmac !== undefined) any.push(`national_id_hmac = ${p(t.nationalIdHmac)}`);
  if (t.phone !== undefined) any.push(`phone = ${p(t.phone)}`);
  if (t.prefix !== undefined) {
    const like = p(`${escapeLike(t.prefix)}%`);
    any.push(`lower(full_name) like ${like}`, `lower(email) like ${like}`);
  }
  const where: string[] = [];
  if (any.length) where.push(`(${any.join(' or ')})`);
  if (t.after) where.push(`(lower(full_name), id) > (${p(t.after.name)}, ${p(t.after.id)}::uuid)`);
  const { rows } = await q.query<CustomerRow>(
    `select * from customers ${where.length ? `where ${where.join(' and ')}` : ''}
      order by lower(full_name), id limit ${p(t.limit)}`,
    params,
  );
  return rows;
}

/** National ids still sealed under another key than `keyId`, oldest first, locked. */
export async function customersToReseal(
  q: Queryable,
  keyId: string,
  limit: number,
): Promise<{ id: string; national_id_ciphertext: Buffer; national_id_key_id: string }[]> {
  const { rows } = await q.query<{ id: string; national_id_ciphertext: Buffer; national_id_key_id: string }>(
    `select id, national_id_ciphertext, national_id_key_id from customers
      where national_id_ciphertext is not null and national_id_key_id <> $1
      order by id limit $2 for update`,
    [keyId, limit],
  );
  return rows;
}

export async function resealCustomer(
  q: Queryable,
  id: string,
  ciphertext: Buffer,
  keyId: string,
): Promise<void> {
  await q.query('update customers set national_id_ciphertext = $2, national_id_key_id = $3 where id = $1', [
    id,
    ciphertext,
    keyId,
  ]);
}
