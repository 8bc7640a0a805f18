// createTransfers: the ledger API's batches, each in a transaction of its own as far as the
// caller can tell, carried out with two techniques that keep the database busy with less work.
//
// Group commit. At most two batch transactions per pool run at once. Callers that arrive while
// both places are taken wait, and the moment a place frees everything waiting leaves as ONE
// transaction (up to MAX_GROUPED_TRANSFERS transfers): each caller's batch is decided in arrival
// order as if posted alone after the one before it (planBatch's segments), and a transaction's
// fixed costs — round trips, statements, the commit — are paid once for all of them. If a group
// fails as a whole for a reason that is not a conflict, its batches are posted again one by one,
// so an error reaches only the caller whose batch caused it.
//
// Pipelining. Batches that share accounts commit one after another; if each locked its accounts
// before deciding, the next could do nothing until the one before it committed, and one of the
// machine's two cores sat idle (the first group-commit runs: 65 % busy). Instead a group reads its
// accounts WITHOUT a lock while the group before it is still being written, and decides on the
// states that group will leave behind (its forecast) where the two share accounts. Its write
// inserts the new transfers and entries side by side with the group before it, then waits for
// that group's commit (a ticket: an advisory lock each group holds until it commits) before its
// triggers check the entries and it updates the account totals, checking every account it read
// against what it assumed (repo.writeBatch). A group whose predecessor fails, or whose accounts
// turn out to have changed (another writer: payments, a staff action), is decided again the
// classic way: lock first, then decide. No result rests on a state other than the one at commit.
import type { Pool } from '../../platform/db/pool.js';
import { named } from '../../platform/db/prepared.js';
import { isRetryable, tx } from '../../platform/db/tx.js';
import type { Metrics } from '../../platform/metrics.js';
import type { KnownTransfer } from './engine.js';
import { isLedgerRace, lockForBatch, planLockedBatch, type Forecast, type LedgerLocks } from './steps.js';
import type { TransferInput, TransferResult } from './types.js';

const MAX_INFLIGHT_BATCHES = 2;
/** Bigger groups save little more per transfer (docs/benchmarks.md) and hold locks longer. */
const MAX_GROUPED_TRANSFERS = 2000;

type Committer = (batch: readonly TransferInput[], metrics?: Metrics) => Promise<TransferResult[]>;
const committers = new WeakMap<Pool, Committer>();

/** Posts a batch in a transaction of its own (as far as the caller can tell; see above). */
export function createTransfers(
  pool: Pool,
  batch: readonly TransferInput[],
  metrics?: Metrics,
): Promise<TransferResult[]> {
  let committer = committers.get(pool);
  if (!committer) {
    committer = groupCommitter(pool);
    committers.set(pool, committer);
  }
  return committer(batch, metrics);
}

/** A group in flight, as the group planned after it sees it. */
interface InFlight {
  /** Its forecast once decided; undefined if it failed before deciding. */
  forecast: Promise<Forecast | undefined>;
  /** The advisory lock it holds until it commits: the batch planned after it waits for it. */
  ticket: bigint;
  /** Whether the attempt that made the forecast committed. */
  committed: Promise<boolean>;
}

/** The groups of one pool: the last one in flight, and the tickets they take. */
interface Lane {
  /** The group that started last, while it has not settled (settling clears it). */
  tail: InFlight | undefined;
  ticket(): bigint;
}

/**
 * Tickets are advisory lock keys: a class of their own in the upper half (ASCII 'ledg'), a
 * counter from a random start below. Another process's lane may draw the same key; it only ever
 * makes a batch wait a little longer.
 */
const TICKET_CLASS = 0x6c656467n << 32n;
function newLane(): Lane {
  let next = Math.floor(Math.random() * 2 ** 32);
  return {
    tail: undefined,
    ticket: () => TICKET_CLASS | BigInt(next++ >>> 0),
  };
}

/** The plan rested on a group that did not commit: decide again under locks. */
class PredecessorFailed extends Error {
  readonly code = '40001'; // a serialization failure, as tx() and isRetryable know it
  constructor() {
    super('ledger: the batch planned before this one did not commit');
  }
}

function groupCommitter(pool: Pool): Committer {
  interface Waiting {
    batch: readonly TransferInput[];
    metrics: Metrics | undefined;
    resolve(results: TransferResult[]): void;
    reject(err: unknown): void;
  }
  const queue: Waiting[] = [];
  let running = 0;
  const lane = newLane();

  const post = async (group: Waiting[]) => {
    try {
      const results = await postGroup(
        pool,
        lane,
        group.map((w) => w.batch),
        group[0]?.metrics,
      );
      group.forEach((w, i) => w.resolve(results[i] ?? []));
    } catch (err) {
      if (group.length === 1) return group[0]?.reject(err);
      for (const w of group) {
        await postGroup(pool, lane, [w.batch], w.metrics).then((r) => w.resolve(r[0] ?? []), w.reject);
      }
    }
  };

  const next = () => {
    while (running < MAX_INFLIGHT_BATCHES && queue.length > 0) {
      let n = 1;
      let size = queue[0]?.batch.length ?? 0;
      while (n < queue.length && size + (queue[n]?.batch.length ?? 0) <= MAX_GROUPED_TRANSFERS) {
        size += queue[n]?.batch.length ?? 0;
        n++;
      }
      const group = queue.splice(0, n);
      running++;
      void post(group).finally(() => {
        running--;
        next();
      });
    }
  };

  return (batch, metrics) =>
    new Promise<TransferResult[]>((resolve, reject) => {
      queue.push({ batch, metrics, resolve, reject });
      next();
    });
}

/** Posts batches as one transaction; results per batch, in the order given. */
async function postGroup(
  pool: Pool,
  lane: Lane,
  batches: readonly (readonly TransferInput[])[],
  metrics?: Metrics,
): Promise<TransferResult[][]> {
  const all = batches.flat();
  const segments = batches.map((b) => b.length);
  for (let attempt = 1; ; attempt++) {
    try {
      const results = await attemptGroup(pool, lane, all, segments, attempt === 1, metrics);
      let at = 0;
      return batches.map((b) => results.slice(at, (at += b.length)));
    } catch (err) {
      // The first attempt planned on states read without a lock; the ledger's own checks may
      // then refuse a plan that was sound but raced: entries whose timestamp, read before the
      // predecessor's (its backend ran later), would come before the entries they build on
      // (the balance-chain check, 23514). Deciding again under locks answers that, and a real
      // violation fails again there, for real.
      const raced = attempt === 1 && (err as { code?: unknown } | null)?.code === '23514';
      if (attempt >= MAX_ATTEMPTS || !(isRetryable(err) || isLedgerRace(err) || raced)) throw err;
      // A stale plan is not contention: decide again at once. Later conflicts back off.
      if (attempt > 1) await sleep(Math.random() * Math.min(200, 2 ** attempt * 5));
    }
  }
}

const MAX_ATTEMPTS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One attempt at a group, as one transaction. It joins the lane: it takes a ticket, and the group
 * before it in the lane, if still in flight, is waited for. Optimistic (the first attempt): the
 * accounts are read without a lock and seen as that group will leave them; the write waits for
 * its commit after inserting and before its checks and the update of the totals, and our COMMIT
 * waits for its outcome. Otherwise: its commit is waited for first, then the accounts are locked
 * and read as they are.
 */
async function attemptGroup(
  pool: Pool,
  lane: Lane,
  all: readonly TransferInput[],
  segments: readonly number[],
  optimistic: boolean,
  metrics?: Metrics,
): Promise<TransferResult[]> {
  const prior = lane.tail;
  let forecast!: (f: Forecast | undefined) => void;
  let committed!: (ok: boolean) => void;
  const mine: InFlight = {
    forecast: new Promise((r) => (forecast = r)),
    committed: new Promise((r) => (committed = r)),
    ticket: lane.ticket(),
  };
  lane.tail = mine;
  const settle = (ok: boolean) => {
    forecast(undefined); // no-op if it was given
    committed(ok);
    if (lane.tail === mine) lane.tail = undefined;
  };
  try {
    const results = await tx(
      pool,
      async (client, ctx) => {
        // Statements on a connection run in the order they are sent: the ticket is held before
        // anything is read, so before any group can be planned on this one's forecast.
        const ticket = client.query(
          named('select pg_advisory_xact_lock($1::int8)', [mine.ticket.toString()]),
        );
        const [, , locks] = await Promise.all([
          ticket,
          optimistic
            ? undefined
            : client.query(named('select ledger_wait_for($1::int8)', [prior?.ticket.toString() ?? null])),
          lockForBatch(client, all, !optimistic),
        ]);
        const before = optimistic && prior ? await prior.forecast : undefined;
        const planned = await planLockedBatch(
          client,
          all,
          before ? overlay(locks, before, all) : locks,
          metrics,
          segments,
        );
        forecast(planned.forecast());
        // The write travels with COMMIT; tx() throws its error, if it has one, instead of
        // returning the results.
        ctx.alongCommit(planned.write(before ? prior?.ticket : undefined));
        if (before && prior && !(await prior.committed)) throw new PredecessorFailed();
        return planned.results;
      },
      { maxAttempts: 1 },
    );
    settle(true);
    return results;
  } catch (err) {
    settle(false);
    throw err;
  }
}

const resolutionOf = (phase: KnownTransfer['phase']): KnownTransfer['resolution'] =>
  phase === 'post_pending' || phase === 'void_pending' || phase === 'expire_pending' ? phase : null;

/**
 * What a group read, as the group before it will leave it: that group's account states where
 * the two share accounts, the transfers it creates that this group's inputs name (by id, as the
 * pending or as the reversal target) with their accounts, and the pendings it resolves and the
 * transfers it reverses among those named.
 */
export function overlay(read: LedgerLocks, before: Forecast, inputs: readonly TransferInput[]): LedgerLocks {
  const named = new Set<string>();
  for (const t of inputs) {
    named.add(t.id);
    if (t.pendingId !== undefined) named.add(t.pendingId);
    if (t.reversesId !== undefined) named.add(t.reversesId);
  }
  const known = new Map(read.known);
  for (const t of before.transfers) {
    if (named.has(t.id)) known.set(t.id, t);
    const pending = t.pendingId === null ? undefined : known.get(t.pendingId);
    if (pending) known.set(pending.id, { ...pending, resolution: resolutionOf(t.phase) });
    const target = t.reversesId === null ? undefined : known.get(t.reversesId);
    if (target) known.set(target.id, { ...target, reversed: true });
  }
  const accounts = read.accounts.map((a) => before.accounts.get(a.id) ?? a);
  const have = new Set(accounts.map((a) => a.id));
  for (const t of known.values()) {
    for (const id of [t.debitAccountId, t.creditAccountId]) {
      const a = have.has(id) ? undefined : before.accounts.get(id);
      if (a) {
        accounts.push(a);
        have.add(id);
      }
    }
  }
  return { accounts, known, now: read.now, locked: false };
}
