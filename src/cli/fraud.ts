// `corebank fraud simulate | bench`. Both work in a throwaway database of their own on the server
// in use (DATABASE_URL's, the running server's embedded one, or a new embedded one), migrated
// from scratch and dropped afterwards: the bank's own data is never touched.
//
//   corebank fraud simulate [--seed 1] [--customers 300] [--days 60] [--fraud-rate 0.1]
//                           [--batch 200] [--rules '{"velocity":{...}}'] [--json]
//   corebank fraud bench [--movements 3000] [--batch 100] [--accounts 6000] [--concurrency 4] [--repeat 3]
import { randomBytes, randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { migrate } from '../platform/db/migrate.js';
import { withDatabase } from '../platform/db/embedded.js';
import { createPool, type PoolClient } from '../platform/db/pool.js';
import { tx } from '../platform/db/tx.js';
import { openAccount } from '../modules/accounts/service.js';
import { systemActor } from '../modules/audit/types.js';
import { createCustomer } from '../modules/customers/service.js';
import { resolveRules } from '../modules/fraud/rules.js';
import { createScreener, type Screener } from '../modules/fraud/screen.js';
import {
  defaultSimOptions,
  formatReport,
  rng,
  runSimulation,
  type SimOptions,
} from '../modules/fraud/simulation.js';
import { internalAccountIdOf } from '../modules/ledger/service.js';
import { executeMovements } from '../modules/payments/movements.js';
import type { MovementRequest } from '../modules/payments/types.js';
import { parseOptions } from './args.js';
import { openRuntime } from './runtime.js';
import { newId } from '../platform/ids.js';

export const fraudUsage = `Usage:
  corebank fraud simulate [--seed N] [--customers N] [--days N] [--fraud-rate 0..1] [--batch N] [--rules JSON] [--json]
      a synthetic population with injected fraud through the real screening path; prints precision and recall
  corebank fraud bench [--movements N] [--batch N] [--accounts N] [--concurrency N] [--repeat N]
      transfers/s and queries per batch of the movement executor with and without screening`;

/** Runs `fn` against a fresh, migrated database on the server in use, then drops it. */
async function withScratchDatabase<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ startDatabase: true, migrate: false, logLevel: 'warn' });
  const name = `corebank_fraud_${randomBytes(5).toString('hex')}`;
  try {
    await rt.pool.query(`create database "${name}"`);
    const pool = createPool({ connectionString: withDatabase(rt.db.url, name), max: 10, log: rt.log });
    try {
      await migrate(pool);
      return await fn({ ...rt.ctx, pool });
    } finally {
      await pool.end();
      await rt.pool.query(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await rt.close();
  }
}

function number(
  value: string | undefined,
  fallback: number,
  what: string,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new Error(`--${what} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  return n;
}

async function simulate(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const opts = parseOptions(
    args.filter((a) => a !== '--json'),
    ['seed', 'customers', 'days', 'fraud-rate', 'batch', 'rules'],
  );
  const o: SimOptions = {
    ...defaultSimOptions,
    seed: number(opts.seed, defaultSimOptions.seed, 'seed', 0, 2 ** 32 - 1),
    customers: number(opts.customers, defaultSimOptions.customers, 'customers', 10, 100_000),
    days: number(opts.days, defaultSimOptions.days, 'days', 7, 365),
    fraudRate: number(opts['fraud-rate'], defaultSimOptions.fraudRate, 'fraud-rate', 0, 1, false),
  };
  const rules = resolveRules(opts.rules ?? process.env.FRAUD_RULES_JSON ?? '');
  const screener: Screener = { rules, holdTimeoutSeconds: 3 * 86_400 };
  const batch = number(opts.batch, 200, 'batch', 1, 2000);
  const report = await withScratchDatabase((ctx) =>
    runSimulation(ctx, o, screener, {
      batch,
      ...(json || !process.stderr.isTTY
        ? {}
        : {
            progress: (done: number, total: number) =>
              process.stderr.write(`\r  ${done}/${total} movements screened`),
          }),
    }),
  );
  if (!json && process.stderr.isTTY) process.stderr.write('\n');
  console.log(json ? JSON.stringify({ ...report, rules }, null, 2) : formatReport(report, rules));
  return 0;
}

// ---- bench ------------------------------------------------------------------------------------

interface Counter {
  n: number;
  /** Milliseconds per statement kind ("update fraud_account_stats" …), summed. */
  ms: Map<string, number>;
}

/** What a statement does, for the profile: its verb and first table. */
function statementKind(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim().toLowerCase();
  const table = /\b(?:from|into|update|join)\s+([a-z_]+)/.exec(
    text.startsWith('with') ? text.slice(text.indexOf(')')) : text,
  );
  const verb = /^(with\b.*?\)\s*)?(\w+)/.exec(text)?.[2] ?? text.slice(0, 12);
  if (text.startsWith('with known')) return 'select fraud_account_stats for update';
  if (text.startsWith('with stats')) return 'write fraud statistics, payees, alerts';
  if (/^with (batch_time|new_transfers)/.test(text))
    return 'write ledger batch (transfers, entries, accounts)';
  if (text.includes('for update') && table?.[1] === 'ledger_accounts')
    return 'select ledger_accounts for update';
  return `${verb} ${table?.[1] ?? ''}`.trim();
}

function counting(client: PoolClient, counter: Counter): PoolClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return async (...a: Parameters<PoolClient['query']>) => {
          counter.n++;
          const started = performance.now();
          try {
            return await (target.query as (...x: unknown[]) => Promise<unknown>).apply(target, a);
          } finally {
            const kind = statementKind(
              typeof a[0] === 'string' ? a[0] : String((a[0] as { text?: string }).text),
            );
            counter.ms.set(kind, (counter.ms.get(kind) ?? 0) + performance.now() - started);
          }
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

async function bench(args: string[]): Promise<number> {
  const opts = parseOptions(args, ['movements', 'batch', 'accounts', 'concurrency', 'repeat']);
  const movements = number(opts.movements, 3000, 'movements', 10, 1_000_000);
  const batchSize = number(opts.batch, 100, 'batch', 1, 2000);
  const accountCount = number(opts.accounts, 6000, 'accounts', 4, 100_000);
  const concurrency = number(opts.concurrency, 4, 'concurrency', 1, 64);
  const repeat = number(opts.repeat, 3, 'repeat', 1, 20);
  await withScratchDatabase(async (ctx) => {
    const actor = systemActor('corebank fraud bench');
    const accounts = await tx(ctx.pool, async (client) => {
      const out: { id: string; customerId: string }[] = [];
      for (let i = 0; i < accountCount; i++) {
        const c = await createCustomer(
          ctx,
          client,
          { fullName: `bench ${i}`, email: `bench.${i}.${randomUUID().slice(0, 8)}@bench.invalid` },
          actor,
        );
        out.push({
          id: (await openAccount(client, { customerId: c.id, type: 'CHECKING', currency: 'USD' })).id,
          customerId: c.id,
        });
      }
      return out;
    });
    const clearing = internalAccountIdOf('USD', 'CLEARING');
    const request = (
      from: { id: string; customerId: string },
      to: { id: string } | null,
      amount: bigint,
      screened: boolean,
      ip: string,
    ): MovementRequest => {
      const id = newId();
      return {
        transfers: [
          {
            id,
            debitAccountId: to ? from.id : clearing,
            creditAccountId: to ? to.id : from.id,
            amount,
            code: to ? 'TRANSFER' : 'DEPOSIT',
            metadata: { transactionId: id },
          },
        ],
        inserts: [
          {
            id,
            reference: `BENCH${id.replaceAll('-', '').slice(-14).toUpperCase()}`,
            type: to ? 'TRANSFER' : 'DEPOSIT',
            status: 'COMPLETED',
            amount,
            currency: 'USD',
            fromAccountId: to ? from.id : null,
            toAccountId: to ? to.id : from.id,
            counterparty: null,
            description: null,
            category: null,
            tags: [],
            channel: { ip },
            initiatedBy: null,
            transferId: id,
            reversesTransactionId: null,
          },
        ],
        updates: [],
        audit: [
          {
            actor,
            entityType: 'transaction',
            entityId: id,
            action: 'transaction.transfer',
            after: { status: 'COMPLETED' },
          },
        ],
        events: [{ topic: 'transaction.transfer', aggregateId: id, payload: { transactionId: id } }],
        replyWith: id,
        replyStatus: 201,
        ...(screened && to
          ? {
              screening: {
                accountId: from.id,
                customerId: from.customerId,
                accountType: 'CHECKING' as const,
                amount,
                currency: 'USD',
                exponent: 2,
                payee: `account:${to.id}`,
                ip,
                location: null,
              },
            }
          : {}),
      };
    };
    await tx(ctx.pool, (c) =>
      executeMovements(
        c,
        accounts.map((a) => request(a, null, 1_000_000_00n, false, '127.0.0.1')),
      ),
    );

    // Round k sends from its own slice of the accounts, so no account sends more than a few
    // movements in the hour and the velocity rule holds about as much in every round; each
    // sender keeps to one network, so impossible travel stays quiet. What is measured is the
    // cost of screening an ordinary workload, not of holding.
    const rounds = 2 * repeat + 1;
    const slice = Math.max(1, Math.floor(accounts.length / rounds));
    const run = async (round: number, screener: Screener | undefined) => {
      const r = rng(7 + round);
      const senders = accounts.slice(round * slice, round * slice + slice);
      const batches: MovementRequest[][] = [];
      for (let done = 0; done < movements; done += batchSize) {
        batches.push(
          Array.from({ length: Math.min(batchSize, movements - done) }, () => {
            const k = r.int(0, senders.length - 1);
            const from = senders[k]!;
            let to = accounts[r.int(0, accounts.length - 1)]!;
            if (to.id === from.id) to = accounts[(accounts.indexOf(from) + 1) % accounts.length]!;
            return request(
              from,
              to,
              BigInt(r.int(100, 20_000)),
              screener !== undefined,
              `10.${k >> 8}.${k & 255}.7`,
            );
          }),
        );
      }
      const counter: Counter = { n: 0, ms: new Map() };
      let held = 0;
      let next = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < batches.length; i = next++) {
            const outcomes = await tx(ctx.pool, (c) =>
              executeMovements(counting(c, counter), batches[i]!, undefined, screener),
            );
            held += outcomes.filter((o) => o.kind === 'done' && o.status === 202).length;
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return {
        perSecond: movements / seconds,
        queries: counter.n / batches.length,
        held,
        ms: counter.ms,
        batches: batches.length,
      };
    };
    console.log(
      `fraud bench: ${movements} transfers per round among ${accountCount} accounts, batches of ${batchSize}, ${concurrency} at a time, ${repeat} rounds each way after a warm-up`,
    );
    const screener = createScreener({
      FRAUD_SCREENING_ENABLED: true,
      FRAUD_HOLD_TIMEOUT_SECONDS: 259_200,
      FRAUD_RULES_JSON: process.env.FRAUD_RULES_JSON ?? '',
    })!;
    await run(0, undefined); // warm-up: caches, plans, connections
    const results: Record<'without' | 'with', Awaited<ReturnType<typeof run>>[]> = { without: [], with: [] };
    for (let i = 0; i < repeat; i++) {
      // Alternate, so drift in the machine's load hits both sides alike.
      results.without.push(await run(1 + 2 * i, undefined));
      results.with.push(await run(2 + 2 * i, screener));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const side of ['without', 'with'] as const) {
      const xs = results[side];
      console.log(
        `${`${side} screening`.padEnd(18)} median ${String(Math.round(median(xs.map((x) => x.perSecond)))).padStart(6)} transfers/s  (rounds: ${xs.map((x) => Math.round(x.perSecond)).join(', ')})  ${median(xs.map((x) => x.queries)).toFixed(1)} queries per batch of ${batchSize}${side === 'with' ? `  (${xs.reduce((a, x) => a + x.held, 0)} held in all)` : ''}`,
      );
    }
    // Where a batch's database time goes (statement round trips, lock waits included).
    const profile = (xs: typeof results.with) => {
      const total = new Map<string, number>();
      for (const x of xs)
        for (const [k, v] of x.ms) total.set(k, (total.get(k) ?? 0) + v / x.batches / xs.length);
      return total;
    };
    const pw = profile(results.with);
    const po = profile(results.without);
    console.log('\nms per batch, by statement (mean over the rounds)   without   with');
    for (const k of [...new Set([...po.keys(), ...pw.keys()])].sort(
      (a, b) => (pw.get(b) ?? 0) - (pw.get(a) ?? 0),
    )) {
      console.log(
        `  ${k.padEnd(48)} ${(po.get(k) ?? 0).toFixed(2).padStart(7)} ${(pw.get(k) ?? 0).toFixed(2).padStart(7)}`,
      );
    }
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    console.log(
      `  ${'total'.padEnd(48)} ${sum(po).toFixed(2).padStart(7)} ${sum(pw).toFixed(2).padStart(7)}\n`,
    );
    const w = median(results.with.map((x) => x.perSecond));
    const wo = median(results.without.map((x) => x.perSecond));
    console.log(`screening costs ${(100 * (1 - w / wo)).toFixed(1)}% of throughput (median against median)`);
  });
  return 0;
}

export async function fraudCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'simulate') return simulate(rest);
  if (sub === 'bench') return bench(rest);
  console.error(fraudUsage);
  return 2;
}
