// The scoring engine's rules at and around each threshold, the window arithmetic, and the
// rules configuration. Pure functions: no database.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyMovement,
  emptyState,
  expireWindow,
  localTime,
  networkOf,
  scoreMovement,
  stdDev,
  welfordAdd,
  welfordRemove,
  type MovementFacts,
  type RiskState,
} from './engine.js';
import { defaultRules, recommend, resolveRules, type FraudRules } from './rules.js';

const H = 3_600_000;
const DAY = 24 * H;
// Saturday 21 November 2026, 12:00 UTC: daytime in UTC.
const NOON = Date.UTC(2026, 10, 21, 12, 0, 0);

/** Only the named rule switched on, so each test sees one rule's score. */
function only(rule: keyof Omit<FraudRules, 'thresholds'>, over: Record<string, unknown> = {}): FraudRules {
  const off = {
    velocity: {},
    amount: {},
    unusualHour: {},
    impossibleTravel: {},
    newPayee: {},
    dailyLimit: {},
  } as Record<string, Record<string, unknown>>;
  for (const k of Object.keys(off)) off[k] = { enabled: k === rule };
  off[rule] = { ...off[rule], ...over };
  return resolveRules(off);
}

const move = (over: Partial<MovementFacts> = {}): MovementFacts => ({
  amount: 10_000n,
  currency: 'USD',
  exponent: 2,
  accountType: 'CHECKING',
  payee: null,
  ip: null,
  location: null,
  at: NOON,
  ...over,
});

const state = (over: Partial<RiskState> = {}): RiskState => ({ ...emptyState('a'), ...over });
const scoreOf = (s: RiskState, m: MovementFacts, rules: FraudRules) => scoreMovement(s, m, rules).score;

describe('velocity: outgoing movements in the last hour, this one included (> 5 → 40, > 10 → 80)', () => {
  const rules = only('velocity');
  const withPrior = (n: number, spacing = 60_000) =>
    state({ recentAt: Array.from({ length: n }, (_, i) => NOON - (n - i) * spacing) });
  it.each([
    [0, 0],
    [4, 0], // the 5th movement: not more than 5
    [5, 40], // the 6th
    [9, 40], // the 10th
    [10, 80], // the 11th
    [40, 80],
  ])('%i earlier in the hour → %i', (prior, expected) => {
    expect(scoreOf(withPrior(prior), move(), rules)).toBe(expected);
  });

  it('counts only the last hour: exactly an hour ago is out, a millisecond later is in', () => {
    const five = Array.from({ length: 4 }, (_, i) => NOON - (i + 1) * 60_000);
    expect(scoreOf(state({ recentAt: [NOON - H, ...five] }), move(), rules)).toBe(0);
    expect(scoreOf(state({ recentAt: [NOON - H + 1, ...five] }), move(), rules)).toBe(40);
  });

  it('explains itself', () => {
    const r = scoreMovement(withPrior(10), move(), rules);
    expect(r.reasons).toEqual([
      { rule: 'velocity', score: 80, reason: expect.stringContaining('11 outgoing movements') },
    ]);
  });
});

describe('amount anomaly: z-score against the last ≥ 10 posted amounts (> 2 → 50, > 3 → 90)', () => {
  const rules = only('amount');
  // n = 10, mean 100.00, sample standard deviation exactly 10.00 (m2 = sd² · (n − 1)).
  const history = (n = 10) =>
    state({
      amounts: Array(n).fill(10_000),
      amountAt: Array(n).fill(NOON - DAY),
      amountN: n,
      amountMean: 10_000,
      amountM2: 1_000 ** 2 * (n - 1),
    });
  it.each([
    [11_000n, 0], // z = 1
    [12_000n, 0], // z = 2 exactly: not more than 2
    [12_001n, 50],
    [13_000n, 50], // z = 3 exactly
    [13_001n, 90],
    [1_000_000n, 90],
    [100n, 0], // far below the mean: not an anomaly
  ])('amount %s minor units → %i', (amount, expected) => {
    expect(scoreOf(history(), move({ amount }), rules)).toBe(expected);
  });

  it('needs at least 10 amounts in the window', () => {
    expect(scoreOf(history(9), move({ amount: 1_000_000n }), rules)).toBe(0);
    expect(scoreOf(history(10), move({ amount: 1_000_000n }), rules)).toBe(90);
  });

  it('forgets amounts older than 90 days', () => {
    const s = history();
    s.amountAt = [NOON - 90 * DAY - 1, ...Array(9).fill(NOON - DAY)];
    expect(scoreOf(s, move({ amount: 1_000_000n }), rules)).toBe(0);
    s.amountAt = [NOON - 90 * DAY, ...Array(9).fill(NOON - DAY)];
    expect(scoreOf(s, move({ amount: 1_000_000n }), rules)).toBe(90);
  });

  it('takes the standard deviation as at least 10% of the mean (a constant history has none)', () => {
    const s = state({
      amounts: Array(10).fill(5_000),
      amountAt: Array(10).fill(NOON - DAY),
      amountN: 10,
      amountMean: 5_000,
      amountM2: 0,
    });
    expect(scoreOf(s, move({ amount: 6_000n }), rules)).toBe(0); // z = 2 with sd = 500
    expect(scoreOf(s, move({ amount: 6_001n }), rules)).toBe(50);
    expect(scoreOf(s, move({ amount: 6_501n }), rules)).toBe(90);
  });

  it('keeps exactly the last 100 posted amounts', () => {
    let s = emptyState('a');
    for (let i = 0; i < 150; i++)
      s = applyMovement(s, move({ amount: BigInt(1000 + i), at: NOON + i * 1000 }), 'posted', rules);
    expect(s.amounts).toHaveLength(100);
    expect(s.amounts[0]).toBe(1050);
    expect(s.amountN).toBe(100);
    expect(s.amountMean).toBeCloseTo(1099.5, 9);
  });
});

describe('unusual hour: 02:00–05:00 local (first in 30 days → 70, rare → 30)', () => {
  const rules = only('unusualHour');
  const at = (h: number, m = 0) => Date.UTC(2026, 10, 21, h, m);
  const seasoned = (nightAt: number[] = []) => state({ postedCount: 20, nightAt });
  it.each([
    [1, 59, 0],
    [2, 0, 70],
    [3, 30, 70],
    [4, 59, 70],
    [5, 0, 0],
  ])('%i:%i UTC with no night movement in 30 days → %i', (h, m, expected) => {
    expect(scoreOf(seasoned(), move({ at: at(h, m) }), rules)).toBe(expected);
  });

  it('rare (fewer than 3 in 30 days) → 30; habitual → 0; older than 30 days does not count', () => {
    const t = at(3);
    expect(scoreOf(seasoned([t - 5 * DAY]), move({ at: t }), rules)).toBe(30);
    expect(scoreOf(seasoned([t - 6 * DAY, t - 5 * DAY]), move({ at: t }), rules)).toBe(30);
    expect(scoreOf(seasoned([t - 7 * DAY, t - 6 * DAY, t - 5 * DAY]), move({ at: t }), rules)).toBe(0);
    expect(scoreOf(seasoned([t - 30 * DAY]), move({ at: t }), rules)).toBe(70);
    expect(scoreOf(seasoned([t - 30 * DAY + 1]), move({ at: t }), rules)).toBe(30);
  });

  it("uses the customer's time zone", () => {
    // 07:30 UTC is 02:30 in New York in November (UTC−5), and 16:30 in Tokyo.
    expect(scoreOf({ ...seasoned(), timezone: 'America/New_York' }, move({ at: at(7, 30) }), rules)).toBe(70);
    expect(scoreOf({ ...seasoned(), timezone: 'Asia/Tokyo' }, move({ at: at(7, 30) }), rules)).toBe(0);
    expect(localTime(at(7, 30), 'America/New_York')).toEqual({ date: '2026-11-21', hour: 2, minute: 30 });
  });

  it('needs a baseline: an account with no earlier posted movement has no usual hours yet', () => {
    expect(scoreOf(state({ postedCount: 0 }), move({ at: at(3) }), rules)).toBe(0);
    expect(scoreOf(state({ postedCount: 1 }), move({ at: at(3) }), rules)).toBe(70);
  });

  it('remembers posted night movements, not held ones', () => {
    let s = seasoned();
    s = applyMovement(s, move({ at: at(3) }), 'held', rules);
    expect(s.nightAt).toEqual([]);
    s = applyMovement(s, move({ at: at(3, 5) }), 'posted', rules);
    expect(s.nightAt).toEqual([at(3, 5)]);
  });
});

describe('impossible travel: another location than the previous movement (≤ 1 h → 95, ≤ 6 h → 50)', () => {
  const rules = only('impossibleTravel');
  const seen = (ago: number) =>
    state({ lastSeenAt: NOON - ago, lastIp: '198.51.100.7', lastLocation: '198.51.100.0/24' });
  it.each([
    [10 * 60_000, 95],
    [H, 95],
    [H + 1, 50],
    [6 * H, 50],
    [6 * H + 1, 0],
  ])('%i ms after a movement from another /24 → %i', (ago, expected) => {
    expect(scoreOf(seen(ago), move({ ip: '203.0.113.9' }), rules)).toBe(expected);
  });

  it('the same /24 is the same place; no IP or no previous location scores nothing', () => {
    expect(scoreOf(seen(60_000), move({ ip: '198.51.100.200' }), rules)).toBe(0);
    expect(scoreOf(seen(60_000), move({ ip: null }), rules)).toBe(0);
    expect(scoreOf(state(), move({ ip: '203.0.113.9' }), rules)).toBe(0);
  });

  it('an explicit location wins over the IP', () => {
    const s = state({ lastSeenAt: NOON - 60_000, lastIp: '198.51.100.7', lastLocation: 'Lisbon' });
    expect(scoreOf(s, move({ ip: '198.51.100.7', location: 'Tokyo' }), rules)).toBe(95);
    expect(scoreOf(s, move({ ip: '203.0.113.9', location: 'Lisbon' }), rules)).toBe(0);
  });

  it('a held movement does not move the account to its location', () => {
    const s = applyMovement(seen(60_000), move({ ip: '203.0.113.9' }), 'held', rules);
    expect(s.lastLocation).toBe('198.51.100.0/24');
    const p = applyMovement(seen(60_000), move({ ip: '203.0.113.9' }), 'posted', rules);
    expect(p.lastLocation).toBe('203.0.113.0/24');
  });
});

describe('new payee with a large amount (≥ 1,000 → 40)', () => {
  const rules = only('newPayee');
  it.each([
    [99_999n, 'account:x', 0],
    [100_000n, 'account:x', 40],
    [100_000n, 'account:known', 0],
    [100_000n, null, 0],
  ])('%s to %s → %i', (amount, payee, expected) => {
    expect(scoreOf(state({ knownPayees: new Set(['account:known']) }), move({ amount, payee }), rules)).toBe(
      expected,
    );
  });

  it('in the minor units of the currency (JPY has none)', () => {
    expect(scoreOf(state(), move({ amount: 999n, exponent: 0, currency: 'JPY', payee: 'p' }), rules)).toBe(0);
    expect(scoreOf(state(), move({ amount: 1000n, exponent: 0, currency: 'JPY', payee: 'p' }), rules)).toBe(
      40,
    );
  });
});

describe('daily outgoing limit per account type (over it → 70)', () => {
  const rules = only('dailyLimit');
  const today = localTime(NOON, 'UTC').date;
  it.each([
    ['CHECKING', 900_000n, 100_000n, 0], // exactly 10,000.00
    ['CHECKING', 900_000n, 100_001n, 70],
    ['SAVINGS', 0n, 500_000n, 0],
    ['SAVINGS', 0n, 500_001n, 70],
    ['INVESTMENT', 2_000_000n, 500_000n, 0],
  ] as const)('%s: %s already today + %s → %i', (accountType, already, amount, expected) => {
    expect(scoreOf(state({ day: today, dayTotal: already }), move({ accountType, amount }), rules)).toBe(
      expected,
    );
  });

  it("yesterday's total does not count; held movements count toward today's", () => {
    expect(scoreOf(state({ day: '2026-11-20', dayTotal: 999_999n }), move({ amount: 100_000n }), rules)).toBe(
      0,
    );
    const s = applyMovement(state(), move({ amount: 600_000n }), 'held', rules);
    expect(s.dayTotal).toBe(600_000n);
    expect(scoreOf(s, move({ amount: 400_001n }), rules)).toBe(70);
  });
});

describe('total and recommendation', () => {
  it.each([
    [0, 'APPROVE'],
    [29, 'APPROVE'],
    [30, 'MONITOR'],
    [49, 'MONITOR'],
    [50, 'FLAG_FOR_REVIEW'],
    [69, 'FLAG_FOR_REVIEW'],
    [70, 'BLOCK_PENDING_REVIEW'],
    [89, 'BLOCK_PENDING_REVIEW'],
    [90, 'BLOCK_AND_ALERT'],
    [100, 'BLOCK_AND_ALERT'],
  ] as const)('%i → %s', (score, rec) => {
    expect(recommend(score, defaultRules.thresholds)).toBe(rec);
  });

  it('sums every rule that fired, caps at 100, and lists each with its reason', () => {
    const rules = resolveRules({});
    const s = state({
      postedCount: 20,
      recentAt: Array.from({ length: 10 }, (_, i) => NOON - (i + 1) * 60_000),
      lastSeenAt: NOON - 60_000,
      lastIp: '198.51.100.7',
      lastLocation: '198.51.100.0/24',
    });
    const r = scoreMovement(s, move({ ip: '203.0.113.9', payee: 'account:new', amount: 200_000n }), rules);
    expect(r.reasons.map((x) => [x.rule, x.score])).toEqual([
      ['velocity', 80],
      ['impossibleTravel', 95],
      ['newPayee', 40],
    ]);
    expect(r.score).toBe(100);
    expect(r.recommendation).toBe('BLOCK_AND_ALERT');
    for (const x of r.reasons) expect(x.reason.length).toBeGreaterThan(10);
  });

  it('an ordinary movement scores 0 and is approved', () => {
    expect(scoreMovement(emptyState('a'), move(), resolveRules({}))).toEqual({
      score: 0,
      recommendation: 'APPROVE',
      reasons: [],
    });
  });
});

describe('the amount window keeps exact running statistics (Welford, with removal)', () => {
  it('equals a from-scratch computation after any sequence of adds and evictions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 2, max: 100 }),
        (xs, size) => {
          const rules = resolveRules({ amount: { windowSize: size, minHistory: 2 } });
          let s = emptyState('a');
          xs.forEach(
            (x, i) => (s = applyMovement(s, move({ amount: BigInt(x), at: NOON + i }), 'posted', rules)),
          );
          const window = xs.slice(-size);
          const mean = window.reduce((a, b) => a + b, 0) / window.length;
          const m2 = window.reduce((a, b) => a + (b - mean) ** 2, 0);
          expect(s.amounts).toEqual(window);
          expect(s.amountN).toBe(window.length);
          expect(Math.abs(s.amountMean - mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, mean));
          // Removing a value x from Welford's sums cancels terms of the order of x², so the
          // rounding left in M2 scales with the largest value that passed through the window
          // (seen: 0.002 after evicting 4,768,567 from a window of [1, 11]), not with M2.
          const largestSquare = Math.max(...xs.map((x) => x * x));
          expect(Math.abs(s.amountM2 - m2)).toBeLessThanOrEqual(
            1e-6 * Math.max(1, m2) + 1e-13 * largestSquare,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('add then remove is the identity; removing the last leaves nothing', () => {
    const base = [3, 5, 8].reduce((m, x) => welfordAdd(m, x), { n: 0, mean: 0, m2: 0 });
    const round = welfordRemove(welfordAdd(base, 1000), 1000);
    expect(round.n).toBe(3);
    expect(round.mean).toBeCloseTo(base.mean, 12);
    expect(round.m2).toBeCloseTo(base.m2, 9);
    expect(stdDev(base)).toBeCloseTo(Math.sqrt(12.666666666666666 / 2), 9);
    expect(welfordRemove({ n: 1, mean: 7, m2: 0 }, 7)).toEqual({ n: 0, mean: 0, m2: 0 });
  });

  it('expireWindow drops amounts older than 90 days, oldest first', () => {
    const rules = resolveRules({});
    let s = emptyState('a');
    s = applyMovement(s, move({ amount: 100n, at: NOON - 100 * DAY }), 'posted', rules);
    s = applyMovement(s, move({ amount: 300n, at: NOON - 10 * DAY }), 'posted', rules);
    const e = expireWindow(s, NOON, rules);
    expect(e.amounts).toEqual([300]);
    expect(e.amountN).toBe(1);
    expect(e.amountMean).toBe(300);
  });
});

describe('locations and rules configuration', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['::ffff:203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd:0:0:0:0:0/48'],
    ['2001:db8:abcd::', '2001:db8:abcd:0:0:0:0:0/48'],
    ['::1', '0:0:0:0:0:0:0:0/48'],
    ['not an ip', null],
    ['300.1.1.1', null],
    ['', null],
  ])('%s → %s', (ip, net) => {
    expect(networkOf(ip)).toBe(net);
  });

  it('merges overrides over the defaults and refuses bad ones with the field named', () => {
    const r = resolveRules(
      '{"velocity":{"tiers":[{"over":8,"score":40},{"over":20,"score":80}]},"dailyLimit":{"limits":{"CHECKING":"20000"}}}',
    );
    expect(r.velocity.tiers).toEqual([
      { over: 20, score: 80 },
      { over: 8, score: 40 },
    ]);
    expect(r.dailyLimit.limits).toEqual({ ...defaultRules.dailyLimit.limits, CHECKING: '20000' });
    expect(r.amount).toEqual(defaultRules.amount);
    expect(() => resolveRules('{')).toThrow(/not valid JSON/);
    expect(() => resolveRules('[]')).toThrow(/JSON object/);
    expect(() => resolveRules({ velocity: { windowSeconds: 'x' } })).toThrow(/velocity\.windowSeconds/);
    expect(() => resolveRules({ thresholds: { MONITOR: 80 } })).toThrow(/rise/);
    expect(() => resolveRules({ nosuchrule: {} })).toThrow(/Invalid FRAUD_RULES_JSON/);
    expect(() => resolveRules({ velocity: { tiers: [{ over: 70, score: 80 }] } })).toThrow(/velocity\.tiers/);
  });
});
