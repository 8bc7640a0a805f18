// Accounts: the list (numbers masked), opening a new one, and one account's details with its
// history (filters, cursor pagination), statements and closing.
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, isApiError } from '../api';
import { TransactionList } from '../components/TransactionList';
import {
  accountLabel,
  accountName,
  Badge,
  ConfirmDialog,
  Empty,
  ErrorNotice,
  formatDate,
  Loading,
  LoadMore,
  maskNumber,
  Money,
  PageHeader,
  SelectField,
  TextField,
  useCapability,
} from '../components/ui';
import { CURRENCIES, toMinor } from '../money';
import { keys, useAccount, useAccounts, useInvalidateMoney } from '../queries';
import { Link, useRouter, useSearchParams } from '../router';
import { useToast } from '../toast';
import {
  ACCOUNT_TYPES,
  TRANSACTION_TYPES,
  type Account,
  type AccountType,
  type Page,
  type Transaction,
} from '../types';

export function OpenAccountForm({
  onDone,
  customerId,
}: {
  onDone?: (a: Account) => void;
  customerId?: string;
}) {
  const [type, setType] = useState<AccountType>('CHECKING');
  const [currency, setCurrency] = useState('USD');
  const [nickname, setNickname] = useState('');
  const [nickError, setNickError] = useState<string>();
  const toast = useToast();
  const invalidate = useInvalidateMoney();
  const open = useMutation({
    mutationFn: () =>
      api.post<Account>('/api/v1/accounts', {
        type,
        currency,
        ...(nickname.trim() ? { nickname: nickname.trim() } : {}),
        ...(customerId ? { customerId } : {}),
      }),
    onSuccess: async (a) => {
      toast.success(`${accountName(a)} ${maskNumber(a.accountNumber)} is open`);
      setNickname('');
      await invalidate();
      onDone?.(a);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (nickname.trim().length > 60) {
      setNickError('Use at most 60 characters');
      return;
    }
    setNickError(undefined);
    open.mutate();
  };
  return (
    <form onSubmit={submit} className="card form-card" aria-labelledby="open-title" noValidate>
      <h2 id="open-title">Open an account</h2>
      <ErrorNotice error={open.error} />
      <div className="form-row">
        <SelectField
          label="Type"
          name="type"
          value={type}
          onChange={(v) => setType(v as AccountType)}
          options={ACCOUNT_TYPES.map((t) => ({ value: t, label: t.charAt(0) + t.slice(1).toLowerCase() }))}
        />
        <SelectField
          label="Currency"
          name="currency"
          value={currency}
          onChange={setCurrency}
          options={CURRENCIES.map((c) => ({ value: c, label: c }))}
        />
        <TextField
          label="Nickname (optional)"
          name="nickname"
          value={nickname}
          onChange={setNickname}
          maxLength={60}
          error={nickError}
        />
      </div>
      <button type="submit" className="btn btn-primary" disabled={open.isPending}>
        {open.isPending ? 'Opening…' : 'Open account'}
      </button>
    </form>
  );
}

export function AccountsPage() {
  const accounts = useAccounts();
  const params = useSearchParams();
  const [showOpen, setShowOpen] = useState(params.get('open') === '1');
  const [showClosed, setShowClosed] = useState(false);
  const list = (accounts.data ?? []).filter((a) => showClosed || a.status !== 'CLOSED');
  const closedCount = (accounts.data ?? []).filter((a) => a.status === 'CLOSED').length;

  return (
    <>
      <PageHeader
        title="Accounts"
        actions={
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setShowOpen((s) => !s)}
            aria-expanded={showOpen}
          >
            Open an account
          </button>
        }
      />
      {showOpen ? <OpenAccountForm onDone={() => setShowOpen(false)} /> : null}
      {accounts.isPending ? <Loading /> : null}
      <ErrorNotice error={accounts.error} />
      {accounts.data && list.length === 0 ? <Empty>You have no open accounts.</Empty> : null}
      {list.length > 0 ? (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Your accounts</caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Number</th>
                  <th scope="col" className="hide-sm">
                    Status
                  </th>
                  <th scope="col" className="num">
                    Balance
                  </th>
                  <th scope="col" className="num hide-sm">
                    Available
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((a) => (
                  <tr key={a.id} data-testid="account-row">
                    <td>
                      <Link to={`/accounts/${a.id}`}>{accountName(a)}</Link>
                      <span className="tx-sub">
                        {a.type.toLowerCase()} · {a.currency}
                      </span>
                    </td>
                    <td className="mono">{maskNumber(a.accountNumber)}</td>
                    <td className="hide-sm">
                      <Badge status={a.status} />
                    </td>
                    <td className="num">
                      <Money amount={a.balance} currency={a.currency} />
                    </td>
                    <td className="num hide-sm">
                      <Money amount={a.availableBalance} currency={a.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      {closedCount > 0 ? (
        <p>
          <button type="button" className="btn-link" onClick={() => setShowClosed((s) => !s)}>
            {showClosed
              ? 'Hide closed accounts'
              : `Show ${closedCount} closed account${closedCount === 1 ? '' : 's'}`}
          </button>
        </p>
      ) : null}
    </>
  );
}

interface HistoryFilters {
  from: string;
  to: string;
  type: string;
  category: string;
}
const NO_FILTERS: HistoryFilters = { from: '', to: '', type: '', category: '' };

export function History({ account, accounts }: { account: Account; accounts: Account[] }) {
  const available = useCapability('GET /api/v1/accounts/{id}/transactions');
  const [draft, setDraft] = useState<HistoryFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const [filterError, setFilterError] = useState<string>();
  const q = useInfiniteQuery({
    queryKey: keys.history(account.id, filters),
    enabled: available === true,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<Transaction>) => last.nextCursor ?? undefined,
    queryFn: ({ pageParam }) =>
      api.get<Page<Transaction>>(`/api/v1/accounts/${account.id}/transactions`, {
        limit: 20,
        cursor: pageParam,
        from: filters.from || undefined,
        // "to" is a day: include all of it
        to: filters.to ? `${filters.to}T23:59:59.999Z` : undefined,
        type: filters.type || undefined,
        category: filters.category || undefined,
      }),
  });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setFilterError('"From" must not be after "To"');
      return;
    }
    if (draft.category && !/^[a-z][a-z0-9_]{0,39}$/.test(draft.category.trim())) {
      setFilterError('A category is lower-case letters, digits or _ (e.g. groceries)');
      return;
    }
    setFilterError(undefined);
    setFilters({ ...draft, category: draft.category.trim() });
  };
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (available === false) return <Empty>Transaction history is not available on this server yet.</Empty>;

  return (
    <section aria-labelledby="history-title" className="section">
      <div className="section-head">
        <h2 id="history-title">History</h2>
      </div>
      <form className="filters card" onSubmit={apply} aria-label="Filter the history" noValidate>
        <TextField
          label="From"
          type="date"
          name="from"
          value={draft.from}
          onChange={(v) => setDraft({ ...draft, from: v })}
        />
        <TextField
          label="To"
          type="date"
          name="to"
          value={draft.to}
          onChange={(v) => setDraft({ ...draft, to: v })}
        />
        <SelectField
          label="Type"
          name="type"
          value={draft.type}
          onChange={(v) => setDraft({ ...draft, type: v })}
          options={[
            { value: '', label: 'Any type' },
            ...TRANSACTION_TYPES.map((t) => ({ value: t, label: t.replace('_', ' ').toLowerCase() })),
          ]}
        />
        <TextField
          label="Category"
          name="category"
          value={draft.category}
          onChange={(v) => setDraft({ ...draft, category: v })}
          placeholder="e.g. groceries"
        />
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
              setFilterError(undefined);
            }}
          >
            Clear
          </button>
        </div>
        {filterError ? (
          <p className="field-error" role="alert">
            {filterError}
          </p>
        ) : null}
      </form>
      {q.isPending ? <Loading label="Loading history…" /> : null}
      <ErrorNotice error={q.error} />
      {q.data && items.length === 0 ? (
        <Empty>
          {Object.values(filters).some(Boolean) ? 'No transactions match.' : 'No transactions yet.'}
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <div className="card flush">
          <TransactionList
            items={items}
            accounts={accounts}
            perspective={new Set([account.id])}
            caption={`History of ${accountName(account)}`}
          />
        </div>
      ) : null}
      <LoadMore query={q} />
    </section>
  );
}

export function StatementLinks({ account }: { account: Account }) {
  const available = useCapability('GET /api/v1/accounts/{id}/statement');
  const today = new Date();
  const monthStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))
    .toISOString()
    .slice(0, 10);
  const [from, setFrom] = useState(monthStart);
  const [to, setTo] = useState(today.toISOString().slice(0, 10));
  if (available === false) return <Empty>Statements are not available on this server yet.</Empty>;
  const invalid = !from || !to || from > to;
  const href = (format: string) =>
    `/api/v1/accounts/${account.id}/statement?${new URLSearchParams({ from, to, format }).toString()}`;
  return (
    <div className="statement-form">
      <TextField label="From" type="date" value={from} onChange={setFrom} name="statementFrom" />
      <TextField
        label="To"
        type="date"
        value={to}
        onChange={setTo}
        name="statementTo"
        error={from && to && from > to ? '"From" must not be after "To"' : undefined}
      />
      <div className="filter-actions">
        {invalid ? (
          <span className="hint">Choose a period to download.</span>
        ) : (
          <>
            <a className="btn" href={href('csv')} download>
              Download CSV
            </a>
            <a className="btn" href={href('pdf')} download>
              Download PDF
            </a>
          </>
        )}
      </div>
    </div>
  );
}

export function AccountDetailPage({ id }: { id: string }) {
  const account = useAccount(id);
  const accounts = useAccounts();
  const toast = useToast();
  const invalidate = useInvalidateMoney();
  const { navigate } = useRouter();
  const [confirmClose, setConfirmClose] = useState(false);
  const close = useMutation({
    mutationFn: () => api.post<Account>(`/api/v1/accounts/${id}/close`),
    onSuccess: async (a) => {
      setConfirmClose(false);
      toast.success(`${accountName(a)} is closed`);
      await invalidate();
      navigate('/accounts');
    },
    onError: (e) => {
      setConfirmClose(false);
      toast.error(isApiError(e) ? e.message : 'The account could not be closed');
    },
  });

  if (account.isPending) {
    return (
      <>
        <PageHeader title="Account" />
        <Loading />
      </>
    );
  }
  if (account.error || !account.data) {
    return (
      <>
        <PageHeader title="Account" />
        <ErrorNotice error={account.error} />
        <Link to="/accounts">Back to accounts</Link>
      </>
    );
  }
  const a = account.data;
  const nonZero = toMinor(a.balance, a.currency) !== 0n;
  return (
    <>
      <PageHeader
        title={accountName(a)}
        subtitle={
          <>
            <span className="mono" data-testid="account-number">
              {a.accountNumber}
            </span>{' '}
            · {a.type.toLowerCase()} · {a.currency} <Badge status={a.status} />
          </>
        }
        actions={
          a.status === 'ACTIVE' ? (
            <>
              <Link to={`/transfer?from=${a.id}`} className="btn btn-primary">
                Transfer
              </Link>
              <Link to={`/deposit?account=${a.id}`} className="btn">
                Deposit
              </Link>
              <Link to={`/withdraw?account=${a.id}`} className="btn">
                Withdraw
              </Link>
            </>
          ) : null
        }
      />
      {a.status === 'FROZEN' ? (
        <div className="notice notice-warn" role="status">
          This account is frozen: no money can leave or enter it. Contact the bank for help.
        </div>
      ) : null}
      <section className="balances" aria-label="Balances">
        <div className="card stat">
          <span className="stat-label">Balance</span>
          <Money amount={a.balance} currency={a.currency} className="stat-value" />
        </div>
        <div className="card stat">
          <span className="stat-label">Available</span>
          <Money amount={a.availableBalance} currency={a.currency} className="stat-value" />
        </div>
        <div className="card stat stat-details">
          <span className="stat-label">Details</span>
          <dl className="mini-dl">
            <dt>Opened</dt>
            <dd>{formatDate(a.openedAt)}</dd>
            <dt>Interest</dt>
            <dd>{a.interestRate}% a year</dd>
            <dt>Overdraft</dt>
            <dd>
              <Money amount={a.overdraftLimit} currency={a.currency} />
            </dd>
          </dl>
        </div>
      </section>
      <History account={a} accounts={accounts.data ?? [a]} />
      <section aria-labelledby="statements-title" className="section">
        <h2 id="statements-title">Statements</h2>
        <div className="card">
          <StatementLinks account={a} />
        </div>
      </section>
      {a.status !== 'CLOSED' ? (
        <section aria-labelledby="close-title" className="section">
          <h2 id="close-title">Close this account</h2>
          <div className="card">
            {nonZero ? (
              <p>Move the balance to another account first: only an empty account can be closed.</p>
            ) : (
              <p>The balance is zero, so the account can be closed. This cannot be undone.</p>
            )}
            <button type="button" className="btn btn-danger" onClick={() => setConfirmClose(true)}>
              Close account
            </button>
          </div>
        </section>
      ) : null}
      <ConfirmDialog
        open={confirmClose}
        title="Close this account?"
        confirmLabel="Close account"
        danger
        busy={close.isPending}
        onConfirm={() => close.mutate()}
        onCancel={() => setConfirmClose(false)}
      >
        <p>
          {accountName(a)} {maskNumber(a.accountNumber)} will be closed. A closed account cannot receive or
          send money.
        </p>
      </ConfirmDialog>
    </>
  );
}

export function StatementsPage() {
  const accounts = useAccounts();
  const list = accounts.data ?? [];
  const [id, setId] = useState('');
  const account = list.find((a) => a.id === id) ?? list[0];
  return (
    <>
      <PageHeader title="Statements" subtitle="Download a statement of any period as CSV or PDF." />
      {accounts.isPending ? <Loading /> : null}
      <ErrorNotice error={accounts.error} />
      {accounts.data && list.length === 0 ? <Empty>You have no accounts yet.</Empty> : null}
      {account ? (
        <div className="card form-card">
          <SelectField
            label="Account"
            name="account"
            value={account.id}
            onChange={setId}
            options={list.map((a) => ({ value: a.id, label: accountLabel(a) }))}
          />
          <StatementLinks key={account.id} account={account} />
        </div>
      ) : null}
    </>
  );
}
