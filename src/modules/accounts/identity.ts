// An account's identity: its id, owner, number, type and currency. These never change once the
// account is committed, and an account is never deleted (migration 0302 makes the database
// refuse either), so an identity read once is true for good. Moving money needs only the
// identity of each account named — the owner for the access check, the currencies, the type for
// fraud screening — so the identities read through a pool are remembered for that pool, and a
// movement between accounts seen before makes no lookup query (docs/benchmarks.md, eleventh
// round). Status and balances are not part of it: they live on the ledger row, which every
// movement locks and checks in its own transaction.
import { setBounded } from '../../platform/bounded-map.js';
import { isPool, type Pool, type Queryable } from '../../platform/db/pool.js';
import { isUuid } from '../../platform/ids.js';
import { getAccount, type Account } from './service.js';

export type AccountIdentity = Pick<Account, 'id' | 'customerId' | 'accountNumber' | 'type' | 'currency'>;

/**
 * Identities remembered per pool: about 300 bytes each (measured), so 30 MB at most. Past this
 * many, the oldest are forgotten first, and read again when next named.
 */
export const MAX_REMEMBERED_IDENTITIES = 100_000;

const remembered = new WeakMap<Pool, Map<string, AccountIdentity>>();

function identityOf(a: AccountIdentity): AccountIdentity {
  return {
    id: a.id,
    customerId: a.customerId,
    accountNumber: a.accountNumber,
    type: a.type,
    currency: a.currency,
  };
}

/**
 * The identity of the account with this id, or undefined if there is none. Through a pool, from
 * memory when it was read before; through a client (inside a transaction, which may yet roll
 * back an account it opened), always from the database, and not remembered.
 */
export async function accountIdentity(q: Queryable, id: string): Promise<AccountIdentity | undefined> {
  if (!isUuid(id)) return undefined; // no such id can exist
  if (!isPool(q)) {
    const account = await getAccount(q, id);
    return account && identityOf(account);
  }
  const key = id.toLowerCase();
  let known = remembered.get(q);
  const hit = known?.get(key);
  if (hit) return hit;
  const account = await getAccount(q, key);
  if (!account) return undefined; // not remembered: it may be opened later
  const identity = identityOf(account);
  if (!known) remembered.set(q, (known = new Map()));
  setBounded(known, key, identity, MAX_REMEMBERED_IDENTITIES);
  return identity;
}
