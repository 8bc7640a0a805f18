// Fraud screening on the money path, through HTTP on real PostgreSQL: each rule fires with its
// outcome (posted, flagged, held), held movements are released or rejected exactly once or expire
// with their funds back, the analyst's workflow refuses illegal moves with nothing changed, and
// every step is in the audit trail. Customers are placed in a time zone where it is midday now
// (or 02:00 when the unusual-hour rule is the point), so the results do not depend on the clock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import { noteExpiredHolds } from '../../src/modules/fraud/jobs.js';
import { expirePendingTransfers } from '../../src/modules/ledger/service.js';
import { failExpiredHolds, simulateSettlement } from '../../src/modules/payments/jobs.js';
import type { TestApp } from '../helpers/app.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import { balanceOf, deposit, openAccount } from '../payments/helpers.js';
import {
  alertFor,
  AWAY_IP,
  decide,
  HOME_IP,
  patchAlert,
  postFrom,
  setTimeZone,
  transfer,
  zoneWithLocalHour,
  type AlertBody,
} from './helpers.js';

const env = { RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000', EXTERNAL_SETTLEMENT_DELAY_SECONDS: '0' };
let t: TestApp;
let bob: SignedIn;
let analyst: SignedIn;
let admin: SignedIn;
let teller: SignedIn;

beforeAll(async () => {
  t = await createAuthTestApp(env);
  bob = await registerCustomer(t.app);
  [analyst, admin, teller] = [
    await createStaff(t, 'analyst'),
    await createStaff(t, 'admin'),
    await createStaff(t, 'teller'),
  ];
});
afterAll(async () => {
  await t.close();
});

const verified = async (app = t) => {
  const lines: string[] = [];
  return (await runVerify(app.db.pool, (l) => lines.push(l))) ? 'ok' : lines.join('\n');
};

/** A new customer living where it is midday now. */
async function customer(app = t, hour = 12): Promise<SignedIn> {
  const c = await registerCustomer(app.app);
  await setTimeZone(app, c.customerId!, zoneWithLocalHour(hour));
  return c;
}

async function funded(app: TestApp, who: SignedIn, amount = '100000.00', type = 'CHECKING') {
  const a = await openAccount(app.app, who, { type });
  await deposit(app.app, who, a.id, amount);
  return a;
}

const riskOf = (res: {
  statusCode: number;
  json(): { status: string; risk?: { score: number; recommendation: string } };
}) => [res.statusCode, res.json().status, res.json().risk?.score, res.json().risk?.recommendation];

/** A customer's transfer held by impossible travel (95 → BLOCK_AND_ALERT), and its alert. */
async function heldTransfer(amount = '250.00') {
  const alice = await customer();
  const a = await funded(t, alice, '1000.00');
  const b = await openAccount(t.app, bob);
  expect((await transfer(t.app, alice, a.id, b.id, '1.00', HOME_IP)).statusCode).toBe(201);
  const res = await transfer(t.app, alice, a.id, b.id, amount, AWAY_IP);
  expect(riskOf(res)).toEqual([202, 'PENDING_REVIEW', 95, 'BLOCK_AND_ALERT']);
  const alert = (await alertFor(t, analyst, res.json().id))!;
  return { alice, a, b, tx: res.json() as { id: string }, alert };
}

const pendingResolutions = async (transactionId: string) =>
  (
    await t.db.pool.query<{ phase: string }>(
      `select r.phase from transactions t join ledger_transfers r on r.pending_id = t.transfer_id where t.id = $1`,
      [transactionId],
    )
  ).rows.map((r) => r.phase);

describe('screening on the money path', () => {
  it('scores outgoing customer movements and shows the risk; deposits and own-account transfers are not screened', async () => {
    const alice = await customer();
    const a = await openAccount(t.app, alice);
    const mine = await openAccount(t.app, alice);
    const b = await openAccount(t.app, bob);
    const dep = await postFrom(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '500.00' });
    expect(dep.statusCode).toBe(201);
    expect(dep.json().risk).toBeUndefined();

    const tr = await transfer(t.app, alice, a.id, b.id, '10.00');
    expect(tr.statusCode).toBe(201);
    expect(tr.json()).toMatchObject({
      status: 'COMPLETED',
      risk: { score: 0, recommendation: 'APPROVE', reasons: [] },
    });
    expect((await transfer(t.app, alice, a.id, mine.id, '10.00')).json().risk).toBeUndefined();
    const wd = await postFrom(t.app, alice, '/api/v1/withdrawals', { accountId: a.id, amount: '5.00' });
    expect(riskOf(wd)).toEqual([201, 'COMPLETED', 0, 'APPROVE']);
    const ext = await postFrom(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      amount: '5.00',
      toExternal: { bankCode: 'OTHRGB2L', accountNumber: 'GB29NWBK60161331926819', name: 'Mia Other' },
    });
    expect(riskOf(ext)).toEqual([201, 'PENDING', 0, 'APPROVE']);
    const read = await t.app.inject({ url: `/api/v1/transactions/${tr.json().id}`, headers: alice.headers });
    expect(read.json().risk).toEqual({ score: 0, recommendation: 'APPROVE', reasons: [] });
    // The reply is built from the row as inserted, not re-read: it must be what a read shows.
    expect(read.json()).toEqual(tr.json());

    const { rows } = await t.db.pool.query(
      'select screened_count, posted_count, last_ip, last_location, amount_n from fraud_account_stats where account_id = $1',
      [a.id],
    );
    expect(rows).toEqual([
      {
        screened_count: 3n,
        posted_count: 3n,
        last_ip: HOME_IP,
        last_location: '198.51.100.0/24',
        amount_n: 3,
      },
    ]);
  });

  it('velocity: the 6th outgoing movement within the hour is monitored, the 11th is held for review', async () => {
    const alice = await customer();
    const a = await funded(t, alice, '100.00');
    const b = await openAccount(t.app, bob);
    const seen = [];
    for (let i = 1; i <= 11; i++) seen.push(riskOf(await transfer(t.app, alice, a.id, b.id, '1.00')));
    expect(seen).toEqual([
      ...Array(5).fill([201, 'COMPLETED', 0, 'APPROVE']),
      ...Array(5).fill([201, 'COMPLETED', 40, 'MONITOR']),
      [202, 'PENDING_REVIEW', 80, 'BLOCK_PENDING_REVIEW'],
    ]);
    // The held pound is reserved, not gone; the receiver does not have it yet.
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '90.00',
      availableBalance: '89.00',
    });
    expect((await balanceOf(t.app, bob, b.id)).balance).toBe('10.00');
    const { rows } = await t.db.pool.query(
      'select id from transactions where from_account_id = $1 order by created_at desc limit 1',
      [a.id],
    );
    const alert = (await alertFor(t, analyst, rows[0].id))!;
    expect(alert).toMatchObject({
      status: 'OPEN',
      hold: 'HELD',
      score: 80,
      recommendation: 'BLOCK_PENDING_REVIEW',
      amount: '1.00',
    });
    expect(alert.reasons).toEqual([
      { rule: 'velocity', score: 80, reason: expect.stringContaining('11 outgoing movements') },
    ]);
  });

  describe('amount anomaly (velocity switched off with FRAUD_RULES_JSON, so only the amount rule speaks)', () => {
    let q: TestApp;
    let payee: SignedIn;
    beforeAll(async () => {
      q = await createAuthTestApp({ ...env, FRAUD_RULES_JSON: '{"velocity":{"enabled":false}}' });
      payee = await registerCustomer(q.app);
    });
    afterAll(async () => q.close());

    /** An account that has sent `n` payments of 100.00: mean 100.00, standard deviation taken as 10.00 (10% of the mean). */
    async function withHistory(n = 10) {
      const who = await customer(q);
      const a = await funded(q, who, '10000.00');
      const b = await openAccount(q.app, payee);
      for (let i = 0; i < n; i++)
        expect((await transfer(q.app, who, a.id, b.id, '100.00')).json().risk.score).toBe(0);
      return (amount: string) => transfer(q.app, who, a.id, b.id, amount);
    }

    it.each([
      ['120.00', [201, 'COMPLETED', 0, 'APPROVE']], // z = 2: not more than 2
      ['120.01', [201, 'COMPLETED', 50, 'FLAG_FOR_REVIEW']],
      ['130.00', [201, 'COMPLETED', 50, 'FLAG_FOR_REVIEW']], // z = 3
      ['130.01', [202, 'PENDING_REVIEW', 90, 'BLOCK_AND_ALERT']],
    ])('after 10 × 100.00, %s → %j', async (amount, expected) => {
      const send = await withHistory();
      const res = await send(amount);
      expect(riskOf(res)).toEqual(expected);
      const { rows } = await q.db.pool.query('select hold from fraud_alerts where transaction_id = $1', [
        res.json().id,
      ]);
      expect(rows).toEqual(expected[2] === 0 ? [] : [{ hold: expected[2] === 50 ? null : 'HELD' }]);
    });

    it('a flagged movement posts and opens an alert with nothing held', async () => {
      const send = await withHistory();
      const res = await send('125.00');
      const { rows } = await q.db.pool.query(
        'select status, hold, recommendation, reasons from fraud_alerts where transaction_id = $1',
        [res.json().id],
      );
      expect(rows).toEqual([
        {
          status: 'OPEN',
          hold: null,
          recommendation: 'FLAG_FOR_REVIEW',
          reasons: [
            { rule: 'amount', score: 50, reason: expect.stringContaining('2.5 standard deviations') },
          ],
        },
      ]);
    });

    it('needs ten earlier amounts', async () => {
      const send = await withHistory(9);
      expect(riskOf(await send('5000.00'))).toEqual([201, 'COMPLETED', 0, 'APPROVE']);
    });
  });

  it("unusual hour: in the customer's local night the first movement in 30 days is held; 05:00 is day", async () => {
    const carol = await customer();
    const x = await funded(t, carol, '500.00');
    const y = await funded(t, carol, '500.00');
    const z = await funded(t, carol, '500.00');
    const b = await openAccount(t.app, bob);
    for (const acc of [x, y])
      expect((await transfer(t.app, carol, acc.id, b.id, '1.00')).json().risk.score).toBe(0);

    await setTimeZone(t, carol.customerId!, zoneWithLocalHour(5));
    expect(riskOf(await transfer(t.app, carol, x.id, b.id, '1.00'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);
    // Etc/UTC when the test runs at 02:xx UTC, an Etc/GMT±n zone otherwise.
    const nightZone = zoneWithLocalHour(2);
    await setTimeZone(t, carol.customerId!, nightZone);
    const night = await transfer(t.app, carol, y.id, b.id, '1.00');
    expect(riskOf(night)).toEqual([202, 'PENDING_REVIEW', 70, 'BLOCK_PENDING_REVIEW']);
    expect(night.json().risk.reasons).toEqual([
      {
        rule: 'unusualHour',
        score: 70,
        reason: expect.stringMatching(
          new RegExp(
            `^at 0[23]:\\d\\d \\(${nightZone.replace(/[+/]/g, '\\$&')}\\): the first movement between 02:00–05:00 in 30 days`,
          ),
        ),
      },
    ]);
    // No earlier movement: no usual hours to depart from.
    expect(riskOf(await transfer(t.app, carol, z.id, b.id, '1.00'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);
  });

  it('impossible travel: another network than the previous movement ≤ 1 h → 95 (held), ≤ 6 h → 50 (flagged)', async () => {
    const dave = await customer();
    const cases: [number, (string | number)[]][] = [
      [59 * 60, [202, 'PENDING_REVIEW', 95, 'BLOCK_AND_ALERT']],
      [61 * 60, [201, 'COMPLETED', 50, 'FLAG_FOR_REVIEW']],
      [6 * 3600 - 60, [201, 'COMPLETED', 50, 'FLAG_FOR_REVIEW']],
      [6 * 3600 + 60, [201, 'COMPLETED', 0, 'APPROVE']],
    ];
    for (const [secondsAgo, expected] of cases) {
      const a = await funded(t, dave, '100.00');
      const b = await openAccount(t.app, bob);
      expect((await transfer(t.app, dave, a.id, b.id, '1.00', HOME_IP)).statusCode).toBe(201);
      // As if that movement had been made `secondsAgo` ago.
      await t.db.pool.query(
        `update fraud_account_stats set last_seen_at = now() - make_interval(secs => $2), recent_at = '{}' where account_id = $1`,
        [a.id, secondsAgo],
      );
      const res = await transfer(t.app, dave, a.id, b.id, '1.00', AWAY_IP);
      expect([secondsAgo, ...riskOf(res)]).toEqual([secondsAgo, ...expected]);
      if (expected[2] !== 0)
        expect(res.json().risk.reasons[0].reason).toMatch(
          /^from 203\.0\.113\.0\/24, .* after a movement from 198\.51\.100\.0\/24/,
        );
    }
    // Another address in the same /24 is the same place.
    const a = await funded(t, dave, '100.00');
    const b = await openAccount(t.app, bob);
    await transfer(t.app, dave, a.id, b.id, '1.00', HOME_IP);
    expect(riskOf(await transfer(t.app, dave, a.id, b.id, '1.00', '198.51.100.250'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);
  });

  it('a held movement does not become the account’s new location', async () => {
    const { alice, a, b } = await heldTransfer();
    const again = await transfer(t.app, alice, a.id, b.id, '1.00', AWAY_IP);
    expect(riskOf(again)).toEqual([202, 'PENDING_REVIEW', 95, 'BLOCK_AND_ALERT']);
    expect(riskOf(await transfer(t.app, alice, a.id, b.id, '1.00', HOME_IP))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);
  });

  it('a large amount to a new payee (≥ 1,000.00 → 40); the daily outgoing limit per account type (over → 70)', async () => {
    const eve = await customer();
    const a = await funded(t, eve, '100000.00');
    const [b1, b2] = [await openAccount(t.app, bob), await openAccount(t.app, bob)];
    expect(riskOf(await transfer(t.app, eve, a.id, b1.id, '999.99'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);
    const big = await transfer(t.app, eve, a.id, b2.id, '1000.00');
    expect(riskOf(big)).toEqual([201, 'COMPLETED', 40, 'MONITOR']);
    expect(big.json().risk.reasons).toEqual([
      { rule: 'newPayee', score: 40, reason: expect.stringContaining('never paid') },
    ]);
    expect(riskOf(await transfer(t.app, eve, a.id, b2.id, '1000.00'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);

    // CHECKING: 10,000.00 a day. Today so far 2,999.99 out of this account.
    expect(riskOf(await transfer(t.app, eve, a.id, b1.id, '7000.01'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]); // exactly 10,000.00
    const over = await transfer(t.app, eve, a.id, b1.id, '0.01');
    expect(riskOf(over)).toEqual([202, 'PENDING_REVIEW', 70, 'BLOCK_PENDING_REVIEW']);
    expect(over.json().risk.reasons[0]).toMatchObject({
      rule: 'dailyLimit',
      reason: expect.stringContaining('10000.01 USD, over the CHECKING daily limit of 10000.00'),
    });

    // SAVINGS: 5,000.00 a day.
    const s = await funded(t, eve, '20000.00', 'SAVINGS');
    expect(riskOf(await transfer(t.app, eve, s.id, b1.id, '0.01'))).toEqual([201, 'COMPLETED', 0, 'APPROVE']);
    expect(riskOf(await transfer(t.app, eve, s.id, b1.id, '4999.99'))).toEqual([
      201,
      'COMPLETED',
      0,
      'APPROVE',
    ]);
    expect(riskOf(await transfer(t.app, eve, s.id, b1.id, '0.01'))).toEqual([
      202,
      'PENDING_REVIEW',
      70,
      'BLOCK_PENDING_REVIEW',
    ]);
  });

  it('a teller withdrawing for the customer is screened without the teller’s IP', async () => {
    const frank = await customer();
    const a = await funded(t, frank, '5000.00');
    const wd = await postFrom(
      t.app,
      teller,
      '/api/v1/withdrawals',
      { accountId: a.id, amount: '100.00' },
      { ip: AWAY_IP },
    );
    expect(riskOf(wd)).toEqual([201, 'COMPLETED', 0, 'APPROVE']);
    const { rows } = await t.db.pool.query(
      'select last_ip, posted_count from fraud_account_stats where account_id = $1',
      [a.id],
    );
    expect(rows).toEqual([{ last_ip: null, posted_count: 1n }]);
  });

  it('a refused movement (insufficient funds) changes no statistics and opens no alert', async () => {
    const { alice, a, b } = await heldTransfer('250.00');
    const before = await t.db.pool.query('select * from fraud_account_stats where account_id = $1', [a.id]);
    const alerts = await t.db.pool.query('select count(*) from fraud_alerts where account_id = $1', [a.id]);
    const res = await transfer(t.app, alice, a.id, b.id, '5000.00', AWAY_IP);
    expect(res.json().code).toBe('INSUFFICIENT_FUNDS');
    expect(
      (await t.db.pool.query('select * from fraud_account_stats where account_id = $1', [a.id])).rows,
    ).toEqual(before.rows);
    expect(
      (await t.db.pool.query('select count(*) from fraud_alerts where account_id = $1', [a.id])).rows,
    ).toEqual(alerts.rows);
  });

  it('an idempotent retry of a held movement replays the 202 and holds once', async () => {
    const alice = await customer();
    const a = await funded(t, alice, '1000.00');
    const b = await openAccount(t.app, bob);
    await transfer(t.app, alice, a.id, b.id, '1.00', HOME_IP);
    const key = randomUUID();
    const body = { fromAccountId: a.id, toAccountId: b.id, amount: '50.00' };
    const first = await postFrom(t.app, alice, '/api/v1/transfers', body, { ip: AWAY_IP, key });
    const again = await postFrom(t.app, alice, '/api/v1/transfers', body, { ip: AWAY_IP, key });
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(
      (await t.db.pool.query('select count(*)::int as n from fraud_alerts where account_id = $1', [a.id]))
        .rows[0].n,
    ).toBe(1);
    expect((await balanceOf(t.app, alice, a.id)).availableBalance).toBe('949.00');
  });
});

describe('the lock statement (fraud_lock_states)', () => {
  it('returns the states with the payees paid before, and probes known payees by index even when scans look cheaper', async () => {
    const alice = await customer();
    const a = await funded(t, alice, '100.00');
    const b = await openAccount(t.app, bob);
    expect((await transfer(t.app, alice, a.id, b.id, '1.00')).statusCode).toBe(201);
    const { rows: paid } = await t.db.pool.query<{ payee: string }>(
      'select payee from fraud_known_payees where account_id = $1',
      [a.id],
    );
    expect(paid).toHaveLength(1);
    const payee = paid[0]!.payee;

    const c = await t.db.pool.connect();
    try {
      await c.query('begin');
      // Fresh statistics on a table of a few rows make a sequential scan the cheaper plan for a
      // probe; the function must probe the primary key all the same, in its custom plans and in
      // the generic one it settles on after five calls.
      await c.query('analyze fraud_known_payees');
      for (let i = 0; i < 8; i++) {
        const { rows } = await c.query<{ account_id: string; known: string[]; screened_count: bigint }>(
          'select account_id, known, screened_count from fraud_lock_states($1::uuid[], $2::uuid[], $3::text[])',
          [[a.id], [a.id, a.id], [payee, 'never-paid']],
        );
        expect(rows).toEqual([{ account_id: a.id, known: [payee], screened_count: 1n }]);
      }
      const { rows: scans } = await c.query<{ seq_scan: bigint; idx_scan: bigint }>(
        `select seq_scan, idx_scan from pg_stat_xact_user_tables where relname = 'fraud_known_payees'`,
      );
      expect(scans[0]?.seq_scan).toBe(0n);
      expect(scans[0]?.idx_scan).toBeGreaterThanOrEqual(16n);
    } finally {
      await c.query('rollback');
      c.release();
    }
  });
});

describe('configuration', () => {
  it('FRAUD_SCREENING_ENABLED=false: nothing is scored, nothing held', async () => {
    const off = await createAuthTestApp({ ...env, FRAUD_SCREENING_ENABLED: 'false' });
    try {
      const who = await customer(off);
      const payee = await registerCustomer(off.app);
      const a = await funded(off, who, '100.00');
      const b = await openAccount(off.app, payee);
      const replies = [];
      for (let i = 0; i < 12; i++)
        replies.push(await transfer(off.app, who, a.id, b.id, '1.00', i % 2 ? HOME_IP : AWAY_IP));
      expect(replies.map((r) => [r.statusCode, r.json().risk])).toEqual(Array(12).fill([201, undefined]));
      expect((await off.db.pool.query('select count(*)::int as n from fraud_alerts')).rows[0].n).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('a bad FRAUD_RULES_JSON stops the app from starting, naming the field', async () => {
    await expect(
      createAuthTestApp({ ...env, FRAUD_RULES_JSON: '{"velocity":{"windowSeconds":"soon"}}' }),
    ).rejects.toThrow(/Invalid FRAUD_RULES_JSON:\n\s+velocity\.windowSeconds/);
  });
});

describe('held movements: released or rejected exactly once, or expired with the funds back', () => {
  it('release posts the held movement once; a second release or a reject is 409 and changes nothing', async () => {
    const { alice, a, b, tx, alert } = await heldTransfer('250.00');
    expect(alert).toMatchObject({ status: 'OPEN', hold: 'HELD', amount: '250.00', transactionId: tx.id });
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '999.00',
      availableBalance: '749.00',
    });

    const rel = await decide(t, analyst, alert.id, 'release', { notes: 'Customer confirmed by phone' });
    expect(rel.statusCode).toBe(200);
    expect(rel.json().transaction).toMatchObject({ id: tx.id, status: 'COMPLETED', risk: { score: 95 } });
    expect(rel.json().alert).toMatchObject({
      hold: 'RELEASED',
      status: 'OPEN',
      analystId: analyst.userId,
      notes: [{ by: analyst.userId, text: 'Customer confirmed by phone' }],
    });
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '749.00',
      availableBalance: '749.00',
    });
    expect((await balanceOf(t.app, bob, b.id)).balance).toBe('251.00');

    for (const action of ['release', 'reject'] as const) {
      const res = await decide(t, analyst, alert.id, action);
      expect([res.statusCode, res.json().code, res.json().detail]).toEqual([
        409,
        'CONFLICT',
        'The held movement was already released',
      ]);
    }
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '749.00',
      availableBalance: '749.00',
    });
    expect(await pendingResolutions(tx.id)).toEqual(['post_pending']);
    expect(
      (await t.app.inject({ url: `/api/v1/transactions/${tx.id}`, headers: alice.headers })).json().status,
    ).toBe('COMPLETED');
    expect(await verified()).toBe('ok');
  });

  it('concurrent decisions on one hold: exactly one succeeds, the rest are 409', async () => {
    const { alice, a, b, tx, alert } = await heldTransfer('100.00');
    const replies = await Promise.all([
      decide(t, analyst, alert.id, 'release'),
      decide(t, admin, alert.id, 'release'),
      decide(t, analyst, alert.id, 'release'),
      decide(t, admin, alert.id, 'reject'),
      decide(t, analyst, alert.id, 'release'),
    ]);
    const codes = replies.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409, 409, 409, 409]);
    const winner = replies.find((r) => r.statusCode === 200)!.json();
    const resolutions = await pendingResolutions(tx.id);
    expect(resolutions).toHaveLength(1);
    if (winner.alert.hold === 'RELEASED') {
      expect(resolutions).toEqual(['post_pending']);
      expect((await balanceOf(t.app, bob, b.id)).balance).toBe('101.00');
      expect((await balanceOf(t.app, alice, a.id)).balance).toBe('899.00');
    } else {
      expect(resolutions).toEqual(['void_pending']);
      expect((await balanceOf(t.app, alice, a.id)).balance).toBe('999.00');
    }
    expect(await verified()).toBe('ok');
  });

  it('reject voids the hold: the funds come back and the transaction is FAILED', async () => {
    const { alice, a, b, tx, alert } = await heldTransfer('300.00');
    const rej = await decide(t, admin, alert.id, 'reject', { notes: 'Confirmed account takeover' });
    expect(rej.statusCode).toBe(200);
    expect(rej.json().transaction).toMatchObject({ status: 'FAILED' });
    expect(rej.json().alert.hold).toBe('REJECTED');
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '999.00',
      availableBalance: '999.00',
    });
    expect((await balanceOf(t.app, bob, b.id)).balance).toBe('1.00');
    expect(await pendingResolutions(tx.id)).toEqual(['void_pending']);
    expect((await decide(t, admin, alert.id, 'release')).statusCode).toBe(409);
    expect(await verified()).toBe('ok');
  });

  it('a held external transfer: released, it goes on to settlement; rejected, the funds come back', async () => {
    const gina = await customer();
    const a = await funded(t, gina, '1000.00');
    const b = await openAccount(t.app, bob);
    await transfer(t.app, gina, a.id, b.id, '1.00', HOME_IP);
    const payee = { bankCode: 'OTHRGB2L', accountNumber: 'GB29NWBK60161331926819', name: 'Mia Other' };
    const send = () =>
      postFrom(
        t.app,
        gina,
        '/api/v1/transfers',
        { fromAccountId: a.id, toExternal: payee, amount: '100.00' },
        { ip: AWAY_IP },
      );
    const [one, two] = [await send(), await send()];
    // Impossible travel (95); the first hold did not move the account to the new network.
    expect([riskOf(one), riskOf(two)]).toEqual([
      [202, 'PENDING_REVIEW', 95, 'BLOCK_AND_ALERT'],
      [202, 'PENDING_REVIEW', 95, 'BLOCK_AND_ALERT'],
    ]);
    // Pending review is not pending settlement: the simulator leaves it alone.
    expect(await simulateSettlement(t.ctx)).toBe(0);
    const [x, y] = [
      (await alertFor(t, analyst, one.json().id))!,
      (await alertFor(t, analyst, two.json().id))!,
    ];
    const rel = await decide(t, analyst, x.id, 'release');
    expect(rel.json().transaction.status).toBe('PENDING');
    expect((await decide(t, analyst, y.id, 'reject')).json().transaction.status).toBe('FAILED');
    expect(await balanceOf(t.app, gina, a.id)).toMatchObject({
      balance: '999.00',
      availableBalance: '899.00',
    });
    const settle = await t.app.inject({
      method: 'POST',
      url: '/api/v1/external/settlements',
      headers: teller.headers,
      payload: { items: [{ transactionId: one.json().id, outcome: 'SETTLED' }] },
    });
    expect(settle.json().items[0].status).toBe('COMPLETED');
    expect(await balanceOf(t.app, gina, a.id)).toMatchObject({
      balance: '899.00',
      availableBalance: '899.00',
    });
    expect(await verified()).toBe('ok');
  });

  it('a hold nobody reviews expires: voided, funds back, transaction FAILED, alert EXPIRED and noted', async () => {
    const e = await createAuthTestApp({ ...env, FRAUD_HOLD_TIMEOUT_SECONDS: '1' });
    try {
      const who = await customer(e);
      const payee = await registerCustomer(e.app);
      const ea = await createStaff(e, 'analyst');
      const a = await funded(e, who, '500.00');
      const b = await openAccount(e.app, payee);
      await transfer(e.app, who, a.id, b.id, '1.00', HOME_IP);
      const held = await transfer(e.app, who, a.id, b.id, '200.00', AWAY_IP);
      expect(held.statusCode).toBe(202);
      expect((await balanceOf(e.app, who, a.id)).availableBalance).toBe('299.00');
      await new Promise((r) => setTimeout(r, 1100));
      expect(await expirePendingTransfers(e.db.pool)).toBe(1);
      expect(await failExpiredHolds(e.ctx)).toBe(1);
      expect(await noteExpiredHolds(e.ctx)).toBe(1);
      expect(await noteExpiredHolds(e.ctx)).toBe(0);
      expect(await balanceOf(e.app, who, a.id)).toMatchObject({
        balance: '499.00',
        availableBalance: '499.00',
      });
      expect(
        (await e.app.inject({ url: `/api/v1/transactions/${held.json().id}`, headers: who.headers })).json()
          .status,
      ).toBe('FAILED');
      const alert = (await alertFor(e, ea, held.json().id))!;
      expect(alert).toMatchObject({
        status: 'OPEN',
        hold: 'EXPIRED',
        notes: [{ by: null, text: expect.stringContaining('expired without a review') }],
      });
      const late = await decide(e, ea, alert.id, 'release');
      expect([late.statusCode, late.json().detail]).toEqual([409, 'The held movement was already expired']);
      // Still OPEN for an investigation; it can be worked and closed now that nothing is held.
      expect((await patchAlert(e, ea, alert.id, { status: 'INVESTIGATING' })).statusCode).toBe(200);
      expect(
        (await patchAlert(e, ea, alert.id, { status: 'RESOLVED', notes: 'Customer was travelling' })).json(),
      ).toMatchObject({ status: 'RESOLVED', closedAt: expect.any(String) });
      expect(await verified(e)).toBe('ok');
    } finally {
      await e.close();
    }
  });

  it('the expiry sweeper and a release racing: the ledger resolves the hold once', async () => {
    const e = await createAuthTestApp({ ...env, FRAUD_HOLD_TIMEOUT_SECONDS: '1' });
    try {
      const who = await customer(e);
      const payee = await registerCustomer(e.app);
      const ea = await createStaff(e, 'analyst');
      const a = await funded(e, who, '500.00');
      const b = await openAccount(e.app, payee);
      await transfer(e.app, who, a.id, b.id, '1.00', HOME_IP);
      const held = await transfer(e.app, who, a.id, b.id, '200.00', AWAY_IP);
      const alert = (await alertFor(e, ea, held.json().id))!;
      await new Promise((r) => setTimeout(r, 1100));
      // The hold is past its deadline but not swept yet: the ledger refuses to post it.
      const late = await decide(e, ea, alert.id, 'release');
      expect([late.statusCode, late.json().code]).toEqual([409, 'CONFLICT']);
      expect((await alertFor(e, ea, held.json().id))!.hold).toBe('HELD');
      expect(await expirePendingTransfers(e.db.pool)).toBe(1);
      expect(await balanceOf(e.app, who, a.id)).toMatchObject({
        balance: '499.00',
        availableBalance: '499.00',
      });
      expect(await verified(e)).toBe('ok');
    } finally {
      await e.close();
    }
  });
});

describe("the analyst's workflow", () => {
  it('OPEN → INVESTIGATING → (release) → FALSE_POSITIVE with notes; illegal moves are 409 and change nothing', async () => {
    const { alert } = await heldTransfer();
    const snapshot = async () =>
      (await t.app.inject({ url: `/api/v1/fraud/alerts/${alert.id}`, headers: analyst.headers })).json();
    const refused = async (payload: Record<string, unknown>, detail: RegExp) => {
      const before = await snapshot();
      const res = await patchAlert(t, analyst, alert.id, payload);
      expect([res.statusCode, res.json().code]).toEqual([409, 'CONFLICT']);
      expect(res.json().detail).toMatch(detail);
      expect(await snapshot()).toEqual(before);
    };

    await refused({ status: 'RESOLVED' }, /OPEN cannot become RESOLVED \(it can become INVESTIGATING\)/);
    await refused({ status: 'OPEN' }, /OPEN cannot become OPEN/);
    const inv = await patchAlert(t, analyst, alert.id, {
      status: 'INVESTIGATING',
      notes: 'Looking at the login history',
    });
    expect(inv.statusCode).toBe(200);
    expect(inv.json()).toMatchObject({
      status: 'INVESTIGATING',
      analystId: analyst.userId,
      notes: [{ text: 'Looking at the login history' }],
    });
    await refused({ status: 'FALSE_POSITIVE' }, /still held: release or reject it/);
    await refused({ status: 'OPEN' }, /INVESTIGATING cannot become OPEN/);

    expect((await decide(t, analyst, alert.id, 'release')).statusCode).toBe(200);
    const noted = await patchAlert(t, analyst, alert.id, { notes: 'Customer was on holiday' });
    expect(noted.json().notes.map((n: { text: string }) => n.text)).toEqual([
      'Looking at the login history',
      'Customer was on holiday',
    ]);
    const closed = await patchAlert(t, analyst, alert.id, { status: 'FALSE_POSITIVE' });
    expect(closed.json()).toMatchObject({
      status: 'FALSE_POSITIVE',
      hold: 'RELEASED',
      closedAt: expect.any(String),
    });
    await refused({ status: 'INVESTIGATING' }, /FALSE_POSITIVE cannot become INVESTIGATING \(it is closed\)/);
    await refused({ status: 'RESOLVED' }, /it is closed/);
  });

  it('a flagged alert (nothing held) cannot be released; it is worked and closed directly', async () => {
    // Impossible travel two hours after the previous movement → 50: posted and flagged.
    const who = await customer();
    const a = await funded(t, who, '100.00');
    const b = await openAccount(t.app, bob);
    await transfer(t.app, who, a.id, b.id, '1.00', HOME_IP);
    await t.db.pool.query(
      `update fraud_account_stats set last_seen_at = now() - interval '2 hours' where account_id = $1`,
      [a.id],
    );
    const flagged = await transfer(t.app, who, a.id, b.id, '1.00', AWAY_IP);
    expect(riskOf(flagged)).toEqual([201, 'COMPLETED', 50, 'FLAG_FOR_REVIEW']);
    const id = (await alertFor(t, analyst, flagged.json().id))!.id;
    const res = await decide(t, analyst, id, 'release');
    expect([res.statusCode, res.json().detail]).toEqual([
      409,
      'Nothing is held: this movement was flagged and posted, not held for review',
    ]);
    expect((await patchAlert(t, analyst, id, { status: 'INVESTIGATING' })).statusCode).toBe(200);
    expect((await patchAlert(t, analyst, id, { status: 'RESOLVED' })).json().status).toBe('RESOLVED');
  });

  it('unknown ids are 404, malformed ones and bad bodies 400; nothing changes', async () => {
    const { alert } = await heldTransfer();
    const unknown = randomUUID();
    const calls = [
      t.app.inject({ url: `/api/v1/fraud/alerts/${unknown}`, headers: analyst.headers }),
      patchAlert(t, analyst, unknown, { status: 'INVESTIGATING' }),
      decide(t, analyst, unknown, 'release'),
      decide(t, analyst, unknown, 'reject'),
    ];
    for (const res of await Promise.all(calls))
      expect([res.statusCode, res.json().code]).toEqual([404, 'NOT_FOUND']);
    const bad = [
      t.app.inject({ url: '/api/v1/fraud/alerts/not-a-uuid', headers: analyst.headers }),
      patchAlert(t, analyst, alert.id, {}),
      patchAlert(t, analyst, alert.id, { status: 'CLOSED' }),
      patchAlert(t, analyst, alert.id, { status: 'INVESTIGATING', extra: 1 }),
      patchAlert(t, analyst, alert.id, { notes: '' }),
      patchAlert(t, analyst, alert.id, { notes: 'x'.repeat(1001) }),
      decide(t, analyst, alert.id, 'release', { notes: 5 }),
      t.app.inject({ url: '/api/v1/fraud/alerts?status=RELEASED', headers: analyst.headers }),
      t.app.inject({ url: '/api/v1/fraud/alerts?limit=0', headers: analyst.headers }),
      t.app.inject({ url: '/api/v1/fraud/alerts?cursor=garbage', headers: analyst.headers }),
    ];
    for (const res of await Promise.all(bad)) {
      expect([res.statusCode, res.json().code], res.body).toEqual([400, 'INVALID_REQUEST']);
    }
    expect(await alertFor(t, analyst, alert.transactionId)).toEqual(alert);
  });

  it('only analysts and admins see and work alerts', async () => {
    const { alert } = await heldTransfer();
    const customerAuth = await customer();
    const auditor = await createStaff(t, 'auditor');
    for (const who of [customerAuth, teller, auditor]) {
      expect((await t.app.inject({ url: '/api/v1/fraud/alerts', headers: who.headers })).statusCode).toBe(
        403,
      );
      expect((await decide(t, who, alert.id, 'release')).statusCode).toBe(403);
    }
    expect((await t.app.inject({ url: '/api/v1/fraud/alerts', headers: admin.headers })).statusCode).toBe(
      200,
    );
    expect((await alertFor(t, analyst, alert.transactionId))!.hold).toBe('HELD');
  });

  it('lists newest first with status, hold and account filters and a stable cursor', async () => {
    const { a } = await heldTransfer();
    const { alert: second } = await heldTransfer();
    await patchAlert(t, analyst, second.id, { status: 'INVESTIGATING' });
    const all: AlertBody[] = [];
    let cursor: string | null = null;
    do {
      const page: { statusCode: number; json(): { items: AlertBody[]; nextCursor: string | null } } =
        await t.app.inject({
          url: `/api/v1/fraud/alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: analyst.headers,
        });
      expect(page.statusCode).toBe(200);
      all.push(...page.json().items);
      cursor = page.json().nextCursor;
    } while (cursor);
    const { rows } = await t.db.pool.query<{ id: string }>(
      'select id from fraud_alerts order by created_at desc, id desc',
    );
    expect(all.map((x) => x.id)).toEqual(rows.map((r) => r.id));
    const investigating = await t.app.inject({
      url: '/api/v1/fraud/alerts?status=INVESTIGATING',
      headers: analyst.headers,
    });
    expect(investigating.json().items.map((x: AlertBody) => x.status)).toContain('INVESTIGATING');
    expect(new Set(investigating.json().items.map((x: AlertBody) => x.status))).toEqual(
      new Set(['INVESTIGATING']),
    );
    const held = await t.app.inject({
      url: '/api/v1/fraud/alerts?hold=HELD&limit=200',
      headers: analyst.headers,
    });
    expect(new Set(held.json().items.map((x: AlertBody) => x.hold))).toEqual(new Set(['HELD']));
    const mine = await t.app.inject({
      url: `/api/v1/fraud/alerts?accountId=${a.id}`,
      headers: analyst.headers,
    });
    expect(mine.json().items).toHaveLength(1);
  });

  it('every step is in the audit trail: opened, status changes, notes, release, reject, expiry', async () => {
    const { alert, tx } = await heldTransfer();
    await patchAlert(t, analyst, alert.id, { status: 'INVESTIGATING' });
    await patchAlert(t, analyst, alert.id, { notes: 'Called the customer' });
    await decide(t, analyst, alert.id, 'reject', { notes: 'Not the customer' });
    await patchAlert(t, analyst, alert.id, { status: 'RESOLVED' });
    const trail = await t.app.inject({
      url: `/api/v1/audit?entityType=fraud_alert&entityId=${alert.id}`,
      headers: admin.headers,
    });
    expect(trail.statusCode).toBe(200);
    const items = trail.json().items.reverse() as {
      action: string;
      actorId: string | null;
      before: unknown;
      after: Record<string, unknown>;
    }[];
    expect(items.map((i) => i.action)).toEqual([
      'fraud_alert.opened',
      'fraud_alert.status_changed',
      'fraud_alert.noted',
      'fraud_alert.rejected',
      'fraud_alert.status_changed',
    ]);
    expect(items[0]!.after).toMatchObject({
      transactionId: tx.id,
      score: 95,
      recommendation: 'BLOCK_AND_ALERT',
      hold: 'HELD',
    });
    expect(items[1]).toMatchObject({
      actorId: analyst.userId,
      before: { status: 'OPEN' },
      after: { status: 'INVESTIGATING' },
    });
    expect(items[3]!.after).toMatchObject({
      hold: 'REJECTED',
      transactionStatus: 'FAILED',
      notes: 'Not the customer',
    });
    const txTrail = await t.app.inject({
      url: `/api/v1/audit?entityType=transaction&entityId=${tx.id}`,
      headers: admin.headers,
    });
    expect(
      txTrail
        .json()
        .items.map((i: { action: string; after: { status: string } }) => [i.action, i.after.status])
        .reverse(),
    ).toEqual([
      ['transaction.transfer', 'PENDING_REVIEW'],
      ['transaction.fraud_rejected', 'FAILED'],
    ]);
    const chain = await t.app.inject({ url: '/api/v1/audit/verify', headers: admin.headers });
    expect(chain.json().ok).toBe(true);
  });
});

describe('after everything', () => {
  it('the ledger reconciles', async () => {
    expect(await verified()).toBe('ok');
  });
});
