// The ledger's vocabulary. The ledger knows accounts, transfers and entries in integer minor
// units; it knows nothing of customers, HTTP or products.

export type AccountKind = 'asset' | 'liability' | 'equity' | 'income' | 'expense';
export type LedgerAccountStatus = 'ACTIVE' | 'FROZEN' | 'CLOSED';

/** The bank's own ledger accounts, one of each per currency. */
export const internalPurposes = ['VAULT', 'CLEARING', 'INTEREST_EXPENSE', 'FEE_INCOME', 'SUSPENSE'] as const;
export type InternalPurpose = (typeof internalPurposes)[number];
export type AccountPurpose = 'CUSTOMER' | InternalPurpose;

export interface NewLedgerAccount {
  id?: string;
  currency: string;
  kind: AccountKind;
  purpose?: AccountPurpose;
  /** Debit balance may not exceed credits + overdraftLimit (a deposit account). */
  debitsMustNotExceedCredits?: boolean;
  /** Credit balance may not exceed debits + overdraftLimit (a loan or card account). */
  creditsMustNotExceedDebits?: boolean;
  overdraftLimit?: bigint;
}

export interface LedgerAccount {
  id: string;
  currency: string;
  kind: AccountKind;
  purpose: AccountPurpose;
  status: LedgerAccountStatus;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  overdraftLimit: bigint;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  createdAt: string;
}

/**
 * How a transfer acts:
 * - single: posts at once;
 * - pending: reserves the amount (a hold) until posted, voided or expired;
 * - post_pending: posts a pending transfer, fully or in part (the rest is released);
 * - void_pending: releases a pending transfer.
 */
export type TransferPhase = 'single' | 'pending' | 'post_pending' | 'void_pending';

export interface TransferInput {
  /** Client-chosen UUID: retrying the same id with the same fields has exactly one effect. */
  id: string;
  phase?: TransferPhase;
  /** Required for single and pending; for post/void, if given, must match the pending. */
  debitAccountId?: string;
  creditAccountId?: string;
  /** Minor units, > 0. For post_pending, omitted means the full pending amount. */
  amount?: bigint;
  /** The pending transfer a post_pending or void_pending acts on. */
  pendingId?: string;
  /** A single transfer that reverses this posted transfer (debit and credit swapped). */
  reversesId?: string;
  /** What the movement is: DEPOSIT, WITHDRAWAL, TRANSFER, INTEREST, FEE, REVERSAL … */
  code: string;
  /** Linked with the next transfer in the batch: the chain succeeds or fails together. */
  linked?: boolean;
  /** Pending only: seconds until the pending expires and releases its funds. */
  timeoutSeconds?: number;
  metadata?: Record<string, unknown>;
}

export const transferFailures = [
  'exists_with_different_fields',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_must_be_uuid',
  'amount_must_be_positive',
  'accounts_must_be_different',
  'debit_account_required',
  'credit_account_required',
  'debit_account_not_found',
  'credit_account_not_found',
  'currency_mismatch',
  'debit_account_frozen',
  'credit_account_frozen',
  'debit_account_closed',
  'credit_account_closed',
  'exceeds_credits',
  'exceeds_debits',
  'pending_id_required',
  'pending_id_not_allowed',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_accounts',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'exceeds_pending_transfer_amount',
  'timeout_reserved_for_pending_transfer',
  'timeout_must_be_positive',
  'reversal_target_not_found',
  'reversal_target_not_posted',
  'reversal_target_already_reversed',
  'reversal_must_mirror_target',
  'void_amount_must_match_pending',
] as const;

export type TransferFailure = (typeof transferFailures)[number];
export type TransferResultCode = 'ok' | 'exists' | TransferFailure;

export interface TransferResult {
  id: string;
  result: TransferResultCode;
}

export interface LedgerTransfer {
  id: string;
  phase: TransferPhase | 'expire_pending';
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  pendingId: string | null;
  reversesId: string | null;
  code: string;
  linked: boolean;
  expiresAt: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface LedgerEntry {
  id: bigint;
  accountId: string;
  transferId: string;
  /** Signed, credit-normal: a credit is positive, a debit negative. */
  amount: bigint;
  /** credits_posted - debits_posted of the account after this entry. */
  balanceAfter: bigint;
  createdAt: string;
}
