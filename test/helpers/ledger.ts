// Fixtures for the ledger's pure unit tests (engine, group commit).
import type { AccountState } from '../../src/modules/ledger/engine.js';

/** An active USD deposit account (debits may not exceed credits) holding `credits`. */
export const depositAccountState = (id: string, credits: bigint): AccountState => ({
  id,
  currency: 'USD',
  status: 'ACTIVE',
  debitsMustNotExceedCredits: true,
  creditsMustNotExceedDebits: false,
  overdraftLimit: 0n,
  debitsPosted: 0n,
  creditsPosted: credits,
  debitsPending: 0n,
  creditsPending: 0n,
});
