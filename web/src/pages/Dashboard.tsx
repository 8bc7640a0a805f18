// The customer's overview: totals per currency, accounts, quick actions, recent activity and
// the charts of the reports module (when the server has it).
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api } from '../api';
import { TransactionList } from '../components/TransactionList';
import {
  accountName,
  Badge,
  Empty,
  ErrorNotice,
  Loading,
  maskNumber,
  Money,
  PageHeader,
  SelectField,
  useCapability,
} from '../components/ui';
import { sumAmounts } from '../money';
import { keys, useAccounts } from '../queries';
import { useAccountReport } from '../reports';
import { Link } from '../router';
import type { Account, Me, Page, Transaction } from '../types';

const Charts = lazy(() => import('../components/Charts'));

export function useRecentActivity(accounts: Account[] | undefined, limit = 8) {
  const global = useCapability('GET /api/v1/transactions');
  const perAccount = useCapability('GET /api/v1/accounts/{id}/transactions');
  const ids = (accounts ?? []).map((a) => a.id);
  const q = useQuery({
    queryKey: [...keys.recent, ids, limit],
    enabled: accounts !== undefined && ids.length > 0 && (global === true || perAccount === true),
    queryFn: async () => {
      if (global) return (await api.get<Page<Transaction>>('/api/v1/transactions', { limit })).items;
      const pages = await Promise.all(
        ids
          .slice(0, 6)
          .map((id) => api.get<Page<Transaction>>(`/api/v1/accounts/${id}/transactions`, { limit })),
      );
      const seen = new Map<string, Transaction>();
      for (const p of pages) for (const t of p.items) seen.set(t.id, t);
      return [...seen.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).slice(0, limit);
    },
  });
  return {
    available: global === undefined && perAccount === undefined ? undefined : !!(global || perAccount),
    items: q.data,
    loading: q.isPending && q.fetchStatus !== 'idle',
    error: q.error,
  };
}

function Totals({ accounts }: { accounts: Account[] }) {
  const open = accounts.filter((a) => a.status !== 'CLOSED');
  const currencies = [...new Set(open.map((a) => a.currency))].sort();
  if (currencies.length === 0) return null;
  return (
    <section className="totals" aria-label="Total balances">
      {currencies.map((c) => {
        const list = open.filter((a) => a.currency === c);
        return (
          <div className="total card" key={c}>
            <span className="total-label">
              Total in {c} · {list.length} account{list.length === 1 ? '' : 's'}
            </span>
            <Money
              amount={sumAmounts(
                list.map((a) => a.balance),
                c,
              )}
              currency={c}
              className="total-amount"
            />
            <span className="total-sub">
              Available{' '}
              <Money
                amount={sumAmounts(
                  list.map((a) => a.availableBalance),
                  c,
                )}
                currency={c}
              />
            </span>
          </div>
        );
      })}
    </section>
  );
}

export function AccountCards({ accounts }: { accounts: Account[] }) {
  return (
    <ul className="account-cards">
      {accounts.map((a) => (
        <li key={a.id} className="card account-card" data-testid="account-card">
          <div className="account-card-top">
            <Link to={`/accounts/${a.id}`} className="account-name">
              {accountName(a)}
            </Link>
            {a.status !== 'ACTIVE' ? <Badge status={a.status} /> : null}
          </div>
          <span className="account-number">
            {a.type.toLowerCase()} · {maskNumber(a.accountNumber)}
          </span>
          <Money amount={a.balance} currency={a.currency} className="account-balance" />
          <span className="account-available">
            Available <Money amount={a.availableBalance} currency={a.currency} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function ChartsSection({ accounts }: { accounts: Account[] }) {
  const open = accounts.filter((a) => a.status !== 'CLOSED');
  const [chosen, setChosen] = useState<string>('');
  const accountId = chosen || open[0]?.id;
  const account = open.find((a) => a.id === accountId);
  const { available, report, loading } = useAccountReport(accountId);
  if (!account || available === false) return null; // no reports module: no charts
  if (loading) return <Loading label="Loading charts…" />;
  if (!report || (report.balances.length === 0 && report.categories.length === 0)) return null;
  return (
    <section aria-labelledby="analytics-title" className="section">
      <div className="section-head">
        <h2 id="analytics-title">Analytics</h2>
        {open.length > 1 ? (
          <SelectField
            label="Account"
            value={account.id}
            onChange={setChosen}
            options={open.map((a) => ({
              value: a.id,
              label: `${accountName(a)} ${maskNumber(a.accountNumber)}`,
            }))}
            fieldClassName="field-inline"
          />
        ) : null}
      </div>
      <Suspense fallback={<Loading label="Loading charts…" />}>
        <Charts
          balances={report.balances}
          categories={report.categories}
          currency={report.currency ?? account.currency}
        />
      </Suspense>
    </section>
  );
}

export function DashboardPage({ me }: { me: Me }) {
  const accounts = useAccounts();
  const recent = useRecentActivity(accounts.data);
  const first = me.customer?.fullName.split(/\s+/)[0];
  const list = accounts.data ?? [];
  const visible = list.filter((a) => a.status !== 'CLOSED');

  return (
    <>
      <PageHeader title="Overview" subtitle={first ? `Welcome back, ${first}.` : 'Welcome back.'} />
      <nav aria-label="Quick actions" className="quick-actions">
        <Link to="/transfer" className="btn btn-primary">
          Transfer money
        </Link>
        <Link to="/deposit" className="btn">
          Deposit
        </Link>
        <Link to="/withdraw" className="btn">
          Withdraw
        </Link>
        <Link to="/accounts?open=1" className="btn">
          Open an account
        </Link>
        <Link to="/statements" className="btn">
          Statements
        </Link>
      </nav>
      {accounts.isPending ? <Loading label="Loading your accounts…" /> : null}
      <ErrorNotice error={accounts.error} />
      {accounts.data ? (
        visible.length === 0 ? (
          <div className="card empty-card">
            <h2>No accounts yet</h2>
            <p>Open a checking or savings account to start banking with corebank.</p>
            <Link to="/accounts?open=1" className="btn btn-primary">
              Open your first account
            </Link>
          </div>
        ) : (
          <>
            <Totals accounts={visible} />
            <section aria-labelledby="accounts-title" className="section">
              <div className="section-head">
                <h2 id="accounts-title">Your accounts</h2>
                <Link to="/accounts">All accounts</Link>
              </div>
              <AccountCards accounts={visible} />
            </section>
          </>
        )
      ) : null}
      {visible.length > 0 ? <ChartsSection accounts={visible} /> : null}
      {recent.available && visible.length > 0 ? (
        <section aria-labelledby="recent-title" className="section">
          <div className="section-head">
            <h2 id="recent-title">Recent activity</h2>
          </div>
          {recent.loading ? <Loading label="Loading recent activity…" /> : null}
          <ErrorNotice error={recent.error} />
          {recent.items && recent.items.length === 0 ? <Empty>No transactions yet.</Empty> : null}
          {recent.items && recent.items.length > 0 ? (
            <div className="card flush">
              <TransactionList
                items={recent.items}
                accounts={list}
                perspective={new Set(list.map((a) => a.id))}
                caption="Recent activity"
              />
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
