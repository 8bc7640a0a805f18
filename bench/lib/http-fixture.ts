// The HTTP runs' data, built once per `npm run bench` in a template database and cloned for
// each run (CREATE DATABASE … TEMPLATE): customers with logins, a few CHECKING accounts each,
// a live session per customer, every account funded with a deposit through the payments
// service, then VACUUM ANALYZE. And the checks after each run.
//
// Set-up goes through corebank's own services (customers, accounts, deposits) except the
// password: every user gets the same argon2 hash, computed once, and a session row is inserted
// directly, as test/helpers/auth.ts does: thousands of argon2 logins would take minutes and
// measure nothing the benchmark is about. The bearer tokens are signed per run (they live at
// most 15 minutes) with the same secret the server is started with.
//
// This module imports src/ and is loaded at run time by bench/runs/http.ts, so that a product
// that does not load fails the HTTP runs alone.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../src/context.js';
import { runVerify } from '../../src/cli/verify.js';
import { openAccount } from '../../src/modules/accounts/service.js';
import { systemActor } from '../../src/modules/audit/types.js';
import { hashPassword } from '../../src/modules/auth/passwords.js';
import { insertSession, insertUser } from '../../src/modules/auth/repo.js';
import { signAccessToken } from '../../src/modules/auth/tokens.js';
import { createCustomer } from '../../src/modules/customers/service.js';
import { createMovementExecutor } from '../../src/modules/payments/batcher.js';
import { systemCaller } from '../../src/modules/payments/jobs.js';
import { createPaymentsService } from '../../src/modules/payments/service.js';
import { loadConfig } from '../../src/platform/config.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createPool, type Pool } from '../../src/platform/db/pool.js';
import { tx } from '../../src/platform/db/tx.js';
import { createLogger } from '../../src/platform/log.js';
import { createMetrics } from '../../src/platform/metrics.js';
import type { BenchDatabase, RunCheck } from '../runs/types.js';

export const CURRENCY = 'USD';
export const ACCOUNTS_PER_CUSTOMER = 4;
/** Each account is funded with this much (major units): no transfer of at most 10.00 should fail. */
const FUNDING_MAJOR = '10000';
const SETUP_CONNECTIONS = 8;
const CUSTOMERS_PER_TX = 50;
const PASSWORD = 'Bench-Harbor-Lantern-42';

export interface FixtureAccount {
  id: string;
  number: string;
  /** Index into `customers`. */
  owner: number;
}

export interface Fixture {
  template: BenchDatabase;
  accounts: FixtureAccount[];
  customers: { userId: string; sessionId: string }[];
  /** Sum of the customer accounts' balances (minor units) after funding. */
  funded: bigint;
  /** The configuration the server and the set-up share: production mode, the same secrets. */
  env: Record<string, string>;
  setupSeconds: number;
}

/** Settings for the server and for the set-up: production mode with this benchmark's own secrets. */
export function benchEnvironment(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PII_KEYRING: `bench:${randomBytes(32).toString('base64')}`,
    PII_HMAC_KEY: randomBytes(32).toString('base64'),
    ACCESS_TOKEN_TTL_SECONDS: '900',
    RATE_LIMIT_MOVEMENTS_PER_MINUTE: '1000000000',
    SEED_DEMO_DATA: 'false',
  };
}

function contextFor(url: string, env: Record<string, string>, pool: Pool): AppContext {
  const config = loadConfig({ ...env, DATABASE_URL: url, LOG_LEVEL: 'silent' });
  return { config, pool, log: createLogger('silent'), metrics: createMetrics() };
}

/** Runs fn over items with at most `n` in flight. */
async function eachLimited<T>(
  items: T[],
  n: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

export async function buildFixture(opts: {
  createDatabase(prefix: string): Promise<BenchDatabase>;
  accounts: number;
  log(msg: string): void;
  signal: AbortSignal;
}): Promise<Fixture> {
  const started = performance.now();
  const env = benchEnvironment();
  const template = await opts.createDatabase('bench_http_template');
  const pool = createPool({
    connectionString: template.url,
    max: SETUP_CONNECTIONS,
    applicationName: 'corebank-bench',
  });
  try {
    await migrate(pool);
    const ctx = contextFor(template.url, env, pool);
    const actor = systemActor('corebank-bench');
    const passwordHash = await hashPassword(PASSWORD);
    const customerCount = Math.max(2, Math.ceil(opts.accounts / ACCOUNTS_PER_CUSTOMER));
    const customers: Fixture['customers'] = new Array(customerCount);
    const accounts: FixtureAccount[] = new Array(opts.accounts);
    const tag = randomBytes(3).toString('hex');

    // Customers with their logins and sessions, many per transaction: creating a customer
    // appends to the audit chain, whose head is locked until commit, so these transactions run
    // one after another anyway.
    const customerIds: string[] = new Array(customerCount);
    const groups = Array.from({ length: Math.ceil(customerCount / CUSTOMERS_PER_TX) }, (_, g) => g);
    await eachLimited(groups, 2, async (g) => {
      if (opts.signal.aborted) throw new Error('interrupted');
      await tx(pool, async (client) => {
        for (let c = g * CUSTOMERS_PER_TX; c < Math.min(customerCount, (g + 1) * CUSTOMERS_PER_TX); c++) {
          const email = `bench.${tag}.${c}@example.test`;
          const customer = await createCustomer(
            ctx,
            client,
            { fullName: `Bench Customer ${c}`, email },
            actor,
          );
          const user = await insertUser(client, {
            email,
            passwordHash,
            role: 'customer',
            customerId: customer.id,
          });
          const session = await insertSession(client, {
            userId: user.id,
            ip: null,
            userAgent: 'corebank-bench',
            ttlSeconds: 7 * 86_400,
          });
          customers[c] = { userId: user.id, sessionId: session.id };
          customerIds[c] = customer.id;
        }
      });
    });
    // Their accounts (no audit row here), one transaction per customer, in parallel.
    await eachLimited(customerIds, SETUP_CONNECTIONS, async (customerId, c) => {
      if (opts.signal.aborted) throw new Error('interrupted');
      await tx(pool, async (client) => {
        for (let k = 0; k < ACCOUNTS_PER_CUSTOMER; k++) {
          const i = c * ACCOUNTS_PER_CUSTOMER + k;
          if (i >= opts.accounts && k > 0) break; // every customer has at least one account
          const account = await openAccount(client, { customerId, type: 'CHECKING', currency: CURRENCY });
          accounts[i] = { id: account.id, number: account.accountNumber, owner: c };
        }
      });
    });
    const opened = accounts.filter(Boolean);
    opts.log(
      `http fixture: ${customerCount} customers, ${opened.length} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // Funding: one deposit per account through the payments service (a staff caller), micro-
    // batched with a long window: every deposit locks the vault's ledger account, so deposits
    // in different batches would wait for each other.
    const executor = createMovementExecutor(pool, { windowMs: 50, maxSize: 500 });
    const payments = createPaymentsService({ pool, config: ctx.config, executor });
    const caller = systemCaller('corebank-bench');
    try {
      await eachLimited(opened, 500, async (a) => {
        if (opts.signal.aborted) throw new Error('interrupted');
        const reply = await payments.deposit(caller, {
          accountId: a.id,
          amount: FUNDING_MAJOR,
          description: 'bench funding',
        });
        if (reply.status !== 201) throw new Error(`funding deposit: status ${reply.status}`);
      });
    } finally {
      await executor.close();
    }
    const funded = await customerBalances(pool);
    // Start from analyzed tables (as pgbench -i does) and a checkpoint.
    await pool.query('vacuum analyze');
    await pool.query('checkpoint').catch(() => undefined);
    const setupSeconds = (performance.now() - started) / 1000;
    opts.log(
      `http fixture: funded ${opened.length} accounts (${funded} minor units); ready in ${setupSeconds.toFixed(1)} s`,
    );
    return { template, accounts: opened, customers, funded, env, setupSeconds };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function customerBalances(q: Pool): Promise<bigint> {
  const { rows } = await q.query<{ total: string }>(
    `select coalesce(sum(credits_posted - debits_posted), 0)::text as total from ledger_accounts where purpose = 'CUSTOMER'`,
  );
  return BigInt(rows[0]?.total ?? '0');
}

/** "Bearer <token>" per customer, signed now with the server's secret. */
export async function bearerTokens(fixture: Fixture, url: string): Promise<string[]> {
  const config = loadConfig({ ...fixture.env, DATABASE_URL: url, LOG_LEVEL: 'silent' });
  return Promise.all(
    fixture.customers.map(async (c) => {
      const { token } = await signAccessToken(config, {
        userId: c.userId,
        sessionId: c.sessionId,
        role: 'customer',
      });
      return `Bearer ${token}`;
    }),
  );
}

/** What a reply said was done: the transaction id and what the request asked for. */
export interface Acknowledged {
  transactionIds: string[];
  debitIds: string[];
  creditIds: string[];
  amounts: string[];
  /** The reply's status (201 completed, 202 accepted for review). */
  statuses: number[];
}

export const emptyAcknowledged = (): Acknowledged => ({
  transactionIds: [],
  debitIds: [],
  creditIds: [],
  amounts: [],
  statuses: [],
});

export interface DbCounters {
  commits: number;
  rollbacks: number;
  deadlocks: number;
}

/**
 * The database's transaction counters (pg_stat_database). A backend reports its counts at most
 * once a second and when it exits: read them before the server starts and after it stopped.
 */
export async function dbCounters(url: string): Promise<DbCounters> {
  const pool = createPool({ connectionString: url, max: 1, applicationName: 'corebank-bench' });
  try {
    const r = await pool.query<{ xact_commit: bigint; xact_rollback: bigint; deadlocks: bigint }>(
      `select xact_commit, xact_rollback, deadlocks from pg_stat_database where datname = current_database()`,
    );
    const row = r.rows[0];
    return {
      commits: Number(row?.xact_commit ?? 0n),
      rollbacks: Number(row?.xact_rollback ?? 0n),
      deadlocks: Number(row?.deadlocks ?? 0n),
    };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * After a run, with the server stopped: money conserved, every acknowledged transfer in the
 * ledger exactly once (and recorded, audited and announced), the ledger reconciles.
 */
export async function checkRun(
  url: string,
  fixture: Fixture,
  acked: Acknowledged,
  inFlightBound: number,
): Promise<{ checks: RunCheck[]; details: Record<string, string | number> }> {
  const pool = createPool({ connectionString: url, max: 2, applicationName: 'corebank-bench' });
  const checks: RunCheck[] = [];
  try {
    const n = acked.transactionIds.length;
    const distinct = new Set(acked.transactionIds).size;
    const { rows: ackRows } = await pool.query<{
      transactions: string;
      ledger: string;
      matching: string;
      distinct_transfers: string;
      audited: string;
      announced: string;
    }>(
      `with acked (id, debit, credit, amount, status) as (
         select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::int[]))
       select count(t.id)::text as transactions,
              count(l.id)::text as ledger,
              count(*) filter (where l.debit_account_id = a.debit and l.credit_account_id = a.credit
                                 and l.amount = a.amount and t.type = 'TRANSFER'
                                 and (a.status <> 201 or (t.status = 'COMPLETED' and l.phase = 'single')))::text as matching,
              count(distinct l.id)::text as distinct_transfers,
              (select count(distinct entity_id) from audit_log
                where entity_type = 'transaction' and entity_id = any($1::text[]))::text as audited,
              (select count(distinct aggregate_id) from outbox_events where aggregate_id = any($1::uuid[]))::text as announced
         from acked a
         left join transactions t on t.id = a.id
         left join ledger_transfers l on l.id = t.transfer_id`,
      [acked.transactionIds, acked.debitIds, acked.creditIds, acked.amounts, acked.statuses],
    );
    const a = ackRows[0];
    if (!a) throw new Error('acknowledged-transfer query returned nothing');
    checks.push({
      name: 'every acknowledged transfer in the ledger exactly once',
      ok:
        distinct === n &&
        Number(a.transactions) === n &&
        Number(a.ledger) === n &&
        Number(a.distinct_transfers) === n &&
        Number(a.matching) === n,
      detail: `${n} acknowledged (${distinct} distinct ids): ${a.transactions} transaction rows, ${a.ledger} ledger transfers (${a.distinct_transfers} distinct), ${a.matching} with the accounts and amount asked for`,
    });
    checks.push({
      name: 'every acknowledged transfer audited and announced',
      ok: Number(a.audited) === n && Number(a.announced) === n,
      detail: `${a.audited} with audit rows, ${a.announced} with outbox events, of ${n}`,
    });

    const { rows: totals } = await pool.query<{
      customers: string;
      debits: string;
      credits: string;
      ledger_transfers: string;
      transactions: string;
    }>(
      `select (select coalesce(sum(credits_posted - debits_posted), 0) from ledger_accounts where purpose = 'CUSTOMER')::text as customers,
              (select coalesce(sum(debits_posted), 0) from ledger_accounts)::text as debits,
              (select coalesce(sum(credits_posted), 0) from ledger_accounts)::text as credits,
              (select count(*) from ledger_transfers where code = 'TRANSFER')::text as ledger_transfers,
              (select count(*) from transactions where type = 'TRANSFER')::text as transactions`,
    );
    const t = totals[0];
    if (!t) throw new Error('totals query returned nothing');
    checks.push({
      name: 'money conserved',
      ok: BigInt(t.customers) === fixture.funded && t.debits === t.credits,
      detail: `sum of customer balances ${t.customers} (funded ${fixture.funded}); all accounts: debits_posted ${t.debits}, credits_posted ${t.credits}`,
    });
    const unacknowledged = Number(t.ledger_transfers) - n;
    checks.push({
      name: 'every ledger TRANSFER has its transaction; none unaccounted for',
      ok: t.ledger_transfers === t.transactions && unacknowledged >= 0 && unacknowledged <= inFlightBound,
      detail: `${t.ledger_transfers} ledger transfers, ${t.transactions} transaction rows; ${unacknowledged} not acknowledged (requests in flight when the load stopped, or answered with an error; at most ${inFlightBound} expected)`,
    });
    const lines: string[] = [];
    const verified = await runVerify(pool, (line) => lines.push(line.trim()));
    checks.push({ name: 'corebank verify', ok: verified, detail: lines.join('; ') });
    return { checks, details: { 'committed but not acknowledged': unacknowledged } };
  } finally {
    await pool.end().catch(() => undefined);
  }
}
