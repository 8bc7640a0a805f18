// Timings for docs/reports.md (not part of `npm test`):
//
//   npx tsx test/statements/measure.ts
//
// 1. One account with 100,000 ledger entries spread over a year: its one-year statement as
//    JSON, CSV and PDF, through the real HTTP stack (app.inject, a signed-in customer).
// 2. A database with 1,000,000 transfers (2,000 accounts, 1,000 customers): the system report
//    for 30 days and for a year, and the statement again on the bigger tables.
// Each figure is the median of a few runs (min in brackets). EXPLAIN ANALYZE of the heaviest
// queries is printed too.
//
// Database: DATABASE_URL's server if set (a scratch database is created and dropped), otherwise
// a throwaway embedded PostgreSQL like test/global-setup.ts. MEASURE_TRANSFERS (default
// 1,000,000) and MEASURE_MAX_SECONDS (default 900, the time box for generating data) adjust it;
// MEASURE_KEEP=1 keeps the scratch database (on DATABASE_URL's server) for a closer look.
import { randomBytes } from 'node:crypto';
import { mkdtemp, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/context.js';
import { createUser } from '../../src/modules/auth/service.js';
import { systemActor } from '../../src/modules/audit/types.js';
import { signAccessToken } from '../../src/modules/auth/tokens.js';
import { loadConfig } from '../../src/platform/config.js';
import { startEmbedded, withDatabase, type EmbeddedServer } from '../../src/platform/db/embedded.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createPool, type Pool } from '../../src/platform/db/pool.js';
import { tx } from '../../src/platform/db/tx.js';
import { createLogger } from '../../src/platform/log.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { openAccount } from '../../src/modules/accounts/service.js';
import { internalAccountId } from '../../src/modules/ledger/service.js';
import { CURRENCY_TOTALS_SQL, DAILY_VOLUMES_SQL } from '../../src/modules/reports/repo.js';
import { statementCsv } from '../../src/modules/statements/csv.js';
import { planPages, statementPdf } from '../../src/modules/statements/pdf.js';
import { resolvePeriod } from '../../src/modules/statements/period.js';
import { STATEMENT_LINES_SQL } from '../../src/modules/statements/repo.js';
import { buildStatement, toStatementView } from '../../src/modules/statements/service.js';
import { createAccount, vaultOf, writeHistorySql } from './fixtures.js';

const TRANSFERS = Number(process.env.MEASURE_TRANSFERS ?? 1_000_000);
const MAX_SECONDS = Number(process.env.MEASURE_MAX_SECONDS ?? 900);
const STATEMENT_ENTRIES = 100_000;
const YEAR_FROM = '2025-01-01';
const YEAR_TO = '2025-12-31';

const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const log = (msg: string) => console.log(`[${elapsed()}s] ${msg}`);

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function timed<T>(
  runs: number,
  fn: () => Promise<T>,
): Promise<{ median: number; min: number; last: T }> {
  const times: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, last: last as T };
}

const ms = (v: { median: number; min: number }) => `${Math.round(v.median)} ms (min ${Math.round(v.min)})`;

async function explain(pool: Pool, title: string, sql: string, params: unknown[]): Promise<void> {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`, params);
  console.log(`\n--- EXPLAIN ANALYZE: ${title}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
}

async function main(): Promise<void> {
  let server: EmbeddedServer | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'corebank-measure-'));
    await chmod(dir, 0o755);
    server = await startEmbedded({ dataDir: path.join(dir, 'data'), ephemeral: true, fast: true });
    adminUrl = server.url;
    log('embedded PostgreSQL started');
  }
  const dbName = `cb_measure_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, `create database ${dbName}`);
  const url = withDatabase(adminUrl, dbName);
  const pool = createPool({ connectionString: url, max: 10 });
  try {
    await migrate(pool);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url });
    const ctx: AppContext = { config, pool, log: createLogger('silent'), metrics: createMetrics() };
    const app = await buildApp({ ctx });
    await app.ready();

    // ---- 1. one account, 100,000 entries over a year ----------------------------------------
    const user = await createUser(
      ctx,
      {
        email: 'measure@example.test',
        password: 'Ample-Harbor-Lantern-42',
        role: 'customer',
        fullName: 'Mia Measure',
      },
      systemActor('measure'),
    );
    const account = await createAccount(pool, user.customerId!);
    const vault = await vaultOf(pool);
    const { rows: session } = await pool.query<{ id: string }>(
      `insert into sessions (user_id, expires_at) values ($1, now() + interval '1 day') returning id`,
      [user.id],
    );
    const { token } = await signAccessToken(config, {
      userId: user.id,
      sessionId: session[0]!.id,
      role: 'customer',
    });
    const headers = { authorization: `Bearer ${token}` };

    const yearMicros = 365n * 86_400_000_000n;
    const batch = 10_000;
    for (let offset = 0; offset < STATEMENT_ENTRIES; offset += batch) {
      // Deposits and smaller withdrawals alternate, so the balance never goes below zero.
      await tx(pool, (client) =>
        writeHistorySql(
          client,
          `select g::bigint as i,
                  case when g % 2 = 0 then $1::uuid else $2::uuid end as debit,
                  case when g % 2 = 0 then $2::uuid else $1::uuid end as credit,
                  case when g % 2 = 0 then 5000 + (g * 7919) % 10000 else 1 + (g * 104729) % 4000 end::int8 as amount,
                  $3::timestamptz + make_interval(secs => (g::float8 * $4::float8 / 1e6)) as at,
                  case when g % 2 = 0 then 'DEPOSIT' else 'WITHDRAWAL' end as code,
                  case when g % 2 = 0 then 'DEPOSIT' else 'WITHDRAWAL' end as tx_type,
                  case when g % 2 = 0 then 'Salary ' || g else 'Card payment, shop ' || (g % 97) end as tx_desc,
                  case when g % 2 = 0 then null
                       else (array['groceries', 'rent', 'travel', 'fun', 'fees'])[1 + g % 5] end as tx_cat,
                  case when g % 2 = 0 then null else $2::uuid end as tx_from,
                  case when g % 2 = 0 then $2::uuid else null end as tx_to
           from generate_series($5::int8, $6::int8) g`,
          [
            vault,
            account.id,
            `${YEAR_FROM}T00:00:00Z`,
            (yearMicros / BigInt(STATEMENT_ENTRIES)).toString(),
            offset,
            offset + batch - 1,
          ],
        ),
      );
    }
    await pool.query('vacuum analyze');
    log(`${STATEMENT_ENTRIES.toLocaleString('en-US')} entries written for one account`);

    const explainStatement = (title: string) =>
      explain(pool, title, STATEMENT_LINES_SQL, [
        account.id,
        `${YEAR_FROM}T00:00:00Z`,
        `${YEAR_TO}T23:59:59.999999Z`,
      ]);
    // Where the time of a statement goes, below HTTP.
    const breakdown = async () => {
      const period = resolvePeriod({ from: YEAR_FROM, to: YEAR_TO }, { maxDays: 366, defaultFrom: 30 });
      const build = await timed(3, () => buildStatement(pool, account, period));
      const view = await timed(3, async () => JSON.stringify(toStatementView(build.last)).length);
      const csv = await timed(3, async () => statementCsv(build.last).length);
      const pdf = await timed(3, async () => (await statementPdf(build.last)).length);
      log(
        `below HTTP: read from the database ${ms(build)}; JSON view + stringify ${ms(view)}; ` +
          `CSV ${ms(csv)}; PDF ${ms(pdf)} (${planPages(build.last.lines.length).length} pages)`,
      );
    };

    const timeStatements = async (label: string) => {
      for (const [span, from, to] of [
        ['one-year', YEAR_FROM, YEAR_TO],
        ['one-month (June)', '2025-06-01', '2025-06-30'],
      ] as const) {
        for (const format of ['json', 'csv', 'pdf']) {
          const url = `/api/v1/accounts/${account.id}/statement?from=${from}&to=${to}&format=${format}`;
          const r = await timed(3, async () => {
            const res = await app.inject({ method: 'GET', url, headers });
            if (res.statusCode !== 200)
              throw new Error(`${format}: ${res.statusCode} ${res.body.slice(0, 300)}`);
            return res.rawPayload.length;
          });
          log(
            `${label}: ${span} statement, ${format.toUpperCase()}: ${ms(r)}, ${(r.last / 1e6).toFixed(2)} MB`,
          );
        }
      }
    };
    await timeStatements('100k entries');
    await explainStatement('statement lines (one account, one year, 100k entries)');
    await breakdown();

    // ---- 2. a million transfers ---------------------------------------------------------------
    const customers = 1_000;
    const accountsPerCustomer = 2;
    await pool.query(
      `with c as (
         insert into customers (full_name, email)
         select 'Customer ' || g, 'customer' || g || '@example.test' from generate_series(1, $1::int) g
         returning id, email)
       insert into users (email, password_hash, role, customer_id)
       select email, '$argon2id$v=19$m=19456,t=2,p=1$not-a-real-hash', 'customer', id from c`,
      [customers],
    );
    const { rows: customerRows } = await pool.query<{ id: string }>(
      `select id from customers where email like 'customer%@example.test' order by email`,
    );
    const types = ['CHECKING', 'SAVINGS', 'CREDIT', 'INVESTMENT'] as const;
    const accountIds: string[] = [];
    await tx(pool, async (client) => {
      let n = 0;
      for (const c of customerRows) {
        for (let k = 0; k < accountsPerCustomer; k++) {
          const a = await openAccount(client, {
            customerId: c.id,
            type: types[n++ % types.length]!,
            currency: 'USD',
          });
          accountIds.push(a.id);
        }
      }
    });
    log(`${customers} customers, ${accountIds.length} accounts`);

    // Part 2 is funded from the clearing account, not the vault: each account's entries must go
    // forward in time (the ledger's triggers check the chain in (created_at, id) order), and the
    // vault already holds part 1's year.
    const funding = await internalAccountId(pool, 'USD', 'CLEARING');
    const chunk = 20_000;
    const deadline = started + MAX_SECONDS * 1000;
    let written = 0;
    const perTransfer = (yearMicros / BigInt(TRANSFERS)).toString();
    while (written < TRANSFERS && Date.now() < deadline) {
      const n = Math.min(chunk, TRANSFERS - written);
      // The first tenth are deposits (every account funded early); then 60 % deposits, 40 % transfers
      // of at most 10.00 between accounts, so no balance goes below zero.
      await tx(pool, (client) =>
        writeHistorySql(
          client,
          `select g::bigint as i,
                  case when g < $6 / 10 or g % 5 < 3 then $1::uuid
                       else ($2::uuid[])[(1 + (g * 7919) % $3)::int] end as debit,
                  case when g < $6 / 10 or g % 5 < 3 then ($2::uuid[])[(1 + ((g / 5) * 104729 + g % 5) % $3)::int]
                       else ($2::uuid[])[(1 + ((g * 7919) % $3 + 1 + (g * 31) % ($3 - 1)) % $3)::int] end as credit,
                  case when g < $6 / 10 or g % 5 < 3 then 10000 + (g * 15485863) % 90000
                       else 1 + (g * 32452843) % 1000 end::int8 as amount,
                  $4::timestamptz + make_interval(secs => (g::float8 * $5::float8 / 1e6)) as at,
                  case when g < $6 / 10 or g % 5 < 3 then 'DEPOSIT' else 'TRANSFER' end as code,
                  case when g < $6 / 10 or g % 5 < 3 then 'DEPOSIT' else 'TRANSFER' end as tx_type,
                  null::text as tx_desc,
                  (array['groceries', 'rent', 'travel', 'fun', 'fees', null])[1 + g % 6] as tx_cat,
                  case when g < $6 / 10 or g % 5 < 3 then null else ($2::uuid[])[(1 + (g * 7919) % $3)::int] end as tx_from,
                  case when g < $6 / 10 or g % 5 < 3 then ($2::uuid[])[(1 + ((g / 5) * 104729 + g % 5) % $3)::int]
                       else ($2::uuid[])[(1 + ((g * 7919) % $3 + 1 + (g * 31) % ($3 - 1)) % $3)::int] end as tx_to
           from generate_series($7::int8, $8::int8) g`,
          [
            funding,
            accountIds,
            accountIds.length,
            `${YEAR_FROM}T00:00:00Z`,
            perTransfer,
            TRANSFERS,
            written,
            written + n - 1,
          ],
        ),
      );
      written += n;
      if (written % 200_000 === 0) log(`${written.toLocaleString('en-US')} transfers`);
    }
    if (written < TRANSFERS)
      log(`time box reached: ${written.toLocaleString('en-US')} of ${TRANSFERS} transfers`);
    await pool.query('vacuum analyze');
    const { rows: counts } = await pool.query<{ transfers: string; entries: string; txs: string }>(
      `select (select count(*) from ledger_transfers)::text as transfers, (select count(*) from ledger_entries)::text as entries,
              (select count(*) from transactions)::text as txs`,
    );
    log(
      `database: ${counts[0]!.transfers} transfers, ${counts[0]!.entries} entries, ${counts[0]!.txs} transactions`,
    );

    const adminUser = await createUser(
      ctx,
      { email: 'measure-admin@example.test', password: 'Ample-Harbor-Lantern-42', role: 'admin' },
      systemActor('measure'),
    );
    const { rows: adminSession } = await pool.query<{ id: string }>(
      `insert into sessions (user_id, expires_at) values ($1, now() + interval '1 day') returning id`,
      [adminUser.id],
    );
    const adminToken = await signAccessToken(config, {
      userId: adminUser.id,
      sessionId: adminSession[0]!.id,
      role: 'admin',
    });
    const adminHeaders = { authorization: `Bearer ${adminToken.token}` };
    for (const [label, query] of [
      ['30 days', `from=2025-12-02&to=${YEAR_TO}`],
      ['one year', `from=${YEAR_FROM}&to=${YEAR_TO}`],
    ] as const) {
      const r = await timed(3, async () => {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/reports/system?${query}`,
          headers: adminHeaders,
        });
        if (res.statusCode !== 200) throw new Error(`system: ${res.statusCode} ${res.body.slice(0, 300)}`);
        return res.json() as {
          result: { transactionVolumes: unknown[]; balances: { matchesLedger: boolean }[] };
        };
      });
      log(
        `system report, volumes over ${label}: ${ms(r)} (${r.last.result.transactionVolumes.length} day×type rows, ` +
          `balances match the ledger: ${r.last.result.balances.every((b) => b.matchesLedger)})`,
      );
    }
    await explain(pool, 'system report: daily volumes over one year', DAILY_VOLUMES_SQL, [
      `${YEAR_FROM}T00:00:00Z`,
      `${YEAR_TO}T23:59:59.999999Z`,
    ]);
    await explain(pool, 'system report: daily volumes over 30 days', DAILY_VOLUMES_SQL, [
      '2025-12-02T00:00:00Z',
      `${YEAR_TO}T23:59:59.999999Z`,
    ]);
    await explain(pool, 'system report: balances per currency', CURRENCY_TOTALS_SQL, []);
    await timeStatements(`${counts[0]!.entries} entries in the table`);
    await explainStatement(`statement lines again, ${counts[0]!.entries} entries in the table`);
    await breakdown();

    await app.close();
  } finally {
    await pool.end();
    if (process.env.MEASURE_KEEP) log(`kept the database: ${url}`);
    else await admin(adminUrl, `drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await server?.stop();
  }
  log('done');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
