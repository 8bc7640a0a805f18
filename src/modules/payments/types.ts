// The vocabulary of money movement: transactions (the customer-facing record) and the requests
// the movement executor carries out.
import type { BankError } from '../../platform/errors.js';
import type { AuditEvent } from '../audit/types.js';
import type { Risk } from '../fraud/engine.js';
import type { TransferInput } from '../ledger/types.js';

export const transactionTypes = [
  'DEPOSIT',
  'WITHDRAWAL',
  'TRANSFER',
  'INTEREST',
  'FEE',
  'REVERSAL',
  'EXTERNAL_OUT',
  'EXTERNAL_IN',
] as const;
export type TransactionType = (typeof transactionTypes)[number];

export const transactionStatuses = ['PENDING', 'PENDING_REVIEW', 'COMPLETED', 'FAILED', 'REVERSED'] as const;
export type TransactionStatus = (typeof transactionStatuses)[number];

export interface Counterparty {
  bankCode: string;
  accountNumber: string;
  name: string;
}

export interface Channel {
  ip?: string | null;
  userAgent?: string | null;
  location?: string | null;
  device?: string | null;
}

export interface Transaction {
  id: string;
  reference: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: bigint;
  currency: string;
  fromAccountId: string | null;
  toAccountId: string | null;
  counterparty: Counterparty | null;
  description: string | null;
  category: string | null;
  tags: string[];
  channel: Channel;
  initiatedBy: string | null;
  transferId: string;
  settlementTransferId: string | null;
  reversesTransactionId: string | null;
  createdAt: string;
  completedAt: string | null;
  /** How fraud screening scored it (outgoing customer movements only). */
  risk: Risk | null;
}

export type NewTransaction = Omit<
  Transaction,
  'createdAt' | 'completedAt' | 'settlementTransferId' | 'risk'
> & {
  settlementTransferId?: string | null;
  risk?: Risk | null;
};

export interface StatusChange {
  id: string;
  status: TransactionStatus;
  settlementTransferId?: string;
  /** A partial capture settles for less than was held. */
  amount?: bigint;
}

export interface OutboxEvent {
  topic: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

export interface IdempotencyClaim {
  userId: string;
  key: string;
  requestHash: string;
}

/**
 * What fraud screening needs to know about an outgoing customer movement (set by service.ts;
 * the executor scores it inside the posting transaction, see src/modules/fraud/screen.ts).
 */
export interface ScreeningFacts {
  accountId: string;
  customerId: string;
  accountType: 'CHECKING' | 'SAVINGS' | 'CREDIT' | 'INVESTMENT';
  amount: bigint;
  currency: string;
  exponent: number;
  /** "account:<id>" or "external:<bank>:<number>"; null for cash. */
  payee: string | null;
  /** The customer's channel (null when staff act for the customer). */
  ip: string | null;
  location: string | null;
  /** The simulator's clock; otherwise the database's. */
  at?: Date;
}

/**
 * One money movement, fully prepared (validated, authorised, amounts in minor units): the
 * ledger transfers that carry it out and, if they succeed, the rows that record it.
 */
export interface MovementRequest {
  idempotency?: IdempotencyClaim;
  transfers: TransferInput[];
  inserts: NewTransaction[];
  updates: StatusChange[];
  audit: AuditEvent[];
  events: OutboxEvent[];
  /** Outgoing customer movements: screened for fraud before they post. */
  screening?: ScreeningFacts;
  /** The transaction the reply shows. */
  replyWith: string;
  replyStatus: 200 | 201 | 202;
}

export type MovementOutcome =
  | { kind: 'done'; status: number; body: unknown }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'failed'; error: BankError };
