// Small building blocks shared by the screens: page header, labelled fields with their errors,
// money, status badges, loading and error notices, a confirmation dialog.
import { useQuery } from '@tanstack/react-query';
import {
  useEffect,
  useId,
  useRef,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { errorMessage, isApiError, loadCapabilities } from '../api';
import { formatMoney, isNegative } from '../money';
import type { Account } from '../types';

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · corebank`;
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1 tabIndex={-1}>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Money({
  amount,
  currency,
  signed,
  className,
}: {
  amount: string;
  currency: string;
  signed?: boolean;
  className?: string;
}) {
  const neg = isNegative(amount);
  return (
    <span className={['money', neg ? 'neg' : signed ? 'pos' : '', className ?? ''].join(' ').trim()}>
      {formatMoney(amount, currency, { signed: !!signed })}
    </span>
  );
}

interface FieldShellProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  className?: string;
}

function FieldShell({ label, error, hint, children, className }: FieldShellProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'has-error' : ''} ${className ?? ''}`.trim()}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: !!error })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  fieldClassName?: string;
};

export function TextField({ label, value, onChange, error, hint, fieldClassName, ...rest }: InputProps) {
  return (
    <FieldShell
      label={label}
      error={error}
      hint={hint}
      {...(fieldClassName ? { className: fieldClassName } : {})}
    >
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...rest}
        />
      )}
    </FieldShell>
  );
}

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
};

export function TextAreaField({ label, value, onChange, error, hint, ...rest }: TextAreaProps) {
  return (
    <FieldShell label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...rest}
        />
      )}
    </FieldShell>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> & {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string; disabled?: boolean }[];
  error?: string | undefined;
  hint?: ReactNode;
  fieldClassName?: string;
};

export function SelectField({
  label,
  value,
  onChange,
  options,
  error,
  hint,
  fieldClassName,
  ...rest
}: SelectProps) {
  return (
    <FieldShell
      label={label}
      error={error}
      hint={hint}
      {...(fieldClassName ? { className: fieldClassName } : {})}
    >
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...rest}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** A refusal or failure, with the server's detail and any field errors. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const fieldErrors = isApiError(error) ? error.errors : [];
  return (
    <div className="notice notice-error" role="alert" data-testid="error-notice">
      {title ? <strong>{title}: </strong> : null}
      <span>{errorMessage(error)}</span>
      {fieldErrors.length > 0 ? (
        <ul>
          {fieldErrors.map((f) => (
            <li key={`${f.path}:${f.message}`}>
              {humanPath(f.path)} {f.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const humanPath = (p: string) => p.replace(/^(body|querystring|params)\./, '');

/** The "Load more" button under a paged list: shown while there is a next page, idle while loading. */
export function LoadMore({
  query,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
}) {
  if (!query.hasNextPage) return null;
  return (
    <p className="center">
      <button
        type="button"
        className="btn"
        onClick={() => void query.fetchNextPage()}
        disabled={query.isFetchingNextPage}
      >
        {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
      </button>
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Unavailable({ what }: { what: string }) {
  return (
    <div className="notice notice-info" data-testid="unavailable">
      {what} is not available on this server yet.
    </div>
  );
}

const statusClass: Record<string, string> = {
  ACTIVE: 'ok',
  COMPLETED: 'ok',
  VERIFIED: 'ok',
  ok: 'ok',
  RELEASED: 'ok',
  APPROVE: 'ok',
  FROZEN: 'warn',
  HELD: 'warn',
  INVESTIGATING: 'warn',
  LOCKED: 'bad',
  EXPIRED: 'muted',
  FALSE_POSITIVE: 'muted',
  RESOLVED: 'muted',
  PENDING: 'warn',
  PENDING_REVIEW: 'warn',
  OPEN: 'warn',
  degraded: 'warn',
  CLOSED: 'muted',
  REVERSED: 'muted',
  DISABLED: 'muted',
  FAILED: 'bad',
  REJECTED: 'bad',
  down: 'bad',
};

export function Badge({ status }: { status: string }) {
  return <span className={`badge badge-${statusClass[status] ?? 'muted'}`}>{status.replace(/_/g, ' ')}</span>;
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="actions">
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button
          type="button"
          className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          onClick={onConfirm}
          disabled={busy}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

// ---- formatting helpers ---------------------------------------------------------------------

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** "****1234" from a full or already-masked number. */
export function maskNumber(n: string): string {
  return n.includes('*') ? n : `****${n.slice(-4)}`;
}

const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

export function accountName(a: Pick<Account, 'nickname' | 'type'>): string {
  return a.nickname ?? `${titleCase(a.type)} account`;
}

export function accountLabel(a: Pick<Account, 'nickname' | 'type' | 'accountNumber' | 'currency'>): string {
  return `${accountName(a)} ${maskNumber(a.accountNumber)} (${a.currency})`;
}

/** For account pickers: name, last digits and what is available, short enough for a phone. */
export function accountOption(
  a: Pick<Account, 'nickname' | 'type' | 'accountNumber' | 'currency' | 'availableBalance'>,
): string {
  return `${accountName(a)} ··${a.accountNumber.slice(-4)} · ${formatMoney(a.availableBalance, a.currency)}`;
}

export function humanize(s: string): string {
  return titleCase(s.replace(/_/g, ' '));
}

/** Whether the server publishes a route ("GET /api/v1/reports/accounts/{id}"); undefined while loading. */
export function useCapability(route: string): boolean | undefined {
  const q = useQuery({ queryKey: ['capabilities'], queryFn: loadCapabilities, staleTime: Infinity });
  return q.data ? q.data.has(route) : undefined;
}
