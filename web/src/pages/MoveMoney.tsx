// Transfer (own accounts, another customer by account number, another bank), deposit and
// withdraw. The amount is checked with the server's rules before sending; the server's
// problem+json detail is shown when it refuses. Each submission carries an Idempotency-Key.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../api';
import {
  accountLabel,
  accountName,
  accountOption,
  Badge,
  Empty,
  ErrorNotice,
  Loading,
  Money,
  PageHeader,
  SelectField,
  TextField,
} from '../components/ui';
import { checkAmount, minorDigits } from '../money';
import { useAccounts, useMoneyMovement } from '../queries';
import { Link, useSearchParams } from '../router';
import { useToast } from '../toast';
import type { Account, Transaction } from '../types';

const CATEGORY = /^[a-z][a-z0-9_]{0,39}$/;
const TAG = /^[\p{L}\p{N}_ -]{1,30}$/u;

export function parseTags(text: string): { tags: string[]; error?: string } {
  const tags = [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > 10) return { tags, error: 'Use at most 10 tags' };
  const bad = tags.find((t) => !TAG.test(t));
  if (bad) return { tags, error: `"${bad}": a tag is 1–30 letters, digits, spaces, _ or -` };
  return { tags };
}

export function categoryError(c: string): string | undefined {
  return c && !CATEGORY.test(c)
    ? 'Lower-case letters, digits or _ (at most 40), starting with a letter'
    : undefined;
}

function amountHint(currency: string | undefined) {
  if (!currency) return undefined;
  const d = minorDigits(currency);
  return d === 0 ? `Whole ${currency}, no decimals` : `In ${currency}, up to ${d} decimals`;
}

function Result({ tx, children, link = true }: { tx: Transaction; children?: ReactNode; link?: boolean }) {
  return (
    <div className="notice notice-success" role="status" data-testid="movement-result">
      <p>
        <strong>
          {tx.status === 'COMPLETED'
            ? 'Done.'
            : tx.status === 'PENDING_REVIEW'
              ? 'Held for review: the bank checks this payment before it is sent.'
              : tx.status === 'PENDING'
                ? 'Sent: the funds are held until the other bank settles.'
                : `Status: ${tx.status}.`}
        </strong>{' '}
        <Money amount={tx.amount} currency={tx.currency} /> · reference{' '}
        <span className="mono">{tx.reference}</span> <Badge status={tx.status} />
      </p>
      {link ? (
        <p>
          <Link to={`/transactions/${tx.id}`}>View the transaction</Link>
          {children}
        </p>
      ) : null}
    </div>
  );
}

function useActiveAccounts() {
  const q = useAccounts();
  return {
    ...q,
    active: (q.data ?? []).filter((a) => a.status === 'ACTIVE'),
    frozen: (q.data ?? []).filter((a) => a.status === 'FROZEN'),
  };
}

function NoAccounts() {
  return (
    <Empty>
      You need an open account first. <Link to="/accounts?open=1">Open an account</Link>.
    </Empty>
  );
}

type Mode = 'own' | 'customer' | 'external';

export function TransferPage() {
  const params = useSearchParams();
  const accounts = useActiveAccounts();
  const toast = useToast();
  const move = useMoneyMovement('/api/v1/transfers');
  const [fromId, setFromId] = useState(params.get('from') ?? '');
  const [mode, setMode] = useState<Mode>('own');
  const [toId, setToId] = useState('');
  const [toNumber, setToNumber] = useState('');
  const [ext, setExt] = useState({ bankCode: '', accountNumber: '', name: '' });
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [tags, setTags] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<Transaction | null>(null);

  const list = accounts.active;
  const frozen = accounts.frozen;
  // The chosen account stays chosen: if it is frozen meanwhile, say so rather than quietly
  // switching to another account.
  const chosen = (accounts.data ?? []).find((a) => a.id === fromId);
  const from = chosen ? (chosen.status === 'ACTIVE' ? chosen : undefined) : list[0];
  useEffect(() => {
    if (!fromId && list[0]) setFromId(list[0].id);
  }, [fromId, list]);
  const ownTargets = list.filter((a) => a.id !== from?.id);
  const to = ownTargets.find((a) => a.id === toId) ?? ownTargets[0];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!from) {
      setErrors({ from: 'Choose an account to send from' });
      return;
    }
    const errs: Record<string, string> = {};
    const amt = checkAmount(amount, from.currency);
    // Only the amount's form is checked here; whether the money is there is the server's call
    // (holds, overdraft), and its refusal is shown as it words it.
    if (!amt.ok) errs.amount = amt.message;
    let target: Record<string, unknown> = {};
    if (mode === 'own') {
      if (!to) errs.to = 'You need a second account to move money between your own accounts';
      else if (to.currency !== from.currency)
        errs.to = `${accountLabel(to)} is in ${to.currency}, not ${from.currency}`;
      else target = { toAccountId: to.id };
    } else if (mode === 'customer') {
      const n = toNumber.replace(/[\s-]/g, '');
      if (!/^[0-9]{12}$/.test(n)) errs.toNumber = 'An account number is 12 digits';
      else target = { toAccountNumber: n };
    } else {
      const bankCode = ext.bankCode.trim().toUpperCase();
      const accountNumber = ext.accountNumber.replace(/\s/g, '').toUpperCase();
      if (!/^[A-Z0-9]{4,11}$/.test(bankCode)) errs.bankCode = '4–11 letters or digits (a BIC or sort code)';
      if (!/^[A-Z0-9]{4,34}$/.test(accountNumber))
        errs.extNumber = '4–34 letters or digits (IBAN or account number)';
      if (!ext.name.trim()) errs.extName = "Enter the recipient's name";
      target = { toExternal: { bankCode, accountNumber, name: ext.name.trim() } };
    }
    if (description.trim().length > 280) errs.description = 'Use at most 280 characters';
    const catErr = categoryError(category.trim());
    if (catErr) errs.category = catErr;
    const parsedTags = parseTags(tags);
    if (parsedTags.error) errs.tags = parsedTags.error;
    setErrors(errs);
    if (Object.keys(errs).length > 0 || !amt.ok) return;
    setDone(null);
    move.mutate(
      {
        fromAccountId: from.id,
        ...target,
        amount: amt.amount,
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(category.trim() ? { category: category.trim() } : {}),
        ...(parsedTags.tags.length ? { tags: parsedTags.tags } : {}),
      },
      {
        onSuccess: (tx) => {
          setDone(tx);
          setAmount('');
          setDescription('');
          toast.success(
            tx.status === 'COMPLETED'
              ? `Transferred ${amt.amount} ${tx.currency}`
              : `Transfer ${tx.status.toLowerCase().replace('_', ' ')}`,
          );
        },
        onError: (err) => toast.error(`Transfer refused: ${errorMessage(err)}`),
      },
    );
  };

  return (
    <>
      <PageHeader title="Transfer money" />
      {accounts.isPending ? <Loading /> : null}
      <ErrorNotice error={accounts.error} />
      {accounts.data && list.length === 0 ? <NoAccounts /> : null}
      {list.length > 0 || chosen ? (
        <form className="card form-card" onSubmit={submit} noValidate aria-label="Transfer">
          {done ? <Result tx={done} /> : null}
          <ErrorNotice error={move.error} title="The transfer was refused" />
          {chosen && !from ? (
            <div className="notice notice-warn" role="status">
              {accountName(chosen)} is {chosen.status.toLowerCase()}: no money can leave it. Choose another
              account.
            </div>
          ) : null}
          <SelectField
            label="From"
            name="from"
            value={from?.id ?? ''}
            onChange={setFromId}
            error={errors.from}
            options={[
              ...(from ? [] : [{ value: '', label: 'Choose an account', disabled: true }]),
              ...list.map((a) => ({ value: a.id, label: accountOption(a) })),
              ...frozen.map((a) => ({
                value: a.id,
                label: `${accountName(a)} ··${a.accountNumber.slice(-4)} · frozen`,
                disabled: true,
              })),
            ]}
          />
          <fieldset className="segmented">
            <legend>To</legend>
            {(
              [
                ['own', 'My account'],
                ['customer', 'Another customer'],
                ['external', 'Another bank'],
              ] as const
            ).map(([m, label]) => (
              <label key={m} className={mode === m ? 'checked' : ''}>
                <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                {label}
              </label>
            ))}
          </fieldset>
          {mode === 'own' ? (
            ownTargets.length === 0 ? (
              <p className="hint">
                You have one account. <Link to="/accounts?open=1">Open another</Link> to move money between
                them.
              </p>
            ) : (
              <SelectField
                label="To account"
                name="to"
                value={to?.id ?? ''}
                onChange={setToId}
                error={errors.to}
                options={ownTargets.map((a) => ({
                  value: a.id,
                  label: `${accountName(a)} ··${a.accountNumber.slice(-4)} (${a.currency})`,
                }))}
              />
            )
          ) : null}
          {mode === 'customer' ? (
            <TextField
              label="Recipient's account number"
              name="toAccountNumber"
              inputMode="numeric"
              autoComplete="off"
              value={toNumber}
              onChange={setToNumber}
              error={errors.toNumber}
              hint="12 digits, as shown on the recipient's account"
            />
          ) : null}
          {mode === 'external' ? (
            <div className="form-row">
              <TextField
                label="Bank code (BIC or sort code)"
                name="bankCode"
                value={ext.bankCode}
                onChange={(v) => setExt({ ...ext, bankCode: v })}
                error={errors.bankCode}
                autoComplete="off"
              />
              <TextField
                label="Account number or IBAN"
                name="externalAccountNumber"
                value={ext.accountNumber}
                onChange={(v) => setExt({ ...ext, accountNumber: v })}
                error={errors.extNumber}
                autoComplete="off"
              />
              <TextField
                label="Recipient's name"
                name="externalName"
                value={ext.name}
                onChange={(v) => setExt({ ...ext, name: v })}
                error={errors.extName}
                maxLength={140}
              />
            </div>
          ) : null}
          <TextField
            label={from ? `Amount (${from.currency})` : 'Amount'}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={setAmount}
            error={errors.amount}
            hint={amountHint(from?.currency)}
          />
          <TextField
            label="Description (optional)"
            name="description"
            value={description}
            onChange={setDescription}
            error={errors.description}
            maxLength={280}
          />
          <details className="more">
            <summary>Category and tags</summary>
            <div className="form-row">
              <TextField
                label="Category (optional)"
                name="category"
                value={category}
                onChange={setCategory}
                error={errors.category}
                placeholder="e.g. rent"
              />
              <TextField
                label="Tags (optional, comma-separated)"
                name="tags"
                value={tags}
                onChange={setTags}
                error={errors.tags}
              />
            </div>
          </details>
          <button type="submit" className="btn btn-primary" disabled={move.isPending}>
            {move.isPending ? 'Sending…' : 'Transfer'}
          </button>
        </form>
      ) : null}
    </>
  );
}

export function CashPage({ kind }: { kind: 'deposit' | 'withdrawal' }) {
  const params = useSearchParams();
  const accounts = useActiveAccounts();
  const list = accounts.active;
  return (
    <>
      <PageHeader title={kind === 'deposit' ? 'Deposit' : 'Withdraw'} />
      {accounts.isPending ? <Loading /> : null}
      <ErrorNotice error={accounts.error} />
      {accounts.data && list.length === 0 ? <NoAccounts /> : null}
      {list.length > 0 ? (
        <CashForm kind={kind} accounts={list} initialId={params.get('account') ?? ''} />
      ) : null}
    </>
  );
}

/** Deposit into or withdraw from one of the given accounts (the customer's, or a teller's pick). */
export function CashForm({
  kind,
  accounts,
  initialId = '',
  onDone,
  staff = false,
}: {
  kind: 'deposit' | 'withdrawal';
  accounts: Account[];
  initialId?: string;
  onDone?: (tx: Transaction) => void;
  /** A teller at the counter (the transaction page is the customer's). */
  staff?: boolean;
}) {
  const toast = useToast();
  const move = useMoneyMovement(kind === 'deposit' ? '/api/v1/deposits' : '/api/v1/withdrawals');
  const [accountId, setAccountId] = useState(initialId);
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<Transaction | null>(null);
  const account = accounts.find((a) => a.id === accountId) ?? accounts[0];
  const verb = kind === 'deposit' ? 'Deposit' : 'Withdraw';
  if (!account) return null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const amt = checkAmount(amount, account.currency);
    if (!amt.ok) errs.amount = amt.message;
    if (description.trim().length > 280) errs.description = 'Use at most 280 characters';
    setErrors(errs);
    if (!amt.ok || Object.keys(errs).length > 0) return;
    setDone(null);
    move.mutate(
      {
        accountId: account.id,
        amount: amt.amount,
        ...(description.trim() ? { description: description.trim() } : {}),
      },
      {
        onSuccess: (tx) => {
          setDone(tx);
          setAmount('');
          setDescription('');
          toast.success(`${kind === 'deposit' ? 'Deposited' : 'Withdrew'} ${amt.amount} ${tx.currency}`);
          onDone?.(tx);
        },
        onError: (err) => toast.error(`${verb} refused: ${errorMessage(err)}`),
      },
    );
  };

  return (
    <form className="card form-card" onSubmit={submit} noValidate aria-label={verb}>
      {done ? <Result tx={done} link={!staff} /> : null}
      <ErrorNotice error={move.error} title={`The ${kind} was refused`} />
      <SelectField
        label="Account"
        name="account"
        value={account.id}
        onChange={setAccountId}
        options={accounts.map((a) => ({ value: a.id, label: accountOption(a) }))}
      />
      <TextField
        label={`Amount (${account.currency})`}
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        value={amount}
        onChange={setAmount}
        error={errors.amount}
        hint={amountHint(account.currency)}
      />
      <TextField
        label="Description (optional)"
        name="description"
        value={description}
        onChange={setDescription}
        error={errors.description}
        maxLength={280}
      />
      <button type="submit" className="btn btn-primary" disabled={move.isPending}>
        {move.isPending ? 'Working…' : verb}
      </button>
    </form>
  );
}
