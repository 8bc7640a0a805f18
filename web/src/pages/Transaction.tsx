// One transaction: its details, and the customer's own category and tags for it.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import {
  accountLabel,
  Badge,
  ErrorNotice,
  formatDateTime,
  humanize,
  Loading,
  Money,
  PageHeader,
  TextField,
} from '../components/ui';
import { keys, useAccounts, useInvalidateMoney } from '../queries';
import { Link } from '../router';
import { useToast } from '../toast';
import type { Transaction } from '../types';
import { categoryError, parseTags } from './MoveMoney';

const SUGGESTED = [
  'groceries',
  'dining',
  'housing',
  'transport',
  'utilities',
  'entertainment',
  'health',
  'shopping',
  'income',
  'savings',
  'transfers',
];

function LabelsForm({ tx }: { tx: Transaction }) {
  const [category, setCategory] = useState(tx.category ?? '');
  const [tags, setTags] = useState(tx.tags.join(', '));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const toast = useToast();
  const invalidate = useInvalidateMoney();
  const save = useMutation({
    mutationFn: (body: { category: string | null; tags: string[] }) =>
      api.patch<Transaction>(`/api/v1/transactions/${tx.id}`, body),
    onSuccess: async () => {
      toast.success('Category and tags saved');
      await invalidate();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const c = category.trim();
    const cErr = categoryError(c);
    if (cErr) errs.category = cErr;
    const t = parseTags(tags);
    if (t.error) errs.tags = t.error;
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    save.mutate({ category: c || null, tags: t.tags });
  };
  return (
    <form onSubmit={submit} className="card form-card" aria-labelledby="labels-title" noValidate>
      <h2 id="labels-title">Category and tags</h2>
      <ErrorNotice error={save.error} />
      <div className="form-row">
        <TextField
          label="Category"
          name="category"
          value={category}
          onChange={setCategory}
          error={errors.category}
          list="category-suggestions"
          hint="Lower-case, e.g. groceries. Leave empty for none."
        />
        <datalist id="category-suggestions">
          {SUGGESTED.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <TextField
          label="Tags"
          name="tags"
          value={tags}
          onChange={setTags}
          error={errors.tags}
          hint="Comma-separated, up to 10"
        />
      </div>
      <button type="submit" className="btn btn-primary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

export function TransactionPage({ id }: { id: string }) {
  const q = useQuery({
    queryKey: keys.transaction(id),
    queryFn: () => api.get<Transaction>(`/api/v1/transactions/${encodeURIComponent(id)}`),
  });
  const accounts = useAccounts();
  const byId = new Map((accounts.data ?? []).map((a) => [a.id, a]));
  const side = (accountId: string | null) => {
    if (!accountId) return '—';
    const a = byId.get(accountId);
    return a ? <Link to={`/accounts/${a.id}`}>{accountLabel(a)}</Link> : 'Another customer’s account';
  };
  const tx = q.data;
  return (
    <>
      <PageHeader
        title="Transaction"
        subtitle={tx ? <span className="mono">{tx.reference}</span> : undefined}
      />
      {q.isPending ? <Loading /> : null}
      <ErrorNotice error={q.error} />
      {tx ? (
        <>
          <section className="card" aria-label="Details">
            <dl className="dl">
              <dt>Amount</dt>
              <dd>
                <Money amount={tx.amount} currency={tx.currency} className="stat-value" />
              </dd>
              <dt>Type</dt>
              <dd>{humanize(tx.type)}</dd>
              <dt>Status</dt>
              <dd>
                <Badge status={tx.status} />
              </dd>
              <dt>From</dt>
              <dd>{tx.type === 'DEPOSIT' ? 'Cash' : side(tx.fromAccountId)}</dd>
              <dt>To</dt>
              <dd>
                {tx.counterparty
                  ? `${tx.counterparty.name}, ${tx.counterparty.accountNumber} at ${tx.counterparty.bankCode}`
                  : tx.type === 'WITHDRAWAL'
                    ? 'Cash'
                    : side(tx.toAccountId)}
              </dd>
              <dt>Description</dt>
              <dd>{tx.description ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{formatDateTime(tx.createdAt)}</dd>
              <dt>Completed</dt>
              <dd>{formatDateTime(tx.completedAt)}</dd>
            </dl>
          </section>
          <LabelsForm key={`${tx.id}:${tx.category ?? ''}:${tx.tags.join(',')}`} tx={tx} />
        </>
      ) : null}
    </>
  );
}
