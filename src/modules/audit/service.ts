// The audit trail: every state change and security event, appended in the same transaction as
// the change, each row chained to the previous one by its hash.
//
// For other modules:
//   await recordAudit(client, { actor, entityType: 'account', entityId, action: 'account.frozen',
//                               before, after });
// inside the transaction that makes the change (call it last: it holds the chain head's row
// lock until commit). recordAuditBatch() appends many rows under one lock.
import { randomUUID } from 'node:crypto';
import { BankError } from '../../platform/errors.js';
import type { Queryable } from '../../platform/db/pool.js';
import {
  auditContentHash,
  auditHash,
  auditLinkHash,
  cleanText,
  GENESIS_HASH,
  toAuditJson,
  type AuditContent,
} from './chain.js';
import { appendAuditRows, auditRowsAfter, findAudit, readChainHead, type AuditAppend } from './repo.js';
import type { AuditEvent, AuditFilter, AuditRecord, ChainVerification } from './types.js';

const text = (v: string | null | undefined, max: number): string | null =>
  v === null || v === undefined ? null : cleanText(v).slice(0, max);

/**
 * Appends events to the chain, in order, and returns the rows as stored. `client` must be inside
 * a transaction: the chain's head stays locked until it ends, so call this last (a caller that
 * needs nothing back can send it together with COMMIT: ctx.alongCommit in db/tx.ts). The
 * content is masked and hashed here; the database links the hashes into the chain (format 2,
 * migration 0293), so no round trip happens while the head is locked.
 */
export async function recordAuditBatch(client: Queryable, events: AuditEvent[]): Promise<AuditRecord[]> {
  if (events.length === 0) return [];
  const rows: AuditAppend[] = events.map((e) => {
    const content: AuditContent = {
      id: randomUUID(),
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
    };
    return {
      id: content.id,
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
      contentHash: auditContentHash(content),
    };
  });
  const linked = await appendAuditRows(client, rows);
  return rows.map((r, i) => {
    const l = linked[i];
    if (!l) throw new Error('audit_append returned fewer rows than it was given');
    return {
      seq: l.seq.toString(),
      id: r.id,
      createdAt: l.created_at,
      actorId: r.actorId,
      actorRole: r.actorRole,
      ip: r.ip,
      userAgent: r.userAgent,
      requestId: r.requestId,
      entityType: r.entityType,
      entityId: r.entityId,
      action: r.action,
      before: r.before,
      after: r.after,
      prevHash: l.prev_hash,
      hash: l.hash,
      contentHash: r.contentHash,
    } satisfies Record<keyof AuditRecord, unknown>;
  });
}

export async function recordAudit(client: Queryable, event: AuditEvent): Promise<AuditRecord> {
  const [record] = await recordAuditBatch(client, [event]);
  return record!;
}

/** Why a row does not match its hash (by its own format), or null when it does. */
function rowHashProblem(r: AuditRecord): string | null {
  const { hash, contentHash, ...content } = r;
  if (contentHash === null) {
    return auditHash({ ...content, seq: BigInt(r.seq) }) === hash ? null : 'the row does not match its hash';
  }
  if (auditContentHash(content) !== contentHash) return 'the row does not match its hash';
  if (auditLinkHash(r.seq, r.createdAt, contentHash, r.prevHash) !== hash)
    return 'the row does not match its hash';
  return null;
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
      const problem = rowHashProblem(r);
      if (problem) return result({ seq: r.seq, reason: problem });
      prevHash = r.hash;
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
