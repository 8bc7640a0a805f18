// Carries out any number of prepared money movements in ONE database transaction, set-based:
// idempotency keys claimed in one statement, all ledger transfers posted as one batch, and the
// transaction records (with their outbox rows), status changes, audit rows and stored responses
// each written with one multi-row statement. Movements are independent: one that fails changes
// nothing and never fails another (each movement's transfers are linked only among themselves).
// With a screener, outgoing customer movements are scored for fraud first, in the same
// transaction (src/modules/fraud/screen.ts): a blocked one is posted as a hold for review.
import type { PoolClient } from '../../platform/db/pool.js';
import { BankError } from '../../platform/errors.js';
import type { Metrics } from '../../platform/metrics.js';
import { recordAuditBatch } from '../audit/service.js';
import { currencyExponent } from '../accounts/service.js';
import { screenMovements, type Screener } from '../fraud/screen.js';
import { postTransfers } from '../ledger/service.js';
import type { TransferInput } from '../ledger/types.js';
import { errorForLedgerResult } from './failures.js';
import { presentTransaction } from './present.js';
import * as repo from './repo.js';
import type { IdempotencyClaim, MovementOutcome, MovementRequest } from './types.js';

const keyOf = (c: IdempotencyClaim) => `${c.userId}\u0000${c.key}`;

export async function executeMovements(
  client: PoolClient,
  requests: MovementRequest[],
  metrics?: Metrics,
  screener?: Screener,
): Promise<MovementOutcome[]> {
  const outcomes: (MovementOutcome | undefined)[] = new Array(requests.length);

  // 1. Idempotency. Within the batch the first request with a key goes ahead and later ones
  //    with the same key follow its outcome; across batches the database decides.
  const firstWithKey = new Map<string, number>();
  const followers = new Set<number>();
  for (const [i, r] of requests.entries()) {
    if (!r.idempotency) continue;
    const k = keyOf(r.idempotency);
    if (firstWithKey.has(k)) followers.add(i);
    else firstWithKey.set(k, i);
  }
  const claims = [...firstWithKey.values()].map((i) => requests[i]!.idempotency!);
  const stored = await repo.claimKeys(client, claims);
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

  const live = requests.map((_, i) => i).filter((i) => outcomes[i] === undefined && !followers.has(i));

  // 2. Fraud screening of the outgoing customer movements: blocked ones become holds.
  const screen = screener ? await screenMovements(client, requests, live, screener) : undefined;
  const decided = screen?.requests ?? requests;

  // 3. Ledger: every live movement's transfers in one batch, each movement a linked chain.
  const batch: TransferInput[] = [];
  const spans: { index: number; start: number; end: number }[] = [];
  for (const i of live) {
    const ts = decided[i]!.transfers;
    const start = batch.length;
    ts.forEach((t, j) => batch.push({ ...t, linked: j < ts.length - 1 }));
    spans.push({ index: i, start, end: batch.length });
  }
  const results = await postTransfers(client, batch, metrics);
  const succeeded: number[] = [];
  for (const { index, start, end } of spans) {
    const mine = results.slice(start, end).map((r) => r.result);
    const cause = mine.find((r) => r !== 'ok' && r !== 'linked_event_failed') ?? mine.find((r) => r !== 'ok');
    if (cause === undefined) succeeded.push(index);
    else outcomes[index] = { kind: 'failed', error: errorForLedgerResult(cause) };
  }

  // 4. Record what succeeded, set-based.
  const ok = succeeded.map((i) => decided[i]!);
  const inserted = await repo.insertTransactionsAndEvents(
    client,
    ok.flatMap((r) => r.inserts),
    ok.flatMap((r) => r.events),
  );
  const changed = await repo.applyStatusChanges(
    client,
    ok.flatMap((r) => r.updates),
  );
  await screen?.record(client, succeeded);
  // The rows as stored come back from the writes themselves: no re-read for the replies.
  const byId = new Map([...inserted, ...changed].map((t) => [t.id, t]));
  const responses: { userId: string; key: string; status: number; body: unknown }[] = [];
  for (const i of succeeded) {
    const r = decided[i]!;
    const t = byId.get(r.replyWith);
    if (!t) throw new Error(`transaction ${r.replyWith} was not recorded`);
    const body = presentTransaction(t, (await currencyExponent(client, t.currency)) ?? 2);
    outcomes[i] = { kind: 'done', status: r.replyStatus, body };
    if (r.idempotency) responses.push({ ...r.idempotency, status: r.replyStatus, body });
  }
  await repo.storeResponses(client, responses);
  // A failed movement leaves no key behind: a retry with it runs again.
  await repo.releaseKeys(
    client,
    live
      .filter((i) => outcomes[i]?.kind === 'failed' && requests[i]!.idempotency)
      .map((i) => requests[i]!.idempotency!),
  );
  // The audit chain's head is locked last, for the shortest time.
  await recordAuditBatch(
    client,
    ok.flatMap((r) => r.audit),
  );

  // 5. Followers of a key used twice in this batch.
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
