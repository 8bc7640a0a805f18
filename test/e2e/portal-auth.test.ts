// The portal served by the real server, and signing up, out and in through a real browser.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../src/modules/auth/totp.js';
import {
  PASSWORD,
  PHONE,
  screenshots,
  signIn,
  skipBrowser,
  startPortal,
  uniqueEmail,
  type Portal,
} from './harness.js';

describe.skipIf(skipBrowser)('web portal: serving and sign-in', { timeout: 120_000 }, () => {
  let portal: Portal;

  beforeAll(async () => {
    portal = await startPortal();
  });
  beforeEach(() => portal?.watch.reset());
  afterAll(async () => {
    await portal?.close();
  });

  it('serves the portal at / and its own paths, and keeps API 404s as problem+json', async () => {
    const { app } = portal.t;
    const root = await app.inject('/');
    expect(root.statusCode).toBe(200);
    expect(root.headers['content-type']).toContain('text/html');
    expect(root.body).toContain('<div id="root">');
    expect(root.headers['content-security-policy']).toContain("default-src 'self'");
    expect(root.headers['x-frame-options']).toBe('DENY');

    const deep = await app.inject('/accounts/1234?x=1');
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toBe(root.body);

    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(root.body)?.[1];
    expect(asset).toBeDefined();
    const js = await app.inject(asset!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cache-control']).toContain('immutable');

    for (const url of ['/api/v1/nothing-here', '/health/nothing', '/assets/missing-abc.js']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
    const post = await app.inject({ method: 'POST', url: '/accounts' });
    expect(post.statusCode).toBe(404);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    expect((await app.inject('/../package.json')).statusCode).not.toBe(200);
    expect((await app.inject('/%2e%2e/package.json')).body).not.toContain('"name": "corebank"');
  });

  it('registers, signs out, refuses a wrong password with the server message, and signs in again', async () => {
    const { page } = await portal.newSession();
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshots(page, 'login');

    await page.getByRole('link', { name: /Open an online banking profile/ }).click();
    await page.getByRole('heading', { name: 'Register' }).waitFor();
    // Client-side checks first: nothing is sent.
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByText('Enter your full name').isVisible()).toBe(true);
    await screenshots(page, 'register-errors');

    const email = uniqueEmail('web');
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Welcome back, Ada.').waitFor();
    await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();

    // The session is in cookies: httpOnly for the tokens, readable only for the CSRF token.
    const cookies = await page.context().cookies();
    const byName = new Map(cookies.map((c) => [c.name, c]));
    expect(byName.get('cb_access')?.httpOnly).toBe(true);
    expect(byName.get('cb_refresh')?.httpOnly).toBe(true);
    expect(byName.get('cb_csrf')?.httpOnly).toBe(false);
    expect(byName.get('cb_access')?.sameSite).toBe('Strict');
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    expect(stored).toBe('{}{}');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    portal.watch.expectRefusal(401, '/api/v1/auth/login');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password-at-all');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const problem = (await (await refused).json()) as { detail: string };
    await expect.poll(() => page.getByTestId('error-notice').textContent()).toContain(problem.detail);

    await signIn(page, email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // A deep link survives a reload (the server answers index.html), and the session continues.
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'Profile & security' }).waitFor();
    await screenshots(page, 'profile');
    expect(portal.watch.errors).toEqual([]);
  });

  it('renews an expired access cookie with the refresh cookie, and signs out when that fails too', async () => {
    const email = uniqueEmail('refresh');
    const reg = await portal.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: PASSWORD, fullName: 'Refresh Tester' },
    });
    expect(reg.statusCode).toBe(201);
    const { context, page } = await portal.newSession();
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // The access cookie is gone (as when it expires while the tab sleeps): one 401, one
    // refresh with the refresh cookie, the request again.
    await context.clearCookies({ name: 'cb_access' });
    portal.watch.expectRefusal(401, '/api/v1/me');
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
    await page.goto('/accounts');
    expect((await refreshed).status()).toBe(200);
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await page.getByText('You have no open accounts.').waitFor();
    expect((await context.cookies()).some((c) => c.name === 'cb_access')).toBe(true);

    // Without the refresh cookie as well, the session is over: back to the login page.
    await context.clearCookies({ name: 'cb_access' });
    await context.clearCookies({ name: 'cb_refresh' });
    portal.watch.expectRefusal(401, '/api/v1/me');
    portal.watch.expectRefusal(401, '/api/v1/auth/refresh');
    await page.goto('/profile');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).search).toBe('?next=%2Fprofile');
    expect(portal.watch.errors).toEqual([]);
  });

  it('can be used with the keyboard alone: skip link, focus moves to each new page', async () => {
    const { page } = await portal.newSession();
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.keyboard.press('Tab');
    const active = (expr: string) =>
      page.evaluate<string | null>(`document.activeElement && document.activeElement.${expr}`);
    expect(await active('textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    // From the main landmark into the form, with a visible focus ring.
    await page.keyboard.press('Tab');
    expect(await active('name')).toBe('email');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    const email = uniqueEmail('keys');
    await portal.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: PASSWORD, fullName: 'Key Board' },
    });
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Following a link by keyboard puts focus on the new page's heading.
    await page.getByRole('link', { name: 'Open an account' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await expect.poll(() => active('tagName')).toBe('H1');
    expect(portal.watch.errors).toEqual([]);
  });

  it('sets up two-step sign-in, and then asks for the one-time code at sign-in', async () => {
    const email = uniqueEmail('mfa');
    const reg = await portal.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: PASSWORD, fullName: 'Mfa Tester' },
    });
    expect(reg.statusCode).toBe(201);
    const { page } = await portal.newSession();
    await signIn(page, email);
    await page.goto('/profile');
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const otpauth = await page.getByRole('link', { name: /^otpauth:\/\/totp\// }).getAttribute('href');
    expect(otpauth).toContain(`secret=${secret}`);
    await screenshots(page, 'mfa-setup');
    const key = base32Decode(secret);
    await page.getByLabel('Code from the app').fill(totp(key, Date.now() / 1000));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Two-step sign-in is on' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    portal.watch.expectRefusal(401, '/api/v1/auth/login'); // MFA_REQUIRED
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('One-time code');
    await code.waitFor();
    await screenshots(page, 'login-otp');
    // The next step's code: the enrolment used this step's, and a code is good only once.
    await code.fill(totp(key, Date.now() / 1000 + 30));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(portal.watch.errors).toEqual([]);
  });

  it('works at phone width: the navigation is a menu that opens, leads and closes', async () => {
    const email = uniqueEmail('phone');
    await portal.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: PASSWORD, fullName: 'Phone User' },
    });
    const { page } = await portal.newSession(PHONE);
    await signIn(page, email);
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Accounts', exact: true }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await screenshots(page, 'phone-menu');
    await nav.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    // Escape closes it too, and gives focus back to the button.
    await menu.click();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(
      await page.evaluate<string | null>('document.activeElement && document.activeElement.className'),
    ).toBe('menu-toggle');
    expect(portal.watch.errors).toEqual([]);
  });

  it('sends a signed-out visitor to the login page and back where they were going', async () => {
    const { page } = await portal.newSession();
    const email = uniqueEmail('deep');
    const reg = await portal.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: PASSWORD, fullName: 'Deep Linker' },
    });
    expect(reg.statusCode).toBe(201);
    await page.goto('/accounts');
    await page.waitForURL('**/login?next=%2Faccounts');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/accounts');
    expect(portal.watch.errors).toEqual([]);
  });
});
