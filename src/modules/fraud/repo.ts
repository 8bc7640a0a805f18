// Fraud screening's SQL. Screening a batch costs two statements whatever its size or the
// accounts' history: one locking read of every account's statistics row (with the payees the
// batch names) before the ledger, and one write (statistics, payees, alerts) after it.
import type { Queryable } from '../../platform/db/pool.js';
import { jsonColumn } from '../../platform/db/json-column.js';
import {
  float8Array,
  int4Array,
  int8Array,
  textArray,
  timestamptzArray,
  uuidArray,
} from '../../platform/db/binary-array.js';
import { named } from '../../platform/db/prepared.js';
import { validTimeZone, type Reason, type RiskState } from './engine.js';
import type { Recommendation } from './rules.js';

// Countries with a single time zone: the customer's address stands in for an explicit one.
// Countries with several (US, CA, AU, BR, RU, MX …) need customers.timezone, else UTC.
const COUNTRY_ZONES: Record<string, string> = {
  AE: 'Asia/Dubai',
  AR: 'America/Argentina/Buenos_Aires',
  AT: 'Europe/Vienna',
  BE: 'Europe/Brussels',
  BG: 'Europe/Sofia',
  CH: 'Europe/Zurich',
  CN: 'Asia/Shanghai',
  CO: 'America/Bogota',
  CZ: 'Europe/Prague',
  DE: 'Europe/Berlin',
  DK: 'Europe/Copenhagen',
  EE: 'Europe/Tallinn',
  EG: 'Africa/Cairo',
  FI: 'Europe/Helsinki',
  FR: 'Europe/Paris',
  GB: 'Europe/London',
  GR: 'Europe/Athens',
  HK: 'Asia/Hong_Kong',
  HR: 'Europe/Zagreb',
  HU: 'Europe/Budapest',
  IE: 'Europe/Dublin',
  IL: 'Asia/Jerusalem',
  IN: 'Asia/Kolkata',
  IS: 'Atlantic/Reykjavik',
  IT: 'Europe/Rome',
  JP: 'Asia/Tokyo',
  KE: 'Africa/Nairobi',
  KR: 'Asia/Seoul',
  LT: 'Europe/Vilnius',
  LU: 'Europe/Luxembourg',
  LV: 'Europe/Riga',
  MY: 'Asia/Kuala_Lumpur',
  NG: 'Africa/Lagos',
  NL: 'Europe/Amsterdam',
  NO: 'Europe/Oslo',
  NZ: 'Pacific/Auckland',
  PE: 'America/Lima',
  PH: 'Asia/Manila',
  PK: 'Asia/Karachi',
  PL: 'Europe/Warsaw',
  RO: 'Europe/Bucharest',
  SA: 'Asia/Riyadh',
  SE: 'Europe/Stockholm',
  SG: 'Asia/Singapore',
  SI: 'Europe/Ljubljana',
  SK: 'Europe/Bratislava',
  TH: 'Asia/Bangkok',
  TR: 'Europe/Istanbul',
  TW: 'Asia/Taipei',
  UA: 'Europe/Kyiv',
  VN: 'Asia/Ho_Chi_Minh',
  ZA: 'Africa/Johannesburg',
};

export function timeZoneFor(explicit: string | null, country: string | null): string {
  if (explicit) return validTimeZone(explicit);
  return (country && COUNTRY_ZONES[country]) || 'UTC';
}

interface StatsRow {
  account_id: string;
  screened_count: bigint;
  posted_count: bigint;
  recent_at: number[];
  amounts: number[];
  amount_at: number[];
  amount_n: number;
  amount_mean: number;
  amount_m2: number;
  night_at: number[];
  last_seen_at: string | null;
  last_ip: string | null;
  last_location: string | null;
  day: string | null;
  day_total: bigint;
  timezone: string | null;
  country: string | null;
  known: string[];
  now_ms: number;
}

function toState(r: StatsRow): RiskState {
  return {
    accountId: r.account_id,
    timezone: timeZoneFor(r.timezone, r.country),
    screenedCount: Number(r.screened_count),
    postedCount: Number(r.posted_count),
    recentAt: r.recent_at,
    amounts: r.amounts,
    amountAt: r.amount_at,
    amountN: r.amount_n,
    amountMean: r.amount_mean,
    amountM2: r.amount_m2,
    nightAt: r.night_at,
    lastSeenAt: r.last_seen_at === null ? null : Date.parse(r.last_seen_at),
    lastIp: r.last_ip,
    lastLocation: r.last_location,
    day: r.day,
    dayTotal: r.day_total,
    knownPayees: new Set(r.known),
  };
}

export interface PayeeQuestion {
  accountId: string;
  payee: string;
}

async function selectStates(
  q: Queryable,
  accountIds: string[],
  payees: PayeeQuestion[],
): Promise<StatsRow[]> {
  // One call of fraud_lock_states (migration 0501, which says why it is a function): a prepared
  // statement whose plan inside the function never scans a table. The arrays go in binary.
  const { rows } = await q.query<StatsRow>(
    named('select * from fraud_lock_states($1::uuid[], $2::uuid[], $3::text[])', [
      uuidArray(accountIds),
      uuidArray(payees.map((p) => p.accountId)),
      textArray(payees.map((p) => p.payee)),
    ]),
  );
  return rows;
}

/**
 * Locks the statistics rows of these accounts (in id order, one statement) and returns their
 * states, with which of the named payees each has paid, and the database's clock read after the
 * locks. Every account gets its row when it is opened (a trigger, 0500_fraud.sql); should one be
 * missing all the same, it is created here (two more statements).
 */
export async function lockStates(
  q: Queryable,
  accountIds: string[],
  payees: PayeeQuestion[],
): Promise<{ states: Map<string, RiskState>; now: number }> {
  const ids = [...new Set(accountIds)].sort();
  let rows = await selectStates(q, ids, payees);
  if (rows.length < ids.length) {
    const have = new Set(rows.map((r) => r.account_id));
    const missing = ids.filter((id) => !have.has(id));
    await q.query(
      `insert into fraud_account_stats (account_id)
       select id from unnest($1::uuid[]) with ordinality as v (id, ord) order by ord
       on conflict do nothing`,
      [uuidArray(missing)],
    );
    rows = await selectStates(q, ids, payees);
  }
  const now = rows[0] ? Math.floor(rows[0].now_ms) : Date.now();
  return { states: new Map(rows.map((r) => [r.account_id, toState(r)])), now };
}

/**
 * An int8 array as a literal, one text parameter per row, cast in SQL: unnest would flatten real
 * arrays, so these cannot go as binary int8[] (platform/db/binary-array.ts) like the other columns.
 */
const int8Literal = (xs: number[]) => `{${xs.map((x) => Math.round(x)).join(',')}}`;

/**
 * Writes what screening learnt from a batch in ONE statement: the new statistics of its accounts
 * (a multi-row update), the payees paid (an upsert; a payee paid twice in the batch counts
 * twice) and the alerts opened (a multi-row insert; their transactions are already inserted).
 */
export async function writeScreening(
  q: Queryable,
  w: { states: RiskState[]; payees: { accountId: string; payee: string; at: number }[]; alerts: NewAlert[] },
): Promise<void> {
  const { states, payees, alerts } = w;
  if (states.length === 0 && payees.length === 0 && alerts.length === 0) return;
  await q.query(
    named(
      `with stats as (
       update fraud_account_stats s
       set screened_count = v.screened, posted_count = v.posted, recent_at = v.recent::int8[],
           amounts = v.amounts::int8[], amount_at = v.amount_at::int8[], amount_n = v.n, amount_mean = v.mean,
           amount_m2 = v.m2, night_at = v.night::int8[], last_seen_at = v.seen, last_ip = v.ip,
           last_location = v.loc, day = v.day, day_total = v.total, updated_at = clock_timestamp()
       from unnest($1::uuid[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int4[], $8::float8[],
                   $9::float8[], $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[]::date[], $15::int8[])
         as v (id, screened, posted, recent, amounts, amount_at, n, mean, m2, night, seen, ip, loc, day, total)
       where s.account_id = v.id),
     payees as (
       insert into fraud_known_payees (account_id, payee, first_paid_at, last_paid_at, payments)
       select a, p, min(t), max(t), count(*) from unnest($16::uuid[], $17::text[], $18::timestamptz[]) as v (a, p, t)
       group by a, p order by a, p
       on conflict (account_id, payee) do update
         set last_paid_at = greatest(fraud_known_payees.last_paid_at, excluded.last_paid_at),
             payments = fraud_known_payees.payments + excluded.payments),
     alerts as (
       insert into fraud_alerts (id, transaction_id, account_id, customer_id, score, recommendation, reasons, amount,
         currency, hold)
       select id, tx, account, customer, score, recommendation, reasons, amount, currency, hold
       from rows from (unnest($19::uuid[], $20::uuid[], $21::uuid[], $22::uuid[], $23::int4[], $24::text[],
                              $26::int8[], $27::char(3)[], $28::text[]),
                       jsonb_array_elements($25::jsonb))
         as v (id, tx, account, customer, score, recommendation, amount, currency, hold, reasons))
     select 1`,
      [
        uuidArray(states.map((s) => s.accountId)),
        int8Array(states.map((s) => BigInt(s.screenedCount))),
        int8Array(states.map((s) => BigInt(s.postedCount))),
        textArray(states.map((s) => int8Literal(s.recentAt))),
        textArray(states.map((s) => int8Literal(s.amounts))),
        textArray(states.map((s) => int8Literal(s.amountAt))),
        int4Array(states.map((s) => s.amountN)),
        float8Array(states.map((s) => s.amountMean)),
        float8Array(states.map((s) => Math.max(0, s.amountM2))),
        textArray(states.map((s) => int8Literal(s.nightAt))),
        timestamptzArray(states.map((s) => s.lastSeenAt)),
        textArray(states.map((s) => s.lastIp)),
        textArray(states.map((s) => s.lastLocation)),
        textArray(states.map((s) => s.day)),
        int8Array(states.map((s) => s.dayTotal)),
        uuidArray(payees.map((r) => r.accountId)),
        textArray(payees.map((r) => r.payee)),
        timestamptzArray(payees.map((r) => r.at)),
        uuidArray(alerts.map((a) => a.id)),
        uuidArray(alerts.map((a) => a.transactionId)),
        uuidArray(alerts.map((a) => a.accountId)),
        uuidArray(alerts.map((a) => a.customerId)),
        int4Array(alerts.map((a) => a.score)),
        textArray(alerts.map((a) => a.recommendation)),
        jsonColumn(alerts.map((a) => a.reasons)),
        int8Array(alerts.map((a) => a.amount)),
        textArray(
          alerts.map((a) => a.currency),
          'bpchar',
        ),
        textArray(alerts.map((a) => a.hold)),
      ],
    ),
  );
}

// ---- alerts -----------------------------------------------------------------------------------

export const alertStatuses = ['OPEN', 'INVESTIGATING', 'RESOLVED', 'FALSE_POSITIVE'] as const;
export type AlertStatus = (typeof alertStatuses)[number];
export const holdStates = ['HELD', 'RELEASED', 'REJECTED', 'EXPIRED'] as const;
export type HoldState = (typeof holdStates)[number];

export interface AlertNote {
  at: string;
  by: string | null;
  text: string;
}

export interface Alert {
  id: string;
  transactionId: string;
  accountId: string;
  customerId: string;
  status: AlertStatus;
  score: number;
  recommendation: Recommendation;
  reasons: Reason[];
  amount: bigint;
  currency: string;
  hold: HoldState | null;
  analystId: string | null;
  notes: AlertNote[];
  createdAt: string;
  /** createdAt to the microsecond (the database's precision), for cursors. */
  position: string;
  updatedAt: string;
  holdResolvedAt: string | null;
  closedAt: string | null;
}

export type NewAlert = Pick<
  Alert,
  | 'id'
  | 'transactionId'
  | 'accountId'
  | 'customerId'
  | 'score'
  | 'recommendation'
  | 'reasons'
  | 'amount'
  | 'currency'
  | 'hold'
>;

interface AlertRow {
  id: string;
  transaction_id: string;
  account_id: string;
  customer_id: string;
  status: AlertStatus;
  score: number;
  recommendation: Recommendation;
  reasons: Reason[];
  amount: bigint;
  currency: string;
  hold: HoldState | null;
  analyst_id: string | null;
  notes: AlertNote[];
  created_at: string;
  position: string;
  updated_at: string;
  hold_resolved_at: string | null;
  closed_at: string | null;
}

const alertColumns = `id, transaction_id, account_id, customer_id, status, score, recommendation, reasons, amount,
  currency, hold, analyst_id, notes, created_at, updated_at, hold_resolved_at, closed_at,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position`;

function toAlert(r: AlertRow): Alert {
  return {
    id: r.id,
    transactionId: r.transaction_id,
    accountId: r.account_id,
    customerId: r.customer_id,
    status: r.status,
    score: r.score,
    recommendation: r.recommendation,
    reasons: r.reasons,
    amount: r.amount,
    currency: r.currency,
    hold: r.hold,
    analystId: r.analyst_id,
    notes: r.notes,
    createdAt: r.created_at,
    position: r.position,
    updatedAt: r.updated_at,
    holdResolvedAt: r.hold_resolved_at,
    closedAt: r.closed_at,
  };
}

export async function selectAlert(q: Queryable, id: string, forUpdate = false): Promise<Alert | undefined> {
  const { rows } = await q.query<AlertRow>(
    `select ${alertColumns} from fraud_alerts where id = $1${forUpdate ? ' for update' : ''}`,
    [id],
  );
  return rows[0] && toAlert(rows[0]);
}

export interface AlertFilter {
  status?: AlertStatus | undefined;
  hold?: HoldState | undefined;
  accountId?: string | undefined;
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** Newest first, in a stable (created_at, id) order. */
export async function selectAlerts(q: Queryable, f: AlertFilter): Promise<Alert[]> {
  const params: unknown[] = [f.limit];
  const where: string[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let text = sql;
    for (const v of values) {
      params.push(v);
      text = text.replace('?', `$${params.length}`);
    }
    where.push(text);
  };
  if (f.status) add('status = ?', f.status);
  if (f.hold) add('hold = ?', f.hold);
  if (f.accountId) add('account_id = ?::uuid', f.accountId);
  if (f.before) add('(created_at, id) < (?::timestamptz, ?::uuid)', f.before.createdAt, f.before.id);
  const { rows } = await q.query<AlertRow>(
    `select ${alertColumns} from fraud_alerts ${where.length ? `where ${where.join(' and ')}` : ''}
     order by created_at desc, id desc limit $1`,
    params,
  );
  return rows.map(toAlert);
}

export interface AlertChange {
  status?: AlertStatus;
  hold?: HoldState;
  analystId: string | null;
  note?: AlertNote;
}

export async function updateAlert(q: Queryable, id: string, c: AlertChange): Promise<Alert> {
  const { rows } = await q.query<AlertRow>(
    `update fraud_alerts
     set status = coalesce($2, status),
         hold = coalesce($3, hold),
         analyst_id = coalesce($4, analyst_id),
         notes = case when $5::jsonb is null then notes else notes || jsonb_build_array($5::jsonb) end,
         closed_at = case when coalesce($2, status) in ('RESOLVED', 'FALSE_POSITIVE') then coalesce(closed_at, clock_timestamp()) end,
         hold_resolved_at = case when $3::text is not null then clock_timestamp() else hold_resolved_at end,
         updated_at = clock_timestamp()
     where id = $1
     returning ${alertColumns}`,
    [id, c.status ?? null, c.hold ?? null, c.analystId, c.note ? JSON.stringify(c.note) : null],
  );
  return toAlert(rows[0]!);
}

/**
 * Alerts whose held movement the ledger expired (nobody reviewed it in time): marked EXPIRED
 * with a note, in one statement. Returns them for the audit trail.
 */
export async function markExpiredHolds(
  q: Queryable,
  limit: number,
): Promise<{ id: string; transactionId: string; expiredAt: string }[]> {
  const { rows } = await q.query<{ id: string; transaction_id: string; expired_at: string }>(
    `with due as (
       select a.id, x.created_at
       from fraud_alerts a
       join transactions t on t.id = a.transaction_id
       join ledger_transfers x on x.pending_id = t.transfer_id and x.phase = 'expire_pending'
       where a.hold = 'HELD'
       order by a.created_at
       limit $1
       for update of a skip locked)
     update fraud_alerts a
     set hold = 'EXPIRED', hold_resolved_at = due.created_at, updated_at = clock_timestamp(),
         notes = a.notes || jsonb_build_array(jsonb_build_object(
           'at', due.created_at, 'by', null,
           'text', 'The hold expired without a review: the movement was voided and its funds returned.'))
     from due
     where a.id = due.id
     returning a.id, a.transaction_id, due.created_at as expired_at`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, transactionId: r.transaction_id, expiredAt: r.expired_at }));
}
