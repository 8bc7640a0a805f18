// A customer's day in the portal, through a real browser against the real server: register,
// open two accounts, deposit, transfer between them, see both balances and the history; a
// refused transfer shows the server's own message; labels on a transaction; statements.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  navTo,
  PASSWORD,
  screenshots,
  selectOptionContaining,
  skipBrowser,
  startPortal,
  uniqueEmail,
  type Portal,
} from './harness.js';

describe.skipIf(skipBrowser)('web portal: customer journey', { timeout: 120_000 }, () => {
  let portal: Portal;
  let page: Page;

  beforeAll(async () => {
    portal = await startPortal();
    ({ page } = await portal.newSession());
  });
  beforeEach(() => portal?.watch.reset());
  afterAll(async () => {
    await portal?.close();
  });

  const main = () => page.getByRole('main');
  const toast = (text: string | RegExp) => page.getByTestId('toast').filter({ hasText: text });

  async function openAccount(type: string, nickname: string) {
    await navTo(page, 'Accounts');
    await main().getByRole('button', { name: 'Open an account' }).click();
    const form = main().getByRole('form', { name: 'Open an account' });
    await form.getByLabel('Type').selectOption(type);
    await form.getByLabel('Currency').selectOption('USD');
    await form.getByLabel('Nickname (optional)').fill(nickname);
    await form.getByRole('button', { name: 'Open account' }).click();
    await toast(`${nickname} `).first().waitFor();
    await main().getByRole('link', { name: nickname }).waitFor();
  }

  it('registers, opens two accounts, deposits, transfers, and shows both balances and the history', async () => {
    await page.goto('/register');
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('E-mail').fill(uniqueEmail('grace'));
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await openAccount('CHECKING', 'Everyday');
    await openAccount('SAVINGS', 'Rainy day');
    await screenshots(page, 'accounts-empty');

    // Deposit 250.00 into Everyday.
    await navTo(page, 'Deposit');
    await page.getByRole('heading', { name: 'Deposit' }).waitFor();
    const deposit = main().getByRole('form', { name: 'Deposit' });
    await selectOptionContaining(deposit.getByLabel('Account'), 'Everyday');
    await deposit.getByLabel('Amount (USD)').fill('250.00');
    await deposit.getByLabel('Description (optional)').fill('Opening deposit');
    await deposit.getByRole('button', { name: 'Deposit' }).click();
    await deposit.getByTestId('movement-result').waitFor();
    await expect.poll(() => deposit.getByTestId('movement-result').textContent()).toContain('$250.00');

    // Client-side validation mirrors the server: too many decimals never leaves the browser.
    await navTo(page, 'Transfer');
    const transfer = main().getByRole('form', { name: 'Transfer' });
    await selectOptionContaining(transfer.getByLabel('From'), 'Everyday');
    await transfer.getByLabel('My account').check();
    await selectOptionContaining(transfer.getByLabel('To account'), 'Rainy day');
    let posted = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/transfers')) posted++;
    });
    await transfer.getByLabel('Amount (USD)').fill('12.345');
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await transfer.getByText('USD amounts have at most 2 decimals').waitFor();
    expect(posted).toBe(0);

    // Transfer 75.25 from Everyday to Rainy day.
    await transfer.getByLabel('Amount (USD)').fill('75.25');
    await transfer.getByLabel('Description (optional)').fill('Put some aside');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/transfers'));
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    const request = await sent;
    expect(request.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers()['x-csrf-token']).toBeTruthy();
    expect(request.postDataJSON()).toMatchObject({ amount: '75.25' });
    await transfer.getByTestId('movement-result').waitFor();
    await expect.poll(() => transfer.getByTestId('movement-result').textContent()).toContain('$75.25');
    await screenshots(page, 'transfer-done');
    expect(posted).toBe(1);

    // Both balances, in the list and on the overview.
    await navTo(page, 'Accounts');
    const row = (name: string) => main().getByTestId('account-row').filter({ hasText: name });
    await expect.poll(() => row('Everyday').textContent()).toContain('$174.75');
    await expect.poll(() => row('Rainy day').textContent()).toContain('$75.25');
    await screenshots(page, 'accounts');

    await navTo(page, 'Overview');
    const card = (name: string) => main().getByTestId('account-card').filter({ hasText: name });
    await expect.poll(() => card('Everyday').textContent()).toContain('$174.75');
    await expect.poll(() => card('Rainy day').textContent()).toContain('$75.25');
    await expect.poll(() => main().getByLabel('Total balances').textContent()).toContain('$250.00');
    // The reports module's charts: balance over time and spending by category.
    await main().getByRole('heading', { name: 'Balance over time' }).waitFor();
    await main().getByRole('heading', { name: 'Spending by category' }).waitFor();
    await main().getByText('Put some aside').waitFor(); // recent activity
    await screenshots(page, 'dashboard');

    // The history of each account, signed from its side.
    await main().getByRole('link', { name: 'Everyday' }).first().click();
    await page.getByRole('heading', { name: 'Everyday' }).waitFor();
    const history = main().getByTestId('tx-row');
    await expect.poll(() => history.count()).toBe(2);
    await expect.poll(() => history.nth(0).textContent()).toContain('-$75.25');
    await expect.poll(() => history.nth(1).textContent()).toContain('+$250.00');
    await expect.poll(() => history.nth(1).textContent()).toContain('Opening deposit');
    await screenshots(page, 'account-details');

    await navTo(page, 'Accounts');
    await main().getByRole('link', { name: 'Rainy day' }).click();
    await page.getByRole('heading', { name: 'Rainy day' }).waitFor();
    await expect.poll(() => main().getByTestId('tx-row').count()).toBe(1);
    await expect.poll(() => main().getByTestId('tx-row').first().textContent()).toContain('+$75.25');
    expect(portal.watch.errors).toEqual([]);
  });

  it('shows the server’s own message when it refuses a transfer', async () => {
    await navTo(page, 'Transfer');
    const transfer = main().getByRole('form', { name: 'Transfer' });
    await selectOptionContaining(transfer.getByLabel('From'), 'Rainy day');
    await transfer.getByLabel('My account').check();
    await selectOptionContaining(transfer.getByLabel('To account'), 'Everyday');
    await transfer.getByLabel('Amount (USD)').fill('1000.00');
    portal.watch.expectRefusal(422, '/api/v1/transfers');
    const answer = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/transfers'),
    );
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    const res = await answer;
    expect(res.status()).toBe(422);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe('INSUFFICIENT_FUNDS');
    const notice = transfer.getByTestId('error-notice');
    await expect.poll(() => notice.textContent()).toContain(problem.detail);
    await toast(problem.detail).first().waitFor();
    await screenshots(page, 'transfer-refused');

    // Nothing moved.
    await navTo(page, 'Accounts');
    const row = (name: string) => main().getByTestId('account-row').filter({ hasText: name });
    await expect.poll(() => row('Everyday').textContent()).toContain('$174.75');
    await expect.poll(() => row('Rainy day').textContent()).toContain('$75.25');
    expect(portal.watch.errors).toEqual([]);
  });

  it('retries a submission whose answer was lost with the same Idempotency-Key: the money moves once', async () => {
    await navTo(page, 'Transfer');
    const transfer = main().getByRole('form', { name: 'Transfer' });
    await selectOptionContaining(transfer.getByLabel('From'), 'Everyday');
    await transfer.getByLabel('My account').check();
    await selectOptionContaining(transfer.getByLabel('To account'), 'Rainy day');
    await transfer.getByLabel('Amount (USD)').fill('10.00');
    await transfer.getByLabel('Description (optional)').fill('Retry me');

    // The first attempt reaches the server, but its answer is lost on the way back.
    const keys: string[] = [];
    await page.route('**/api/v1/transfers', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
      } else {
        await route.continue();
      }
    });
    portal.watch.expectConsole(/ERR_CONNECTION_RESET/);
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await expect
      .poll(() => transfer.getByTestId('error-notice').textContent())
      .toContain('could not be reached');

    // The person tries again: same submission, same key, and the server replays its answer.
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await transfer.getByTestId('movement-result').waitFor();
    await page.unroute('**/api/v1/transfers');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);

    await navTo(page, 'Accounts');
    const row = (name: string) => main().getByTestId('account-row').filter({ hasText: name });
    await expect.poll(() => row('Everyday').textContent()).toContain('$164.75');
    await expect.poll(() => row('Rainy day').textContent()).toContain('$85.25');
    expect(portal.watch.errors).toEqual([]);
  });

  it('labels a transaction with a category and tags, and offers statements', async () => {
    await navTo(page, 'Accounts');
    await main().getByRole('link', { name: 'Everyday' }).click();
    await main().getByRole('link', { name: 'Put some aside' }).click();
    await page.getByRole('heading', { name: 'Transaction' }).waitFor();
    await main().getByLabel('Category', { exact: true }).fill('savings');
    await main().getByLabel('Tags', { exact: true }).fill('goal, house');
    await main().getByRole('button', { name: 'Save' }).click();
    await toast('Category and tags saved').first().waitFor();
    await screenshots(page, 'transaction');

    await navTo(page, 'Statements');
    await page.getByRole('heading', { name: 'Statements' }).waitFor();
    const csv = main().getByRole('link', { name: 'Download CSV' });
    const href = await csv.getAttribute('href');
    expect(href).toMatch(
      /^\/api\/v1\/accounts\/[0-9a-f-]{36}\/statement\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}&format=csv$/,
    );
    // The link works with the session cookie.
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('csv');
    await screenshots(page, 'statements');
    expect(portal.watch.errors).toEqual([]);
  });

  it('closes an empty account, and shows the server’s refusal for one that still holds money', async () => {
    await openAccount('SAVINGS', 'Spare');
    await main().getByRole('link', { name: 'Spare' }).click();
    await page.getByRole('heading', { name: 'Spare' }).waitFor();
    await main().getByRole('button', { name: 'Close account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close this account?' });
    await screenshots(page, 'close-account-dialog');
    await dialog.getByRole('button', { name: 'Close account' }).click();
    await toast('Spare is closed').first().waitFor();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await expect.poll(() => main().getByTestId('account-row').filter({ hasText: 'Spare' }).count()).toBe(0);

    await main().getByRole('link', { name: 'Everyday' }).click();
    await page.getByRole('heading', { name: 'Everyday' }).waitFor();
    await main().getByRole('button', { name: 'Close account' }).click();
    portal.watch.expectRefusal(409, '/api/v1/accounts/');
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/close'));
    await page
      .getByRole('dialog', { name: 'Close this account?' })
      .getByRole('button', { name: 'Close account' })
      .click();
    const problem = (await (await answer).json()) as { code: string; detail: string };
    expect(problem.code).toBe('ACCOUNT_NOT_EMPTY');
    await toast(problem.detail).first().waitFor();
    await page.getByRole('heading', { name: 'Everyday' }).waitFor();
    expect(portal.watch.errors).toEqual([]);
  });
});
