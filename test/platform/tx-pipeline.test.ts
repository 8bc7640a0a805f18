// tx() on pipelined connections: BEGIN travels with the first statements, statements handed to
// ctx.alongCommit travel with COMMIT, those of ctx.sendWithCommit leave in COMMIT's write, and sendTogether puts a round of statements in one write.
// What must not change: a transaction is all or nothing, and a failure anywhere is thrown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type PoolClient } from '../../src/platform/db/pool.js';
import { sendTogether } from '../../src/platform/db/together.js';
import { tx } from '../../src/platform/db/tx.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  await db.pool.query('create table pipeline_probe (id int primary key, note text not null)');
});
afterAll(async () => {
  await db.drop();
});

const rows = async () =>
  (await db.pool.query<{ id: number }>('select id from pipeline_probe order by id')).rows.map((r) => r.id);

/** Counts the socket writes a client makes while `fn` runs. */
async function countWrites<T>(
  client: PoolClient,
  fn: () => Promise<T>,
): Promise<{ writes: number; result: T }> {
  const stream = client.connection.stream as unknown as {
    _write: (...a: unknown[]) => unknown;
    _writev?: (...a: unknown[]) => unknown;
  };
  const write = stream._write;
  const writev = stream._writev;
  let writes = 0;
  stream._write = function (this: unknown, ...a: unknown[]) {
    writes++;
    return write.apply(this, a);
  };
  if (writev)
    stream._writev = function (this: unknown, ...a: unknown[]) {
      writes++;
      return writev.apply(this, a);
    };
  try {
    const result = await fn();
    return { writes, result };
  } finally {
    stream._write = write;
    if (writev) stream._writev = writev;
  }
}

describe('tx() on pipelined connections', () => {
  it('commits the statements of fn and of alongCommit together', async () => {
    await db.pool.query('truncate pipeline_probe');
    const result = await tx(db.pool, async (client, ctx) => {
      await client.query(`insert into pipeline_probe values (1, 'a')`);
      ctx.alongCommit(client.query(`insert into pipeline_probe values (2, 'b')`));
      return 'done';
    });
    expect(result).toBe('done');
    expect(await rows()).toEqual([1, 2]);
  });

  it('rolls everything back and throws when a statement handed to alongCommit fails', async () => {
    await db.pool.query('truncate pipeline_probe');
    const failed = tx(db.pool, async (client, ctx) => {
      await client.query(`insert into pipeline_probe values (1, 'a')`);
      // The server turns the COMMIT behind this into a rollback; tx() must report the cause.
      ctx.alongCommit(client.query(`insert into pipeline_probe values (1, 'duplicate')`));
      ctx.alongCommit(client.query(`insert into pipeline_probe values (3, 'c')`));
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual([]);
  });

  it('rolls back the statements sent ahead when fn fails, and the connection stays usable', async () => {
    await db.pool.query('truncate pipeline_probe');
    const failed = tx(db.pool, async (client) => {
      // Three statements on the wire at once; the second fails, the third is refused.
      await Promise.all([
        client.query(`insert into pipeline_probe values (1, 'a')`),
        client.query(`insert into pipeline_probe values (1, 'duplicate')`),
        client.query(`insert into pipeline_probe values (2, 'b')`),
      ]);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual([]);
    // Every pooled connection still works (none was left inside a transaction).
    const clients = await Promise.all([1, 2, 3, 4].map(() => db.pool.connect()));
    try {
      for (const c of clients) {
        // Outside a transaction block each statement starts its own: now() is its start time.
        const { rows: r } = await c.query<{ idle: boolean }>('select now() = statement_timestamp() as idle');
        expect(r[0]!.idle).toBe(true);
      }
    } finally {
      clients.forEach((c) => c.release());
    }
  });

  it('sends a round in one write with sendTogether, and one write per statement without', async () => {
    const client = await db.pool.connect();
    // Three statements issued without waiting, answered 1, 2, 3.
    const three = () => Promise.all([1, 2, 3].map((n) => client.query<{ n: number }>(`select ${n} as n`)));
    try {
      const together = await countWrites(client, () => sendTogether(client, three));
      expect(together.result.map((r) => r.rows[0]!.n)).toEqual([1, 2, 3]);
      expect(together.writes).toBe(1);

      const apart = await countWrites(client, three);
      expect(apart.result.map((r) => r.rows[0]!.n)).toEqual([1, 2, 3]);
      expect(apart.writes).toBe(3);
    } finally {
      client.release();
    }
  });

  it('sends BEGIN in the same write as the statements fn issues before it first waits', async () => {
    const pool = createPool({ connectionString: db.url, max: 1 });
    try {
      const client = await pool.connect();
      client.release(); // the pool's only connection: tx() gets this one
      const { writes, result } = await countWrites(client, () =>
        tx(pool, async (c) => {
          const [a, b] = await Promise.all([c.query('select 1 as n'), c.query('select 2 as n')]);
          return [a.rows[0].n, b.rows[0].n];
        }),
      );
      expect(result).toEqual([1, 2]);
      expect(writes).toBe(2); // BEGIN with both selects, then COMMIT
    } finally {
      await pool.end();
    }
  });

  it('issues the statements of sendWithCommit after fn returns, in the same write as COMMIT', async () => {
    await db.pool.query('truncate pipeline_probe');
    const pool = createPool({ connectionString: db.url, max: 1 });
    try {
      const client = await pool.connect();
      client.release();
      let issuedBeforeReturn = false;
      let returned = false;
      const { writes, result } = await countWrites(client, () =>
        tx(pool, async (c, ctx) => {
          await c.query(`insert into pipeline_probe values (1, 'a')`);
          ctx.sendWithCommit(() => {
            issuedBeforeReturn = !returned;
            return Promise.all([
              c.query(`insert into pipeline_probe values (2, 'b')`),
              c.query(`insert into pipeline_probe values (3, 'c')`),
            ]);
          });
          await Promise.resolve();
          returned = true;
          return 'done';
        }),
      );
      expect(result).toBe('done');
      expect(issuedBeforeReturn).toBe(false);
      expect(writes).toBe(2); // BEGIN with the first insert, then both inserts with COMMIT
      expect(await rows()).toEqual([1, 2, 3]);
    } finally {
      await pool.end();
    }
  });

  it('rolls everything back and throws when a statement of sendWithCommit fails', async () => {
    await db.pool.query('truncate pipeline_probe');
    const failed = tx(db.pool, async (client, ctx) => {
      await client.query(`insert into pipeline_probe values (1, 'a')`);
      ctx.sendWithCommit(() =>
        Promise.all([
          client.query(`insert into pipeline_probe values (2, 'b')`),
          client.query(`insert into pipeline_probe values (1, 'duplicate')`),
        ]),
      );
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual([]);
  });

  it('never issues the statements of sendWithCommit when fn fails after handing them over', async () => {
    await db.pool.query('truncate pipeline_probe');
    let issued = false;
    const failed = tx(db.pool, async (client, ctx) => {
      await client.query(`insert into pipeline_probe values (1, 'a')`);
      ctx.sendWithCommit(() => {
        issued = true;
        return client.query(`insert into pipeline_probe values (2, 'b')`);
      });
      throw new Error('changed its mind');
    });
    await expect(failed).rejects.toThrow('changed its mind');
    expect(issued).toBe(false);
    expect(await rows()).toEqual([]);
  });

  it('takes sendWithCommit once per transaction', async () => {
    const failed = tx(db.pool, async (_client, ctx) => {
      ctx.sendWithCommit(() => Promise.resolve());
      ctx.sendWithCommit(() => Promise.resolve());
    });
    await expect(failed).rejects.toThrow(/once per transaction/);
  });
});
