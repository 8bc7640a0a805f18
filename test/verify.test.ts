// `corebank verify` checks the ledger and the audit chain, and fails when either is broken.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runVerify } from '../src/cli/verify.js';
import { recordAudit } from '../src/modules/audit/service.js';
import { systemActor } from '../src/modules/audit/types.js';
import { tx } from '../src/platform/db/tx.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  for (let i = 0; i < 3; i++) {
    await tx(db.pool, (c) =>
      recordAudit(c, {
        actor: systemActor('test'),
        entityType: 'thing',
        entityId: String(i),
        action: 'thing.made',
        after: { i },
      }),
    );
  }
});
afterAll(async () => {
  await db.drop();
});

it('passes on a consistent database and prints a summary per check', async () => {
  const lines: string[] = [];
  expect(await runVerify(db.pool, (l) => lines.push(l))).toBe(true);
  expect(lines.join('\n')).toMatch(/ok {3}ledger: .*\nok {3}audit: 3 rows chained/);
});

it('fails when one audit row was changed behind the chain', async () => {
  const client = await db.pool.connect();
  try {
    await client.query('set session_replication_role = replica'); // as a superuser could
    await client.query(`update audit_log set after = '{"i":99}' where seq = 2`);
    await client.query('reset session_replication_role');
  } finally {
    client.release();
  }
  const lines: string[] = [];
  expect(await runVerify(db.pool, (l) => lines.push(l))).toBe(false);
  expect(lines.join('\n')).toMatch(/FAIL audit: .*\n {5}- row 2: /);
});

it('fails when the ledger does not reconcile', async () => {
  const client = await db.pool.connect();
  try {
    await client.query('set session_replication_role = replica');
    await client.query(
      `update ledger_accounts set credits_posted = 5 where purpose = 'VAULT' and currency = 'USD'`,
    );
    await client.query('reset session_replication_role');
  } finally {
    client.release();
  }
  const lines: string[] = [];
  expect(await runVerify(db.pool, (l) => lines.push(l))).toBe(false);
  expect(lines.join('\n')).toMatch(/FAIL ledger: .*\n {5}- account .* differ from its entries/);
});
