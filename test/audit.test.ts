// The audit trail: append-only in the database, hash-chained, never forked by concurrent
// writers, filtered and paged over HTTP, and a changed row is found by /audit/verify.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash } from '../src/modules/audit/chain.js';
import { recordAudit, recordAuditBatch, verifyAuditChain } from '../src/modules/audit/service.js';
import { systemActor } from '../src/modules/audit/types.js';
import { tx } from '../src/platform/db/tx.js';
import type { TestApp } from './helpers/app.js';
import { createTestDatabase } from './helpers/db.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from './helpers/auth.js';

let t: TestApp;
let auditor: SignedIn;
let admin: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp();
  auditor = await createStaff(t, 'auditor');
  admin = await createStaff(t, 'admin');
});
afterAll(async () => t?.close());

const get = (url: string, who: SignedIn = auditor) => t.app.inject({ url, headers: who.headers });

describe('the audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await registerCustomer(t.app);
    await expect(t.db.pool.query(`update audit_log set action = 'x' where seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.pool.query('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query('truncate audit_log')).rejects.toThrow(/append-only/);
    await expect(t.db.pool.query('delete from audit_chain_head')).rejects.toThrow(/append-only/);
  });

  it('refuses a row that does not extend the chain head', async () => {
    await expect(
      t.db.pool.query(
        `insert into audit_log (seq, id, created_at, entity_type, action, prev_hash, hash)
         values (999999, gen_random_uuid(), now(), 'x', 'x', repeat('0', 64), repeat('1', 64))`,
      ),
    ).rejects.toThrow(/does not extend the chain/);
  });

  it('checks a many-row insert row by row, in seq order, and moves the head once, to its last row', async () => {
    const client = await t.db.pool.connect();
    const headNow = async () =>
      (await client.query<{ seq: bigint; hash: string }>('select seq, hash from audit_chain_head')).rows[0]!;
    try {
      await client.query('begin');
      const head = await headNow();
      const h = (c: string) => c.repeat(64);
      // Listed out of order on purpose: the chain is checked in seq order.
      const insert = (secondPrev: string) =>
        client.query(
          `insert into audit_log (seq, id, created_at, entity_type, action, prev_hash, hash)
           values ($1::bigint + 2, gen_random_uuid(), now(), 'x', 'x', $3, $5),
                  ($1::bigint + 1, gen_random_uuid(), now(), 'x', 'x', $2, $4)`,
          [head.seq, head.hash, secondPrev, h('a'), h('b')],
        );
      await client.query('savepoint broken');
      await expect(insert(h('c'))).rejects.toThrow(/audit row .* does not extend the chain/);
      await client.query('rollback to savepoint broken');
      expect(await headNow()).toEqual(head);
      await insert(h('a'));
      expect(await headNow()).toEqual({ seq: head.seq + 2n, hash: h('b') });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('writes the audit row in the same transaction as the change', async () => {
    const id = randomUUID();
    await expect(
      tx(t.db.pool, async (client) => {
        await recordAudit(client, {
          actor: systemActor('test'),
          entityType: 'thing',
          entityId: id,
          action: 'thing.made',
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await t.db.pool.query('select 1 from audit_log where entity_id = $1', [id])).rowCount).toBe(0);
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(true);
  });

  it('keeps one chain under concurrent writers', async () => {
    const before = await verifyAuditChain(t.db.pool);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        tx(t.db.pool, async (client): Promise<unknown> =>
          i % 5 === 0
            ? recordAuditBatch(client, [
                { entityType: 'load', entityId: `${i}a`, action: 'load.test' },
                { entityType: 'load', entityId: `${i}b`, action: 'load.test' },
              ])
            : recordAudit(client, { entityType: 'load', entityId: String(i), action: 'load.test' }),
        ),
      ),
    );
    const after = await verifyAuditChain(t.db.pool);
    expect(after.ok).toBe(true);
    expect(Number(after.headSeq) - Number(before.headSeq)).toBe(30);
  });

  it('records who, from where, what and when', async () => {
    const c = await registerCustomer(t.app);
    const res = await get(`/api/v1/audit?entityType=session&actorId=${c.userId}`);
    expect(res.statusCode).toBe(200);
    const [login] = res.json().items;
    expect(login).toMatchObject({
      actorId: c.userId,
      actorRole: 'customer',
      ip: '127.0.0.1',
      userAgent: 'lightMyRequest',
      entityType: 'session',
      action: 'user.login',
      requestId: expect.any(String),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe('GET /api/v1/audit', () => {
  it('filters by entity, actor, action and time, newest first, with a cursor', async () => {
    const c = await registerCustomer(t.app);
    const byEntity = await get(`/api/v1/audit?entityType=user&entityId=${c.userId}`, admin);
    expect(byEntity.json().items.map((i: { action: string }) => i.action)).toEqual(['user.registered']);
    const byAction = await get(`/api/v1/audit?action=user.login&actorId=${c.userId}`);
    expect(byAction.json().items).toHaveLength(1);
    const future = await get(
      `/api/v1/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.json().items).toEqual([]);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(res.json().items.map((i: { seq: string }) => i.seq));
      cursor = res.json().nextCursor;
    } while (cursor && pages.length < 100);
    const seqs = pages.flat().map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)).toBe(1);
  });

  it('validates its query', async () => {
    for (const q of ['actorId=nope', 'from=yesterday', 'limit=0', 'limit=201', 'cursor=abc', 'colour=red']) {
      const res = await get(`/api/v1/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().code).toBe('INVALID_REQUEST');
    }
  });
});

describe('GET /api/v1/audit/verify', () => {
  it('reports a changed row', async () => {
    await registerCustomer(t.app);
    const ok = await get('/api/v1/audit/verify');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, brokenAt: null });
    expect(ok.json().checked).toBe(Number(ok.json().headSeq));

    // Tamper as a superuser would: triggers off for this session only.
    const client = await t.db.pool.connect();
    try {
      await client.query(`set session_replication_role = replica`);
      await client.query(`update audit_log set after = '{"reason":"nothing to see"}' where seq = 2`);
      await client.query(`reset session_replication_role`);
    } finally {
      client.release();
    }
    const bad = await get('/api/v1/audit/verify', admin);
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({
      ok: false,
      brokenAt: { seq: '2', reason: 'the row does not match its hash' },
    });
    expect((await verifyAuditChain(t.db.pool)).ok).toBe(false);
  });

  it('reports a deleted row and a row rewritten with a fresh hash', async () => {
    const db = await createTestDatabase();
    try {
      for (let i = 0; i < 5; i++) {
        await tx(db.pool, (client) =>
          recordAudit(client, { entityType: 'x', entityId: String(i), action: 'x.made' }),
        );
      }
      expect((await verifyAuditChain(db.pool)).ok).toBe(true);
      const client = await db.pool.connect();
      try {
        await client.query('set session_replication_role = replica');
        // Rewrite row 2 and recompute its own hash: row 3's prev_hash no longer matches.
        const { rows } = await client.query('select * from audit_log where seq = 2');
        const r = rows[0];
        const forged = auditHash({
          seq: 2n,
          id: r.id,
          createdAt: r.created_at,
          actorId: r.actor_id,
          actorRole: r.actor_role,
          ip: r.ip,
          userAgent: r.user_agent,
          requestId: r.request_id,
          entityType: r.entity_type,
          entityId: 'forged',
          action: r.action,
          before: r.before,
          after: r.after,
          prevHash: r.prev_hash,
        });
        await client.query(`update audit_log set entity_id = 'forged', hash = $1 where seq = 2`, [forged]);
        expect(await verifyAuditChain(client)).toMatchObject({
          ok: false,
          brokenAt: { seq: '3', reason: 'prev_hash does not match the previous row' },
        });
        await client.query('delete from audit_log where seq = 4');
        await client.query(`update audit_log set hash = $1 where seq = 2`, [r.hash]);
        await client.query(`update audit_log set entity_id = $1 where seq = 2`, [r.entity_id]);
        expect(await verifyAuditChain(client)).toMatchObject({
          ok: false,
          brokenAt: { seq: '4', reason: 'row 4 is missing' },
        });
      } finally {
        await client.query('reset session_replication_role');
        client.release();
      }
    } finally {
      await db.drop();
    }
  });
});
