// The identity commands of the CLI: `corebank user create` and `corebank keys rotate`, run as
// functions against a test database (the CLI reads DATABASE_URL like any deployment).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { keysCommand } from '../src/cli/keys.js';
import { userCommand } from '../src/cli/users.js';
import type { AppContext } from '../src/context.js';
import { register } from '../src/modules/auth/service.js';
import { systemActor } from '../src/modules/audit/types.js';
import { verifyAuditChain } from '../src/modules/audit/service.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/log.js';
import { createMetrics } from '../src/platform/metrics.js';
import { readSecretsFile } from '../src/platform/secrets.js';
import { PASSWORD, uniqueEmail } from './helpers/auth.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

let db: TestDatabase;
const savedEnv = { ...process.env };
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());
afterEach(() => {
  process.env = { ...savedEnv };
  vi.restoreAllMocks();
});

function quietly() {
  const out: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  return out;
}

describe('corebank user create', () => {
  it('creates a staff login, audited as the system', async () => {
    process.env = { ...savedEnv, NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    const out = quietly();
    const email = uniqueEmail('teller');
    expect(await userCommand(['create', '--email', email, '--password', PASSWORD, '--role', 'teller'])).toBe(
      0,
    );
    expect(out.join('\n')).toContain(`created teller ${email}`);
    const { rows } = await db.pool.query(
      `select u.role, a.actor_role, a.action from users u join audit_log a on a.entity_id = u.id::text where u.email = $1`,
      [email],
    );
    expect(rows).toEqual([{ role: 'teller', actor_role: 'system', action: 'user.created' }]);
  });

  it('creates a customer with --name', async () => {
    process.env = { ...savedEnv, NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    quietly();
    const email = uniqueEmail();
    expect(
      await userCommand([
        'create',
        '--email',
        email,
        '--password',
        PASSWORD,
        '--role',
        'customer',
        '--name',
        'Cli Person',
      ]),
    ).toBe(0);
    const { rows } = await db.pool.query(
      'select c.full_name from users u join customers c on c.id = u.customer_id where u.email = $1',
      [email],
    );
    expect(rows[0].full_name).toBe('Cli Person');
  });

  it('refuses bad arguments, a weak password and a duplicate', async () => {
    process.env = { ...savedEnv, NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    const out = quietly();
    expect(await userCommand(['delete'])).toBe(2);
    expect(
      await userCommand(['create', '--email', 'a@b.test', '--password', PASSWORD, '--role', 'root']),
    ).toBe(2);
    await expect(userCommand(['create', '--colour', 'red'])).rejects.toThrow(/Unknown option/);
    expect(
      await userCommand([
        'create',
        '--email',
        uniqueEmail(),
        '--password',
        'password1234',
        '--role',
        'admin',
      ]),
    ).toBe(1);
    expect(out.join('\n')).toMatch(/too common/);
    const email = uniqueEmail();
    expect(await userCommand(['create', '--email', email, '--password', PASSWORD, '--role', 'admin'])).toBe(
      0,
    );
    expect(await userCommand(['create', '--email', email, '--password', PASSWORD, '--role', 'admin'])).toBe(
      1,
    );
    expect(out.join('\n')).toMatch(/CONFLICT/);
  });
});

describe('corebank keys rotate', () => {
  it('with the development keyring: adds a key and re-encrypts everything under it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'corebank-rotate-'));
    process.env = {
      ...savedEnv,
      NODE_ENV: 'development',
      COREBANK_DATA_DIR: dir,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'silent',
    };
    delete process.env.PII_KEYRING;
    const config = loadConfig();
    const ctx: AppContext = { config, pool: db.pool, log: createLogger('silent'), metrics: createMetrics() };
    const user = await register(
      ctx,
      { email: uniqueEmail(), password: PASSWORD, fullName: 'Rota Tion', nationalId: '123-12-1234' },
      systemActor('test'),
    );
    const out = quietly();
    expect(await keysCommand(['rotate'])).toBe(0);
    expect(out.join('\n')).toMatch(/added key k2/);
    expect(readSecretsFile(config.secretsFile!).piiKeyring!.split(',')).toHaveLength(2);
    const { rows } = await db.pool.query('select national_id_key_id from customers where id = $1', [
      user.customerId,
    ]);
    expect(rows[0].national_id_key_id).toBe('k2');
    expect((await verifyAuditChain(db.pool)).ok).toBe(true);
    expect(await keysCommand(['spin'])).toBe(2);
  });
});
