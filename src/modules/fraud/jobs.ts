// Fraud screening's background work, run inside `serve`: a movement held for review that nobody
// released or rejected is voided by the ledger's sweeper when its hold times out
// (FRAUD_HOLD_TIMEOUT_SECONDS), and payments' job marks its transaction FAILED; this job notes
// the expiry on the alert (hold EXPIRED, with a note and an audit row). The alert keeps its
// status: nobody has looked at it yet, and the account may still need investigating.
import type { AppContext } from '../../context.js';
import { tx } from '../../platform/db/tx.js';
import type { PeriodicJob } from '../../jobs.js';
import { recordAuditBatch } from '../audit/service.js';
import { systemActor } from '../audit/types.js';
import { markExpiredHolds } from './repo.js';

/** Marks the alerts of expired holds EXPIRED (audited). Returns how many. */
export async function noteExpiredHolds(ctx: Pick<AppContext, 'pool'>, limit = 500): Promise<number> {
  return tx(ctx.pool, async (client) => {
    const expired = await markExpiredHolds(client, limit);
    await recordAuditBatch(
      client,
      expired.map((e) => ({
        actor: systemActor('fraud.hold-expiry'),
        entityType: 'fraud_alert',
        entityId: e.id,
        action: 'fraud_alert.hold_expired',
        before: { hold: 'HELD' },
        after: { hold: 'EXPIRED', transactionId: e.transactionId, expiredAt: e.expiredAt },
      })),
    );
    return expired.length;
  });
}

export const fraudJobs: PeriodicJob[] = [
  { name: 'fraud.note-expired-holds', intervalMs: 5000, run: noteExpiredHolds },
];
