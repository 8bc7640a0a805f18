// Account statements (R7.1). The numbers come from the ledger alone: the opening balance is
// the account's balance just before the period, each line is one ledger entry with the
// balance after it, and the closing balance is the balance at the end of the period. All three
// are read in one REPEATABLE READ snapshot, and the balance chain is checked as the lines are
// built, so opening + lines = closing holds on every statement that leaves here.
import type { Pool, Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import { formatAmount } from '../../platform/money.js';
import { currencyExponent, maskAccountNumber, type Account } from '../accounts/service.js';
import { getCustomer } from '../customers/service.js';
import type { Address } from '../customers/schemas.js';
import { balanceAt } from '../ledger/service.js';
import { microsToIso, type Period } from './period.js';
import { selectStatementLines, type StatementLineRow } from './repo.js';

export interface StatementLine {
  entryId: bigint;
  /** When the entry was posted (ISO 8601, UTC). */
  date: string;
  transactionId: string | null;
  reference: string | null;
  /** The transaction's type, or the ledger transfer's code when no transaction carries it. */
  type: string;
  description: string;
  category: string | null;
  /** The other side: a masked account number, or the external party's name. */
  counterparty: string | null;
  /** Signed minor units: money in is positive, money out negative. */
  amount: bigint;
  /** The account's balance after this line. */
  balance: bigint;
}

export interface Statement {
  account: {
    id: string;
    accountNumber: string;
    type: string;
    currency: string;
    status: string;
    nickname: string | null;
  };
  customer: { id: string; fullName: string; address: Address | null };
  exponent: number;
  period: Period;
  openingBalance: bigint;
  closingBalance: bigint;
  totalIn: bigint;
  totalOut: bigint;
  lines: StatementLine[];
  generatedAt: string;
}

const labels: Record<string, string> = {
  DEPOSIT: 'Deposit',
  WITHDRAWAL: 'Withdrawal',
  INTEREST: 'Interest',
  FEE: 'Fee',
  REVERSAL: 'Reversal',
  EXPIRY: 'Hold expired',
};

/** What a line says when its transaction has no description of its own. */
export function defaultDescription(type: string, amount: bigint, counterparty: string | null): string {
  const out = amount < 0n;
  if (type === 'TRANSFER' || type === 'EXTERNAL_OUT' || type === 'EXTERNAL_IN') {
    const word = type === 'TRANSFER' ? 'Transfer' : 'Payment';
    return counterparty ? `${word} ${out ? 'to' : 'from'} ${counterparty}` : `${word} ${out ? 'out' : 'in'}`;
  }
  const label = labels[type];
  if (label) return label;
  return type.charAt(0) + type.slice(1).toLowerCase().replaceAll('_', ' ');
}

function toLine(r: StatementLineRow): StatementLine {
  const type = r.type ?? r.code ?? 'UNKNOWN';
  const counterparty = r.counterparty_number ? maskAccountNumber(r.counterparty_number) : r.counterparty_name;
  return {
    entryId: r.entry_id,
    date: r.created_at,
    transactionId: r.transaction_id,
    reference: r.reference,
    type,
    description: r.description ?? defaultDescription(type, r.amount, counterparty),
    category: r.category,
    counterparty,
    amount: r.amount,
    balance: r.balance_after,
  };
}

async function exponentOf(q: Queryable, currency: string): Promise<number> {
  const e = await currencyExponent(q, currency);
  if (e === undefined) throw new Error(`currency ${currency} has no exponent`);
  return e;
}

/** The statement of an account the caller may see (access is checked by the caller). */
export async function buildStatement(pool: Pool, account: Account, period: Period): Promise<Statement> {
  const read = await tx(
    pool,
    async (client) => {
      await client.query('set transaction read only');
      const opening = await balanceAt(client, account.id, microsToIso(period.fromMicros - 1n));
      const rows = await selectStatementLines(client, account.id, period.from, period.to);
      const closing = await balanceAt(client, account.id, period.to);
      const customer = await getCustomer(client, account.customerId);
      return { opening, rows, closing, customer };
    },
    { isolation: 'REPEATABLE READ' },
  );

  let running = read.opening;
  let totalIn = 0n;
  let totalOut = 0n;
  const lines = read.rows.map((r) => {
    running += r.amount;
    if (running !== r.balance_after) {
      throw new Error(`statement of ${account.id}: entry ${r.entry_id} breaks the balance chain`);
    }
    if (r.amount > 0n) totalIn += r.amount;
    else totalOut -= r.amount;
    return toLine(r);
  });
  if (running !== read.closing) {
    throw new Error(`statement of ${account.id}: the lines do not end at the closing balance`);
  }
  return {
    account: {
      id: account.id,
      accountNumber: maskAccountNumber(account.accountNumber),
      type: account.type,
      currency: account.currency,
      status: account.status,
      nickname: account.nickname,
    },
    customer: {
      id: account.customerId,
      fullName: read.customer?.fullName ?? '',
      address: read.customer?.address ?? null,
    },
    exponent: await exponentOf(pool, account.currency),
    period,
    openingBalance: read.opening,
    closingBalance: read.closing,
    totalIn,
    totalOut,
    lines,
    generatedAt: new Date().toISOString(),
  };
}

export interface StatementLineView {
  entryId: string;
  date: string;
  transactionId: string | null;
  reference: string | null;
  type: string;
  description: string;
  category: string | null;
  counterparty: string | null;
  amount: string;
  balance: string;
}

export interface StatementView {
  account: Statement['account'];
  customer: { id: string; fullName: string };
  currency: string;
  period: { from: string; to: string };
  openingBalance: string;
  totalIn: string;
  totalOut: string;
  closingBalance: string;
  lineCount: number;
  lines: StatementLineView[];
  generatedAt: string;
}

/** The JSON form: money as decimal strings in the account's currency. */
export function toStatementView(s: Statement): StatementView {
  const f = (v: bigint) => formatAmount(v, s.exponent);
  return {
    account: s.account,
    customer: { id: s.customer.id, fullName: s.customer.fullName },
    currency: s.account.currency,
    period: { from: s.period.from, to: s.period.to },
    openingBalance: f(s.openingBalance),
    totalIn: f(s.totalIn),
    totalOut: f(s.totalOut),
    closingBalance: f(s.closingBalance),
    lineCount: s.lines.length,
    lines: s.lines.map((l) => ({
      entryId: l.entryId.toString(),
      date: l.date,
      transactionId: l.transactionId,
      reference: l.reference,
      type: l.type,
      description: l.description,
      category: l.category,
      counterparty: l.counterparty,
      amount: f(l.amount),
      balance: f(l.balance),
    })),
    generatedAt: s.generatedAt,
  };
}
