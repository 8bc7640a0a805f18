// Idempotency keys across transactions (src/modules/payments/repo.ts, claimKeys): a key is an
// advisory lock held until commit, and its row is written once, with the reply. A second
// transaction with the same key waits for the first and then sees what it committed; a key whose
// transaction rolled back is free again. Then the same through HTTP, batching off, so that every
// request is a transaction of its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimKeys, storeResponses } from '../../src/modules/payments/repo.js';
import type { PoolClient } from '../../src/platform/db/pool.js';
import { createAuthTestApp, registerCustomer } from '../helpers/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { balanceOf, openAccount, post } from './helpers.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db.drop();
});

const settledWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

/** Runs fn with two open transactions on connections of their own; whatever is left open is rolled back. */
async function withTwoTransactions(fn: (a: PoolClient, b: PoolClient) => Promise<void>): Promise<void> {
  const a = await db.pool.connect();
  const b = await db.pool.connect();
  try {
    await a.query('begin');
    await b.query('begin');
    await fn(a, b);
  } finally {
    // A rollback outside a transaction only warns.
    await a.query('rollback');
    await b.query('rollback');
    a.release();
    b.release();
  }
}

describe('claimKeys across transactions', () => {
  it('a second transaction waits for the first, then sees its stored reply', async () => {
    const claim = { userId: randomUUID(), key: 'k-1', requestHash: 'h1' };
    await withTwoTransactions(async (a, b) => {
      expect(await claimKeys(a, [claim])).toEqual(new Map());
      const second = claimKeys(b, [claim]);
      expect(await settledWithin(second, 300)).toBe(false);
      await storeResponses(a, [{ ...claim, status: 201, body: { id: 'first' } }]);
      await a.query('commit');
      const seen = await second;
      expect([...seen.values()]).toEqual([{ requestHash: 'h1', status: 201, body: { id: 'first' } }]);
    });
  });

  it('a key whose transaction rolled back is free: the waiter goes ahead and nothing is stored', async () => {
    const claim = { userId: randomUUID(), key: 'k-2', requestHash: 'h2' };
    await withTwoTransactions(async (a, b) => {
      await claimKeys(a, [claim]);
      const second = claimKeys(b, [claim]);
      expect(await settledWithin(second, 300)).toBe(false);
      await storeResponses(a, [{ ...claim, status: 201, body: { id: 'undone' } }]);
      await a.query('rollback');
      expect(await second).toEqual(new Map());
      const { rows } = await db.pool.query('select 1 from idempotency_keys where key = $1', ['k-2']);
      expect(rows).toEqual([]);
    });
  });

  it('writes nothing when the key is taken, and the row once, with its reply', async () => {
    const claim = { userId: randomUUID(), key: 'k-3', requestHash: 'h3' };
    await withTwoTransactions(async (a) => {
      // This backend's counts for the table (they include its earlier transactions not yet
      // reported, so the deltas are what count).
      const writes = async () =>
        (
          await a.query<{ ins: number; upd: number; del: number }>(
            `select n_tup_ins::int as ins, n_tup_upd::int as upd, n_tup_del::int as del
             from pg_stat_xact_user_tables where relname = 'idempotency_keys'`,
          )
        ).rows[0]!;
      const start = await writes();
      const since = async () => {
        const now = await writes();
        return { ins: now.ins - start.ins, upd: now.upd - start.upd, del: now.del - start.del };
      };
      await claimKeys(a, [claim]);
      expect(await since()).toEqual({ ins: 0, upd: 0, del: 0 });
      await storeResponses(a, [{ ...claim, status: 201, body: { ok: true } }]);
      expect(await since()).toEqual({ ins: 1, upd: 0, del: 0 });
      await a.query('commit');
    });
    const { rows } = await db.pool.query(
      'select response_status, response_body from idempotency_keys where key = $1',
      ['k-3'],
    );
    expect(rows).toEqual([{ response_status: 201, response_body: { ok: true } }]);
  });

  it('keys of one user that differ only in case, and the same key of two users, do not wait', async () => {
    const user = randomUUID();
    await withTwoTransactions(async (a, b) => {
      await claimKeys(a, [{ userId: user, key: 'Key', requestHash: 'x' }]);
      expect(await settledWithin(claimKeys(b, [{ userId: user, key: 'key', requestHash: 'x' }]), 2000)).toBe(
        true,
      );
      expect(
        await settledWithin(claimKeys(b, [{ userId: randomUUID(), key: 'Key', requestHash: 'x' }]), 2000),
      ).toBe(true);
    });
  });
});

describe('stored keys fill their pages (migration 0406)', () => {
  it('a page holds as many keys with a transfer-sized reply as fit, not half as many', async () => {
    // A reply the size of a transfer's (about 450 characters of JSON), as storeResponses writes it.
    const body = { id: randomUUID(), reference: 'TRF-0123456789ABCDEF', note: 'x'.repeat(330) };
    const c = await db.pool.connect();
    try {
      await c.query('begin');
      await storeResponses(
        c,
        Array.from({ length: 240 }, (_, i) => ({
          userId: randomUUID(),
          key: `fill-${i}`,
          requestHash: 'h'.repeat(64),
          status: 201,
          body,
        })),
      );
      const { rows } = await c.query<{ rows_per_page: number; width: number }>(
        `select count(*)::float8 / count(distinct (ctid::text::point)[0]) as rows_per_page,
                avg(pg_column_size(k.*))::float8 as width
           from idempotency_keys k where key like 'fill-%'`,
      );
      const { rows_per_page: perPage, width } = rows[0]!;
      // A full page holds about 8,160 / (width, aligned, + a 4-byte line pointer) rows.
      const full = Math.floor(8160 / (Math.ceil(width / 8) * 8 + 4));
      // Measured: 13 rows a page of 14 that fit (rows of 552 bytes); 6 with half of each page left free.
      expect(perPage).toBeGreaterThan(0.8 * full);
    } finally {
      await c.query('rollback');
      c.release();
    }
  });
});

describe('idempotency_take_keys (migration 0405)', () => {
  it('probes the primary key per key even with a plan made while the table was young', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('begin');
      // The session's one generic plan is made at its first call: make it on a near-empty,
      // freshly analyzed table, then let the table grow without a new analyze.
      await c.query('analyze idempotency_keys');
      const unknown = () =>
        claimKeys(
          c,
          Array.from({ length: 20 }, (_, i) => ({ userId: randomUUID(), key: `k-${i}`, requestHash: 'h' })),
        );
      await unknown();
      await c.query(
        `insert into idempotency_keys (user_id, key, request_hash, response_status, response_body)
         select gen_random_uuid(), 'grown-' || g, 'h', 201, '{}' from generate_series(1, 3000) g`,
      );
      const read = async () =>
        (
          await c.query<{ n: bigint }>(
            `select coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) as n
               from pg_stat_xact_user_tables where relname = 'idempotency_keys'`,
          )
        ).rows[0]!.n;
      const before = await read();
      for (let i = 0; i < 6; i++) expect(await unknown()).toEqual(new Map());
      // 120 probes that find nothing read nothing; a walk of the table would read 3,000 a call.
      expect(await read()).toBe(before);
    } finally {
      await c.query('rollback');
      c.release();
    }
  });
});

describe('the same key over HTTP, one transaction per request (batching off)', () => {
  it('40 concurrent identical deposits: one movement, one reply replayed to all', async () => {
    const t = await createAuthTestApp({
      RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000',
      MOVEMENT_BATCH_WINDOW_MS: '0',
    });
    try {
      const alice = await registerCustomer(t.app);
      const a = await openAccount(t.app, alice);
      const key = randomUUID();
      const replies = await Promise.all(
        Array.from({ length: 40 }, () =>
          post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '7.00' }, key),
        ),
      );
      expect(new Set(replies.map((r) => r.statusCode))).toEqual(new Set([201]));
      expect(new Set(replies.map((r) => r.body)).size).toBe(1);
      expect(replies.filter((r) => r.headers['idempotency-replayed'] === 'true')).toHaveLength(39);
      expect((await balanceOf(t.app, alice, a.id)).balance).toBe('7.00');
      const { rows } = await t.db.pool.query<{ n: number }>(
        'select count(*)::int as n from transactions where to_account_id = $1',
        [a.id],
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await t.close();
    }
  });
});
