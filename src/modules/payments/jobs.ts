// Money movement's background work, run inside `serve`:
//   * a hold the ledger expired leaves its transaction PENDING: mark it FAILED;
//   * the settlement simulator stands in for the clearing house: outbound external transfers
//     older than EXTERNAL_SETTLEMENT_DELAY_SECONDS are settled, except those to an account
//     number starting with "RET", which the "receiving bank" returns (the funds come back);
//   * idempotency keys older than IDEMPOTENCY_KEY_RETENTION_HOURS are deleted.
import type { AppContext } from '../../context.js';
import type { PeriodicJob } from '../../jobs.js';
import { systemActor } from '../audit/types.js';
import type { Principal } from '../auth/roles.js';
import { createMovementExecutor } from './batcher.js';
import * as repo from './repo.js';
import { createPaymentsService, type Caller } from './service.js';

export const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

export function systemCaller(job: string): Caller {
  const principal: Principal = {
    userId: SYSTEM_USER_ID,
    role: 'admin',
    customerId: null,
    sessionId: SYSTEM_USER_ID,
    email: 'system@corebank.local',
    mfaEnabled: true,
    mfaSetupRequired: false,
  };
  return { principal, actor: systemActor(job), channel: { userAgent: job } };
}

/** Marks transactions FAILED whose hold the ledger has expired. Returns how many. */
export async function failExpiredHolds(ctx: AppContext): Promise<number> {
  const { rowCount } = await ctx.pool.query(
    `with expired as (
       update transactions t
       set status = 'FAILED', settlement_transfer_id = x.id, completed_at = x.created_at, updated_at = clock_timestamp()
       from ledger_transfers x
       where t.status in ('PENDING', 'PENDING_REVIEW') and x.pending_id = t.transfer_id and x.phase = 'expire_pending'
       returning t.id)
     insert into outbox_events (topic, aggregate_id, payload)
     select 'transaction.expired', id, jsonb_build_object('transactionId', id) from expired`,
  );
  return rowCount ?? 0;
}

/** Settles (or returns) outbound external transfers older than the configured delay. */
export async function simulateSettlement(ctx: AppContext): Promise<number> {
  const delay = ctx.config.EXTERNAL_SETTLEMENT_DELAY_SECONDS;
  if (delay <= 0) return 0;
  const due = await repo.selectPendingExternal(
    ctx.pool,
    new Date(Date.now() - delay * 1000).toISOString(),
    200,
  );
  if (due.length === 0) return 0;
  const executor = createMovementExecutor(ctx.pool, { windowMs: 0, maxSize: 1 });
  const payments = createPaymentsService({ pool: ctx.pool, config: ctx.config, executor });
  const caller = systemCaller('settlement-simulator');
  let settled = 0;
  for (const t of due) {
    const returned = t.counterparty?.accountNumber.startsWith('RET') ?? false;
    try {
      await payments.settle(
        caller,
        t.id,
        returned ? { post: false, reason: 'returned by the receiving bank (simulated)' } : { post: true },
      );
      settled++;
    } catch (err) {
      ctx.log.warn({ err, transactionId: t.id }, 'settlement simulator could not settle');
    }
  }
  return settled;
}

const PRUNE_CHUNK = 5_000;
const PRUNE_CHUNKS_PER_RUN = 20;

/**
 * Deletes idempotency keys past their retention, in short chunks (each its own statement, so no
 * long lock or transaction), at most 100,000 per run. Returns how many went.
 */
export async function pruneIdempotencyKeys(ctx: AppContext): Promise<number> {
  const hours = ctx.config.IDEMPOTENCY_KEY_RETENTION_HOURS;
  if (hours <= 0) return 0;
  let deleted = 0;
  for (let i = 0; i < PRUNE_CHUNKS_PER_RUN; i++) {
    const n = await repo.deleteKeysOlderThan(ctx.pool, hours, PRUNE_CHUNK);
    deleted += n;
    if (n < PRUNE_CHUNK) break;
  }
  return deleted;
}

export const paymentJobs: PeriodicJob[] = [
  { name: 'payments.fail-expired-holds', intervalMs: 1000, run: failExpiredHolds },
  { name: 'payments.settlement-simulator', intervalMs: 2000, run: simulateSettlement },
  { name: 'payments.prune-idempotency-keys', intervalMs: 60_000, run: pruneIdempotencyKeys },
];
