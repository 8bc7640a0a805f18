// What a run made PostgreSQL write, per transfer: rows inserted and updated (and how many of the
// updates were not HOT, so every index of the row got a new entry), index entries, and WAL.
//
// The HTTP target compares corebank's transfer with pgbench's, and the two do different amounts
// of work: pgbench's script writes a transfer and its two entries, corebank's product path also
// the transaction record, its outbox event, its audit row, the idempotency key and the fraud
// statistics. These figures put that difference next to the throughput, measured, in every run.
//
// Counts come from pg_stat_user_tables, which a backend updates only when it flushes its pending
// statistics (at most once a second while busy, and when it exits). So the counters are read only
// when no backend has unflushed counts: after the run's other connections have closed
// (`settledCounters`), or after each connection of an in-process pool was told to flush
// (`flushPool`). WAL is the server's, not the database's: the benchmark assumes nothing else
// writes to the server while it runs (as it does for its CPU figures).
import pg from 'pg';

/** Cumulative write counters of one table. */
export interface TableWrites {
  inserted: number;
  updated: number;
  /** Updates that were HOT (no new index entries). */
  hotUpdated: number;
  /** Indexes without a predicate: every row written gets an entry in each. */
  fullIndexes: number;
}

export interface WriteCounters {
  tables: Map<string, TableWrites>;
  /** pg_current_wal_insert_lsn() in bytes: WAL generated, written out or not. */
  walLsn: bigint;
}

export interface WritesPerTransfer {
  /** Rows inserted into `transferTable`: the denominator of everything else. */
  transfers: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUpdatedNotHot: number;
  /** Entries added to indexes without a predicate; partial indexes are not counted (a lower bound). */
  indexEntries: number;
  walBytes: number;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The counters of the database `q` is connected to, as its statistics have them now. */
export async function writeCounters(q: Queryable): Promise<WriteCounters> {
  const { rows } = await q.query<{
    table: string;
    inserted: string;
    updated: string;
    hot: string;
    full_indexes: number;
  }>(
    `select s.relname as table, s.n_tup_ins::text as inserted, s.n_tup_upd::text as updated,
            s.n_tup_hot_upd::text as hot,
            (select count(*)::int from pg_index i where i.indrelid = s.relid and i.indpred is null)
              as full_indexes
       from pg_stat_user_tables s
      where s.schemaname = 'public'`,
  );
  const wal = await q.query<{ lsn: string }>(
    `select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint::text as lsn`,
  );
  const tables = new Map<string, TableWrites>();
  for (const r of rows) {
    tables.set(r.table, {
      inserted: Number(r.inserted),
      updated: Number(r.updated),
      hotUpdated: Number(r.hot),
      fullIndexes: r.full_indexes,
    });
  }
  return { tables, walLsn: BigInt(wal.rows[0]?.lsn ?? '0') };
}

/**
 * The counters of the database at `url` once every other client connection to it has closed (and
 * so flushed its statistics on the way out); waits up to `timeoutMs` for them to go. An
 * autovacuum worker, which may well be busy with the database after a run, is not waited for: it
 * inserts and updates no rows.
 */
export async function settledCounters(url: string, timeoutMs = 10_000): Promise<WriteCounters> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ others: number }>(
        `select count(*)::int as others from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()
            and backend_type = 'client backend'`,
      );
      if ((rows[0]?.others ?? 0) === 0) break;
      if (Date.now() > deadline) throw new Error('other connections to the database did not close');
      await new Promise((r) => setTimeout(r, 50));
    }
    return await writeCounters(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Makes every connection of an in-process pool flush its pending statistics: each takes one of
 * the pool's `size` connections and asks for the flush, which the backend does before it answers
 * (pg_stat_force_next_flush, PostgreSQL 15 and later).
 */
export async function flushPool(pool: pg.Pool, size: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  try {
    await Promise.all(clients.map((c) => c.query('select pg_stat_force_next_flush()')));
  } finally {
    for (const c of clients) c.release();
  }
}

/** Writes between two readings, per row inserted into `transferTable`; undefined if there is none. */
export function writesPerTransfer(
  before: WriteCounters,
  after: WriteCounters,
  transferTable: string,
): WritesPerTransfer | undefined {
  const zero: TableWrites = { inserted: 0, updated: 0, hotUpdated: 0, fullIndexes: 0 };
  let inserted = 0;
  let updated = 0;
  let notHot = 0;
  let indexEntries = 0;
  let transfers = 0;
  for (const [name, a] of after.tables) {
    const b = before.tables.get(name) ?? zero;
    const ins = a.inserted - b.inserted;
    const upd = a.updated - b.updated;
    const cold = upd - (a.hotUpdated - b.hotUpdated);
    inserted += ins;
    updated += upd;
    notHot += cold;
    indexEntries += (ins + cold) * a.fullIndexes;
    if (name === transferTable) transfers = ins;
  }
  if (transfers <= 0) return undefined;
  return {
    transfers,
    rowsInserted: inserted / transfers,
    rowsUpdated: updated / transfers,
    rowsUpdatedNotHot: notHot / transfers,
    indexEntries: indexEntries / transfers,
    walBytes: Number(after.walLsn - before.walLsn) / transfers,
  };
}

/** One line for a run's details, e.g. "8.0 rows inserted, 3.0 updated (0.2 not HOT), 20.1 index entries, 2.4 kB of WAL". */
export function describeWrites(w: WritesPerTransfer | undefined): string {
  if (!w) return '-';
  return [
    `${w.rowsInserted.toFixed(1)} rows inserted`,
    `${w.rowsUpdated.toFixed(1)} updated (${w.rowsUpdatedNotHot.toFixed(1)} not HOT)`,
    `${w.indexEntries.toFixed(1)} index entries`,
    `${(w.walBytes / 1000).toFixed(1)} kB of WAL`,
  ].join(', ');
}
