// `corebank fraud simulate`: a synthetic population of ordinary customers with injected fraud,
// run through the REAL screening path on a real PostgreSQL database — customers and accounts
// opened by the customers and accounts services, every movement carried out by the movement
// executor (executeMovements) with the screener, so the same SQL store, the same scoring
// functions and the same holds as production — and the outcome compared with the ground truth.
// Each movement carries its synthetic time (ScreeningFacts.at), so 60 days run in a minute.
// Deterministic for a seed: the population, the order of the batches and so every score.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { tx } from '../../platform/db/tx.js';
import { openAccount } from '../accounts/service.js';
import { systemActor } from '../audit/types.js';
import { createCustomer } from '../customers/service.js';
import { internalAccountIdOf } from '../ledger/service.js';
import { executeMovements } from '../payments/movements.js';
import type { TransactionJson } from '../payments/present.js';
import type { MovementRequest, NewTransaction } from '../payments/types.js';
import { localTime } from './engine.js';
import { isBlock, opensAlert, type FraudRules, type Recommendation, type RuleName } from './rules.js';
import type { Screener } from './screen.js';
import { newId } from '../../platform/ids.js';

// ---- a seeded generator -----------------------------------------------------------------------

export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    uniform: (lo: number, hi: number) => lo + next() * (hi - lo),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    normal,
    lognormal: (median: number, sigma: number) => median * Math.exp(sigma * normal()),
    poisson: (mean: number) => {
      let k = 0;
      for (let p = Math.exp(-mean), s = p, u = next(); u > s; k++) {
        p *= mean / (k + 1);
        s += p;
      }
      return k;
    },
  };
}
type Rng = ReturnType<typeof rng>;

// ---- the population ---------------------------------------------------------------------------

export const fraudPatterns = ['burst', 'outlier', 'night', 'ipHop'] as const;
export type FraudPattern = (typeof fraudPatterns)[number];

const ZONES = [
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Asia/Kolkata',
];

export interface SimCustomer {
  index: number;
  timezone: string;
  accountType: 'CHECKING' | 'SAVINGS';
  /** Median outgoing amount, minor units. */
  median: number;
  perDay: number;
  nightOwl: boolean;
  /** Uses a phone on a carrier network besides home broadband. */
  mobile: boolean;
  homeNet: string;
}

export interface SimEvent {
  at: number;
  customer: number;
  kind: 'transfer' | 'withdrawal';
  /** Merchant index, or a mule (fraud payee), or null for cash. */
  payee: { merchant: number } | { mule: number } | null;
  amount: bigint;
  ip: string;
  fraud: FraudPattern | null;
  incident: number | null;
}

export interface SimOptions {
  seed: number;
  customers: number;
  days: number;
  /** Share of customers who suffer one fraud incident. */
  fraudRate: number;
  merchants: number;
  mules: number;
}

export const defaultSimOptions: SimOptions = {
  seed: 1,
  customers: 300,
  days: 60,
  fraudRate: 0.1,
  merchants: 60,
  mules: 40,
};

const H = 3_600_000;
const DAY = 24 * H;
/** Synthetic time starts here (fixed, so a seed always gives the same local hours). */
export const SIM_EPOCH = Date.UTC(2026, 0, 5);

const net = (r: Rng) => `${r.int(11, 223)}.${r.int(0, 255)}.${r.int(0, 255)}`;
const host = (r: Rng, n: string) => `${n}.${r.int(1, 254)}`;

/** The UTC instant of a local day and hour in a zone (to the minute). */
function fromLocal(day: number, hour: number, tz: string): number {
  const guess = SIM_EPOCH + day * DAY + Math.round(hour * 60) * 60_000;
  const l = localTime(guess, tz);
  const [y, m, d] = l.date.split('-').map(Number) as [number, number, number];
  const offset = Date.UTC(y, m - 1, d, l.hour, l.minute) - Math.floor(guess / 60_000) * 60_000;
  return guess - offset;
}

export function generatePopulation(o: SimOptions): {
  customers: SimCustomer[];
  events: SimEvent[];
  incidents: number;
} {
  const r = rng(o.seed);
  const customers: SimCustomer[] = Array.from({ length: o.customers }, (_, index) => ({
    index,
    timezone: r.pick(ZONES),
    accountType: r.chance(0.1) ? 'SAVINGS' : 'CHECKING',
    median: Math.round(r.lognormal(6_000, 0.8)),
    perDay: Math.min(8, r.lognormal(1.2, 0.6)),
    nightOwl: r.chance(0.06),
    mobile: r.chance(0.4),
    homeNet: net(r),
  }));
  const events: SimEvent[] = [];
  let incidents = 0;
  for (const c of customers) {
    const regular = Array.from({ length: r.int(3, 10) }, () => r.int(0, o.merchants - 1));
    const pickPayee = () => {
      if (r.chance(0.05)) {
        const fresh = r.int(0, o.merchants - 1);
        regular.push(fresh);
        return fresh;
      }
      // Zipf-ish: the first payees are the usual ones.
      return regular[Math.min(regular.length - 1, Math.floor(regular.length * r.next() ** 2))]!;
    };
    const legit: SimEvent[] = [];
    let tripNet: string | null = null;
    for (let day = 0; day < o.days; day++) {
      // Now and then a trip (a few days on another network); a phone's carrier address changes daily.
      tripNet = tripNet && r.chance(0.6) ? tripNet : r.chance(0.02) ? net(r) : null;
      const carrierNet = `100.${r.int(64, 127)}.${r.int(0, 255)}`;
      const ordinary = r.poisson(c.perDay);
      const spree = r.chance(0.02) ? r.int(5, 9) : 0; // a shopping spree: several payments within 90 minutes
      const spreeStart = r.uniform(9, 20);
      for (let k = 0; k < ordinary + spree; k++) {
        const night = c.nightOwl ? r.chance(0.35) : r.chance(0.004);
        const hour =
          k >= ordinary ? spreeStart + r.uniform(0, 1.5) : night ? r.uniform(0, 6) : r.uniform(7, 23);
        const ip = tripNet
          ? host(r, tripNet)
          : c.mobile && r.chance(0.3)
            ? host(r, carrierNet)
            : host(r, c.homeNet);
        const cash = r.chance(0.1);
        const large = !cash && r.chance(0.015);
        const amount = cash
          ? Math.max(2_000, Math.round(r.lognormal(c.median, 0.4) / 2_000) * 2_000)
          : Math.max(100, Math.round(r.lognormal(c.median, 0.5) * (large ? r.uniform(4, 10) : 1)));
        legit.push({
          at: fromLocal(day, hour, c.timezone),
          customer: c.index,
          kind: cash ? 'withdrawal' : 'transfer',
          payee: cash ? null : { merchant: large ? r.int(0, o.merchants - 1) : pickPayee() },
          amount: BigInt(amount),
          ip,
          fraud: null,
          incident: null,
        });
      }
    }
    events.push(...legit);
    if (!r.chance(o.fraudRate)) continue;
    const incident = incidents++;
    const day = r.int(Math.floor(o.days / 2), o.days - 1);
    const pattern: FraudPattern = r.pick(fraudPatterns.filter((p) => !(p === 'night' && c.nightOwl)));
    const mule = () => ({ mule: r.int(0, o.mules - 1) });
    const fraud = (at: number, amount: number, ip: string, payee = mule()) =>
      events.push({
        at,
        customer: c.index,
        kind: 'transfer',
        payee,
        amount: BigInt(Math.max(100, Math.round(amount))),
        ip,
        fraud: pattern,
        incident,
      });
    if (pattern === 'burst') {
      const foreign = net(r);
      let at = fromLocal(day, r.uniform(8, 22), c.timezone);
      const payees = Array.from({ length: r.int(1, 3) }, mule);
      for (let i = r.int(6, 14); i > 0; i--) {
        fraud(at, r.lognormal(c.median * 2, 0.4), host(r, foreign), r.pick(payees));
        at += r.int(1, 6) * 60_000;
      }
    } else if (pattern === 'outlier') {
      fraud(fromLocal(day, r.uniform(9, 21), c.timezone), c.median * r.uniform(6, 20), host(r, c.homeNet));
    } else if (pattern === 'night') {
      let at = fromLocal(day, r.uniform(2, 4.5), c.timezone);
      for (let i = r.int(1, 3); i > 0; i--) {
        fraud(at, c.median * r.uniform(1, 4), host(r, c.homeNet));
        at += r.int(5, 20) * 60_000;
      }
    } else {
      // A hijacked session: right after one of the customer's own movements, from elsewhere.
      const after = legit.filter((e) => e.at >= SIM_EPOCH + day * DAY);
      const anchor = after[0]?.at ?? fromLocal(day, 12, c.timezone);
      const foreign = net(r);
      for (let i = r.int(1, 2); i > 0; i--)
        fraud(anchor + r.int(5, 45) * 60_000 * i, c.median * r.uniform(1, 3), host(r, foreign));
    }
  }
  events.sort((a, b) => a.at - b.at || a.customer - b.customer);
  return { customers, events, incidents };
}

// ---- running it -------------------------------------------------------------------------------

export interface SimOutcome {
  recommendation: Recommendation;
  score: number;
  rules: RuleName[];
}

export interface SimReport {
  options: SimOptions;
  movements: number;
  legit: number;
  fraud: number;
  incidents: number;
  refused: number;
  /** Share of movements scored FLAG_FOR_REVIEW or above that were fraud; and of fraud that was. */
  alert: { precision: number; recall: number; legitShare: number };
  /** The same for BLOCK_* (held for review). */
  held: { precision: number; recall: number; legitShare: number };
  /** Incidents with at least one movement held, and the share of fraudulent money held. */
  incidentsCaught: number;
  fraudAmountHeld: number;
  byPattern: Record<
    FraudPattern,
    { movements: number; alerted: number; held: number; incidents: number; caught: number }
  >;
  recommendations: { legit: Record<Recommendation, number>; fraud: Record<Recommendation, number> };
  rulesFired: { legit: Partial<Record<RuleName, number>>; fraud: Partial<Record<RuleName, number>> };
  seconds: number;
}

const zeroRecs = (): Record<Recommendation, number> => ({
  APPROVE: 0,
  MONITOR: 0,
  FLAG_FOR_REVIEW: 0,
  BLOCK_PENDING_REVIEW: 0,
  BLOCK_AND_ALERT: 0,
});
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Opens the population's customers and accounts and funds them (system actor, one transaction each step). */
async function openPopulation(ctx: AppContext, o: SimOptions, customers: SimCustomer[]) {
  const actor = systemActor('corebank fraud simulate');
  const open = async (n: number, label: string, type: (i: number) => 'CHECKING' | 'SAVINGS') =>
    tx(ctx.pool, async (client) => {
      const out: { customerId: string; accountId: string }[] = [];
      for (let i = 0; i < n; i++) {
        const c = await createCustomer(
          ctx,
          client,
          { fullName: `${label} ${i}`, email: `${label}.${i}.${randomUUID().slice(0, 8)}@sim.invalid` },
          actor,
        );
        const a = await openAccount(client, { customerId: c.id, type: type(i), currency: 'USD' });
        out.push({ customerId: c.id, accountId: a.id });
      }
      return out;
    });
  const people = await open(customers.length, 'sim-customer', (i) => customers[i]!.accountType);
  const merchants = await open(o.merchants, 'sim-merchant', () => 'CHECKING');
  const mules = await open(o.mules, 'sim-mule', () => 'CHECKING');
  await ctx.pool.query(
    'update customers c set timezone = v.tz from unnest($1::uuid[], $2::text[]) as v (id, tz) where c.id = v.id',
    [people.map((p) => p.customerId), customers.map((c) => c.timezone)],
  );
  const clearing = internalAccountIdOf('USD', 'CLEARING');
  await tx(ctx.pool, (client) =>
    executeMovements(
      client,
      people.map((p) => {
        const id = newId();
        return movement(
          id,
          { type: 'DEPOSIT', from: null, to: p.accountId, amount: 100_000_000_00n },
          { debitAccountId: clearing, creditAccountId: p.accountId },
        );
      }),
    ),
  );
  return { people, merchants, mules };
}

function movement(
  id: string,
  m: {
    type: 'DEPOSIT' | 'TRANSFER' | 'WITHDRAWAL';
    from: string | null;
    to: string | null;
    amount: bigint;
    ip?: string;
  },
  accounts: { debitAccountId: string; creditAccountId: string },
): MovementRequest {
  const t: NewTransaction = {
    id,
    reference: `SIM${id.replaceAll('-', '').slice(-16).toUpperCase()}`,
    type: m.type,
    status: 'COMPLETED',
    amount: m.amount,
    currency: 'USD',
    fromAccountId: m.from,
    toAccountId: m.to,
    counterparty: null,
    description: null,
    category: null,
    tags: [],
    channel: { ip: m.ip ?? null },
    initiatedBy: null,
    transferId: id,
    reversesTransactionId: null,
  };
  return {
    transfers: [
      { id, ...accounts, amount: m.amount, code: m.type, metadata: { transactionId: id, simulated: true } },
    ],
    inserts: [t],
    updates: [],
    audit: [],
    events: [],
    replyWith: id,
    replyStatus: 201,
  };
}

/**
 * Runs a population through the screener on `ctx.pool` (a database of its own: the caller
 * creates and drops it) and compares every decision with the ground truth.
 */
export async function runSimulation(
  ctx: AppContext,
  o: SimOptions,
  screener: Screener,
  opts: { batch?: number; progress?: (done: number, total: number) => void } = {},
): Promise<SimReport> {
  const started = Date.now();
  const { customers, events, incidents } = generatePopulation(o);
  const { people, merchants, mules } = await openPopulation(ctx, o, customers);
  const clearing = internalAccountIdOf('USD', 'CLEARING');
  const outcomes: (SimOutcome | null)[] = [];
  const batch = opts.batch ?? 200;
  for (let start = 0; start < events.length; start += batch) {
    const chunk = events.slice(start, start + batch);
    const requests = chunk.map((e) => {
      const from = people[e.customer]!;
      const to =
        e.payee === null ? null : 'merchant' in e.payee ? merchants[e.payee.merchant]! : mules[e.payee.mule]!;
      const id = newId();
      const m = movement(
        id,
        {
          type: e.kind === 'withdrawal' ? 'WITHDRAWAL' : 'TRANSFER',
          from: from.accountId,
          to: to?.accountId ?? null,
          amount: e.amount,
          ip: e.ip,
        },
        { debitAccountId: from.accountId, creditAccountId: to?.accountId ?? clearing },
      );
      m.screening = {
        accountId: from.accountId,
        customerId: from.customerId,
        accountType: customers[e.customer]!.accountType,
        amount: e.amount,
        currency: 'USD',
        exponent: 2,
        payee: to ? `account:${to.accountId}` : null,
        ip: e.ip,
        location: null,
        at: new Date(e.at),
      };
      return m;
    });
    const results = await tx(ctx.pool, (client) => executeMovements(client, requests, undefined, screener));
    for (const r of results) {
      if (r.kind === 'failed') {
        outcomes.push(null);
        continue;
      }
      const risk = (r.body as TransactionJson).risk!;
      outcomes.push({
        recommendation: risk.recommendation,
        score: risk.score,
        rules: risk.reasons.map((x) => x.rule),
      });
    }
    opts.progress?.(Math.min(events.length, start + batch), events.length);
  }
  return summarise(o, events, outcomes, incidents, (Date.now() - started) / 1000);
}

export function summarise(
  o: SimOptions,
  events: SimEvent[],
  outcomes: (SimOutcome | null)[],
  incidents: number,
  seconds: number,
): SimReport {
  const recs = { legit: zeroRecs(), fraud: zeroRecs() };
  const rulesFired: SimReport['rulesFired'] = { legit: {}, fraud: {} };
  const byPattern = Object.fromEntries(
    fraudPatterns.map((p) => [p, { movements: 0, alerted: 0, held: 0, incidents: 0, caught: 0 }]),
  ) as SimReport['byPattern'];
  const caught = new Set<number>();
  const seenIncidents = new Map<number, FraudPattern>();
  let refused = 0;
  let fraudAmount = 0n;
  let fraudHeldAmount = 0n;
  const count = { alertTp: 0, alertFp: 0, heldTp: 0, heldFp: 0, legit: 0, fraud: 0 };
  events.forEach((e, i) => {
    const out = outcomes[i];
    if (!out) {
      refused++;
      return;
    }
    const side = e.fraud ? 'fraud' : 'legit';
    recs[side][out.recommendation]++;
    for (const rule of out.rules) rulesFired[side][rule] = (rulesFired[side][rule] ?? 0) + 1;
    const alerted = opensAlert(out.recommendation);
    const held = isBlock(out.recommendation);
    if (e.fraud) {
      count.fraud++;
      fraudAmount += e.amount;
      const p = byPattern[e.fraud];
      p.movements++;
      if (alerted) p.alerted++;
      if (held) {
        p.held++;
        fraudHeldAmount += e.amount;
        caught.add(e.incident!);
      }
      seenIncidents.set(e.incident!, e.fraud);
      if (alerted) count.alertTp++;
      if (held) count.heldTp++;
    } else {
      count.legit++;
      if (alerted) count.alertFp++;
      if (held) count.heldFp++;
    }
  });
  for (const [incident, pattern] of seenIncidents) {
    byPattern[pattern].incidents++;
    if (caught.has(incident)) byPattern[pattern].caught++;
  }
  return {
    options: o,
    movements: events.length,
    legit: count.legit,
    fraud: count.fraud,
    incidents,
    refused,
    alert: {
      precision: ratio(count.alertTp, count.alertTp + count.alertFp),
      recall: ratio(count.alertTp, count.fraud),
      legitShare: ratio(count.alertFp, count.legit),
    },
    held: {
      precision: ratio(count.heldTp, count.heldTp + count.heldFp),
      recall: ratio(count.heldTp, count.fraud),
      legitShare: ratio(count.heldFp, count.legit),
    },
    incidentsCaught: caught.size,
    fraudAmountHeld: ratio(Number(fraudHeldAmount), Number(fraudAmount)),
    byPattern,
    recommendations: recs,
    rulesFired,
    seconds,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatReport(r: SimReport, rules: FraudRules): string {
  const o = r.options;
  const lines = [
    `fraud simulate: seed ${o.seed}, ${o.customers} customers over ${o.days} days, ${pct(o.fraudRate)} with a fraud incident`,
    `  ${r.movements} outgoing movements: ${r.legit} legitimate, ${r.fraud} fraudulent in ${r.incidents} incidents${r.refused ? ` (${r.refused} refused by the ledger)` : ''}`,
    '',
    '                        alerted (≥ FLAG_FOR_REVIEW)   held (BLOCK_*)',
    `  precision             ${pct(r.alert.precision).padEnd(30)}${pct(r.held.precision)}`,
    `  recall (movements)    ${pct(r.alert.recall).padEnd(30)}${pct(r.held.recall)}`,
    `  legitimate share      ${pct(r.alert.legitShare).padEnd(30)}${pct(r.held.legitShare)}`,
    `  incidents with a movement held: ${r.incidentsCaught}/${r.incidents} (${pct(ratio(r.incidentsCaught, r.incidents))}); fraudulent money held: ${pct(r.fraudAmountHeld)}`,
    '',
    '  by pattern        movements  alerted  held    incidents caught',
    ...fraudPatterns.map((p) => {
      const x = r.byPattern[p];
      return `  ${p.padEnd(18)}${String(x.movements).padEnd(11)}${pct(ratio(x.alerted, x.movements)).padEnd(9)}${pct(ratio(x.held, x.movements)).padEnd(8)}${x.caught}/${x.incidents}`;
    }),
    '',
    '  recommendations   legitimate  fraudulent',
    ...(Object.keys(r.recommendations.legit) as Recommendation[]).map(
      (k) => `  ${k.padEnd(22)}${String(r.recommendations.legit[k]).padEnd(12)}${r.recommendations.fraud[k]}`,
    ),
    '',
    '  rule fired on      legitimate  fraudulent',
    ...(
      ['velocity', 'amount', 'unusualHour', 'impossibleTravel', 'newPayee', 'dailyLimit'] as RuleName[]
    ).map(
      (k) => `  ${k.padEnd(19)}${String(r.rulesFired.legit[k] ?? 0).padEnd(12)}${r.rulesFired.fraud[k] ?? 0}`,
    ),
    '',
    `  thresholds: MONITOR ${rules.thresholds.MONITOR}, FLAG ${rules.thresholds.FLAG_FOR_REVIEW}, BLOCK_PENDING_REVIEW ${rules.thresholds.BLOCK_PENDING_REVIEW}, BLOCK_AND_ALERT ${rules.thresholds.BLOCK_AND_ALERT}; ran in ${r.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}
