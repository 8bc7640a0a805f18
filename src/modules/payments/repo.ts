// SQL for transactions, idempotency keys and the outbox. Writes are multi-row (unnest), so a
// micro-batch of movements costs one statement per table, not one per movement (and the
// transactions and their outbox events share one). The id, text and amount arrays go in binary
// (platform/db/binary-array.ts): nothing for pg to quote, nothing for the server to parse.
import { int8Array, textArray, uuidArray } from '../../platform/db/binary-array.js';
import type { Queryable } from '../../platform/db/pool.js';
import { jsonColumn } from '../../platform/db/json-column.js';
import { named } from '../../platform/db/prepared.js';
import type { Risk } from '../fraud/engine.js';
import type {
  Channel,
  Counterparty,
  IdempotencyClaim,
  NewTransaction,
  OutboxEvent,
  StatusChange,
  Transaction,
  TransactionStatus,
  TransactionType,
} from './types.js';

interface Row {
  id: string;
  reference: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: bigint;
  currency: string;
  from_account_id: string | null;
  to_account_id: string | null;
  counterparty: Counterparty | null;
  description: string | null;
  category: string | null;
  tags: string[];
  channel: Channel;
  initiated_by: string | null;
  transfer_id: string;
  settlement_transfer_id: string | null;
  reverses_transaction_id: string | null;
  created_at: string;
  completed_at: string | null;
  risk: Risk | null;
}

const columns = `id, reference, type, status, amount, currency, from_account_id, to_account_id, counterparty,
  description, category, tags, channel, initiated_by, transfer_id, settlement_transfer_id, reverses_transaction_id,
  created_at, completed_at, risk`;
/** The same columns, named through the alias `t` (an UPDATE … FROM has other `id`s in scope). */
const qualifiedColumns = columns
  .split(',')
  .map((c) => `t.${c.trim()}`)
  .join(', ');

function toTransaction(r: Row): Transaction {
  return {
    id: r.id,
    reference: r.reference,
    type: r.type,
    status: r.status,
    amount: r.amount,
    currency: r.currency,
    fromAccountId: r.from_account_id,
    toAccountId: r.to_account_id,
    counterparty: r.counterparty,
    description: r.description,
    category: r.category,
    tags: r.tags,
    channel: r.channel,
    initiatedBy: r.initiated_by,
    transferId: r.transfer_id,
    settlementTransferId: r.settlement_transfer_id,
    reversesTransactionId: r.reverses_transaction_id,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    risk: r.risk,
  };
}

const DONE: TransactionStatus[] = ['COMPLETED', 'FAILED', 'REVERSED'];

/** A new transaction as stored: what was inserted, with the times the database gave it. */
function asStored(t: NewTransaction, createdAt: string, completedAt: string | null): Transaction {
  // Field by field, not a spread followed by more fields (V8's slow path on Node 20,
  // docs/benchmarks.md, "object spread"); `satisfies` keeps it complete.
  return {
    id: t.id,
    reference: t.reference,
    type: t.type,
    status: t.status,
    amount: t.amount,
    currency: t.currency,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    counterparty: t.counterparty,
    description: t.description,
    category: t.category,
    tags: t.tags,
    channel: t.channel,
    initiatedBy: t.initiatedBy,
    transferId: t.transferId,
    settlementTransferId: t.settlementTransferId ?? null,
    reversesTransactionId: t.reversesTransactionId,
    createdAt,
    completedAt,
    risk: t.risk ?? null,
  } satisfies Record<keyof Transaction, unknown>;
}

/**
 * Inserts the transaction rows and, in the same statement, the outbox events of the batch (one
 * statement fewer per batch; the events reference nothing). Returns the rows as stored, so
 * replies need no re-read: every column is stored as given except the two times the database
 * sets, so only those come back (formatting and parsing whole rows was a few per cent of a
 * batch's CPU on both sides).
 */
export async function insertTransactionsAndEvents(
  q: Queryable,
  rows: NewTransaction[],
  events: OutboxEvent[],
): Promise<Transaction[]> {
  if (rows.length === 0 && events.length === 0) return [];
  const { rows: stored } = await q.query<{ id: string; created_at: string; completed_at: string | null }>(
    named(
      `with events as (
       insert into outbox_events (topic, aggregate_id, payload)
       select * from rows from (unnest($16::text[], $17::uuid[]), jsonb_array_elements($18::jsonb)))
     insert into transactions (id, reference, type, status, amount, currency, from_account_id, to_account_id,
       counterparty, description, category, tags, channel, initiated_by, transfer_id, settlement_transfer_id,
       reverses_transaction_id, completed_at, risk)
     select v.id, v.reference, v.type, v.status, v.amount, v.currency, v.from_id, v.to_id,
            nullif(v.json -> 'counterparty', 'null'), v.description, v.category,
            array(select jsonb_array_elements_text(v.json -> 'tags')), v.json -> 'channel', v.initiated_by,
            v.transfer_id, v.settlement_id, v.reverses_id,
            case when v.status in ('COMPLETED', 'FAILED', 'REVERSED') then clock_timestamp() end,
            nullif(v.json -> 'risk', 'null')
     from rows from (unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::char(3)[], $7::uuid[],
                            $8::uuid[], $9::text[], $10::text[], $11::uuid[], $12::uuid[], $13::uuid[], $14::uuid[]),
                     jsonb_array_elements($15::jsonb))
       as v (id, reference, type, status, amount, currency, from_id, to_id, description, category, initiated_by,
             transfer_id, settlement_id, reverses_id, json)
     returning id, created_at, completed_at`,
      [
        uuidArray(rows.map((r) => r.id)),
        textArray(rows.map((r) => r.reference)),
        textArray(rows.map((r) => r.type)),
        textArray(rows.map((r) => r.status)),
        int8Array(rows.map((r) => r.amount)),
        textArray(
          rows.map((r) => r.currency),
          'bpchar',
        ),
        uuidArray(rows.map((r) => r.fromAccountId)),
        uuidArray(rows.map((r) => r.toAccountId)),
        textArray(rows.map((r) => r.description)),
        textArray(rows.map((r) => r.category)),
        uuidArray(rows.map((r) => r.initiatedBy)),
        uuidArray(rows.map((r) => r.transferId)),
        uuidArray(rows.map((r) => r.settlementTransferId ?? null)),
        uuidArray(rows.map((r) => r.reversesTransactionId)),
        // The JSON columns of each row, as one document per row.
        jsonColumn(
          rows.map((r) => ({
            counterparty: r.counterparty ?? null,
            tags: r.tags,
            channel: r.channel,
            risk: r.risk ?? null,
          })),
        ),
        textArray(events.map((e) => e.topic)),
        uuidArray(events.map((e) => e.aggregateId)),
        jsonColumn(events.map((e) => e.payload)),
      ],
    ),
  );
  const times = new Map(stored.map((r) => [r.id, r]));
  return rows.map((t) => {
    const at = times.get(t.id);
    if (!at) throw new Error(`transaction ${t.id} was not returned by its insert`);
    return asStored(t, at.created_at, at.completed_at);
  });
}

/** Applies the status changes and returns the changed rows as stored. */
export async function applyStatusChanges(q: Queryable, changes: StatusChange[]): Promise<Transaction[]> {
  if (changes.length === 0) return [];
  const { rows } = await q.query<Row>(
    named(
      `update transactions t
     set status = v.status,
         settlement_transfer_id = coalesce(v.settlement_id, t.settlement_transfer_id),
         amount = coalesce(v.amount, t.amount),
         completed_at = case when v.status = any($5::text[]) then coalesce(t.completed_at, clock_timestamp()) end,
         updated_at = clock_timestamp()
     from unnest($1::uuid[], $2::text[], $3::uuid[], $4::int8[]) as v (id, status, settlement_id, amount)
     where t.id = v.id
     returning ${qualifiedColumns}`,
      [
        uuidArray(changes.map((c) => c.id)),
        textArray(changes.map((c) => c.status)),
        uuidArray(changes.map((c) => c.settlementTransferId ?? null)),
        int8Array(changes.map((c) => c.amount ?? null)),
        DONE,
      ],
    ),
  );
  return rows.map(toTransaction);
}

export async function selectTransaction(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<Transaction | undefined> {
  const { rows } = await q.query<Row>(
    `select ${columns} from transactions where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
  return rows[0] && toTransaction(rows[0]);
}

export interface HistoryFilter {
  accountIds: string[];
  from?: string | undefined;
  to?: string | undefined;
  type?: TransactionType | undefined;
  status?: TransactionStatus | undefined;
  category?: string | undefined;
  tag?: string | undefined;
  minAmount?: bigint | undefined;
  maxAmount?: bigint | undefined;
  /** Rows strictly older than this (created_at, id) position. */
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/**
 * A page of the accounts' history, newest first, in a stable (created_at, id) order. Each
 * side (from, to) is read through its own index and merged, then the filters apply.
 */
/** A history row and its exact position (microsecond created_at as text) for the next cursor. */
export interface HistoryRow {
  transaction: Transaction;
  position: string;
}

export async function selectHistory(q: Queryable, f: HistoryFilter): Promise<HistoryRow[]> {
  const params: unknown[] = [f.accountIds, f.limit];
  const where: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.from) add('created_at >= ?::timestamptz', f.from);
  if (f.to) add('created_at < ?::timestamptz', f.to);
  if (f.type) add('type = ?', f.type);
  if (f.status) add('status = ?', f.status);
  if (f.category) add('category = ?', f.category);
  if (f.tag) add('? = any(tags)', f.tag);
  if (f.minAmount !== undefined) add('amount >= ?::int8', f.minAmount.toString());
  if (f.maxAmount !== undefined) add('amount <= ?::int8', f.maxAmount.toString());
  if (f.before) {
    params.push(f.before.createdAt, f.before.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  const cond = where.length ? `and ${where.join(' and ')}` : '';
  const { rows } = await q.query<Row & { position: string }>(
    `select ${columns}, created_at::text as position from (
       (select * from transactions where from_account_id = any($1::uuid[]) ${cond} order by created_at desc, id desc limit $2)
       union
       (select * from transactions where to_account_id = any($1::uuid[]) ${cond} order by created_at desc, id desc limit $2)
     ) t order by created_at desc, id desc limit $2`,
    params,
  );
  return rows.map((r) => ({ transaction: toTransaction(r), position: r.position }));
}

export async function updateLabels(
  q: Queryable,
  id: string,
  labels: { category?: string | null; tags?: string[] },
): Promise<void> {
  await q.query(
    `update transactions set category = case when $2 then $3 else category end,
                             tags = case when $4 then $5::text[] else tags end, updated_at = clock_timestamp()
     where id = $1`,
    [
      id,
      labels.category !== undefined,
      labels.category ?? null,
      labels.tags !== undefined,
      labels.tags ?? [],
    ],
  );
}

// ---- idempotency ------------------------------------------------------------------------------

/**
 * Takes the keys for this transaction and returns the stored rows of those used before
 * (idempotency_take_keys, migration 0405). Each key is an advisory lock, taken in key order (so
 * two batches cannot deadlock on each other's keys) and held until commit: a key taken by a
 * transaction still in flight makes this wait for it, and the read after the locks sees what
 * that transaction committed. Nothing is written here: a new key's row is inserted once, with
 * its reply (storeResponses), and a movement that fails leaves no row behind.
 *
 * (Keys used to be claimed by inserting their rows here and filling in the reply later, or
 * deleting them on failure: two or three row versions per movement, half of the updates too big
 * for a HOT update. docs/payments.md, "Idempotency".)
 */
export async function claimKeys(
  q: Queryable,
  claims: IdempotencyClaim[],
): Promise<Map<string, { requestHash: string; status: number | null; body: unknown }>> {
  const existing = new Map<string, { requestHash: string; status: number | null; body: unknown }>();
  if (claims.length === 0) return existing;
  const { rows } = await q.query<{
    user_id: string;
    key: string;
    request_hash: string;
    response_status: number | null;
    response_body: unknown;
  }>(
    named('select * from idempotency_take_keys($1::uuid[], $2::text[])', [
      uuidArray(claims.map((c) => c.userId)),
      textArray(claims.map((c) => c.key)),
    ]),
  );
  for (const r of rows) {
    existing.set(`${r.user_id}\u0000${r.key}`, {
      requestHash: r.request_hash,
      status: r.response_status,
      body: r.response_body,
    });
  }
  return existing;
}

/**
 * Inserts the rows of the keys taken in this transaction (claimKeys), each with its reply: the
 * only write of a key. A reply is kept as the JSON text it was sent as (a json column, migration
 * 0403): it is only ever replayed, never queried, so it is checked as JSON and stored, not parsed
 * into jsonb.
 */
export async function storeResponses(
  q: Queryable,
  rows: { userId: string; key: string; requestHash: string; status: number; body: unknown }[],
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    named(
      `insert into idempotency_keys (user_id, key, request_hash, response_status, response_body)
     select u, key, hash, status, body::json
       from unnest($1::uuid[], $2::text[], $3::text[], $4::int2[], $5::text[]) as v (u, key, hash, status, body)`,
      [
        uuidArray(rows.map((r) => r.userId)),
        textArray(rows.map((r) => r.key)),
        textArray(rows.map((r) => r.requestHash)),
        rows.map((r) => r.status),
        textArray(rows.map((r) => JSON.stringify(r.body ?? null))),
      ],
    ),
  );
}

/**
 * Deletes up to `limit` keys first used more than `hours` ago, oldest first (through the
 * created_at index). Returns how many went.
 */
export async function deleteKeysOlderThan(q: Queryable, hours: number, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    named(
      `delete from idempotency_keys k
       using (select user_id, key from idempotency_keys
               where created_at < now() - make_interval(hours => $1)
               order by created_at limit $2) old
       where k.user_id = old.user_id and k.key = old.key`,
      [hours, limit],
    ),
  );
  return rowCount ?? 0;
}

/** Open external transfers created before `before`, oldest first (the settlement simulator's queue). */
export async function selectPendingExternal(
  q: Queryable,
  before: string,
  limit: number,
): Promise<Transaction[]> {
  const { rows } = await q.query<Row>(
    `select ${columns} from transactions
     where status = 'PENDING' and type = 'EXTERNAL_OUT' and created_at <= $1::timestamptz
     order by created_at limit $2`,
    [before, limit],
  );
  return rows.map(toTransaction);
}
