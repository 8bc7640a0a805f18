// The frame of every signed-in page: skip link, banner with the navigation for the user's role
// (a disclosure menu on narrow screens), the main landmark and a footer.
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useRouter } from '../router';
import { useToast } from '../toast';
import type { Me, Role } from '../types';

interface NavItem {
  to: string;
  label: string;
  roles: readonly Role[];
}

const NAV: NavItem[] = [
  { to: '/', label: 'Overview', roles: ['customer'] },
  { to: '/accounts', label: 'Accounts', roles: ['customer'] },
  { to: '/transfer', label: 'Transfer', roles: ['customer'] },
  { to: '/deposit', label: 'Deposit', roles: ['customer'] },
  { to: '/withdraw', label: 'Withdraw', roles: ['customer'] },
  { to: '/statements', label: 'Statements', roles: ['customer'] },
  { to: '/staff/customers', label: 'Customers', roles: ['teller', 'analyst', 'auditor', 'admin'] },
  { to: '/staff/fraud', label: 'Fraud alerts', roles: ['analyst', 'admin'] },
  { to: '/staff/audit', label: 'Audit log', roles: ['auditor', 'admin'] },
  { to: '/staff/users', label: 'Users', roles: ['admin'] },
  { to: '/staff/system', label: 'System', roles: ['admin'] },
  { to: '/staff/health', label: 'Health', roles: ['teller', 'analyst', 'auditor', 'admin'] },
  { to: '/profile', label: 'Profile', roles: ['customer', 'teller', 'analyst', 'auditor', 'admin'] },
];

export function navFor(role: Role): NavItem[] {
  return NAV.filter((n) => n.roles.includes(role));
}

export function Layout({
  me,
  onSignOut,
  children,
}: {
  me: Me;
  onSignOut: () => Promise<void>;
  children: ReactNode;
}) {
  const [menuOpen, setMenuOpen] = useState(false);
  const { path, navigate } = useRouter();
  const toast = useToast();
  const items = navFor(me.user.role);
  const name = me.customer?.fullName ?? me.user.email;

  useEffect(() => setMenuOpen(false), [path]);

  const signOut = async () => {
    try {
      await onSignOut();
      toast.info('You have signed out');
    } catch {
      // the session is gone either way
    }
    navigate('/login', { replace: true });
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to={me.user.role === 'customer' ? '/' : '/staff'} className="brand">
            <span className="brand-mark" aria-hidden="true" />
            corebank
            {me.user.role !== 'customer' ? <span className="brand-tag">staff</span> : null}
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="site-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            <span aria-hidden="true">☰</span> Menu
          </button>
          <nav
            id="site-nav"
            aria-label="Main"
            className={menuOpen ? 'open' : ''}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && menuOpen) {
                setMenuOpen(false);
                document.querySelector<HTMLButtonElement>('.menu-toggle')?.focus();
              }
            }}
          >
            <ul>
              {items.map((n) => (
                <li key={n.to}>
                  <Link to={n.to} nav>
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
            <div className="user-box">
              <span className="user-name" title={me.user.email}>
                {name}
                <span className="user-role">{me.user.role}</span>
              </span>
              <button type="button" className="btn btn-small" onClick={() => void signOut()}>
                Sign out
              </button>
            </div>
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <p>
          corebank · <a href="/docs">API documentation</a>
        </p>
      </footer>
    </div>
  );
}

/** The frame of the sign-in and registration pages. */
export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <div className="app public">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/login" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            corebank
          </Link>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="public-main">
        {children}
      </main>
      <footer className="footer">
        <p>
          corebank · <a href="/docs">API documentation</a>
        </p>
      </footer>
    </div>
  );
}
