// Fraud screening inside the movement executor (payments/movements.ts): for every movement of a
// batch that carries `screening` (outgoing customer movements), in the batch's own database
// transaction and before its ledger batch is built:
//
//   1. lock the statistics rows of the batch's accounts, in account-id order, in one statement
//      (which also reads which of the batch's payees each account has paid);
//   2. score the movements in batch order, each against the state left by those before it;
//   3. turn BLOCK_* movements into holds: a pending ledger transfer that expires after
//      FRAUD_HOLD_TIMEOUT_SECONDS, transaction status PENDING_REVIEW, reply 202; attach the risk
//      to every screened transaction; add the alert's audit row and outbox event;
//   4. after the ledger: write the statistics of the movements that went through, their payees
//      and their alerts (one statement).
//
// Why this cannot deadlock: every transaction that takes these locks takes them in one global
// order — idempotency keys (sorted) → fraud_account_stats rows (sorted by account id, one
// statement) → ledger_accounts rows (sorted by id, one statement, in postTransfers) → the audit
// chain head. Statistics rows are only ever locked here, before any ledger row, and a
// transaction that locks no statistics rows (settlements, releases, the sweeper) simply starts
// further along the same order. Two batches can wait on each other only in that order, never in
// a cycle.
import type { Config } from '../../platform/config.js';
import type { PoolClient } from '../../platform/db/pool.js';
import type { AuditEvent } from '../audit/types.js';
import type { MovementRequest, ScreeningFacts } from '../payments/types.js';
import { applyMovement, scoreMovement, type MovementFacts, type Risk, type RiskState } from './engine.js';
import * as repo from './repo.js';
import { isBlock, opensAlert, resolveRules, type FraudRules } from './rules.js';
import { newId } from '../../platform/ids.js';

export interface Screener {
  rules: FraudRules;
  holdTimeoutSeconds: number;
}

/** The screener of a configuration, or undefined when screening is off. Throws on bad rules. */
export function createScreener(
  config: Pick<Config, 'FRAUD_SCREENING_ENABLED' | 'FRAUD_HOLD_TIMEOUT_SECONDS' | 'FRAUD_RULES_JSON'>,
): Screener | undefined {
  if (!config.FRAUD_SCREENING_ENABLED) return undefined;
  return {
    rules: resolveRules(config.FRAUD_RULES_JSON),
    holdTimeoutSeconds: config.FRAUD_HOLD_TIMEOUT_SECONDS,
  };
}

export function factsOf(s: ScreeningFacts, now: number): MovementFacts {
  return {
    amount: s.amount,
    currency: s.currency,
    exponent: s.exponent,
    accountType: s.accountType,
    payee: s.payee,
    ip: s.ip,
    location: s.location,
    at: s.at ? s.at.getTime() : now,
  };
}

export interface ScreenPass {
  /** The batch's requests, index for index: blocked movements turned into holds, risks attached. */
  requests: MovementRequest[];
  risks: Map<number, Risk>;
  /** After the ledger: statistics, payees and alerts of the movements that went through. */
  record(client: PoolClient, succeeded: number[]): Promise<void>;
}

function patchStatus(after: unknown, status: string): unknown {
  return after && typeof after === 'object' && 'status' in after ? { ...after, status } : after;
}

/** The request as screening decided it: held if blocked, with the risk and the alert's rows. */
function decide(r: MovementRequest, risk: Risk, alertId: string | null, screener: Screener): MovementRequest {
  const s = r.screening!;
  const txId = r.replyWith;
  const held = isBlock(risk.recommendation);
  const tx = r.inserts.find((t) => t.id === txId);
  const out: MovementRequest = {
    ...r,
    inserts: r.inserts.map((t) =>
      // Only fields the record already has (risk is null until screened): a spread that adds
      // fields is V8's slow path on Node 20 (docs/benchmarks.md, "object spread").
      t.id === txId ? { ...t, risk, status: held ? ('PENDING_REVIEW' as const) : t.status } : t,
    ),
  };
  if (held) {
    out.transfers = r.transfers.map((t) =>
      t.id === tx?.transferId
        ? { ...t, phase: 'pending' as const, timeoutSeconds: screener.holdTimeoutSeconds }
        : t,
    );
    out.replyStatus = 202;
    out.audit = r.audit.map((a) =>
      a.entityId === txId ? { ...a, after: patchStatus(a.after, 'PENDING_REVIEW') } : a,
    );
    out.events = r.events.map((e) =>
      e.aggregateId === txId ? { ...e, payload: { ...e.payload, status: 'PENDING_REVIEW' } } : e,
    );
  }
  if (alertId) {
    const audit: AuditEvent = {
      actor: r.audit[0]?.actor ?? null,
      entityType: 'fraud_alert',
      entityId: alertId,
      action: 'fraud_alert.opened',
      after: {
        transactionId: txId,
        accountId: s.accountId,
        score: risk.score,
        recommendation: risk.recommendation,
        rules: risk.reasons.map((x) => `${x.rule}:${x.score}`),
        hold: held ? 'HELD' : null,
      },
    };
    out.audit = [...out.audit, audit];
    out.events = [
      ...out.events,
      {
        topic: 'fraud.alert_opened',
        aggregateId: alertId,
        payload: { alertId, transactionId: txId, score: risk.score, recommendation: risk.recommendation },
      },
    ];
  }
  return out;
}

/** The statistics rows of a batch's screened accounts, locked, as step 1 read them. */
export interface LockedScreening {
  targets: number[];
  states: Map<string, RiskState>;
  now: number;
}

/**
 * Step 1 for the movements at `candidates` that carry `screening`: lock their accounts'
 * statistics rows. Undefined (and no query) when none does. A candidate that turns out not to
 * run (an idempotent replay) only had its row locked for nothing.
 */
export async function lockScreening(
  client: PoolClient,
  requests: MovementRequest[],
  candidates: number[],
): Promise<LockedScreening | undefined> {
  const targets = candidates.filter((i) => requests[i]!.screening);
  if (targets.length === 0) return undefined;
  const facts = targets.map((i) => requests[i]!.screening!);
  const payees = facts.flatMap((f) => (f.payee === null ? [] : [{ accountId: f.accountId, payee: f.payee }]));
  const { states, now } = await repo.lockStates(
    client,
    facts.map((f) => f.accountId),
    payees,
  );
  return { targets, states, now };
}

/** Steps 2 and 3 for the movements at `live` that step 1 locked for. No query. */
export function screenMovements(
  requests: MovementRequest[],
  live: number[],
  screener: Screener,
  locked: LockedScreening | undefined,
): ScreenPass | undefined {
  if (!locked) return undefined;
  const running = new Set(live);
  const targets = locked.targets.filter((i) => running.has(i));
  if (targets.length === 0) return undefined;
  const { states: loaded, now } = locked;

  const { rules } = screener;
  const working = new Map(loaded);
  const risks = new Map<number, Risk>();
  const alertIds = new Map<number, string>();
  const out = [...requests];
  for (const i of targets) {
    const s = requests[i]!.screening!;
    const state = working.get(s.accountId);
    if (!state) continue; // no such account: the ledger refuses the movement anyway
    const m = factsOf(s, now);
    const risk = scoreMovement(state, m, rules);
    risks.set(i, risk);
    const alertId = opensAlert(risk.recommendation) ? newId() : null;
    if (alertId) alertIds.set(i, alertId);
    out[i] = decide(requests[i]!, risk, alertId, screener);
    // Later movements of the same account in this batch see this one (as if it went through).
    working.set(
      s.accountId,
      applyMovement(state, m, isBlock(risk.recommendation) ? 'held' : 'posted', rules),
    );
  }

  return {
    requests: out,
    risks,
    async record(c, succeeded) {
      const done = new Set(succeeded);
      const final = new Map<string, RiskState>();
      const payments: { accountId: string; payee: string; at: number }[] = [];
      const alerts: repo.NewAlert[] = [];
      for (const i of targets) {
        const risk = risks.get(i);
        if (!risk || !done.has(i)) continue;
        const s = requests[i]!.screening!;
        const m = factsOf(s, now);
        const held = isBlock(risk.recommendation);
        const state = final.get(s.accountId) ?? loaded.get(s.accountId)!;
        final.set(s.accountId, applyMovement(state, m, held ? 'held' : 'posted', rules));
        if (!held && s.payee !== null) payments.push({ accountId: s.accountId, payee: s.payee, at: m.at });
        const alertId = alertIds.get(i);
        if (alertId) {
          alerts.push({
            id: alertId,
            transactionId: requests[i]!.replyWith,
            accountId: s.accountId,
            customerId: s.customerId,
            score: risk.score,
            recommendation: risk.recommendation,
            reasons: risk.reasons,
            amount: s.amount,
            currency: s.currency,
            hold: held ? 'HELD' : null,
          });
        }
      }
      await repo.writeScreening(c, { states: [...final.values()], payees: payments, alerts });
    },
  };
}
