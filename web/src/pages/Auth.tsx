// Sign in (with the one-time code when the server asks for it) and registration.
import { useEffect, useState, type FormEvent } from 'react';
import { api, isApiError } from '../api';
import { ErrorNotice, TextField } from '../components/ui';
import { Link, useRouter, useSearchParams } from '../router';
import { useSession } from '../session';
import { useToast } from '../toast';

const PASSWORD_MIN = 12;
const PASSWORD_MAX = 128;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function safeNext(next: string | null): string {
  // Only a path of this site: never an absolute URL (open redirect).
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function LoginPage() {
  const { signedIn } = useSession();
  const { navigate } = useRouter();
  const params = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const [otpNeeded, setOtpNeeded] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Sign in · corebank';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!email.trim()) errs.email = 'Enter your e-mail address';
    if (!password) errs.password = 'Enter your password';
    if (otpNeeded && !/^[0-9]{6}$/.test(otp)) errs.otp = 'Enter the 6-digit code from your authenticator app';
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/auth/login', {
        email: email.trim(),
        password,
        ...(otpNeeded ? { otp } : {}),
      });
      await signedIn();
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      if (isApiError(err) && err.code === 'MFA_REQUIRED') {
        setOtpNeeded(true);
        setError(null);
      } else {
        setError(err);
        if (otpNeeded) setOtp('');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth-card" aria-labelledby="login-title">
      <h1 id="login-title" tabIndex={-1}>
        Sign in
      </h1>
      <p className="subtitle">Online banking for customers and staff.</p>
      <ErrorNotice error={error} />
      {otpNeeded ? (
        <div className="notice notice-info" role="status">
          Your account has a second factor. Enter the code from your authenticator app.
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="E-mail"
          type="email"
          name="email"
          autoComplete="username"
          value={email}
          onChange={setEmail}
          error={errors.email}
          required
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          required
        />
        {otpNeeded ? (
          <TextField
            label="One-time code"
            name="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            value={otp}
            onChange={(v) => setOtp(v.replace(/\D/g, ''))}
            error={errors.otp}
            autoFocus
            required
          />
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-switch">
        New to corebank? <Link to="/register">Open an online banking profile</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  const { signedIn } = useSession();
  const { navigate } = useRouter();
  const toast = useToast();
  const [form, setForm] = useState({
    fullName: '',
    email: '',
    phone: '',
    dateOfBirth: '',
    password: '',
    confirm: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  useEffect(() => {
    document.title = 'Register · corebank';
  }, []);

  const validate = () => {
    const errs: Record<string, string> = {};
    if (!form.fullName.trim()) errs.fullName = 'Enter your full name';
    if (!EMAIL.test(form.email.trim())) errs.email = 'Enter an e-mail address such as name@example.com';
    if (form.phone.trim() && !/^\+?[0-9]{6,15}$/.test(form.phone.replace(/[\s().-]/g, '')))
      errs.phone = 'Enter a phone number such as +15551234567';
    if (form.password.length < PASSWORD_MIN) errs.password = `Use at least ${PASSWORD_MIN} characters`;
    else if (form.password.length > PASSWORD_MAX) errs.password = `Use at most ${PASSWORD_MAX} characters`;
    if (form.confirm !== form.password) errs.confirm = 'The passwords do not match';
    return errs;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validate();
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const email = form.email.trim();
      await api.post('/api/v1/auth/register', {
        email,
        password: form.password,
        fullName: form.fullName.trim(),
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
        ...(form.dateOfBirth ? { dateOfBirth: form.dateOfBirth } : {}),
      });
      await api.post('/api/v1/auth/login', { email, password: form.password });
      await signedIn();
      toast.success('Welcome to corebank. Open your first account to get started.');
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth-card" aria-labelledby="register-title">
      <h1 id="register-title" tabIndex={-1}>
        Register
      </h1>
      <p className="subtitle">Create your online banking profile.</p>
      <ErrorNotice error={error} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="Full name"
          name="fullName"
          autoComplete="name"
          value={form.fullName}
          onChange={set('fullName')}
          error={errors.fullName}
          required
        />
        <TextField
          label="E-mail"
          type="email"
          name="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={errors.email}
          required
        />
        <TextField
          label="Phone (optional)"
          type="tel"
          name="phone"
          autoComplete="tel"
          value={form.phone}
          onChange={set('phone')}
          error={errors.phone}
        />
        <TextField
          label="Date of birth (optional)"
          type="date"
          name="dateOfBirth"
          autoComplete="bday"
          value={form.dateOfBirth}
          onChange={set('dateOfBirth')}
          error={errors.dateOfBirth}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters; a passphrase of a few words works well.`}
          required
        />
        <TextField
          label="Confirm password"
          type="password"
          name="confirm"
          autoComplete="new-password"
          value={form.confirm}
          onChange={set('confirm')}
          error={errors.confirm}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating your profile…' : 'Register'}
        </button>
      </form>
      <p className="auth-switch">
        Already registered? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
