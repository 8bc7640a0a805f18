// bench/lib/writes.ts: what a benchmark run made PostgreSQL write, per transfer.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWrites,
  flushPool,
  settledCounters,
  writeCounters,
  writesPerTransfer,
  type TableWrites,
  type WriteCounters,
} from '../bench/lib/writes.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

const counters = (tables: Record<string, TableWrites>, walLsn: bigint): WriteCounters => ({
  tables: new Map(Object.entries(tables)),
  walLsn,
});
const table = (inserted: number, updated: number, hotUpdated: number, fullIndexes: number): TableWrites => ({
  inserted,
  updated,
  hotUpdated,
  fullIndexes,
});

describe('writesPerTransfer', () => {
  it('divides the writes between two readings by the rows inserted into the transfer table', () => {
    const before = counters({ transfers: table(10, 0, 0, 1), accounts: table(0, 5, 5, 1) }, 1_000n);
    const after = counters(
      {
        transfers: table(14, 0, 0, 1), // 4 transfers, one index
        accounts: table(0, 13, 12, 1), // 8 updates, one of them not HOT
        entries: table(8, 0, 0, 2), // new since the first reading: counted from zero
      },
      21_000n,
    );
    expect(writesPerTransfer(before, after, 'transfers')).toEqual({
      transfers: 4,
      rowsInserted: 3, // (4 + 8) / 4
      rowsUpdated: 2, // 8 / 4
      rowsUpdatedNotHot: 0.25,
      indexEntries: 5.25, // (4 × 1 + 1 × 1 + 8 × 2) / 4
      walBytes: 5_000,
    });
  });

  it('is undefined when no transfer was written', () => {
    const same = counters({ transfers: table(3, 0, 0, 1) }, 10n);
    expect(writesPerTransfer(same, same, 'transfers')).toBeUndefined();
    expect(writesPerTransfer(same, same, 'absent')).toBeUndefined();
    expect(describeWrites(undefined)).toBe('-');
  });

  it('describes the figures in one line', () => {
    expect(
      describeWrites({
        transfers: 10,
        rowsInserted: 8,
        rowsUpdated: 3.04,
        rowsUpdatedNotHot: 0.21,
        indexEntries: 18.25,
        walBytes: 5_460,
      }),
    ).toBe('8.0 rows inserted, 3.0 updated (0.2 not HOT), 18.3 index entries, 5.5 kB of WAL');
  });
});

// Against PostgreSQL: the statistics are read only once every backend has flushed its counts.
describe('the counters, read from PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 2 });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('counts inserts, HOT and other updates, full-index entries and WAL from a pool', async () => {
    await db.pool.query(`create table bw_moves (id int primary key, note text, w int)`);
    await db.pool.query(`create index bw_moves_w on bw_moves (w)`);
    await db.pool.query(`create index bw_moves_neg on bw_moves (id) where w < 0`); // partial: not counted
    await flushPool(db.pool, 2);
    const before = await writeCounters(db.pool);

    await db.pool.query(`insert into bw_moves select g, 'x', g from generate_series(1, 4) g`);
    await db.pool.query(`update bw_moves set note = 'y' where id in (1, 2)`); // no indexed column: HOT
    await db.pool.query(`update bw_moves set w = 40 where id = 3`); // an indexed column: never HOT
    await flushPool(db.pool, 2);
    const after = await writeCounters(db.pool);

    const w = writesPerTransfer(before, after, 'bw_moves');
    expect(w).toMatchObject({
      transfers: 4,
      rowsInserted: 1,
      rowsUpdated: 0.75,
      rowsUpdatedNotHot: 0.25,
      indexEntries: 2.5, // (4 inserts + 1 update not HOT) × 2 full indexes / 4
    });
    expect(w!.walBytes).toBeGreaterThan(0);
  });

  it('waits for other connections to close before reading', async () => {
    const other = await createTestDatabase(); // its pool is never used: no connection of ours
    try {
      const client = new pg.Client({ connectionString: other.url });
      await client.connect();
      await client.query(`create table bw_other (id int primary key)`);
      await client.query(`insert into bw_other select generate_series(1, 7)`);
      // Ended, not awaited: the backend may still be on its way out when the reading starts.
      const ended = client.end();
      const settled = await settledCounters(other.url);
      await ended;
      expect(settled.tables.get('bw_other')).toEqual({
        inserted: 7,
        updated: 0,
        hotUpdated: 0,
        fullIndexes: 1,
      });
    } finally {
      await other.drop();
    }
  });
});
