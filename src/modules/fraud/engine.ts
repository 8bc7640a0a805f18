// The scoring engine: pure functions over one account's incremental statistics. `scoreMovement`
// reads a state and a movement and returns the score, the recommendation and every rule that
// fired with a sentence a person can read; `applyMovement` returns the state after the movement
// (posted, or held for review). No I/O here: the SQL store (repo.ts) loads and saves states, the
// simulator (simulation.ts) drives the same functions through the same store.
//
// Amount statistics use floating point on purpose: they are statistics (a mean and a variance of
// amounts converted to Number), never balances. Money comparisons (limits) stay in bigint.
import { formatAmount } from '../../platform/money.js';
import {
  AMOUNT_WINDOW,
  NIGHT_RING,
  VELOCITY_RING,
  recommend,
  type FraudRules,
  type Recommendation,
  type RuleName,
} from './rules.js';

export type AccountType = 'CHECKING' | 'SAVINGS' | 'CREDIT' | 'INVESTMENT';

/** One account's statistics, as loaded from fraud_account_stats. Times are epoch milliseconds. */
export interface RiskState {
  accountId: string;
  /** The customer's IANA time zone (UTC when unknown). */
  timezone: string;
  /** Outgoing movements that were screened and accepted (posted or held). */
  screenedCount: number;
  /** Of those, the ones that posted. */
  postedCount: number;
  /** Times of the last accepted outgoing movements (posted or held), oldest first, at most VELOCITY_RING. */
  recentAt: number[];
  /** The amount window: the last posted outgoing amounts (minor units) and their times, oldest first. */
  amounts: number[];
  amountAt: number[];
  /** Welford's running statistics of exactly `amounts`. */
  amountN: number;
  amountMean: number;
  amountM2: number;
  /** Times of the last posted movements made in the local night, oldest first, at most NIGHT_RING. */
  nightAt: number[];
  /** The previous posted movement that came with a location. */
  lastSeenAt: number | null;
  lastIp: string | null;
  lastLocation: string | null;
  /** Outgoing (posted or held) on `day`, the customer's local date. */
  day: string | null;
  dayTotal: bigint;
  /** Payees this account has paid (only those the current batch asks about are loaded). */
  knownPayees: Set<string>;
}

export function emptyState(accountId: string, timezone = 'UTC'): RiskState {
  return {
    accountId,
    timezone,
    screenedCount: 0,
    postedCount: 0,
    recentAt: [],
    amounts: [],
    amountAt: [],
    amountN: 0,
    amountMean: 0,
    amountM2: 0,
    nightAt: [],
    lastSeenAt: null,
    lastIp: null,
    lastLocation: null,
    day: null,
    dayTotal: 0n,
    knownPayees: new Set(),
  };
}

/** What the engine knows about one outgoing movement. */
export interface MovementFacts {
  /** Minor units. */
  amount: bigint;
  currency: string;
  /** Minor digits of the currency. */
  exponent: number;
  accountType: AccountType;
  /** Who receives: "account:<id>" or "external:<bank>:<number>"; null for cash. */
  payee: string | null;
  ip: string | null;
  /** An explicit location from the channel; without one, the IP's prefix is used. */
  location: string | null;
  /** When it happens (epoch ms). */
  at: number;
}

export interface Reason {
  rule: RuleName;
  score: number;
  reason: string;
}

export interface Risk {
  score: number;
  recommendation: Recommendation;
  reasons: Reason[];
}

// ---- Welford ----------------------------------------------------------------------------------

export interface Moments {
  n: number;
  mean: number;
  m2: number;
}

export function welfordAdd(s: Moments, x: number): Moments {
  const n = s.n + 1;
  const delta = x - s.mean;
  const mean = s.mean + delta / n;
  return { n, mean, m2: s.m2 + delta * (x - mean) };
}

/** The inverse update: the moments of the window without x (x must be in it). */
export function welfordRemove(s: Moments, x: number): Moments {
  if (s.n <= 1) return { n: 0, mean: 0, m2: 0 };
  const n = s.n - 1;
  const mean = (s.n * s.mean - x) / n;
  const m2 = s.m2 - (x - s.mean) * (x - mean);
  return { n, mean, m2: n === 1 || m2 < 0 ? 0 : m2 };
}

/** Sample standard deviation (n − 1). */
export const stdDev = (s: Moments) => (s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1)) : 0);

// ---- places and times -------------------------------------------------------------------------

function parseIpv4(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    v = v * 256 + Number(p);
  }
  return v;
}

function parseIpv6(ip: string): bigint | null {
  const zone = ip.indexOf('%');
  const addr = zone >= 0 ? ip.slice(0, zone) : ip;
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const side = (s: string) => (s === '' ? [] : s.split(':'));
  const head = side(halves[0]!);
  const tail = halves.length === 2 ? side(halves[1]!) : [];
  const groups =
    halves.length === 2
      ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail]
      : head;
  if (groups.length !== 8) return null;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/**
 * The network an IP belongs to, standing in for its location (no geo database ships with
 * corebank): the /24 of an IPv4 address, the /48 of an IPv6 one (configurable). IPv4-mapped
 * IPv6 addresses count as IPv4. Null for anything that is not an IP.
 */
export function networkOf(ip: string | null | undefined, v4Bits = 24, v6Bits = 48): string | null {
  if (!ip) return null;
  const mapped = /^::ffff:([0-9.]+)$/i.exec(ip);
  const v4 = parseIpv4(mapped ? mapped[1]! : ip);
  if (v4 !== null) {
    const mask = v4Bits === 0 ? 0 : (0xffffffff << (32 - v4Bits)) >>> 0;
    const net = (v4 & mask) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${v4Bits}`;
  }
  const v6 = parseIpv6(ip);
  if (v6 === null) return null;
  const net = v6 & (((1n << BigInt(v6Bits)) - 1n) << BigInt(128 - v6Bits));
  const groups = Array.from({ length: 8 }, (_, i) => ((net >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${v6Bits}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A usable IANA time zone name, or UTC. */
export function validTimeZone(tz: string | null | undefined): string {
  if (!tz) return 'UTC';
  if (formatters.has(tz)) return tz;
  try {
    formatterFor(tz);
    return tz;
  } catch {
    return 'UTC';
  }
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

// Intl formatting is the engine's dearest step (microseconds) and a movement asks for the same
// instant several times: remember recent answers, per zone and minute.
const localCache = new Map<string, { date: string; hour: number; minute: number }>();

/** The local date (YYYY-MM-DD), hour (0–23) and minute of an instant in a time zone. */
export function localTime(at: number, tz: string): { date: string; hour: number; minute: number } {
  const key = `${tz}|${Math.floor(at / 60_000)}`;
  const hit = localCache.get(key);
  if (hit) return hit;
  const parts: Record<string, string> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(at))) parts[p.type] = p.value;
  const local = {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
  if (localCache.size >= 10_000) localCache.clear();
  localCache.set(key, local);
  return local;
}

const isNight = (hour: number, rules: FraudRules) =>
  hour >= rules.unusualHour.startHour && hour < rules.unusualHour.endHour;

const DAY_MS = 86_400_000;

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${(ms / 3_600_000).toFixed(1)} hours`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const majorToMinor = (major: string, exponent: number) => BigInt(major) * 10n ** BigInt(exponent);

// ---- the window -------------------------------------------------------------------------------

/**
 * The state with the amount window brought up to `at`: amounts older than windowDays, and any
 * beyond windowSize, leave it (oldest first), each with Welford's inverse update.
 */
export function expireWindow(s: RiskState, at: number, rules: FraudRules): RiskState {
  const oldest = at - rules.amount.windowDays * DAY_MS;
  let drop = 0;
  while (
    drop < s.amounts.length &&
    (s.amountAt[drop]! < oldest || s.amounts.length - drop > rules.amount.windowSize)
  )
    drop++;
  if (drop === 0) return s;
  let m: Moments = { n: s.amountN, mean: s.amountMean, m2: s.amountM2 };
  for (let i = 0; i < drop; i++) m = welfordRemove(m, s.amounts[i]!);
  return {
    ...s,
    amounts: s.amounts.slice(drop),
    amountAt: s.amountAt.slice(drop),
    amountN: m.n,
    amountMean: m.mean,
    amountM2: m.m2,
  };
}

// ---- the rules --------------------------------------------------------------------------------

type Rule = (s: RiskState, m: MovementFacts, rules: FraudRules) => Reason | null;

const velocity: Rule = (s, m, rules) => {
  const r = rules.velocity;
  if (!r.enabled) return null;
  const since = m.at - r.windowSeconds * 1000;
  const count = s.recentAt.filter((t) => t > since && t <= m.at).length + 1;
  const tier = r.tiers.find((t) => count > t.over);
  if (!tier || tier.score === 0) return null;
  const saturated = count >= VELOCITY_RING ? ' or more' : '';
  return {
    rule: 'velocity',
    score: tier.score,
    reason: `${count}${saturated} outgoing movements in the last ${ago(r.windowSeconds * 1000)}, this one included (more than ${tier.over})`,
  };
};

const amountAnomaly: Rule = (s, m, rules) => {
  const r = rules.amount;
  if (!r.enabled || s.amountN < r.minHistory) return null;
  const x = Number(m.amount);
  const sd = Math.max(
    stdDev({ n: s.amountN, mean: s.amountMean, m2: s.amountM2 }),
    s.amountMean * r.minStdDevRatio,
  );
  if (!(sd > 0)) return null;
  const z = (x - s.amountMean) / sd;
  const tier = r.tiers.find((t) => z > t.zOver);
  if (!tier || tier.score === 0) return null;
  const mean = formatAmount(BigInt(Math.round(s.amountMean)), m.exponent);
  return {
    rule: 'amount',
    score: tier.score,
    reason: `${formatAmount(m.amount, m.exponent)} ${m.currency} is ${z.toFixed(1)} standard deviations above this account's mean outgoing amount of ${mean} (last ${s.amountN} within ${r.windowDays} days; more than ${tier.zOver})`,
  };
};

const unusualHour: Rule = (s, m, rules) => {
  const r = rules.unusualHour;
  if (!r.enabled || s.postedCount < r.minHistory) return null;
  const local = localTime(m.at, s.timezone);
  if (!isNight(local.hour, rules)) return null;
  const since = m.at - r.lookbackDays * DAY_MS;
  const nights = s.nightAt.filter((t) => t > since && t <= m.at).length;
  const when = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')} (${s.timezone})`;
  const window = `${String(r.startHour).padStart(2, '0')}:00–${String(r.endHour).padStart(2, '0')}:00`;
  if (nights === 0 && r.firstScore > 0) {
    return {
      rule: 'unusualHour',
      score: r.firstScore,
      reason: `at ${when}: the first movement between ${window} in ${r.lookbackDays} days`,
    };
  }
  if (nights > 0 && nights < r.rareBelow && r.rareScore > 0) {
    return {
      rule: 'unusualHour',
      score: r.rareScore,
      reason: `at ${when}: only ${plural(nights, 'other movement')} between ${window} in ${r.lookbackDays} days (fewer than ${r.rareBelow})`,
    };
  }
  return null;
};

export function locationOf(m: Pick<MovementFacts, 'ip' | 'location'>, rules: FraudRules): string | null {
  return (
    m.location ??
    networkOf(m.ip, rules.impossibleTravel.ipv4PrefixBits, rules.impossibleTravel.ipv6PrefixBits)
  );
}

const impossibleTravel: Rule = (s, m, rules) => {
  const r = rules.impossibleTravel;
  if (!r.enabled || s.lastLocation === null || s.lastSeenAt === null) return null;
  const here = locationOf(m, rules);
  if (here === null || here === s.lastLocation) return null;
  const elapsed = m.at - s.lastSeenAt;
  if (elapsed < 0) return null;
  const tier = r.tiers.find((t) => elapsed <= t.withinSeconds * 1000);
  if (!tier || tier.score === 0) return null;
  return {
    rule: 'impossibleTravel',
    score: tier.score,
    reason: `from ${here}, ${ago(elapsed)} after a movement from ${s.lastLocation} (within ${ago(tier.withinSeconds * 1000)})`,
  };
};

const newPayee: Rule = (s, m, rules) => {
  const r = rules.newPayee;
  if (!r.enabled || m.payee === null || s.knownPayees.has(m.payee)) return null;
  const large = majorToMinor(r.largeAmount, m.exponent);
  if (m.amount < large || r.score === 0) return null;
  return {
    rule: 'newPayee',
    score: r.score,
    reason: `${formatAmount(m.amount, m.exponent)} ${m.currency} to a payee this account has never paid (large: ${formatAmount(large, m.exponent)} or more)`,
  };
};

const dailyLimit: Rule = (s, m, rules) => {
  const r = rules.dailyLimit;
  if (!r.enabled) return null;
  const today = localTime(m.at, s.timezone).date;
  const total = (s.day === today ? s.dayTotal : 0n) + m.amount;
  const limit = majorToMinor(r.limits[m.accountType], m.exponent);
  if (total <= limit || r.score === 0) return null;
  return {
    rule: 'dailyLimit',
    score: r.score,
    reason: `today's outgoing would reach ${formatAmount(total, m.exponent)} ${m.currency}, over the ${m.accountType} daily limit of ${formatAmount(limit, m.exponent)}`,
  };
};

const allRules: Rule[] = [velocity, amountAnomaly, unusualHour, impossibleTravel, newPayee, dailyLimit];

/** Scores one outgoing movement against the account's statistics. */
export function scoreMovement(state: RiskState, m: MovementFacts, rules: FraudRules): Risk {
  const s = expireWindow(state, m.at, rules);
  const reasons = allRules.map((rule) => rule(s, m, rules)).filter((r): r is Reason => r !== null);
  const score = Math.min(
    100,
    reasons.reduce((sum, r) => sum + r.score, 0),
  );
  return { score, recommendation: recommend(score, rules.thresholds), reasons };
}

/**
 * The state after a movement was accepted: `posted`, or `held` for review. Every accepted
 * movement counts for velocity and the daily total (held funds are reserved to leave); only a
 * posted one enters the amount window, the night history, the known payees and the last
 * location, so a held fraud does not become the account's new normal.
 */
export function applyMovement(
  state: RiskState,
  m: MovementFacts,
  outcome: 'posted' | 'held',
  rules: FraudRules,
): RiskState {
  const s = expireWindow(state, m.at, rules);
  const local = localTime(m.at, s.timezone);
  const next: RiskState = {
    ...s,
    screenedCount: s.screenedCount + 1,
    recentAt: [...s.recentAt, m.at].slice(-VELOCITY_RING),
    day: local.date,
    dayTotal: (s.day === local.date ? s.dayTotal : 0n) + m.amount,
  };
  if (outcome === 'held') return next;
  next.postedCount = s.postedCount + 1;
  const x = Number(m.amount);
  let mo = welfordAdd({ n: s.amountN, mean: s.amountMean, m2: s.amountM2 }, x);
  let amounts = [...s.amounts, x];
  let amountAt = [...s.amountAt, m.at];
  while (amounts.length > Math.min(rules.amount.windowSize, AMOUNT_WINDOW)) {
    mo = welfordRemove(mo, amounts[0]!);
    amounts = amounts.slice(1);
    amountAt = amountAt.slice(1);
  }
  Object.assign(next, { amounts, amountAt, amountN: mo.n, amountMean: mo.mean, amountM2: mo.m2 });
  if (isNight(local.hour, rules)) next.nightAt = [...s.nightAt, m.at].slice(-NIGHT_RING);
  const here = locationOf(m, rules);
  if (here !== null) {
    next.lastSeenAt = m.at;
    next.lastIp = m.ip;
    next.lastLocation = here;
  }
  if (m.payee !== null) next.knownPayees = new Set([...s.knownPayees, m.payee]);
  return next;
}
