// Staff console: home, fraud alert queue, audit log, users and roles, system report, health.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api';
import { navFor } from '../../components/Layout';
import {
  Badge,
  ConfirmDialog,
  Empty,
  ErrorNotice,
  formatDateTime,
  Loading,
  LoadMore,
  Money,
  PageHeader,
  SelectField,
  TextAreaField,
  TextField,
  Unavailable,
  useCapability,
} from '../../components/ui';
import { Link } from '../../router';
import { useInvalidateMoney } from '../../queries';
import { useToast } from '../../toast';
import type { AdminUser, AuditRecord, FraudAlert, Me, Page, Role } from '../../types';

const ROLES: Role[] = ['customer', 'teller', 'analyst', 'auditor', 'admin'];

export function StaffHomePage({ me }: { me: Me }) {
  const items = navFor(me.user.role).filter((n) => n.to.startsWith('/staff'));
  return (
    <>
      <PageHeader title="Staff console" subtitle={`Signed in as ${me.user.email} (${me.user.role}).`} />
      <ul className="tiles">
        {items.map((n) => (
          <li key={n.to}>
            <Link to={n.to} className="card tile">
              {n.label}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

// ---- fraud alerts --------------------------------------------------------------------------

type Decision = 'release' | 'reject' | 'INVESTIGATING' | 'RESOLVED' | 'FALSE_POSITIVE';

const DECISIONS: Record<Decision, { title: string; confirm: string; danger?: boolean; done: string }> = {
  release: {
    title: 'Release the held payment?',
    confirm: 'Release',
    done: 'Released: the payment goes ahead',
  },
  reject: {
    title: 'Reject the held payment?',
    confirm: 'Reject',
    danger: true,
    done: 'Rejected: the held funds are returned',
  },
  INVESTIGATING: { title: 'Start investigating?', confirm: 'Investigate', done: 'Marked as investigating' },
  RESOLVED: { title: 'Resolve this alert?', confirm: 'Resolve', done: 'Alert resolved' },
  FALSE_POSITIVE: {
    title: 'Close as a false positive?',
    confirm: 'False positive',
    done: 'Closed as a false positive',
  },
};

function AlertActions({ alert }: { alert: FraudAlert }) {
  const qc = useQueryClient();
  const toast = useToast();
  const invalidateMoney = useInvalidateMoney();
  const [action, setAction] = useState<Decision | null>(null);
  const [notes, setNotes] = useState('');
  const act = useMutation({
    mutationFn: (a: Decision) => {
      const n = notes.trim() ? { notes: notes.trim() } : undefined;
      return a === 'release' || a === 'reject'
        ? api.post(`/api/v1/fraud/alerts/${alert.id}/${a}`, n)
        : api.patch(`/api/v1/fraud/alerts/${alert.id}`, { status: a, ...n });
    },
    onSuccess: async (_d, a) => {
      toast.success(DECISIONS[a].done);
      setAction(null);
      setNotes('');
      await Promise.all([qc.invalidateQueries({ queryKey: ['fraud'] }), invalidateMoney()]);
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  const open = alert.status === 'OPEN' || alert.status === 'INVESTIGATING';
  const buttons: Decision[] = [
    ...(alert.hold === 'HELD' ? (['release', 'reject'] as const) : []),
    ...(alert.status === 'OPEN' ? (['INVESTIGATING'] as const) : []),
    ...(open && alert.hold !== 'HELD' ? (['RESOLVED', 'FALSE_POSITIVE'] as const) : []),
  ];
  if (buttons.length === 0) return null;
  const d = action ? DECISIONS[action] : null;
  return (
    <div className="button-row">
      {buttons.map((b) => (
        <button
          key={b}
          type="button"
          className={`btn btn-small ${DECISIONS[b].danger ? 'btn-danger' : b === 'release' ? 'btn-primary' : ''}`}
          onClick={() => setAction(b)}
        >
          {DECISIONS[b].confirm}
        </button>
      ))}
      <ConfirmDialog
        open={action !== null}
        title={d?.title ?? ''}
        confirmLabel={d?.confirm ?? ''}
        danger={!!d?.danger}
        busy={act.isPending}
        onConfirm={() => action && act.mutate(action)}
        onCancel={() => setAction(null)}
      >
        <p>
          <Money amount={alert.amount} currency={alert.currency} /> · score {alert.score} ·{' '}
          {alert.recommendation.replace(/_/g, ' ').toLowerCase()}
        </p>
        <TextAreaField
          label="Notes (optional, kept with the alert)"
          name="notes"
          value={notes}
          onChange={setNotes}
          rows={3}
          maxLength={1000}
        />
      </ConfirmDialog>
    </div>
  );
}

export function FraudPage() {
  const available = useCapability('GET /api/v1/fraud/alerts');
  const [status, setStatus] = useState('OPEN');
  const [hold, setHold] = useState('');
  const q = useInfiniteQuery({
    queryKey: ['fraud', status, hold],
    enabled: available === true,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p: Page<FraudAlert>) => p.nextCursor ?? undefined,
    queryFn: ({ pageParam }) =>
      api.get<Page<FraudAlert>>('/api/v1/fraud/alerts', {
        status: status || undefined,
        hold: hold || undefined,
        limit: 50,
        cursor: pageParam,
      }),
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Fraud alerts"
        subtitle="Movements that fraud screening held or flagged wait here for a decision."
      />
      {available === undefined ? <Loading /> : null}
      {available === false ? <Unavailable what="Fraud screening" /> : null}
      {available ? (
        <div data-testid="fraud-alerts">
          <div className="card filters">
            <SelectField
              label="Status"
              name="status"
              value={status}
              onChange={setStatus}
              options={[
                { value: 'OPEN', label: 'Open' },
                { value: 'INVESTIGATING', label: 'Investigating' },
                { value: 'RESOLVED', label: 'Resolved' },
                { value: 'FALSE_POSITIVE', label: 'False positive' },
                { value: '', label: 'Any status' },
              ]}
            />
            <SelectField
              label="Hold"
              name="hold"
              value={hold}
              onChange={setHold}
              options={[
                { value: '', label: 'Any' },
                { value: 'HELD', label: 'Held' },
                { value: 'RELEASED', label: 'Released' },
                { value: 'REJECTED', label: 'Rejected' },
                { value: 'EXPIRED', label: 'Expired' },
              ]}
            />
          </div>
          {q.isPending ? <Loading /> : null}
          <ErrorNotice error={q.error} />
          {q.data && items.length === 0 ? <Empty>No alerts.</Empty> : null}
          {items.length > 0 ? (
            <div className="card flush">
              <div className="table-wrap">
                <table className="table stack-sm">
                  <caption className="sr-only">Fraud alerts</caption>
                  <thead>
                    <tr>
                      <th scope="col">Raised</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col">Score</th>
                      <th scope="col">Reasons</th>
                      <th scope="col">Status</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((a) => (
                      <tr key={a.id} data-testid="alert-row">
                        <td className="nowrap" data-label="Raised">
                          <span>
                            {formatDateTime(a.createdAt)}
                            <span className="tx-sub">
                              <Link to={`/staff/customers/${a.customerId}`}>Customer</Link>
                            </span>
                          </span>
                        </td>
                        <td className="num" data-label="Amount">
                          <Money amount={a.amount} currency={a.currency} />
                        </td>
                        <td data-label="Score">
                          <span>
                            <strong>{a.score}</strong>
                            <span className="tx-sub">
                              {a.recommendation.replace(/_/g, ' ').toLowerCase()}
                            </span>
                          </span>
                        </td>
                        <td data-label="Reasons">
                          <ul className="plain-list">
                            {a.reasons.map((r) => (
                              <li key={r.rule}>
                                {r.reason} <span className="hint">(+{r.score})</span>
                              </li>
                            ))}
                          </ul>
                          {a.notes.length > 0 ? (
                            <details>
                              <summary>
                                {a.notes.length} note{a.notes.length === 1 ? '' : 's'}
                              </summary>
                              <ul className="plain-list">
                                {a.notes.map((n) => (
                                  <li key={`${n.at}:${n.text}`}>
                                    <span className="hint">{formatDateTime(n.at)}:</span> {n.text}
                                  </li>
                                ))}
                              </ul>
                            </details>
                          ) : null}
                        </td>
                        <td data-label="Status">
                          <span className="badges">
                            <Badge status={a.status} />
                            {a.hold ? <Badge status={a.hold} /> : null}
                          </span>
                        </td>
                        <td className="actions-cell">
                          <AlertActions alert={a} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ) : null}
          <LoadMore query={q} />
        </div>
      ) : null}
    </>
  );
}

// ---- audit ---------------------------------------------------------------------------------

interface AuditFilters {
  entityType: string;
  entityId: string;
  actorId: string;
  action: string;
  from: string;
  to: string;
}
const NO_AUDIT: AuditFilters = { entityType: '', entityId: '', actorId: '', action: '', from: '', to: '' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function AuditVerify() {
  const [run, setRun] = useState(false);
  const q = useQuery({
    queryKey: ['audit-verify'],
    enabled: run,
    queryFn: () =>
      api.get<{ ok: boolean; checked: number; brokenAt: { seq: string; reason: string } | null }>(
        '/api/v1/audit/verify',
      ),
  });
  return (
    <div className="verify">
      <button
        type="button"
        className="btn"
        onClick={() => (run ? void q.refetch() : setRun(true))}
        disabled={q.isFetching}
      >
        {q.isFetching ? 'Checking…' : 'Verify the hash chain'}
      </button>
      <ErrorNotice error={q.error} />
      {q.data ? (
        <span role="status" className={q.data.ok ? 'ok-text' : 'bad-text'}>
          {q.data.ok
            ? `Intact: ${q.data.checked} records checked.`
            : `Broken at record ${q.data.brokenAt?.seq ?? '?'}: ${q.data.brokenAt?.reason ?? ''}`}
        </span>
      ) : null}
    </div>
  );
}

export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilters>(NO_AUDIT);
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT);
  const [error, setError] = useState<string>();
  const [openRow, setOpenRow] = useState<string | null>(null);
  const q = useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p: Page<AuditRecord>) => p.nextCursor ?? undefined,
    queryFn: ({ pageParam }) =>
      api.get<Page<AuditRecord>>('/api/v1/audit', {
        entityType: filters.entityType || undefined,
        entityId: filters.entityId || undefined,
        actorId: filters.actorId || undefined,
        action: filters.action || undefined,
        from: filters.from ? new Date(`${filters.from}T00:00:00`).toISOString() : undefined,
        to: filters.to ? new Date(`${filters.to}T23:59:59.999`).toISOString() : undefined,
        limit: 50,
        cursor: pageParam,
      }),
  });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (draft.actorId.trim() && !UUID.test(draft.actorId.trim())) return setError('The actor id is a UUID');
    if (draft.from && draft.to && draft.from > draft.to) return setError('"From" must not be after "To"');
    setError(undefined);
    setFilters({
      ...draft,
      entityType: draft.entityType.trim(),
      entityId: draft.entityId.trim(),
      actorId: draft.actorId.trim(),
      action: draft.action.trim(),
    });
  };
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (k: keyof AuditFilters) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every state change and security event, newest first."
        actions={<AuditVerify />}
      />
      <form className="card filters" onSubmit={apply} aria-label="Filter the audit log" noValidate>
        <TextField
          label="Entity type"
          name="entityType"
          value={draft.entityType}
          onChange={set('entityType')}
          placeholder="account"
        />
        <TextField label="Entity id" name="entityId" value={draft.entityId} onChange={set('entityId')} />
        <TextField label="Actor id" name="actorId" value={draft.actorId} onChange={set('actorId')} />
        <TextField
          label="Action"
          name="action"
          value={draft.action}
          onChange={set('action')}
          placeholder="account.frozen"
        />
        <TextField label="From" type="date" name="from" value={draft.from} onChange={set('from')} />
        <TextField label="To" type="date" name="to" value={draft.to} onChange={set('to')} />
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(NO_AUDIT);
              setFilters(NO_AUDIT);
              setError(undefined);
            }}
          >
            Clear
          </button>
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      {q.isPending ? <Loading /> : null}
      <ErrorNotice error={q.error} />
      {q.data && items.length === 0 ? <Empty>No records match.</Empty> : null}
      {items.length > 0 ? (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table audit-table stack-sm">
              <caption className="sr-only">Audit records</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Entity</th>
                  <th scope="col" className="hide-sm">
                    Actor
                  </th>
                  <th scope="col">
                    <span className="sr-only">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <AuditRow
                    key={r.id}
                    r={r}
                    open={openRow === r.id}
                    onToggle={() => setOpenRow(openRow === r.id ? null : r.id)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      <LoadMore query={q} />
    </>
  );
}

function AuditRow({ r, open, onToggle }: { r: AuditRecord; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr data-testid="audit-row">
        <td className="nowrap" data-label="When">
          {formatDateTime(r.createdAt)}
        </td>
        <td className="mono" data-label="Action">
          {r.action}
        </td>
        <td className="cell-main">
          {r.entityType}
          {r.entityId ? <span className="tx-sub mono break">{r.entityId}</span> : null}
        </td>
        <td className="hide-sm" data-label="Actor">
          {r.actorRole ?? 'system'}
          {r.ip ? <span className="tx-sub">{r.ip}</span> : null}
        </td>
        <td>
          <button type="button" className="btn btn-small" aria-expanded={open} onClick={onToggle}>
            {open ? 'Hide' : 'Details'}
            <span className="sr-only"> of record {r.seq}</span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr className="detail-row">
          <td colSpan={5}>
            <div className="grid-2">
              <div>
                <h3>Before</h3>
                <pre className="json">{JSON.stringify(r.before, null, 2) ?? '—'}</pre>
              </div>
              <div>
                <h3>After</h3>
                <pre className="json">{JSON.stringify(r.after, null, 2) ?? '—'}</pre>
              </div>
            </div>
            <p className="tx-sub">
              Record {r.seq} · request {r.requestId ?? '—'} · actor {r.actorId ?? '—'}
            </p>
          </td>
        </tr>
      ) : null}
    </>
  );
}

// ---- users ---------------------------------------------------------------------------------

function NewStaffForm() {
  const qc = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('teller');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () => api.post('/api/v1/admin/users', { email: email.trim(), password, role }),
    onSuccess: async () => {
      toast.success(`Created ${role} ${email.trim()}`);
      setEmail('');
      setPassword('');
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) errs.email = 'Enter an e-mail address';
    if (password.length < 12) errs.password = 'At least 12 characters';
    setErrors(errs);
    if (Object.keys(errs).length === 0) create.mutate();
  };
  return (
    <form onSubmit={submit} className="card form-card" aria-labelledby="new-staff" noValidate>
      <h2 id="new-staff">Add a staff user</h2>
      <ErrorNotice error={create.error} />
      <div className="form-row">
        <TextField
          label="E-mail"
          type="email"
          name="email"
          autoComplete="off"
          value={email}
          onChange={setEmail}
          error={errors.email}
        />
        <TextField
          label="Initial password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        <SelectField
          label="Role"
          name="role"
          value={role}
          onChange={(v) => setRole(v as Role)}
          options={ROLES.filter((r) => r !== 'customer').map((r) => ({ value: r, label: r }))}
        />
      </div>
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create user'}
      </button>
    </form>
  );
}

function UserRow({ u, me }: { u: AdminUser; me: Me }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [role, setRole] = useState<Role>(u.role);
  const update = useMutation({
    mutationFn: (body: { role?: Role; status?: 'ACTIVE' | 'DISABLED' }) =>
      api.patch<AdminUser>(`/api/v1/admin/users/${u.id}`, body),
    onSuccess: async (x) => {
      toast.success(`${x.email}: ${x.role}, ${x.status.toLowerCase()}`);
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => {
      setRole(u.role);
      toast.error(errorMessage(e));
    },
  });
  const self = u.id === me.user.id;
  return (
    <tr data-testid="user-row">
      <td className="break cell-main">
        {u.email}
        <span className="tx-sub">last sign-in {formatDateTime(u.lastLoginAt)}</span>
      </td>
      <td data-label="Role">
        <SelectField
          label={`Role of ${u.email}`}
          value={role}
          onChange={(v) => {
            setRole(v as Role);
            update.mutate({ role: v as Role });
          }}
          options={ROLES.map((r) => ({ value: r, label: r }))}
          disabled={self || update.isPending}
          fieldClassName="field-compact label-hidden"
        />
      </td>
      <td data-label="Status">
        <Badge status={u.status} /> {u.locked ? <Badge status="LOCKED" /> : null}{' '}
        {u.mfaEnabled ? <span className="tag">MFA</span> : null}
      </td>
      <td className="actions-cell">
        {!self ? (
          <button
            type="button"
            className={`btn btn-small ${u.status === 'ACTIVE' ? 'btn-danger' : ''}`}
            onClick={() => update.mutate({ status: u.status === 'ACTIVE' ? 'DISABLED' : 'ACTIVE' })}
            disabled={update.isPending}
          >
            {u.status === 'ACTIVE' ? 'Disable' : u.locked ? 'Enable and unlock' : 'Enable'}
          </button>
        ) : (
          <span className="hint">you</span>
        )}
      </td>
    </tr>
  );
}

export function UsersPage({ me }: { me: Me }) {
  const [role, setRole] = useState('');
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const q = useInfiniteQuery({
    queryKey: ['users', role, search],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p: Page<AdminUser>) => p.nextCursor ?? undefined,
    queryFn: ({ pageParam }) =>
      api.get<Page<AdminUser>>('/api/v1/admin/users', {
        role: role || undefined,
        q: search || undefined,
        limit: 50,
        cursor: pageParam,
      }),
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeader
        title="Users and roles"
        actions={
          <button
            type="button"
            className="btn btn-primary"
            aria-expanded={adding}
            onClick={() => setAdding((a) => !a)}
          >
            Add a staff user
          </button>
        }
      />
      {adding ? <NewStaffForm /> : null}
      <form
        className="card filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(text.trim());
        }}
      >
        <TextField label="E-mail starts with" name="q" type="search" value={text} onChange={setText} />
        <SelectField
          label="Role"
          name="roleFilter"
          value={role}
          onChange={setRole}
          options={[{ value: '', label: 'Any role' }, ...ROLES.map((r) => ({ value: r, label: r }))]}
        />
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            Search
          </button>
        </div>
      </form>
      {q.isPending ? <Loading /> : null}
      <ErrorNotice error={q.error} />
      {q.data && items.length === 0 ? <Empty>No users match.</Empty> : null}
      {items.length > 0 ? (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table stack-sm">
              <caption className="sr-only">Users</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((u) => (
                  <UserRow key={`${u.id}:${u.role}`} u={u} me={me} />
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      <LoadMore query={q} />
    </>
  );
}

// ---- system report and health ---------------------------------------------------------------

/** Renders any JSON document as nested definition lists (for reports whose shape may grow). */
function JsonView({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span>—</span>;
  if (typeof value !== 'object')
    return <span className={typeof value === 'number' ? 'mono' : ''}>{String(value)}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span>none</span>;
    return (
      <ol className="json-list">
        {value.slice(0, 50).map((v, i) => (
          <li key={i}>
            <JsonView value={v} />
          </li>
        ))}
      </ol>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const isMoney =
    entries.length === 2 &&
    typeof (value as Record<string, unknown>).amount === 'string' &&
    typeof (value as Record<string, unknown>).currency === 'string';
  if (isMoney) {
    const m = value as { amount: string; currency: string };
    return <Money amount={m.amount} currency={m.currency} />;
  }
  return (
    <dl className="dl json-dl">
      {entries.map(([k, v]) => (
        <div key={k} className="dl-row">
          <dt>{k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}</dt>
          <dd>
            <JsonView value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

interface SystemReport {
  generatedAt: string;
  period: { from: string; to: string };
  users: { total: number; byRole: { role: string; count: number }[] };
  accounts: {
    total: number;
    byType: { type: string; count: number; percent: string }[];
    byStatus: { status: string; count: number }[];
  };
  balances: {
    currency: string;
    accounts: number;
    totalBalance: string;
    ledgerCustomerBalance: string;
    ledgerBankBalance: string;
    matchesLedger: boolean;
    ledgerBalanced: boolean;
  }[];
  transactionVolumes: { date: string; type: string; currency: string; count: number; sum: string }[];
  fraudAlerts: { available: boolean; total: number; byStatus: { status: string; count: number }[] };
}

function asSystemReport(v: unknown): SystemReport | null {
  const r = (
    v && typeof v === 'object' && 'result' in v ? (v as { result: unknown }).result : v
  ) as Partial<SystemReport> | null;
  if (!r || !r.users || !r.accounts || !Array.isArray(r.balances) || !Array.isArray(r.transactionVolumes))
    return null;
  return r as SystemReport;
}

function CountTable({
  caption,
  rows,
  label,
}: {
  caption: string;
  rows: { key: string; count: number; extra?: string }[];
  label: string;
}) {
  return (
    <table className="table compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col" className="num">
            Count
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{r.key}</td>
            <td className="num">
              {r.count}
              {r.extra ? <span className="hint"> ({r.extra}%)</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SystemReportView({ r }: { r: SystemReport }) {
  return (
    <div className="stack" data-testid="system-report">
      <p className="hint">
        Generated {formatDateTime(r.generatedAt)} · volumes from {formatDateTime(r.period.from)} to{' '}
        {formatDateTime(r.period.to)}
      </p>
      <section className="balances" aria-label="Totals">
        <div className="card stat">
          <span className="stat-label">Users</span>
          <span className="stat-value">{r.users.total}</span>
        </div>
        <div className="card stat">
          <span className="stat-label">Accounts</span>
          <span className="stat-value">{r.accounts.total}</span>
        </div>
        <div className="card stat">
          <span className="stat-label">Fraud alerts</span>
          <span className="stat-value">{r.fraudAlerts.available ? r.fraudAlerts.total : '—'}</span>
        </div>
      </section>
      <section className="card" aria-labelledby="sys-balances">
        <h2 id="sys-balances">Balances against the ledger</h2>
        <div className="table-wrap">
          <table className="table stack-sm">
            <caption className="sr-only">Balances per currency</caption>
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col" className="num">
                  Accounts
                </th>
                <th scope="col" className="num">
                  Customer balances
                </th>
                <th scope="col" className="num">
                  Ledger (customers)
                </th>
                <th scope="col" className="num">
                  Ledger (bank)
                </th>
                <th scope="col">Check</th>
              </tr>
            </thead>
            <tbody>
              {r.balances.map((b) => (
                <tr key={b.currency}>
                  <td className="cell-main">
                    <strong>{b.currency}</strong>
                  </td>
                  <td className="num" data-label="Accounts">
                    {b.accounts}
                  </td>
                  <td className="num" data-label="Customer balances">
                    <Money amount={b.totalBalance} currency={b.currency} />
                  </td>
                  <td className="num" data-label="Ledger (customers)">
                    <Money amount={b.ledgerCustomerBalance} currency={b.currency} />
                  </td>
                  <td className="num" data-label="Ledger (bank)">
                    <Money amount={b.ledgerBankBalance} currency={b.currency} />
                  </td>
                  <td data-label="Check">
                    <Badge status={b.matchesLedger && b.ledgerBalanced ? 'ok' : 'FAILED'} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div className="grid-3">
        <section className="card">
          <CountTable
            caption="Users by role"
            label="Role"
            rows={r.users.byRole.map((x) => ({ key: x.role, count: x.count }))}
          />
        </section>
        <section className="card">
          <CountTable
            caption="Accounts by type"
            label="Type"
            rows={r.accounts.byType.map((x) => ({ key: x.type, count: x.count, extra: x.percent }))}
          />
        </section>
        <section className="card">
          <CountTable
            caption="Accounts by status"
            label="Status"
            rows={r.accounts.byStatus.map((x) => ({ key: x.status, count: x.count }))}
          />
        </section>
      </div>
      <section className="card" aria-labelledby="sys-volumes">
        <h2 id="sys-volumes">Transaction volumes</h2>
        {r.transactionVolumes.length === 0 ? (
          <Empty>No transactions in the period.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table stack-sm">
              <caption className="sr-only">Transaction volumes per day and type</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Count
                  </th>
                  <th scope="col" className="num">
                    Sum
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.transactionVolumes.map((v) => (
                  <tr key={`${v.date}:${v.type}:${v.currency}`}>
                    <td data-label="Day">{v.date}</td>
                    <td data-label="Type">{v.type.replace(/_/g, ' ').toLowerCase()}</td>
                    <td className="num" data-label="Count">
                      {v.count}
                    </td>
                    <td className="num" data-label="Sum">
                      <Money amount={v.sum} currency={v.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

export function SystemPage() {
  const available = useCapability('GET /api/v1/reports/system');
  const q = useQuery({
    queryKey: ['system-report'],
    enabled: available === true,
    queryFn: () => api.get<unknown>('/api/v1/reports/system'),
  });
  return (
    <>
      <PageHeader title="System report" />
      {available === undefined || (available && q.isPending) ? <Loading /> : null}
      {available === false ? <Unavailable what="The system report" /> : null}
      <ErrorNotice error={q.error} />
      {q.data
        ? (() => {
            const report = asSystemReport(q.data);
            return report ? (
              <SystemReportView r={report} />
            ) : (
              <section className="card" data-testid="system-report">
                <JsonView value={q.data} />
              </section>
            );
          })()
        : null}
    </>
  );
}

interface Health {
  status: string;
  uptimeSeconds?: number;
  components?: Record<string, { status: string; latencyMs?: number; error?: string }>;
}

export function HealthPage() {
  const q = useQuery({
    queryKey: ['health'],
    refetchInterval: 15_000,
    queryFn: async () => {
      // /health answers 503 with the same document when the database is down.
      const res = await fetch('/health', { headers: { accept: 'application/json' } });
      return (await res.json()) as Health;
    },
  });
  const h = q.data;
  return (
    <>
      <PageHeader title="Health" subtitle="Refreshes every 15 seconds." />
      {q.isPending ? <Loading /> : null}
      <ErrorNotice error={q.error} />
      {h ? (
        <section className="card" aria-label="Health">
          <p className="health-status">
            Overall <Badge status={h.status} />
            {h.uptimeSeconds !== undefined ? (
              <span className="hint"> · up {Math.floor(h.uptimeSeconds / 60)} min</span>
            ) : null}
          </p>
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Components</caption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Status</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(h.components ?? {}).map(([name, c]) => (
                  <tr key={name}>
                    <td>{name}</td>
                    <td>
                      <Badge status={c.status} />
                    </td>
                    <td>{c.latencyMs !== undefined ? `${c.latencyMs} ms` : '—'}</td>
                    <td>{c.error ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <a href="/metrics">Prometheus metrics</a> · <a href="/docs">API documentation</a>
          </p>
        </section>
      ) : null}
    </>
  );
}
