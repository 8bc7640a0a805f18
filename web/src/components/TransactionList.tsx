// A list of transactions, each signed from the viewer's side: money leaving one of "our"
// accounts is negative, money arriving positive, a move between two of ours neutral.
import { Link } from '../router';
import type { Account, Transaction } from '../types';
import { accountName, Badge, formatDateTime, humanize, maskNumber, Money } from './ui';

export function direction(t: Transaction, ours: ReadonlySet<string>): 'out' | 'in' | 'internal' {
  const from = t.fromAccountId !== null && ours.has(t.fromAccountId);
  const to = t.toAccountId !== null && ours.has(t.toAccountId);
  if (from && to) return 'internal';
  if (from) return 'out';
  return 'in';
}

function counterpart(t: Transaction, dir: 'out' | 'in' | 'internal', byId: Map<string, Account>): string {
  const name = (id: string | null) => {
    if (!id) return null;
    const a = byId.get(id);
    return a ? accountName(a) : null;
  };
  if (t.type === 'DEPOSIT') return 'Cash deposit';
  if (t.type === 'WITHDRAWAL') return 'Cash withdrawal';
  if (t.counterparty) return `${t.counterparty.name} (${maskNumber(t.counterparty.accountNumber)})`;
  if (dir === 'internal')
    return `${name(t.fromAccountId) ?? 'Account'} → ${name(t.toAccountId) ?? 'account'}`;
  if (dir === 'out') return name(t.toAccountId) ? `To ${name(t.toAccountId)}` : 'To another account';
  return name(t.fromAccountId) ? `From ${name(t.fromAccountId)}` : 'From another account';
}

export function TransactionList({
  items,
  accounts,
  perspective,
  caption,
  links = true,
}: {
  items: Transaction[];
  accounts: Account[];
  /** Whose side the signs are from: one account, or all of the customer's accounts. */
  perspective: ReadonlySet<string>;
  caption: string;
  /** Link each row to the transaction page (the customer's own view). */
  links?: boolean;
}) {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  return (
    <div className="table-wrap">
      <table className="table tx-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="hide-sm">
              Date
            </th>
            <th scope="col">Description</th>
            <th scope="col" className="hide-sm">
              Category
            </th>
            <th scope="col" className="hide-sm">
              Status
            </th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((t) => {
            const dir = direction(t, perspective);
            const signedAmount = dir === 'out' ? `-${t.amount}` : t.amount;
            return (
              <tr key={t.id} data-testid="tx-row">
                <td className="nowrap hide-sm">{formatDateTime(t.createdAt)}</td>
                <td>
                  {links ? (
                    <Link to={`/transactions/${t.id}`} className="tx-link">
                      {t.description ?? humanize(t.type)}
                    </Link>
                  ) : (
                    <span className="tx-link">{t.description ?? humanize(t.type)}</span>
                  )}
                  <span className="tx-sub">{counterpart(t, dir, byId)}</span>
                  <span className="tx-sub show-sm">{formatDateTime(t.createdAt)}</span>
                  {t.tags.length > 0 ? (
                    <span className="tags">
                      {t.tags.map((tag) => (
                        <span className="tag" key={tag}>
                          {tag}
                        </span>
                      ))}
                    </span>
                  ) : null}
                </td>
                <td className="hide-sm">{t.category ? humanize(t.category) : '—'}</td>
                <td className="hide-sm">
                  <Badge status={t.status} />
                </td>
                <td className="num">
                  {dir === 'internal' ? (
                    <Money amount={t.amount} currency={t.currency} />
                  ) : (
                    <Money amount={signedAmount} currency={t.currency} signed />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
