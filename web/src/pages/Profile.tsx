// Profile and security: the customer's details, the password, and the second factor (TOTP).
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Badge, ErrorNotice, formatDateTime, PageHeader, TextField } from '../components/ui';
import { useSession } from '../session';
import { useToast } from '../toast';
import type { Customer, Me } from '../types';

function ProfileForm({ customer }: { customer: Customer }) {
  const { refetch } = useSession();
  const toast = useToast();
  const [f, setF] = useState({
    fullName: customer.fullName,
    phone: customer.phone ?? '',
    dateOfBirth: customer.dateOfBirth ?? '',
    line1: customer.address?.line1 ?? '',
    line2: customer.address?.line2 ?? '',
    city: customer.address?.city ?? '',
    region: customer.address?.region ?? '',
    postalCode: customer.address?.postalCode ?? '',
    country: customer.address?.country ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const save = useMutation({
    mutationFn: (body: object) => api.patch<Customer>('/api/v1/me/profile', body),
    onSuccess: async () => {
      toast.success('Profile saved');
      await refetch();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!f.fullName.trim()) errs.fullName = 'Enter your full name';
    const phone = f.phone.replace(/[\s().-]/g, '');
    if (phone && !/^\+?[0-9]{6,15}$/.test(phone)) errs.phone = 'Enter a phone number such as +15551234567';
    const anyAddress = [f.line1, f.city, f.postalCode, f.country].some((x) => x.trim());
    if (anyAddress) {
      if (!f.line1.trim()) errs.line1 = 'Enter the street address';
      if (!f.city.trim()) errs.city = 'Enter the city';
      if (!f.postalCode.trim()) errs.postalCode = 'Enter the postal code';
      if (!/^[A-Z]{2}$/.test(f.country.trim().toUpperCase())) errs.country = 'Two letters, e.g. US';
    }
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    save.mutate({
      fullName: f.fullName.trim(),
      phone: phone || null,
      dateOfBirth: f.dateOfBirth || null,
      address: anyAddress
        ? {
            line1: f.line1.trim(),
            ...(f.line2.trim() ? { line2: f.line2.trim() } : {}),
            city: f.city.trim(),
            ...(f.region.trim() ? { region: f.region.trim() } : {}),
            postalCode: f.postalCode.trim(),
            country: f.country.trim().toUpperCase(),
          }
        : null,
    });
  };
  return (
    <form onSubmit={submit} className="card form-card" aria-labelledby="profile-title" noValidate>
      <h2 id="profile-title">Your details</h2>
      <ErrorNotice error={save.error} />
      <dl className="mini-dl">
        <dt>E-mail</dt>
        <dd>{customer.email}</dd>
        <dt>Identity check</dt>
        <dd>
          <Badge status={customer.kycStatus} />
        </dd>
        {customer.nationalId ? (
          <>
            <dt>National id</dt>
            <dd className="mono">{customer.nationalId}</dd>
          </>
        ) : null}
      </dl>
      <div className="form-row">
        <TextField
          label="Full name"
          name="fullName"
          autoComplete="name"
          value={f.fullName}
          onChange={set('fullName')}
          error={errors.fullName}
        />
        <TextField
          label="Phone"
          type="tel"
          name="phone"
          autoComplete="tel"
          value={f.phone}
          onChange={set('phone')}
          error={errors.phone}
        />
        <TextField
          label="Date of birth"
          type="date"
          name="dateOfBirth"
          autoComplete="bday"
          value={f.dateOfBirth}
          onChange={set('dateOfBirth')}
        />
      </div>
      <fieldset className="plain">
        <legend>Address</legend>
        <div className="form-row">
          <TextField
            label="Street"
            name="line1"
            autoComplete="address-line1"
            value={f.line1}
            onChange={set('line1')}
            error={errors.line1}
          />
          <TextField
            label="More (optional)"
            name="line2"
            autoComplete="address-line2"
            value={f.line2}
            onChange={set('line2')}
          />
          <TextField
            label="City"
            name="city"
            autoComplete="address-level2"
            value={f.city}
            onChange={set('city')}
            error={errors.city}
          />
          <TextField
            label="Region (optional)"
            name="region"
            autoComplete="address-level1"
            value={f.region}
            onChange={set('region')}
          />
          <TextField
            label="Postal code"
            name="postalCode"
            autoComplete="postal-code"
            value={f.postalCode}
            onChange={set('postalCode')}
            error={errors.postalCode}
          />
          <TextField
            label="Country"
            name="country"
            autoComplete="country"
            maxLength={2}
            value={f.country}
            onChange={set('country')}
            error={errors.country}
            hint="Two letters, e.g. US"
          />
        </div>
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : 'Save details'}
      </button>
    </form>
  );
}

function PasswordForm() {
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const change = useMutation({
    mutationFn: () => api.post('/api/v1/auth/password', { currentPassword: current, newPassword: next }),
    onSuccess: () => {
      toast.success('Password changed. Your other sessions have been signed out.');
      setCurrent('');
      setNext('');
      setConfirm('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!current) errs.current = 'Enter your current password';
    if (next.length < 12) errs.next = 'Use at least 12 characters';
    else if (next.length > 128) errs.next = 'Use at most 128 characters';
    else if (next === current) errs.next = 'Choose a password different from the current one';
    if (confirm !== next) errs.confirm = 'The passwords do not match';
    setErrors(errs);
    if (Object.keys(errs).length === 0) change.mutate();
  };
  return (
    <form onSubmit={submit} className="card form-card" aria-labelledby="password-title" noValidate>
      <h2 id="password-title">Change password</h2>
      <ErrorNotice error={change.error} />
      <input type="text" name="username" autoComplete="username" hidden readOnly value="" />
      <TextField
        label="Current password"
        type="password"
        name="currentPassword"
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
        error={errors.current}
      />
      <TextField
        label="New password"
        type="password"
        name="newPassword"
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        error={errors.next}
        hint="At least 12 characters"
      />
      <TextField
        label="Confirm new password"
        type="password"
        name="confirmPassword"
        autoComplete="new-password"
        value={confirm}
        onChange={setConfirm}
        error={errors.confirm}
      />
      <button type="submit" className="btn btn-primary" disabled={change.isPending}>
        {change.isPending ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

function MfaSection({ me }: { me: Me }) {
  const { refetch } = useSession();
  const toast = useToast();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string>();
  const setup = useMutation({
    mutationFn: () => api.post<{ secret: string; otpauthUrl: string }>('/api/v1/auth/mfa/setup'),
  });
  const verify = useMutation({
    mutationFn: () => api.post('/api/v1/auth/mfa/verify', { otp: code }),
    onSuccess: async () => {
      toast.success('Two-step sign-in is on');
      setup.reset();
      setCode('');
      await refetch();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[0-9]{6}$/.test(code)) {
      setCodeError('Enter the 6-digit code from the app');
      return;
    }
    setCodeError(undefined);
    verify.mutate();
  };
  return (
    <section className="card form-card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-step sign-in</h2>
      {me.mfaSetupRequired ? (
        <div className="notice notice-warn" role="status">
          Staff must set up two-step sign-in before using the console.
        </div>
      ) : null}
      {me.user.mfaEnabled ? (
        <p>
          <Badge status="ACTIVE" /> Sign-in asks for a code from your authenticator app.
        </p>
      ) : setup.data ? (
        <form onSubmit={submit} noValidate>
          <p>
            Add this key to an authenticator app (scan the link on a phone, or type the secret), then enter
            the code it shows.
          </p>
          <dl className="dl spaced">
            <dt>Secret</dt>
            <dd className="mono secret" data-testid="mfa-secret">
              {setup.data.secret.replace(/(.{4})/g, '$1 ').trim()}
            </dd>
            <dt>Setup link</dt>
            <dd>
              <a href={setup.data.otpauthUrl} className="mono break">
                {setup.data.otpauthUrl}
              </a>
            </dd>
          </dl>
          <ErrorNotice error={verify.error} />
          <TextField
            label="Code from the app"
            name="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(v) => setCode(v.replace(/\D/g, ''))}
            error={codeError}
          />
          <button type="submit" className="btn btn-primary" disabled={verify.isPending}>
            {verify.isPending ? 'Checking…' : 'Turn on'}
          </button>
        </form>
      ) : (
        <>
          <p>Protect your sign-in with a code from an authenticator app on your phone.</p>
          <ErrorNotice error={setup.error} />
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setup.mutate()}
            disabled={setup.isPending}
          >
            {setup.isPending ? 'Starting…' : 'Set up two-step sign-in'}
          </button>
        </>
      )}
    </section>
  );
}

export function ProfilePage({ me }: { me: Me }) {
  return (
    <>
      <PageHeader
        title="Profile & security"
        subtitle={`Signed in as ${me.user.email}${me.user.lastLoginAt ? ` · last sign-in ${formatDateTime(me.user.lastLoginAt)}` : ''}`}
      />
      <div className={me.customer ? 'profile-grid' : 'profile-grid no-details'}>
        {me.customer ? <ProfileForm customer={me.customer} /> : null}
        <MfaSection me={me} />
        <PasswordForm />
      </div>
    </>
  );
}
