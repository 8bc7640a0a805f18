// Carries out any number of prepared money movements in ONE database transaction, set-based:
// idempotency keys taken in one statement, all ledger transfers posted as one batch, and the
// transaction records (with their outbox rows), status changes, audit rows and stored responses
// each written with one multi-row statement. Movements are independent: one that fails changes
// nothing and never fails another (each movement's transfers are linked only among themselves).
// With a screener, outgoing customer movements are scored for fraud first, in the same
// transaction (src/modules/fraud/screen.ts): a blocked one is posted as a hold for review.
//
// The statements go out in three rounds, each sent at once (the pool pipelines, db/pool.ts) and
// waited for together, because under load every wait for a reply costs milliseconds, not the
// statement's own time:
//   1. take the idempotency keys and read those used before, lock the fraud statistics rows,
//      lock the ledger accounts and read the transfers named (with tx()'s BEGIN in front);
//   2. decide in memory (replays, fraud scores, ledger plan), then write the ledger batch, the
//      transaction rows and their outbox events, status changes and fraud statistics, and lock
//      the audit chain's head;
//   3. build the replies from the stored rows, then store them with their keys and append the
//      audit rows (in one write with tx()'s COMMIT when the caller passes its context).
// The statements keep the order in which locks must be taken (fraud/screen.ts explains it), and
// a statement that reads what another batch committed is still a statement of its own.
import type { PoolClient } from '../../platform/db/pool.js';
import { sendTogether } from '../../platform/db/together.js';
import type { TxContext } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import type { Metrics } from '../../platform/metrics.js';
import { appendAudit, lockAuditHead } from '../audit/service.js';
import { currencyExponent } from '../accounts/service.js';
import { lockScreening, screenMovements, type Screener } from '../fraud/screen.js';
import { lockForBatch, planLockedBatch } from '../ledger/service.js';
import type { TransferInput } from '../ledger/types.js';
import { errorForLedgerResult } from './failures.js';
import { presentTransaction } from './present.js';
import * as repo from './repo.js';
import type { IdempotencyClaim, MovementOutcome, MovementRequest } from './types.js';

const keyOf = (c: IdempotencyClaim) => `${c.userId}\u0000${c.key}`;

/**
 * A copy of t with its linked flag set. Written out field by field, not `{ ...t, linked }`: on
 * Node 20 a spread followed by more fields takes V8's slow path (docs/benchmarks.md, "object
 * spread"). `satisfies` keeps the copy complete when TransferInput gains a field.
 */
function withLinked(t: TransferInput, linked: boolean): TransferInput {
  return {
    id: t.id,
    phase: t.phase,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amount: t.amount,
    pendingId: t.pendingId,
    reversesId: t.reversesId,
    code: t.code,
    linked,
    timeoutSeconds: t.timeoutSeconds,
    metadata: t.metadata,
  } satisfies Record<keyof TransferInput, unknown>;
}

/** Each movement's transfers in one list, linked among themselves; `spans` says whose is which. */
function ledgerBatchOf(requests: MovementRequest[], indexes: number[]) {
  const batch: TransferInput[] = [];
  const spans: { index: number; start: number; end: number }[] = [];
  for (const i of indexes) {
    const ts = requests[i]!.transfers;
    const start = batch.length;
    ts.forEach((t, j) => batch.push(withLinked(t, j < ts.length - 1)));
    spans.push({ index: i, start, end: batch.length });
  }
  return { batch, spans };
}

/**
 * Carries out `requests` in the caller's transaction. With `ctx` (tx()'s), the last round's
 * writes are issued with COMMIT and checked there; without, they are awaited here.
 */
export async function executeMovements(
  client: PoolClient,
  requests: MovementRequest[],
  metrics?: Metrics,
  screener?: Screener,
  ctx?: TxContext,
): Promise<MovementOutcome[]> {
  const outcomes: (MovementOutcome | undefined)[] = new Array(requests.length);

  // Within the batch the first request with a key goes ahead and later ones with the same key
  // follow its outcome; across batches the database decides.
  const firstWithKey = new Map<string, number>();
  const followers = new Set<number>();
  for (const [i, r] of requests.entries()) {
    if (!r.idempotency) continue;
    const k = keyOf(r.idempotency);
    if (firstWithKey.has(k)) followers.add(i);
    else firstWithKey.set(k, i);
  }
  const claims = [...firstWithKey.values()].map((i) => requests[i]!.idempotency!);
  const candidates = requests.map((_, i) => i).filter((i) => !followers.has(i));

  // Round 1: keys, fraud statistics, ledger locks and known transfers, all sent at once. Locks
  // are taken for every candidate; those that turn out to be replays simply go unused.
  const [stored, locked, ledgerLocks] = await Promise.all([
    repo.claimKeys(client, claims),
    screener ? lockScreening(client, requests, candidates) : undefined,
    lockForBatch(client, ledgerBatchOf(requests, candidates).batch),
  ]);
  for (const i of firstWithKey.values()) {
    const claim = requests[i]!.idempotency!;
    const prior = stored.get(keyOf(claim));
    if (!prior) continue;
    outcomes[i] =
      prior.requestHash !== claim.requestHash
        ? {
            kind: 'failed',
            error: new BankError(
              'IDEMPOTENCY_CONFLICT',
              'This Idempotency-Key was used with a different request',
            ),
          }
        : { kind: 'replay', status: prior.status ?? 200, body: prior.body };
  }
  const live = candidates.filter((i) => outcomes[i] === undefined);

  // Round 2, decided in memory first: fraud screening turns blocked movements into holds, the
  // ledger plans every live movement's transfers as one batch, each movement a linked chain.
  const screen = screener ? screenMovements(requests, live, screener, locked) : undefined;
  const decided = screen?.requests ?? requests;
  const { batch, spans } = ledgerBatchOf(decided, live);
  const { results, write } = await planLockedBatch(client, batch, ledgerLocks, metrics);
  const succeeded: number[] = [];
  for (const { index, start, end } of spans) {
    const mine = results.slice(start, end).map((r) => r.result);
    const cause = mine.find((r) => r !== 'ok' && r !== 'linked_event_failed') ?? mine.find((r) => r !== 'ok');
    if (cause === undefined) succeeded.push(index);
    else outcomes[index] = { kind: 'failed', error: errorForLedgerResult(cause) };
  }
  const ok = succeeded.map((i) => decided[i]!);
  const auditEvents = ok.flatMap((r) => r.audit);
  // Sent in this order, in one write; the audit chain's head is locked last, for the shortest time.
  // (A failed movement's key was never written, so a retry with it runs again.)
  const [, inserted, changed, , head] = await sendTogether(client, () =>
    Promise.all([
      write(),
      repo.insertTransactionsAndEvents(
        client,
        ok.flatMap((r) => r.inserts),
        ok.flatMap((r) => r.events),
      ),
      repo.applyStatusChanges(
        client,
        ok.flatMap((r) => r.updates),
      ),
      screen?.record(client, succeeded),
      auditEvents.length > 0 ? lockAuditHead(client) : undefined,
    ]),
  );

  // Round 3: the replies, built from the rows as stored (no re-read), then stored with the keys:
  // the one write of each key.
  const byId = new Map([...inserted, ...changed].map((t) => [t.id, t]));
  const responses: Parameters<typeof repo.storeResponses>[1] = [];
  for (const i of succeeded) {
    const r = decided[i]!;
    const t = byId.get(r.replyWith);
    if (!t) throw new Error(`transaction ${r.replyWith} was not recorded`);
    const body = presentTransaction(t, (await currencyExponent(client, t.currency)) ?? 2);
    outcomes[i] = { kind: 'done', status: r.replyStatus, body };
    const c = r.idempotency;
    if (c)
      responses.push({
        userId: c.userId,
        key: c.key,
        requestHash: c.requestHash,
        status: r.replyStatus,
        body,
      });
  }
  const issueLast = () =>
    Promise.all([
      repo.storeResponses(client, responses),
      head ? appendAudit(client, head, auditEvents).written : undefined,
    ]);
  if (ctx) ctx.sendWithCommit(issueLast);
  else await sendTogether(client, issueLast);

  // Followers of a key used twice in this batch.
  for (const i of followers) {
    const claim = requests[i]!.idempotency!;
    const leader = requests[firstWithKey.get(keyOf(claim))!]!;
    const led = outcomes[firstWithKey.get(keyOf(claim))!]!;
    if (leader.idempotency!.requestHash !== claim.requestHash) {
      outcomes[i] = {
        kind: 'failed',
        error: new BankError(
          'IDEMPOTENCY_CONFLICT',
          'This Idempotency-Key was used with a different request',
        ),
      };
    } else if (led.kind === 'failed') {
      outcomes[i] = led;
    } else {
      outcomes[i] = { kind: 'replay', status: led.status, body: led.body };
    }
  }
  return outcomes.map((o) => o ?? { kind: 'failed', error: new BankError('INTERNAL') });
}
