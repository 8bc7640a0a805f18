// Demo data for a first `npm start`: one staff user per role and two customers with accounts,
// so the API and the portal can be tried at once. Idempotent (nothing happens once the demo
// admin exists) and never in production.
import type { AppContext } from '../context.js';
import { createMovementExecutor } from '../modules/payments/batcher.js';
import { systemCaller } from '../modules/payments/jobs.js';
import { createPaymentsService } from '../modules/payments/service.js';
import { tx } from '../platform/db/tx.js';
import { recordAudit } from '../modules/audit/service.js';
import { systemActor } from '../modules/audit/types.js';
import { findUserByEmail } from '../modules/auth/repo.js';
import type { Role } from '../modules/auth/roles.js';
import { createUser, register } from '../modules/auth/service.js';
import type { RegisterInput } from '../modules/auth/schemas.js';
import { openAccount, type Account, type AccountType } from '../modules/accounts/service.js';

/** Every demo login shares this password (it passes the password rules). */
export const DEMO_PASSWORD = 'Demo-Password-2025!';

export interface DemoLogin {
  role: Role;
  email: string;
  password: string;
  name: string;
}

export const demoLogins: readonly DemoLogin[] = [
  { role: 'admin', email: 'admin@corebank.demo', password: DEMO_PASSWORD, name: 'Ada Admin' },
  { role: 'teller', email: 'teller@corebank.demo', password: DEMO_PASSWORD, name: 'Tom Teller' },
  { role: 'analyst', email: 'analyst@corebank.demo', password: DEMO_PASSWORD, name: 'Ann Analyst' },
  { role: 'auditor', email: 'auditor@corebank.demo', password: DEMO_PASSWORD, name: 'Otto Auditor' },
  { role: 'customer', email: 'alice@corebank.demo', password: DEMO_PASSWORD, name: 'Alice Anderson' },
  { role: 'customer', email: 'bob@corebank.demo', password: DEMO_PASSWORD, name: 'Bob Brown' },
];

const customerProfiles: Record<string, Omit<RegisterInput, 'email' | 'password' | 'fullName'>> = {
  'alice@corebank.demo': {
    phone: '+15550100001',
    dateOfBirth: '1988-04-12',
    address: {
      line1: '12 Harbour Street',
      city: 'Portsmouth',
      postalCode: '03801',
      region: 'NH',
      country: 'US',
    },
    nationalId: '900-00-0001',
  },
  'bob@corebank.demo': {
    phone: '+15550100002',
    dateOfBirth: '1979-09-30',
    address: { line1: '7 Mill Lane', city: 'Burlington', postalCode: '05401', region: 'VT', country: 'US' },
    nationalId: '900-00-0002',
  },
};

const demoAccounts: Record<string, { type: AccountType; currency: string; nickname: string }[]> = {
  'alice@corebank.demo': [
    { type: 'CHECKING', currency: 'USD', nickname: 'Everyday' },
    { type: 'SAVINGS', currency: 'USD', nickname: 'Rainy day' },
  ],
  'bob@corebank.demo': [
    { type: 'CHECKING', currency: 'USD', nickname: 'Main' },
    { type: 'CREDIT', currency: 'USD', nickname: 'Card' },
    { type: 'SAVINGS', currency: 'EUR', nickname: 'Travel' },
  ],
};

export interface DemoCustomer {
  email: string;
  customerId: string;
  accounts: Account[];
}

const SEED_LOCK = 7_311_000_201; // serialises two servers seeding the same empty database

/**
 * Adds salary, card spending, transfers and savings to the demo accounts, so dashboards,
 * history and statements have something to show. Everything goes through the payments
 * service, as the bank's own system user: the same path as real movements.
 */
export async function seedDemoHistory(ctx: AppContext, customers: DemoCustomer[]): Promise<void> {
  const payments = createPaymentsService({
    pool: ctx.pool,
    config: ctx.config,
    executor: createMovementExecutor(ctx.pool, { windowMs: 0, maxSize: 1 }),
  });
  const caller = systemCaller('corebank seed');
  const [alice, bob] = customers;
  const usd = (c: DemoCustomer | undefined, type: string) =>
    c?.accounts.find((a) => a.type === type && a.currency === 'USD');
  const aliceMain = usd(alice, 'CHECKING');
  const aliceSavings = usd(alice, 'SAVINGS');
  const bobMain = usd(bob, 'CHECKING');
  if (!aliceMain || !bobMain) return;
  const employer = { bankCode: 'ACMEUS33', accountNumber: 'US00ACME000001', name: 'Acme Corp Payroll' };
  await payments.inbound(caller, {
    toAccountId: aliceMain.id,
    amount: '4200.00',
    currency: 'USD',
    counterparty: employer,
    description: 'Salary November',
  });
  await payments.inbound(caller, {
    toAccountId: bobMain.id,
    amount: '3100.00',
    currency: 'USD',
    counterparty: employer,
    description: 'Salary November',
  });
  await payments.deposit(caller, { accountId: aliceMain.id, amount: '250.00', description: 'Cash deposit' });
  const spend: [string, string][] = [
    ['1450.00', 'Rent December'],
    ['86.45', 'Grocery store'],
    ['4.80', 'Coffee'],
    ['62.10', 'Electric bill'],
    ['39.99', 'Concert tickets'],
  ];
  for (const [amount, description] of spend)
    await payments.withdraw(caller, { accountId: aliceMain.id, amount, description });
  if (aliceSavings)
    await payments.transfer(caller, {
      fromAccountId: aliceMain.id,
      toAccountId: aliceSavings.id,
      amount: '500.00',
      description: 'Monthly savings',
    });
  await payments.transfer(caller, {
    fromAccountId: aliceMain.id,
    toAccountId: bobMain.id,
    amount: '35.00',
    description: 'Dinner split',
  });
  await payments.transfer(caller, {
    fromAccountId: bobMain.id,
    toAccountId: aliceMain.id,
    amount: '120.00',
    description: 'Concert tickets',
  });
  await payments.withdraw(caller, { accountId: bobMain.id, amount: '74.20', description: 'Supermarket' });
}

/** Creates the demo users, customers and accounts; false if they exist or in production. */
export async function seedDemoData(ctx: AppContext): Promise<boolean> {
  if (ctx.config.NODE_ENV === 'production') return false;
  const lock = await ctx.pool.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [SEED_LOCK]);
    if (await findUserByEmail(ctx.pool, demoLogins[0]!.email)) return false;
    const actor = systemActor('corebank seed');
    const customers: DemoCustomer[] = [];
    for (const login of demoLogins) {
      if (login.role !== 'customer') {
        await createUser(ctx, { email: login.email, password: login.password, role: login.role }, actor);
        continue;
      }
      const user = await register(
        ctx,
        {
          email: login.email,
          password: login.password,
          fullName: login.name,
          ...customerProfiles[login.email],
        },
        actor,
      );
      const customerId = user.customerId!;
      const accounts = await tx(ctx.pool, async (client) => {
        const opened: Account[] = [];
        for (const spec of demoAccounts[login.email] ?? []) {
          const account = await openAccount(client, { customerId, ...spec });
          await recordAudit(client, {
            actor,
            entityType: 'account',
            entityId: account.id,
            action: 'account.opened',
            after: { customerId, type: account.type, currency: account.currency, status: account.status },
          });
          opened.push(account);
        }
        return opened;
      });
      customers.push({ email: login.email, customerId, accounts });
    }
    await seedDemoHistory(ctx, customers);
    return true;
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => undefined);
    lock.release();
  }
}

export function formatDemoLogins(): string {
  const lines = ['Demo logins (password for all: ' + DEMO_PASSWORD + '):'];
  for (const l of demoLogins) lines.push(`  ${l.role.padEnd(9)} ${l.email.padEnd(24)} ${l.name}`);
  return lines.join('\n');
}

export function printDemoLogins(): void {
  console.log(formatDemoLogins());
}
