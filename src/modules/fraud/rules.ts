// The fraud rules' thresholds and scores: one object, defaults from the issue (R5.1), any part
// overridable with FRAUD_RULES_JSON (a partial object, deep-merged over the defaults and
// validated at start-up). docs/fraud.md explains each rule.
import { z } from 'zod';

export const recommendations = [
  'APPROVE',
  'MONITOR',
  'FLAG_FOR_REVIEW',
  'BLOCK_PENDING_REVIEW',
  'BLOCK_AND_ALERT',
] as const;
export type Recommendation = (typeof recommendations)[number];

export const ruleNames = [
  'velocity',
  'amount',
  'unusualHour',
  'impossibleTravel',
  'newPayee',
  'dailyLimit',
] as const;
export type RuleName = (typeof ruleNames)[number];

/** A whole number of major units of the account's currency, e.g. "1000". */
const major = z.string().regex(/^[0-9]{1,15}$/, 'must be whole major units as a string, e.g. "1000"');
const score = z.number().int().min(0).max(100);

/** The size of the velocity ring (see engine.ts): counts at or above it saturate. */
export const VELOCITY_RING = 64;
/** The night ring: the last night movements kept per account. */
export const NIGHT_RING = 16;
/** The amount window: the last N posted outgoing amounts. */
export const AMOUNT_WINDOW = 100;

const tiers = <T extends z.ZodRawShape>(shape: T) => z.array(z.strictObject(shape)).min(1).max(5);

export const rulesSchema = z.strictObject({
  velocity: z.strictObject({
    enabled: z.boolean(),
    windowSeconds: z.number().int().min(60).max(86_400),
    /** More than `over` outgoing movements in the window (this one included) scores `score`. */
    tiers: tiers({
      over: z
        .number()
        .int()
        .min(1)
        .max(VELOCITY_RING - 2),
      score,
    }),
  }),
  amount: z.strictObject({
    enabled: z.boolean(),
    /** The window: the last `windowSize` posted outgoing amounts of at most `windowDays` ago. */
    windowSize: z.number().int().min(2).max(AMOUNT_WINDOW),
    windowDays: z.number().int().min(1).max(3660),
    /** No score until the window holds at least this many amounts. */
    minHistory: z.number().int().min(2).max(AMOUNT_WINDOW),
    /** The standard deviation is taken as at least this share of the mean (a constant history has none). */
    minStdDevRatio: z.number().min(0).max(10),
    /** A z-score above `zOver` scores `score`. */
    tiers: tiers({ zOver: z.number().min(0).max(100), score }),
  }),
  unusualHour: z.strictObject({
    enabled: z.boolean(),
    /** Local night: from startHour (inclusive) to endHour (exclusive), in the customer's time zone. */
    startHour: z.number().int().min(0).max(23),
    endHour: z.number().int().min(1).max(24),
    lookbackDays: z.number().int().min(1).max(365),
    /** No night movement in the lookback → firstScore; fewer than `rareBelow` → rareScore. */
    firstScore: score,
    rareScore: score,
    rareBelow: z.number().int().min(1).max(NIGHT_RING),
    /** The account needs this many earlier posted outgoing movements before its hours can be unusual. */
    minHistory: z.number().int().min(0).max(1_000_000),
  }),
  impossibleTravel: z.strictObject({
    enabled: z.boolean(),
    /** Another location than the previous movement's within `withinSeconds` scores `score`. */
    tiers: tiers({
      withinSeconds: z
        .number()
        .int()
        .min(1)
        .max(30 * 86_400),
      score,
    }),
    /** Without a location from the channel, the IP's network prefix stands for it. */
    ipv4PrefixBits: z.number().int().min(8).max(32),
    ipv6PrefixBits: z.number().int().min(16).max(128),
  }),
  newPayee: z.strictObject({
    enabled: z.boolean(),
    /** A payee this account has never paid, and at least this amount (major units). */
    largeAmount: major,
    score,
  }),
  dailyLimit: z.strictObject({
    enabled: z.boolean(),
    /** Outgoing per account and local day (major units), by account type. */
    limits: z.strictObject({ CHECKING: major, SAVINGS: major, CREDIT: major, INVESTMENT: major }),
    score,
  }),
  /** The lowest total score of each recommendation above APPROVE. */
  thresholds: z.strictObject({
    MONITOR: score,
    FLAG_FOR_REVIEW: score,
    BLOCK_PENDING_REVIEW: score,
    BLOCK_AND_ALERT: score,
  }),
});

export type FraudRules = z.infer<typeof rulesSchema>;

export const defaultRules: FraudRules = {
  velocity: {
    enabled: true,
    windowSeconds: 3600,
    tiers: [
      { over: 10, score: 80 },
      { over: 5, score: 40 },
    ],
  },
  amount: {
    enabled: true,
    windowSize: 100,
    windowDays: 90,
    minHistory: 10,
    minStdDevRatio: 0.1,
    tiers: [
      { zOver: 3, score: 90 },
      { zOver: 2, score: 50 },
    ],
  },
  unusualHour: {
    enabled: true,
    startHour: 2,
    endHour: 5,
    lookbackDays: 30,
    firstScore: 70,
    rareScore: 30,
    rareBelow: 3,
    minHistory: 1,
  },
  impossibleTravel: {
    enabled: true,
    tiers: [
      { withinSeconds: 3600, score: 95 },
      { withinSeconds: 6 * 3600, score: 50 },
    ],
    ipv4PrefixBits: 24,
    ipv6PrefixBits: 48,
  },
  newPayee: { enabled: true, largeAmount: '1000', score: 40 },
  dailyLimit: {
    enabled: true,
    limits: { CHECKING: '10000', SAVINGS: '5000', CREDIT: '5000', INVESTMENT: '25000' },
    score: 70,
  },
  thresholds: { MONITOR: 30, FLAG_FOR_REVIEW: 50, BLOCK_PENDING_REVIEW: 70, BLOCK_AND_ALERT: 90 },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function merge(base: Json, over: Json): Json {
  if (over === undefined) return base;
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: { [k: string]: Json } = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k]!, v) : v;
    return out;
  }
  return over; // arrays (tiers) and scalars replace
}

/**
 * The defaults with `overrides` (a partial rules object, or its JSON text) merged over them.
 * Throws a readable error naming each bad field. Tiers are sorted strongest first.
 */
export function resolveRules(overrides?: string | Record<string, unknown> | null): FraudRules {
  let over: unknown = overrides ?? {};
  if (typeof over === 'string') {
    if (over.trim() === '') over = {};
    else {
      try {
        over = JSON.parse(over);
      } catch (err) {
        throw new Error(`FRAUD_RULES_JSON is not valid JSON: ${(err as Error).message}`);
      }
    }
  }
  if (!over || typeof over !== 'object' || Array.isArray(over))
    throw new Error('FRAUD_RULES_JSON must be a JSON object');
  const parsed = rulesSchema.safeParse(merge(defaultRules as unknown as Json, over as Json));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid FRAUD_RULES_JSON:\n${lines}`);
  }
  const r = parsed.data;
  const t = r.thresholds;
  if (!(
    t.MONITOR <= t.FLAG_FOR_REVIEW &&
    t.FLAG_FOR_REVIEW <= t.BLOCK_PENDING_REVIEW &&
    t.BLOCK_PENDING_REVIEW <= t.BLOCK_AND_ALERT
  )) {
    throw new Error('Invalid FRAUD_RULES_JSON: thresholds must rise from MONITOR to BLOCK_AND_ALERT');
  }
  if (r.unusualHour.startHour >= r.unusualHour.endHour) {
    throw new Error('Invalid FRAUD_RULES_JSON: unusualHour.startHour must be before endHour');
  }
  if (r.amount.minHistory > r.amount.windowSize) {
    throw new Error('Invalid FRAUD_RULES_JSON: amount.minHistory must not exceed amount.windowSize');
  }
  r.velocity.tiers.sort((a, b) => b.over - a.over);
  r.amount.tiers.sort((a, b) => b.zOver - a.zOver);
  r.impossibleTravel.tiers.sort((a, b) => a.withinSeconds - b.withinSeconds);
  return r;
}

export function recommend(score: number, thresholds: FraudRules['thresholds']): Recommendation {
  if (score >= thresholds.BLOCK_AND_ALERT) return 'BLOCK_AND_ALERT';
  if (score >= thresholds.BLOCK_PENDING_REVIEW) return 'BLOCK_PENDING_REVIEW';
  if (score >= thresholds.FLAG_FOR_REVIEW) return 'FLAG_FOR_REVIEW';
  if (score >= thresholds.MONITOR) return 'MONITOR';
  return 'APPROVE';
}

export const isBlock = (r: Recommendation) => r === 'BLOCK_AND_ALERT' || r === 'BLOCK_PENDING_REVIEW';
export const opensAlert = (r: Recommendation) => isBlock(r) || r === 'FLAG_FOR_REVIEW';
