// bench/pgbench-product-transfer.sql claims to write, for one transfer, the rows the product's path
// writes. This runs the script's statements once, as pgbench would (its variables sent as
// parameters, `\gset` into variables), and makes one transfer through the real API, and compares
// the rows each added to every table. The script runs against corebank's own schema, so its
// triggers and checks also have to accept what it writes.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mapAccounts, PRODUCT_SCRIPT } from '../bench/runs/pgbench-product.js';
import type { TestApp } from './helpers/app.js';
import { createAuthTestApp, registerCustomer } from './helpers/auth.js';
import { deposit, openAccount, post } from './payments/helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createAuthTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Rows in every table of the schema. */
async function rowCounts(q: pg.ClientBase | pg.Pool): Promise<Record<string, number>> {
  const { rows } = await q.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of rows) {
    const r = await q.query<{ n: number }>(`select count(*)::int as n from "${table_name}"`);
    out[table_name] = r.rows[0]!.n;
  }
  return out;
}

const added = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([table, n]) => [table, n - (before[table] ?? 0)] as const)
      .filter(([, n]) => n !== 0),
  );

/** The script's SQL commands: `\set` lines left out (their variables are given), `\gset` marked. */
function commands(script: string): { sql: string; gset: boolean }[] {
  const out: { sql: string; gset: boolean }[] = [];
  let lines: string[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('--') || line.startsWith('\\set ')) continue;
    if (line.endsWith('\\gset')) {
      out.push({ sql: [...lines, line.slice(0, -'\\gset'.length)].join('\n'), gset: true });
      lines = [];
    } else if (line.endsWith(';')) {
      out.push({ sql: [...lines, line.slice(0, -1)].join('\n'), gset: false });
      lines = [];
    } else {
      lines.push(line);
    }
  }
  expect(lines).toEqual([]); // no command left unterminated
  return out;
}

/** One pass of the script on `client`, as pgbench -M prepared runs it: `:name` becomes a parameter. */
async function runScriptOnce(client: pg.ClientBase, script: string, vars: Record<string, string>) {
  const asText = { getTypeParser: () => (v: string) => v }; // values as pgbench sees them: text
  for (const c of commands(script)) {
    // One parameter per occurrence, as pgbench does: each is typed from its own context.
    const names: string[] = [];
    const text = c.sql.replace(/(?<!:):([a-z_][a-z0-9_]*)/gi, (_, name: string) => {
      if (vars[name] === undefined) throw new Error(`variable ${name} is not set`);
      names.push(name);
      return `$${names.length}`;
    });
    const r = await client.query({ text, values: names.map((n) => vars[n]), types: asText });
    if (c.gset) {
      expect(r.rows).toHaveLength(1);
      for (const [k, v] of Object.entries(r.rows[0] as Record<string, unknown>)) vars[k] = String(v);
    }
  }
}

it('writes the rows one product transfer writes, to the same tables', async () => {
  const alice = await registerCustomer(t.app);
  const bob = await registerCustomer(t.app);
  const [a1, a2] = [await openAccount(t.app, alice), await openAccount(t.app, alice)];
  const [b1, b2] = [await openAccount(t.app, bob), await openAccount(t.app, bob)];
  await deposit(t.app, alice, a1.id, '100.00');
  await deposit(t.app, alice, a2.id, '100.00');

  // Through the product: alice pays bob.
  const beforeProduct = await rowCounts(t.db.pool);
  const res = await post(t.app, alice, '/api/v1/transfers', {
    fromAccountId: a1.id,
    toAccountId: b1.id,
    amount: '5.00',
  });
  expect(res.statusCode).toBe(201);
  const product = added(beforeProduct, await rowCounts(t.db.pool));

  // Through the script: alice's other account pays bob's other account.
  expect(await mapAccounts(t.db.url)).toBe(4);
  const { rows } = await t.db.pool.query<{ n: number; account_id: string }>(
    'select n, account_id from bench_product_accounts',
  );
  const n = (id: string) => String(rows.find((r) => r.account_id === id)!.n);
  const script = await readFile(PRODUCT_SCRIPT, 'utf8');
  const client = await t.db.pool.connect();
  try {
    const beforeScript = await rowCounts(client);
    await runScriptOnce(client, script, { accounts: '4', a: n(a2.id), b: n(b2.id), amt: '500' });
    const written = added(beforeScript, await rowCounts(client));

    expect(written).toEqual(product);
    expect(product).toEqual({
      ledger_transfers: 1,
      ledger_entries: 2,
      transactions: 1,
      outbox_events: 1,
      audit_log: 1,
      idempotency_keys: 1,
      fraud_known_payees: 1,
    });
  } finally {
    client.release();
  }
  // And the money moved: 5.00 by the product, 5.00 (500 minor units) by the script.
  const { rows: balances } = await t.db.pool.query<{ id: string; balance: string }>(
    `select id, (credits_posted - debits_posted)::text as balance from ledger_accounts where id = any($1::uuid[])`,
    [[a1.id, a2.id, b1.id, b2.id]],
  );
  expect(Object.fromEntries(balances.map((b) => [b.id, b.balance]))).toEqual({
    [a1.id]: '9500',
    [a2.id]: '9500',
    [b1.id]: '500',
    [b2.id]: '500',
  });
});
