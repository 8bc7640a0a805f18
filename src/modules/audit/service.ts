// The audit trail: every state change and security event, appended in the same transaction as
// the change, each row chained to the previous one by its hash.
//
// For other modules:
//   await recordAudit(client, { actor, entityType: 'account', entityId, action: 'account.frozen',
//                               before, after });
// inside the transaction that makes the change (call it last: it holds the chain head's row
// lock until commit). recordAuditBatch() appends many rows under one lock.
import { BankError } from '../../platform/errors.js';
import type { Queryable } from '../../platform/db/pool.js';
import { auditHash, cleanText, GENESIS_HASH, toAuditJson } from './chain.js';
import { auditRowsAfter, findAudit, insertAuditRows, lockChainHead, readChainHead } from './repo.js';
import type { AuditEvent, AuditFilter, AuditRecord, ChainVerification } from './types.js';
import { newId } from '../../platform/ids.js';

const text = (v: string | null | undefined, max: number): string | null =>
  v === null || v === undefined ? null : cleanText(v).slice(0, max);

export type ChainHead = Awaited<ReturnType<typeof lockChainHead>>;

/** Locks the chain's head for an append (held until the transaction ends). */
export const lockAuditHead = (client: Queryable): Promise<ChainHead> => lockChainHead(client);

/**
 * Chains events onto a head locked in this transaction and sends their insert without waiting
 * for it: `written` settles when the rows are in.
 */
export function appendAudit(
  client: Queryable,
  head: ChainHead,
  events: AuditEvent[],
): { records: AuditRecord[]; written: Promise<void> } {
  let seq = head.seq;
  let prevHash = head.hash;
  const records: AuditRecord[] = events.map((e) => {
    seq += 1n;
    const content = {
      seq,
      id: newId(),
      createdAt: head.now,
      actorId: e.actor?.userId ?? null,
      actorRole: text(e.actor?.role, 32),
      ip: text(e.actor?.ip, 64),
      userAgent: text(e.actor?.userAgent, 512),
      requestId: text(e.actor?.requestId, 64),
      entityType: cleanText(e.entityType).slice(0, 64),
      entityId: text(e.entityId, 128),
      action: cleanText(e.action).slice(0, 128),
      before: toAuditJson(e.before),
      after: toAuditJson(e.after),
      prevHash,
    };
    const hash = auditHash(content);
    prevHash = hash;
    // Field by field: a spread that adds fields is V8's slow path on Node 20 (docs/benchmarks.md).
    return {
      seq: seq.toString(),
      id: content.id,
      createdAt: content.createdAt,
      actorId: content.actorId,
      actorRole: content.actorRole,
      ip: content.ip,
      userAgent: content.userAgent,
      requestId: content.requestId,
      entityType: content.entityType,
      entityId: content.entityId,
      action: content.action,
      before: content.before,
      after: content.after,
      prevHash: content.prevHash,
      hash,
    } satisfies Record<keyof AuditRecord, unknown>;
  });
  return { records, written: records.length === 0 ? Promise.resolve() : insertAuditRows(client, records) };
}

/** Appends events to the chain, in order. `client` must be inside a transaction. */
export async function recordAuditBatch(client: Queryable, events: AuditEvent[]): Promise<AuditRecord[]> {
  if (events.length === 0) return [];
  const { records, written } = appendAudit(client, await lockAuditHead(client), events);
  await written;
  return records;
}

export async function recordAudit(client: Queryable, event: AuditEvent): Promise<AuditRecord> {
  const [record] = await recordAuditBatch(client, [event]);
  return record!;
}

const PAGE = 1000;

/**
 * Walks the chain from the first row to the head: contiguous sequence numbers, each row's
 * prev_hash equal to the previous row's hash, each hash equal to the hash of the row's content,
 * and the head pointing at the last row. Rows appended while it runs are not part of the check.
 */
export async function verifyAuditChain(q: Queryable): Promise<ChainVerification> {
  const head = await readChainHead(q);
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  const result = (brokenAt: ChainVerification['brokenAt']): ChainVerification => ({
    ok: brokenAt === null,
    checked,
    headSeq: head.seq.toString(),
    headHash: head.hash,
    brokenAt,
  });
  for (;;) {
    const rows = await auditRowsAfter(q, expectedSeq - 1n, head.seq, PAGE);
    for (const r of rows) {
      if (BigInt(r.seq) !== expectedSeq)
        return result({ seq: expectedSeq.toString(), reason: `row ${expectedSeq} is missing` });
      if (r.prevHash !== prevHash)
        return result({ seq: r.seq, reason: 'prev_hash does not match the previous row' });
      const { hash, ...content } = r;
      if (auditHash({ ...content, seq: BigInt(r.seq) }) !== hash)
        return result({ seq: r.seq, reason: 'the row does not match its hash' });
      prevHash = hash;
      expectedSeq += 1n;
      checked += 1;
    }
    if (rows.length < PAGE) break;
  }
  if (expectedSeq - 1n !== head.seq)
    return result({ seq: expectedSeq.toString(), reason: `row ${expectedSeq} is missing` });
  if (prevHash !== head.hash)
    return result({ seq: head.seq.toString(), reason: 'the chain head does not match' });
  return result(null);
}

export interface AuditQuery extends Omit<AuditFilter, 'beforeSeq'> {
  cursor?: string | undefined;
}

export async function listAudit(
  q: Queryable,
  query: AuditQuery,
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  let beforeSeq: bigint | undefined;
  if (query.cursor !== undefined) {
    // A sequence number PostgreSQL's bigint can hold, or the cursor is not one this API issued.
    if (!/^[1-9][0-9]{0,18}$/.test(query.cursor) || BigInt(query.cursor) > 9_223_372_036_854_775_807n)
      throw new BankError('INVALID_REQUEST', 'The cursor is not valid');
    beforeSeq = BigInt(query.cursor);
  }
  const rows = await findAudit(q, { ...query, beforeSeq, limit: query.limit + 1 });
  const items = rows.slice(0, query.limit);
  return { items, nextCursor: rows.length > query.limit ? items[items.length - 1]!.seq : null };
}
