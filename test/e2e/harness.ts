// Browser tests of the portal: the real server on a free port with a fresh database, Debian's
// Chromium driven by playwright-core, console errors collected on every page, screenshots at
// desktop and phone widths in test-results/screenshots/. The portal is built at most once per
// test run (web/build-if-stale.mjs builds only when web/dist is older than web/src, under a lock).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Locator,
  type Page,
} from 'playwright-core';
import { createUser } from '../../src/modules/auth/service.js';
import type { Role } from '../../src/modules/auth/roles.js';
import { systemActor } from '../../src/modules/audit/types.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createAuthTestApp, PASSWORD, uniqueEmail } from '../helpers/auth.js';
import type { TestApp } from '../helpers/app.js';

export { PASSWORD, uniqueEmail };

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests need Chromium (npm cannot download one here). In CI (CI=true) a missing
 * Chromium is a failure with the fix in the message — .ci/run installs it. On a laptop that has
 * none, `npm test` skips the browser tests and says so loudly, so the two-command quick start
 * still passes; COREBANK_SKIP_BROWSER=1 skips them anywhere.
 */
export const skipBrowser =
  process.env.COREBANK_SKIP_BROWSER === '1' || (!existsSync(CHROMIUM) && process.env.CI !== 'true');
if (skipBrowser && process.env.COREBANK_SKIP_BROWSER !== '1') {
  console.warn(
    `\n*** Browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH) ***\n`,
  );
}
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH; COREBANK_SKIP_BROWSER=1 skips the browser tests)`,
    );
  }
}
export const SCREENSHOTS = path.join(projectRoot, 'test-results', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

const run = promisify(execFile);

/** Builds web/dist unless it is newer than the sources (one build per run, whatever the files). */
export async function ensurePortalBuilt(): Promise<void> {
  await run(process.execPath, [path.join(projectRoot, 'web', 'build-if-stale.mjs')], {
    cwd: projectRoot,
    timeout: 180_000,
  });
}

/**
 * What a page logged that counts as an error. The browser logs every 4xx/5xx response as a
 * console error ("Failed to load resource …"); a refusal the test provokes on purpose (a 422 for
 * an overdrawn transfer, say) is announced with `expectRefusal` and not counted, anything else is.
 */
export class ConsoleWatch {
  readonly errors: string[] = [];
  private expected: { status: number; path: string }[] = [];
  private expectedText: RegExp[] = [];

  attach(page: Page): void {
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() !== 'error') return;
      const url = msg.location().url ?? '';
      const status = /status of (\d{3})/.exec(msg.text())?.[1];
      if (status && this.isExpected(Number(status), url)) return;
      const i = this.expectedText.findIndex((re) => re.test(msg.text()));
      if (i >= 0) {
        this.expectedText.splice(i, 1);
        return;
      }
      this.errors.push(`${page.url()}: console error: ${msg.text()} ${url ? `(${url})` : ''}`.trim());
    });
    page.on('pageerror', (err) => this.errors.push(`${page.url()}: uncaught: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 500)
        this.errors.push(`${page.url()}: ${res.status()} from ${res.request().method()} ${res.url()}`);
    });
  }

  /** Forgets what earlier tests saw, so one failure does not fail the tests after it. */
  reset(): void {
    this.errors.length = 0;
    this.expected = [];
    this.expectedText = [];
  }

  /** A console error the next steps provoke on purpose (a dropped connection, say): one message. */
  expectConsole(pattern: RegExp): void {
    this.expectedText.push(pattern);
  }

  /** A refusal the next steps provoke on purpose: one response with this status on this path. */
  expectRefusal(status: number, pathPrefix: string): void {
    this.expected.push({ status, path: pathPrefix });
  }

  private isExpected(status: number, url: string): boolean {
    const pathname = url ? new URL(url).pathname : '';
    const i = this.expected.findIndex((e) => e.status === status && pathname.startsWith(e.path));
    if (i < 0) return false;
    this.expected.splice(i, 1);
    return true;
  }
}

export interface Portal {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  watch: ConsoleWatch;
  /** A fresh browser session (own cookies) with its first page, watched for console errors. */
  newSession(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  /** A staff user created directly through the auth service (like `corebank user create`). */
  createStaff(role: Exclude<Role, 'customer'>): Promise<{ email: string; password: string }>;
  close(): Promise<void>;
}

export async function startPortal(): Promise<Portal> {
  requireChromium();
  await ensurePortalBuilt();
  // Fraud screening stays on with its default rules, except the night-time rule, which would
  // hold a test's second payment when CI happens to run between 02:00 and 05:00.
  const t = await createAuthTestApp({
    FRAUD_RULES_JSON: JSON.stringify({ unusualHour: { enabled: false } }),
  });
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const watch = new ConsoleWatch();
    const contexts: BrowserContext[] = [];
    const b = browser;
    return {
      t,
      baseUrl,
      browser: b,
      watch,
      async newSession(viewport = DESKTOP) {
        const context = await b.newContext({
          baseURL: baseUrl,
          viewport,
          locale: 'en-US',
          timezoneId: 'UTC',
        });
        contexts.push(context);
        context.setDefaultTimeout(30_000);
        const page = await context.newPage();
        watch.attach(page);
        return { context, page };
      },
      async createStaff(role) {
        const email = uniqueEmail(role);
        await createUser(t.ctx, { email, password: PASSWORD, role }, systemActor('e2e test'));
        return { email, password: PASSWORD };
      },
      async close() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await b.close().catch(() => undefined);
        await t.close();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await t.close();
    throw err;
  }
}

/**
 * Basic accessibility checks of the page as it stands: one h1, the main landmark, an accessible
 * name for every visible form control and button, alt text on images, no positive tabindex.
 * Returns the problems found.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Runs in the page (a string: this project's TypeScript has no DOM types on the Node side).
  return page.evaluate<string[]>(`(() => {
    const problems = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return style.visibility !== 'hidden' && style.display !== 'none' && (r.width > 0 || r.height > 0);
    };
    const describe = (el) => '<' + el.tagName.toLowerCase() + ' ' + (el.getAttribute('name') || el.id || '') + '>';
    const h1s = document.querySelectorAll('h1').length;
    if (h1s !== 1) problems.push('expected one h1, found ' + h1s);
    if (!document.querySelector('main')) problems.push('no <main> landmark');
    if (!document.documentElement.lang) problems.push('no lang on <html>');
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || !visible(el)) continue;
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby') || el.closest('label');
      if (!labelled) problems.push('unlabelled ' + describe(el));
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!visible(el)) continue;
      const name = (el.textContent || '').trim() || el.getAttribute('aria-label') || el.getAttribute('title');
      if (!name) problems.push('nameless ' + describe(el));
    }
    for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('img without alt');
    for (const el of document.querySelectorAll('[tabindex]')) {
      if (Number(el.getAttribute('tabindex')) > 0) problems.push('positive tabindex on ' + describe(el));
    }
    return problems;
  })()`);
}

/** Full-page screenshots of the current page at desktop and phone width (after an accessibility check). */
export async function screenshots(page: Page, name: string): Promise<void> {
  const problems = await accessibilityProblems(page);
  if (problems.length > 0)
    throw new Error(`accessibility problems on ${page.url()}:\n${problems.join('\n')}`);
  await mkdir(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150); // let charts and layout settle
    // Responsive: nothing may make the page itself scroll sideways (wide tables scroll inside).
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    if (overflow > 0) {
      const culprits = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(-5)
        .map((el) => el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))`);
      throw new Error(
        `${page.url()} is ${overflow}px wider than the ${label} viewport: ${culprits.join(', ')}`,
      );
    }
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${name}-${label}.png`),
      fullPage: true,
      animations: 'disabled',
    });
  }
  await page.setViewportSize(original);
}

/** Signs in through the login form and waits for the first signed-in page. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  // Signed in: the banner has the user box (inside the menu at phone width, hence attached).
  await page.locator('.user-box').waitFor({ state: 'attached' });
}

/** Clicks a link of the main navigation (opening the phone menu first when it is collapsed). */
export async function navTo(page: Page, label: string): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Menu' });
  if (await toggle.isVisible()) {
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  }
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

/** Chooses the first option of a <select> whose text contains `text`. */
export async function selectOptionContaining(select: Locator, text: string): Promise<void> {
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value');
  if (value === null) throw new Error(`no option containing "${text}"`);
  await select.selectOption(value);
}
