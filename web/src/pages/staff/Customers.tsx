// Staff: customer search, one customer's record and accounts, freeze/unfreeze, and the teller's
// cash deposit and withdrawal at the counter.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api';
import {
  accountName,
  Badge,
  ConfirmDialog,
  Empty,
  ErrorNotice,
  formatDate,
  Loading,
  Money,
  PageHeader,
  TextField,
  useCapability,
} from '../../components/ui';
import { useAccounts, useInvalidateMoney } from '../../queries';
import { Link, useRouter, useSearchParams } from '../../router';
import { useToast } from '../../toast';
import type { Account, Customer, Me, Page, Transaction } from '../../types';
import { TransactionList } from '../../components/TransactionList';
import { CashForm } from '../MoveMoney';

export function CustomerSearchPage() {
  const params = useSearchParams();
  const { navigate } = useRouter();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const [cursor, setCursor] = useState<string | undefined>();
  const results = useQuery({
    queryKey: ['customers', q, cursor],
    queryFn: () => api.get<Page<Customer>>('/api/v1/customers', { q: q || undefined, limit: 25, cursor }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCursor(undefined);
    navigate(`/staff/customers${text.trim() ? `?q=${encodeURIComponent(text.trim())}` : ''}`);
  };
  return (
    <>
      <PageHeader
        title="Customers"
        subtitle="Search by name, e-mail, phone, national id or customer id. Every search is audited."
      />
      <form role="search" className="card search-form" onSubmit={submit}>
        <TextField
          label="Search customers"
          name="q"
          type="search"
          value={text}
          onChange={setText}
          fieldClassName="grow"
        />
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      {results.isPending ? <Loading /> : null}
      <ErrorNotice error={results.error} />
      {results.data && results.data.items.length === 0 ? <Empty>No customers match.</Empty> : null}
      {results.data && results.data.items.length > 0 ? (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table stack-sm">
              <caption className="sr-only">Customers</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">E-mail</th>
                  <th scope="col" className="hide-sm">
                    Phone
                  </th>
                  <th scope="col" className="hide-sm">
                    KYC
                  </th>
                  <th scope="col" className="hide-sm">
                    Since
                  </th>
                </tr>
              </thead>
              <tbody>
                {results.data.items.map((c) => (
                  <tr key={c.id} data-testid="customer-row">
                    <td className="cell-main">
                      <Link to={`/staff/customers/${c.id}`}>{c.fullName}</Link>
                    </td>
                    <td className="break" data-label="E-mail">
                      {c.email}
                    </td>
                    <td className="hide-sm">{c.phone ?? '—'}</td>
                    <td className="hide-sm">
                      <Badge status={c.kycStatus} />
                    </td>
                    <td className="hide-sm">{formatDate(c.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      {results.data?.nextCursor ? (
        <p className="center">
          <button
            type="button"
            className="btn"
            onClick={() => setCursor(results.data.nextCursor ?? undefined)}
          >
            Next page
          </button>
        </p>
      ) : null}
    </>
  );
}

function FreezeButton({ account }: { account: Account }) {
  const toast = useToast();
  const invalidate = useInvalidateMoney();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const freeze = account.status === 'ACTIVE';
  const change = useMutation({
    mutationFn: () =>
      api.post<Account>(
        `/api/v1/accounts/${account.id}/${freeze ? 'freeze' : 'unfreeze'}`,
        reason.trim() ? { reason: reason.trim() } : undefined,
      ),
    onSuccess: async (a) => {
      setOpen(false);
      setReason('');
      toast.success(`${accountName(a)} is ${a.status === 'FROZEN' ? 'frozen' : 'active again'}`);
      await invalidate();
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  if (account.status === 'CLOSED') return null;
  return (
    <>
      <button
        type="button"
        className={`btn btn-small ${freeze ? 'btn-danger' : ''}`}
        onClick={() => setOpen(true)}
      >
        {freeze ? 'Freeze' : 'Unfreeze'}
      </button>
      <ConfirmDialog
        open={open}
        title={freeze ? `Freeze ${accountName(account)}?` : `Unfreeze ${accountName(account)}?`}
        confirmLabel={freeze ? 'Freeze account' : 'Unfreeze account'}
        danger={freeze}
        busy={change.isPending}
        onConfirm={() => change.mutate()}
        onCancel={() => setOpen(false)}
      >
        <p>
          {freeze
            ? 'While frozen, no money can move in or out of the account.'
            : 'The customer can use the account again.'}
        </p>
        <TextField
          label="Reason (recorded in the audit log)"
          name="reason"
          value={reason}
          onChange={setReason}
          maxLength={500}
        />
      </ConfirmDialog>
    </>
  );
}

function CustomerActivity({ customerId, accounts }: { customerId: string; accounts: Account[] }) {
  const available = useCapability('GET /api/v1/transactions');
  const q = useQuery({
    queryKey: ['recent', 'customer', customerId],
    enabled: available === true,
    queryFn: () => api.get<Page<Transaction>>('/api/v1/transactions', { customerId, limit: 20 }),
  });
  if (available === false) return null;
  return (
    <section className="section" aria-labelledby="cust-activity">
      <h2 id="cust-activity">Recent transactions</h2>
      {q.isPending ? <Loading /> : null}
      <ErrorNotice error={q.error} />
      {q.data && q.data.items.length === 0 ? <Empty>No transactions.</Empty> : null}
      {q.data && q.data.items.length > 0 ? (
        <div className="card flush">
          <TransactionList
            items={q.data.items}
            accounts={accounts}
            perspective={new Set(accounts.map((a) => a.id))}
            caption="Recent transactions of the customer"
            links={false}
          />
        </div>
      ) : null}
    </section>
  );
}

export function CustomerViewPage({ id, me }: { id: string; me: Me }) {
  const customer = useQuery({
    queryKey: ['customer', id],
    queryFn: () => api.get<Customer>(`/api/v1/customers/${id}`),
  });
  const accounts = useAccounts(id);
  const role = me.user.role;
  const canFreeze = role === 'teller' || role === 'analyst' || role === 'admin';
  const canCash = role === 'teller' || role === 'admin';
  const hasDeposits = useCapability('POST /api/v1/deposits');
  const hasWithdrawals = useCapability('POST /api/v1/withdrawals');
  const active = (accounts.data ?? []).filter((a) => a.status === 'ACTIVE');
  const c = customer.data;
  return (
    <>
      <PageHeader title={c ? c.fullName : 'Customer'} subtitle={c ? c.email : undefined} />
      <p>
        <Link to="/staff/customers">← Back to search</Link>
      </p>
      {customer.isPending ? <Loading /> : null}
      <ErrorNotice error={customer.error} />
      {c ? (
        <section className="card" aria-label="Customer record">
          <dl className="dl">
            <dt>Customer id</dt>
            <dd className="mono break">{c.id}</dd>
            <dt>Phone</dt>
            <dd>{c.phone ?? '—'}</dd>
            <dt>Date of birth</dt>
            <dd>{c.dateOfBirth ?? '—'}</dd>
            <dt>Address</dt>
            <dd>
              {c.address
                ? [
                    c.address.line1,
                    c.address.line2,
                    c.address.city,
                    c.address.region,
                    c.address.postalCode,
                    c.address.country,
                  ]
                    .filter(Boolean)
                    .join(', ')
                : '—'}
            </dd>
            <dt>National id</dt>
            <dd className="mono">{c.nationalId ?? '—'}</dd>
            <dt>KYC</dt>
            <dd>
              <Badge status={c.kycStatus} />
            </dd>
            <dt>Customer since</dt>
            <dd>{formatDate(c.createdAt)}</dd>
          </dl>
        </section>
      ) : null}
      <section className="section" aria-labelledby="cust-accounts">
        <h2 id="cust-accounts">Accounts</h2>
        {accounts.isPending ? <Loading /> : null}
        <ErrorNotice error={accounts.error} />
        {accounts.data && accounts.data.length === 0 ? <Empty>No accounts.</Empty> : null}
        {accounts.data && accounts.data.length > 0 ? (
          <div className="card flush">
            <div className="table-wrap">
              <table className="table stack-sm">
                <caption className="sr-only">Accounts of the customer</caption>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Balance
                    </th>
                    <th scope="col" className="num hide-sm">
                      Available
                    </th>
                    {canFreeze ? (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {accounts.data.map((a) => (
                    <tr key={a.id} data-testid="staff-account-row">
                      <td className="cell-main">
                        {accountName(a)}
                        <span className="tx-sub mono">
                          {a.accountNumber} · {a.currency}
                        </span>
                      </td>
                      <td data-label="Status">
                        <Badge status={a.status} />
                      </td>
                      <td className="num" data-label="Balance">
                        <Money amount={a.balance} currency={a.currency} />
                      </td>
                      <td className="num hide-sm" data-label="Available">
                        <Money amount={a.availableBalance} currency={a.currency} />
                      </td>
                      {canFreeze ? (
                        <td className="actions-cell">
                          <FreezeButton account={a} />
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        ) : null}
      </section>
      <CustomerActivity customerId={id} accounts={accounts.data ?? []} />
      {canCash && active.length > 0 ? (
        <section className="section" aria-labelledby="cash-title">
          <h2 id="cash-title">Cash at the counter</h2>
          <div className="grid-2">
            {hasDeposits === false ? (
              <Empty>Cash deposits are not available on this server yet.</Empty>
            ) : (
              <div>
                <h3>Cash deposit</h3>
                <CashForm kind="deposit" accounts={active} staff />
              </div>
            )}
            {hasWithdrawals === false ? (
              <Empty>Cash withdrawals are not available on this server yet.</Empty>
            ) : (
              <div>
                <h3>Cash withdrawal</h3>
                <CashForm kind="withdrawal" accounts={active} staff />
              </div>
            )}
          </div>
        </section>
      ) : null}
    </>
  );
}
