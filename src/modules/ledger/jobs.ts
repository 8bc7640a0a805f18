// The ledger's background work: release holds whose timeout has passed.
import type { PeriodicJob } from '../../jobs.js';
import { expirePendingTransfers } from './service.js';

export const expirePendingJob: PeriodicJob = {
  name: 'ledger.expire-pending',
  intervalMs: 1000,
  async run(ctx) {
    let expired = 0;
    // Drain in chunks so a backlog clears within one tick.
    for (let n = await expirePendingTransfers(ctx.pool); n > 0; n = await expirePendingTransfers(ctx.pool))
      expired += n;
    if (expired > 0) ctx.log.info({ expired }, 'expired pending transfers');
    return expired;
  },
};
