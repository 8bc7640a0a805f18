// A transaction as the API shows it: amounts as decimal strings in the currency's minor digits.
import { formatAmount } from '../../platform/money.js';
import type { Risk } from '../fraud/engine.js';
import type { Transaction } from './types.js';

export interface TransactionJson {
  id: string;
  reference: string;
  type: Transaction['type'];
  status: Transaction['status'];
  amount: string;
  currency: string;
  fromAccountId: string | null;
  toAccountId: string | null;
  counterparty: Transaction['counterparty'];
  description: string | null;
  category: string | null;
  tags: string[];
  reversesTransactionId: string | null;
  createdAt: string;
  completedAt: string | null;
  /** Present when fraud screening scored the movement. */
  risk?: Risk;
}

export function presentTransaction(t: Transaction, exponent: number): TransactionJson {
  return {
    id: t.id,
    reference: t.reference,
    type: t.type,
    status: t.status,
    amount: formatAmount(t.amount, exponent),
    currency: t.currency,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    counterparty: t.counterparty,
    description: t.description,
    category: t.category,
    tags: t.tags,
    reversesTransactionId: t.reversesTransactionId,
    createdAt: t.createdAt,
    completedAt: t.completedAt,
    ...(t.risk ? { risk: t.risk } : {}),
  };
}
