// What a ledger refusal means to a client: each reason maps to a catalogue code and a sentence.
import { BankError } from '../../platform/errors.js';
import type { TransferResultCode } from '../ledger/types.js';

export function errorForLedgerResult(result: TransferResultCode): BankError {
  switch (result) {
    case 'exceeds_credits':
      return new BankError('INSUFFICIENT_FUNDS', 'The account does not have enough available funds');
    case 'exceeds_debits':
      return new BankError('UNPROCESSABLE', 'The receiving account cannot accept more credit');
    case 'debit_account_frozen':
      return new BankError('ACCOUNT_FROZEN', 'The account money would leave is frozen');
    case 'credit_account_frozen':
      return new BankError('ACCOUNT_FROZEN', 'The receiving account is frozen');
    case 'debit_account_closed':
      return new BankError('ACCOUNT_CLOSED', 'The account money would leave is closed');
    case 'credit_account_closed':
      return new BankError('ACCOUNT_CLOSED', 'The receiving account is closed');
    case 'currency_mismatch':
      return new BankError('CURRENCY_MISMATCH', 'Both accounts must hold the same currency');
    case 'debit_account_not_found':
    case 'credit_account_not_found':
    case 'pending_transfer_not_found':
    case 'reversal_target_not_found':
      return new BankError('NOT_FOUND', 'No such account or transaction');
    case 'pending_transfer_already_posted':
      return new BankError('CONFLICT', 'The hold has already been captured');
    case 'pending_transfer_already_voided':
      return new BankError('CONFLICT', 'The hold has already been released');
    case 'pending_transfer_expired':
      return new BankError('CONFLICT', 'The hold has expired and its funds were released');
    case 'reversal_target_already_reversed':
      return new BankError('CONFLICT', 'The transaction has already been reversed');
    case 'exceeds_pending_transfer_amount':
      return new BankError('INVALID_AMOUNT', 'The amount is larger than the hold');
    case 'exists':
    case 'exists_with_different_fields':
      return new BankError('CONFLICT', 'This movement was already recorded');
    default:
      return new BankError('UNPROCESSABLE', `The ledger refused the movement (${result})`);
  }
}
