// The staff console through a real browser: a teller finds a customer, freezes an account and
// takes cash at the counter, and the customer then sees the refusal; an admin's pages (audit log,
// users, system report, health, fraud queue) render without console errors.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  navTo,
  PASSWORD,
  screenshots,
  selectOptionContaining,
  signIn,
  skipBrowser,
  startPortal,
  uniqueEmail,
  type Portal,
} from './harness.js';

interface Customer {
  email: string;
  fullName: string;
  checkingId: string;
  savingsId: string;
}

/** A customer with two accounts and money, made through the API. */
async function seedCustomer(
  portal: Portal,
  fullName = 'Katherine Johnson',
  deposit = '500.00',
): Promise<Customer> {
  const { app } = portal.t;
  const email = uniqueEmail('cust');
  const reg = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: PASSWORD, fullName },
  });
  expect(reg.statusCode).toBe(201);
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: PASSWORD },
  });
  const headers = { authorization: `Bearer ${login.json().accessToken as string}` };
  const open = async (type: string, nickname: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers,
      payload: { type, currency: 'USD', nickname },
    });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  const checkingId = await open('CHECKING', 'Main');
  const savingsId = await open('SAVINGS', 'Nest egg');
  const dep = await app.inject({
    method: 'POST',
    url: '/api/v1/deposits',
    headers: { ...headers, 'idempotency-key': randomUUID() },
    payload: { accountId: checkingId, amount: deposit, description: 'Salary' },
  });
  expect(dep.statusCode).toBe(201);
  return { email, fullName, checkingId, savingsId };
}

describe.skipIf(skipBrowser)('web portal: staff console', { timeout: 120_000 }, () => {
  let portal: Portal;
  let customer: Customer;

  beforeAll(async () => {
    portal = await startPortal();
    customer = await seedCustomer(portal);
  });
  beforeEach(() => portal?.watch.reset());
  afterAll(async () => {
    await portal?.close();
  });

  it('a teller freezes an account and takes cash; the customer then sees the refusal', async () => {
    // The customer starts a transfer from Main…
    const { page: cust } = await portal.newSession();
    await signIn(cust, customer.email);
    await navTo(cust, 'Transfer');
    const transfer = cust.getByRole('main').getByRole('form', { name: 'Transfer' });
    await selectOptionContaining(transfer.getByLabel('From'), 'Main');
    await transfer.getByLabel('My account').check();
    await selectOptionContaining(transfer.getByLabel('To account'), 'Nest egg');
    await transfer.getByLabel('Amount (USD)').fill('20.00');

    // …while a teller finds them and freezes Main.
    const teller = await portal.createStaff('teller');
    const { page: staff } = await portal.newSession();
    await signIn(staff, teller.email);
    await staff.getByRole('heading', { name: 'Staff console' }).waitFor();
    await navTo(staff, 'Customers');
    await staff.getByLabel('Search customers').fill(customer.email);
    await staff.getByRole('button', { name: 'Search' }).click();
    await staff.getByTestId('customer-row').filter({ hasText: customer.email }).waitFor();
    await screenshots(staff, 'staff-customer-search');
    await staff.getByRole('link', { name: customer.fullName }).click();
    await staff.getByRole('heading', { name: customer.fullName }).waitFor();

    const mainRow = staff.getByTestId('staff-account-row').filter({ hasText: 'Main' });
    await mainRow.getByRole('button', { name: 'Freeze' }).click();
    const dialog = staff.getByRole('dialog', { name: 'Freeze Main?' });
    await dialog
      .getByLabel('Reason (recorded in the audit log)')
      .fill('Suspicious activity reported by phone');
    await dialog.getByRole('button', { name: 'Freeze account' }).click();
    await staff.getByTestId('toast').filter({ hasText: 'Main is frozen' }).waitFor();
    await expect.poll(() => mainRow.textContent()).toContain('FROZEN');

    // Cash at the counter into the other account.
    const cash = staff.getByRole('form', { name: 'Deposit' });
    await selectOptionContaining(cash.getByLabel('Account'), 'Nest egg');
    await cash.getByLabel('Amount (USD)').fill('40.00');
    await cash.getByRole('button', { name: 'Deposit' }).click();
    await cash.getByTestId('movement-result').waitFor();
    const nestRow = staff.getByTestId('staff-account-row').filter({ hasText: 'Nest egg' });
    await expect.poll(() => nestRow.textContent()).toContain('$40.00');
    await screenshots(staff, 'staff-customer');

    // The customer sends the transfer: the server refuses, in its own words.
    portal.watch.expectRefusal(422, '/api/v1/transfers');
    const answer = cust.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/transfers'),
    );
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    const res = await answer;
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe('ACCOUNT_FROZEN');
    await expect.poll(() => transfer.getByTestId('error-notice').textContent()).toContain(problem.detail);
    await transfer.getByText('Main is frozen: no money can leave it.').waitFor();
    await screenshots(cust, 'customer-frozen-refusal');

    await navTo(cust, 'Overview');
    await expect
      .poll(() => cust.getByTestId('account-card').filter({ hasText: 'Main' }).textContent())
      .toContain('FROZEN');
    await cust.getByRole('link', { name: 'Main' }).click();
    await cust.getByText('This account is frozen').waitFor();

    // Unfreezing gives it back.
    await mainRow.getByRole('button', { name: 'Unfreeze' }).click();
    await staff
      .getByRole('dialog', { name: 'Unfreeze Main?' })
      .getByRole('button', { name: 'Unfreeze account' })
      .click();
    await expect.poll(() => mainRow.textContent()).toContain('ACTIVE');
    expect(portal.watch.errors).toEqual([]);
  });

  it('an admin sees the audit log, users, system report, health and the fraud queue', async () => {
    const admin = await portal.createStaff('admin');
    const { page } = await portal.newSession();
    await signIn(page, admin.email);
    const main = page.getByRole('main');

    await navTo(page, 'Audit log');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await main.getByLabel('Action').fill('account.frozen');
    await main.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => main.getByTestId('audit-row').count()).toBe(1);
    await main
      .getByTestId('audit-row')
      .getByRole('button', { name: /Details/ })
      .click();
    await main.getByText('Suspicious activity reported by phone').waitFor();
    await main.getByRole('button', { name: 'Verify the hash chain' }).click();
    await main.getByText(/Intact: \d+ records checked/).waitFor();
    await screenshots(page, 'staff-audit');

    await navTo(page, 'Users');
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
    await expect.poll(() => main.getByTestId('user-row').count()).toBeGreaterThanOrEqual(3);
    await screenshots(page, 'staff-users');

    await navTo(page, 'System');
    await page.getByRole('heading', { name: 'System report' }).waitFor();
    await main.getByTestId('system-report').or(main.getByTestId('unavailable')).first().waitFor();
    await screenshots(page, 'staff-system');

    await navTo(page, 'Health');
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    await main.getByRole('cell', { name: 'database' }).waitFor();
    await screenshots(page, 'staff-health');

    await navTo(page, 'Fraud alerts');
    await page.getByRole('heading', { name: 'Fraud alerts' }).waitFor();
    await main.getByTestId('fraud-alerts').or(main.getByTestId('unavailable')).first().waitFor();
    await screenshots(page, 'staff-fraud');
    expect(portal.watch.errors).toEqual([]);
  });

  it('a payment held by fraud screening waits in the analyst’s queue until released', async () => {
    const rich = await seedCustomer(portal, 'Dorothy Vaughan', '20000.00');
    const { page: cust } = await portal.newSession();
    await signIn(cust, rich.email);
    await navTo(cust, 'Transfer');
    const transfer = cust.getByRole('main').getByRole('form', { name: 'Transfer' });
    await selectOptionContaining(transfer.getByLabel('From'), 'Main');
    // To another bank, over the default daily limit of a checking account (10 000): screening
    // holds it for review (between one's own accounts nothing is screened).
    await transfer.getByLabel('Another bank').check();
    await transfer.getByLabel('Bank code (BIC or sort code)').fill('DEUTDEFF');
    await transfer.getByLabel('Account number or IBAN').fill('DE89370400440532013000');
    await transfer.getByLabel("Recipient's name").fill('Landlord GmbH');
    await transfer.getByLabel('Amount (USD)').fill('12000.00');
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await transfer.getByText('Held for review').waitFor();

    const analyst = await portal.createStaff('analyst');
    const { page } = await portal.newSession();
    await signIn(page, analyst.email);
    await navTo(page, 'Fraud alerts');
    const row = page.getByTestId('alert-row').filter({ hasText: '$12,000.00' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('HELD');
    await screenshots(page, 'staff-fraud-queue');
    await row.getByRole('button', { name: 'Release' }).click();
    const dialog = page.getByRole('dialog', { name: 'Release the held payment?' });
    await dialog.getByLabel('Notes (optional, kept with the alert)').fill('Customer confirmed by phone');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Released' }).waitFor();
    await page.getByRole('main').getByLabel('Status').selectOption('');
    await expect.poll(() => row.textContent()).toContain('RELEASED');

    // The customer's transfer goes on to the other bank.
    await navTo(cust, 'Overview');
    await cust.getByRole('link', { name: 'Main' }).click();
    const tx = cust.getByTestId('tx-row').filter({ hasText: 'Landlord GmbH' });
    await expect.poll(() => tx.textContent()).toContain('-$12,000.00');
    await expect.poll(() => tx.textContent()).not.toContain('PENDING REVIEW');
    expect(portal.watch.errors).toEqual([]);
  });

  it('keeps staff pages from customers and customer pages from staff', async () => {
    const { page } = await portal.newSession();
    await signIn(page, customer.email);
    await page.goto('/staff/audit');
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    expect(portal.watch.errors).toEqual([]);
  });
});
