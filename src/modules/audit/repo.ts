// SQL of the audit trail.
import { textArray, uuidArray } from '../../platform/db/binary-array.js';
import type { Queryable } from '../../platform/db/pool.js';
import { jsonColumn } from '../../platform/db/json-column.js';
import { named } from '../../platform/db/prepared.js';
import type { Json } from './chain.js';
import type { AuditFilter, AuditRecord } from './types.js';

interface AuditRow {
  seq: bigint;
  id: string;
  created_at: string;
  actor_id: string | null;
  actor_role: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  entity_type: string;
  entity_id: string | null;
  action: string;
  before: Json;
  after: Json;
  prev_hash: string;
  hash: string;
}

const COLUMNS = `seq, id, created_at, actor_id, actor_role, ip, user_agent, request_id, entity_type,
  entity_id, action, before, after, prev_hash, hash`;

function toRecord(r: AuditRow): AuditRecord {
  return {
    seq: r.seq.toString(),
    id: r.id,
    createdAt: r.created_at,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    entityType: r.entity_type,
    entityId: r.entity_id,
    action: r.action,
    before: r.before ?? null,
    after: r.after ?? null,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Locks the chain head until the transaction ends and returns it with the database clock. */
export async function lockChainHead(q: Queryable): Promise<{ seq: bigint; hash: string; now: string }> {
  const { rows } = await q.query<{ seq: bigint; hash: string; now: string }>(
    named('select seq, hash, clock_timestamp() as now from audit_chain_head where singleton for update'),
  );
  const head = rows[0];
  if (!head) throw new Error('audit_chain_head is missing');
  return head;
}

export async function readChainHead(q: Queryable): Promise<{ seq: bigint; hash: string }> {
  const { rows } = await q.query<{ seq: bigint; hash: string }>(
    'select seq, hash from audit_chain_head where singleton',
  );
  const head = rows[0];
  if (!head) throw new Error('audit_chain_head is missing');
  return head;
}

export async function insertAuditRows(q: Queryable, rows: AuditRecord[]): Promise<void> {
  const col = <K extends keyof AuditRecord>(k: K) => rows.map((r) => r[k]);
  await q.query(
    named(
      `insert into audit_log (${COLUMNS})
     select u.seq, u.id, u.created_at, u.actor_id, u.actor_role, u.ip, u.user_agent, u.request_id,
            u.entity_type, u.entity_id, u.action, nullif(u.json -> 'before', 'null'),
            nullif(u.json -> 'after', 'null'), u.prev_hash, u.hash
       from rows from (unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                              $13::text[]),
                       jsonb_array_elements($14::jsonb))
            with ordinality as u(seq, id, created_at, actor_id, actor_role, ip, user_agent, request_id,
                                 entity_type, entity_id, action, prev_hash, hash, json, n)
      order by u.n`,
      [
        col('seq'),
        // The ids and texts in binary (platform/db/binary-array.ts): nothing to quote or parse.
        uuidArray(col('id')),
        col('createdAt'),
        uuidArray(col('actorId')),
        textArray(col('actorRole')),
        textArray(col('ip')),
        textArray(col('userAgent')),
        textArray(col('requestId')),
        textArray(col('entityType')),
        textArray(col('entityId')),
        textArray(col('action')),
        textArray(col('prevHash')),
        textArray(col('hash')),
        // before and after of each row, as one document per row.
        jsonColumn(rows.map((r) => ({ before: r.before, after: r.after }))),
      ],
    ),
  );
}

/** Rows with seq in (afterSeq, upToSeq], oldest first. */
export async function auditRowsAfter(
  q: Queryable,
  afterSeq: bigint,
  upToSeq: bigint,
  limit: number,
): Promise<AuditRecord[]> {
  const { rows } = await q.query<AuditRow>(
    `select ${COLUMNS} from audit_log where seq > $1 and seq <= $2 order by seq limit $3`,
    [afterSeq, upToSeq, limit],
  );
  return rows.map(toRecord);
}

export async function findAudit(q: Queryable, f: AuditFilter): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.entityType !== undefined) add('entity_type = ?', f.entityType);
  if (f.entityId !== undefined) add('entity_id = ?', f.entityId);
  if (f.actorId !== undefined) add('actor_id = ?', f.actorId);
  if (f.action !== undefined) add('action = ?', f.action);
  if (f.from !== undefined) add('created_at >= ?', f.from);
  if (f.to !== undefined) add('created_at < ?', f.to);
  if (f.beforeSeq !== undefined) add('seq < ?', f.beforeSeq);
  params.push(f.limit);
  const { rows } = await q.query<AuditRow>(
    `select ${COLUMNS} from audit_log ${where.length ? `where ${where.join(' and ')}` : ''}
      order by seq desc limit $${params.length}`,
    params,
  );
  return rows.map(toRecord);
}
