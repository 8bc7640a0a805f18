// Which page for which path and role. Signed out: sign-in and registration only; other paths
// come back after sign-in (?next=). Customers get the banking screens, staff the console.
import type { ReactNode } from 'react';
import { Layout, PublicLayout } from './components/Layout';
import { ErrorNotice, Loading, PageHeader } from './components/ui';
import { AccountDetailPage, AccountsPage, StatementsPage } from './pages/Accounts';
import { LoginPage, RegisterPage } from './pages/Auth';
import { DashboardPage } from './pages/Dashboard';
import { CashPage, TransferPage } from './pages/MoveMoney';
import { ProfilePage } from './pages/Profile';
import {
  AuditPage,
  FraudPage,
  HealthPage,
  StaffHomePage,
  SystemPage,
  UsersPage,
} from './pages/staff/Console';
import { CustomerSearchPage, CustomerViewPage } from './pages/staff/Customers';
import { TransactionPage } from './pages/Transaction';
import { Link, matchPath, Redirect, useRouter } from './router';
import { useSession } from './session';
import type { Me, Role } from './types';

interface Route {
  path: string;
  roles: readonly Role[];
  render: (p: Record<string, string>, me: Me) => ReactNode;
}

const STAFF = ['teller', 'analyst', 'auditor', 'admin'] as const;
const EVERYONE = ['customer', ...STAFF] as const;

const ROUTES: Route[] = [
  { path: '/', roles: ['customer'], render: (_p, me) => <DashboardPage me={me} /> },
  { path: '/accounts', roles: ['customer'], render: () => <AccountsPage /> },
  { path: '/accounts/:id', roles: ['customer'], render: (p) => <AccountDetailPage key={p.id} id={p.id!} /> },
  {
    path: '/transactions/:id',
    roles: ['customer'],
    render: (p) => <TransactionPage key={p.id} id={p.id!} />,
  },
  { path: '/transfer', roles: ['customer'], render: () => <TransferPage /> },
  { path: '/deposit', roles: ['customer'], render: () => <CashPage key="deposit" kind="deposit" /> },
  { path: '/withdraw', roles: ['customer'], render: () => <CashPage key="withdrawal" kind="withdrawal" /> },
  { path: '/statements', roles: ['customer'], render: () => <StatementsPage /> },
  { path: '/profile', roles: EVERYONE, render: (_p, me) => <ProfilePage me={me} /> },
  { path: '/staff', roles: STAFF, render: (_p, me) => <StaffHomePage me={me} /> },
  { path: '/staff/customers', roles: STAFF, render: () => <CustomerSearchPage /> },
  {
    path: '/staff/customers/:id',
    roles: STAFF,
    render: (p, me) => <CustomerViewPage key={p.id} id={p.id!} me={me} />,
  },
  { path: '/staff/fraud', roles: ['analyst', 'admin'], render: () => <FraudPage /> },
  { path: '/staff/audit', roles: ['auditor', 'admin'], render: () => <AuditPage /> },
  { path: '/staff/users', roles: ['admin'], render: (_p, me) => <UsersPage me={me} /> },
  { path: '/staff/system', roles: ['admin'], render: () => <SystemPage /> },
  { path: '/staff/health', roles: STAFF, render: () => <HealthPage /> },
];

function NotFound({ home }: { home: string }) {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no page here. <Link to={home}>Go to the start page</Link>.
      </p>
    </>
  );
}

export function App() {
  const { me, loading, error, signOut } = useSession();
  const { path, search } = useRouter();

  if (loading) {
    return (
      <PublicLayout>
        <Loading label="Loading corebank…" />
      </PublicLayout>
    );
  }
  if (!me) {
    if (path === '/register') {
      return (
        <PublicLayout>
          <RegisterPage />
        </PublicLayout>
      );
    }
    if (path !== '/login') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path + search)}`;
      return <Redirect to={`/login${next}`} />;
    }
    return (
      <PublicLayout>
        {error ? <ErrorNotice error={error} title="The server could not be reached" /> : null}
        <LoginPage />
      </PublicLayout>
    );
  }

  const role = me.user.role;
  const home = role === 'customer' ? '/' : '/staff';
  if (path === '/login' || path === '/register') return <Redirect to={home} />;
  if (me.mfaSetupRequired && path !== '/profile') return <Redirect to="/profile" />;
  if (role !== 'customer' && path === '/') return <Redirect to="/staff" />;

  let page: ReactNode = null;
  for (const r of ROUTES) {
    const params = matchPath(r.path, path);
    if (!params) continue;
    page = r.roles.includes(role) ? (
      r.render(params, me)
    ) : (
      <>
        <PageHeader title="Not available" />
        <p>
          This page is not part of your role. <Link to={home}>Go to the start page</Link>.
        </p>
      </>
    );
    break;
  }
  return (
    <Layout me={me} onSignOut={signOut}>
      {page ?? <NotFound home={home} />}
    </Layout>
  );
}
