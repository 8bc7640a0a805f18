// Customers: own profile, staff search and reads (audited), the national id encrypted and
// write-only — nowhere in plaintext in the database or the logs — and key rotation.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { reencryptAll } from '../src/cli/keys.js';
import type { AppContext } from '../src/context.js';
import { loadConfig } from '../src/platform/config.js';
import { piiCrypto } from '../src/platform/crypto.js';
import { createLogger } from '../src/platform/log.js';
import { createMetrics } from '../src/platform/metrics.js';
import { testSecrets } from '../src/platform/secrets.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import {
  PASSWORD,
  createStaff,
  login,
  registerCustomer,
  uniqueEmail,
  type SignedIn,
} from './helpers/auth.js';

// This file builds its app by hand, with a logger that writes to memory at the most verbose level.
const logLines: string[] = [];
const memory = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString('utf8'));
    done();
  },
});

let db: TestDatabase;
let ctx: AppContext;
let app: FastifyInstance;
const t = () => ({ app, ctx, db, close: async () => undefined });

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'trace',
    DATABASE_URL: db.url,
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '100000',
  });
  ctx = { config, pool: db.pool, log: createLogger('trace', memory), metrics: createMetrics() };
  app = await buildApp({ ctx });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const patchProfile = (who: SignedIn, payload: Record<string, unknown>) =>
  app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: who.headers, payload });

describe('own profile', () => {
  it('edits the profile, audited with before and after, national id masked', async () => {
    const c = await registerCustomer(app);
    const res = await patchProfile(c, {
      fullName: 'Grace Hopper',
      phone: '+1 (555) 010-9999',
      dateOfBirth: '1906-12-09',
      address: { line1: '1 Navy Way', city: 'Arlington', postalCode: '22201', country: 'US' },
      nationalId: '078-05-1120',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      fullName: 'Grace Hopper',
      phone: '+15550109999',
      dateOfBirth: '1906-12-09',
      address: { city: 'Arlington', country: 'US' },
      nationalId: '***-**-1120',
    });
    const me = await app.inject({ url: '/api/v1/me', headers: c.headers });
    expect(me.json().customer.nationalId).toBe('***-**-1120');
    const { rows } = await db.pool.query(
      `select before, after from audit_log where entity_id = $1 and action = 'customer.profile_updated'`,
      [c.customerId],
    );
    expect(rows).toHaveLength(1);
    // Personal data is masked in the append-only trail.
    expect(rows[0].before.fullName).toBe('T*** C***');
    expect(rows[0].after).toMatchObject({
      fullName: 'G*** H***',
      phone: '***99',
      dateOfBirth: '****-**-**',
      address: { country: 'US', rest: '***' },
      nationalId: '***-**-1120',
      fields: ['fullName', 'phone', 'dateOfBirth', 'address', 'nationalId'],
    });
    expect(rows[0].after.email).toMatch(/^c\*\*\*@example\.test$/);
    expect(JSON.stringify(rows)).not.toMatch(/Grace|Hopper|Arlington|1906|0109999/);
  });

  it.each([
    ['role', 'admin'],
    ['kycStatus', 'VERIFIED'],
    ['email', 'new@example.test'],
    ['customerId', '00000000-0000-4000-8000-000000000000'],
    ['balance', '100.00'],
    ['id', '00000000-0000-4000-8000-000000000000'],
  ])('refuses the mass-assigned field %s and changes nothing', async (field, value) => {
    const c = await registerCustomer(app);
    const before = (await db.pool.query('select * from customers where id = $1', [c.customerId])).rows[0];
    const res = await patchProfile(c, { fullName: 'Changed', [field]: value });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_REQUEST');
    expect((await db.pool.query('select * from customers where id = $1', [c.customerId])).rows[0]).toEqual(
      before,
    );
  });

  it('refuses invalid values and an empty patch', async () => {
    const c = await registerCustomer(app);
    for (const body of [
      {},
      { fullName: '' },
      { phone: 'call me' },
      { dateOfBirth: '2999-01-01' },
      { dateOfBirth: '1990-02-30' },
      { nationalId: '12' },
      { address: { line1: 'x', city: 'y', postalCode: 'z', country: 'usa' } },
      { address: { line1: 'x', city: 'y', postalCode: 'z', country: 'US', planet: 'Mars' } },
      { fullName: 42 },
    ]) {
      expect((await patchProfile(c, body)).statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('refuses a national id another customer has (409), comparing normalised forms', async () => {
    await registerCustomer(app, { nationalId: '219-09-9999' });
    const c = await registerCustomer(app);
    const res = await patchProfile(c, { nationalId: '219 09 9999' });
    expect(res.statusCode).toBe(409);
  });

  it('is for customers only', async () => {
    const teller = await createStaff(t(), 'teller');
    expect((await patchProfile(teller, { fullName: 'x' })).statusCode).toBe(403);
  });
});

describe('staff', () => {
  let teller: SignedIn;
  let target: SignedIn;
  beforeAll(async () => {
    teller = await createStaff(t(), 'teller');
    const email = uniqueEmail('zelda');
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: {
        email,
        password: PASSWORD,
        fullName: 'Zelda Zimmerman',
        phone: '+4930123456',
        nationalId: '321-54-9876',
      },
    });
    target = await login(app, email);
  });

  const search = (q: string) =>
    app.inject({ url: `/api/v1/customers?q=${encodeURIComponent(q)}`, headers: teller.headers });

  it.each([
    ['a name prefix', 'zelda zim'],
    ['an e-mail prefix', 'zelda.'],
    ['the national id', '321-54-9876'],
    ['the national id written differently', '321549876'],
    ['the phone', '+49 30 123456'],
  ])('finds a customer by %s', async (_how, q) => {
    const res = await search(q);
    expect(res.statusCode).toBe(200);
    const ids = res.json().items.map((c: { id: string }) => c.id);
    expect(ids).toContain(target.customerId);
    for (const c of res.json().items) expect(c.nationalId ?? '***-**-').toMatch(/^\*\*\*-\*\*-/);
  });

  it('finds a customer by id', async () => {
    expect((await search(target.customerId!)).json().items[0].id).toBe(target.customerId);
  });

  it('pages through all customers with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: LightMyRequestResponse = await app.inject({
        url: `/api/v1/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: teller.headers,
      });
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((c: { id: string }) => c.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    const { rows } = await db.pool.query('select count(*)::int as n from customers');
    expect(seen.length).toBe(rows[0].n);
    expect(new Set(seen).size).toBe(seen.length);
    expect(
      (await app.inject({ url: '/api/v1/customers?cursor=garbage', headers: teller.headers })).statusCode,
    ).toBe(400);
  });

  it('reads one customer, audited as a read of personal data', async () => {
    const res = await app.inject({ url: `/api/v1/customers/${target.customerId}`, headers: teller.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: target.customerId, nationalId: '***-**-9876' });
    const { rows } = await db.pool.query(
      `select actor_id, actor_role from audit_log where entity_id = $1 and action = 'customer.pii_read'`,
      [target.customerId],
    );
    expect(rows).toContainEqual({ actor_id: teller.userId, actor_role: 'teller' });
  });

  it('audits searches, keeping only the masked form of a national id searched for', async () => {
    await search('321-54-9876');
    const { rows } = await db.pool.query(
      `select after from audit_log where action = 'customer.searched' and actor_id = $1 order by seq desc limit 1`,
      [teller.userId],
    );
    expect(rows[0].after.query).toBe('***-**-9876');
  });

  it('404 for an unknown customer, 400 for a malformed id', async () => {
    expect(
      (
        await app.inject({
          url: '/api/v1/customers/00000000-0000-4000-8000-000000000000',
          headers: teller.headers,
        })
      ).statusCode,
    ).toBe(404);
    expect((await app.inject({ url: '/api/v1/customers/nope', headers: teller.headers })).statusCode).toBe(
      400,
    );
  });
});

describe('the national id at rest', () => {
  const SSN = '987-65-4329';
  const forms = [
    '987654329',
    '987-65-4329',
    Buffer.from('987654329').toString('hex'),
    Buffer.from('987-65-4329').toString('hex'),
  ];

  it('appears in plaintext nowhere in the database nor in the logs', async () => {
    const c = await registerCustomer(app, { nationalId: SSN });
    const staff = await createStaff(t(), 'analyst');
    await app.inject({ url: `/api/v1/customers?q=${SSN}`, headers: staff.headers });
    await app.inject({ url: `/api/v1/customers/${c.customerId}`, headers: staff.headers });
    await patchProfile(c, { nationalId: SSN }); // re-submitting is a no-op change, still encrypted
    // A dump: every row of every table, as text.
    const { rows: tables } = await db.pool.query<{ name: string }>(
      `select quote_ident(schemaname) || '.' || quote_ident(tablename) as name
         from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.length).toBeGreaterThan(5);
    let dump = '';
    for (const { name } of tables) {
      const { rows } = await db.pool.query<{ row: string }>(`select t::text as row from ${name} t`);
      dump += rows.map((r) => r.row).join('\n');
    }
    expect(dump).toContain('***-**-4329');
    for (const form of forms) expect(dump).not.toContain(form);
    const logs = logLines.join('');
    expect(logs).toContain('incoming request');
    for (const form of forms) expect(logs).not.toContain(form);
    expect(logs).not.toContain(PASSWORD);
  });

  it('is sealed with AES-256-GCM under the active key, bound to its row', async () => {
    const c = await registerCustomer(app, { nationalId: '111-22-3344' });
    const { rows } = await db.pool.query(
      'select national_id_ciphertext, national_id_key_id from customers where id = $1',
      [c.customerId],
    );
    const { keyring } = piiCrypto(ctx.config);
    expect(rows[0].national_id_key_id).toBe(keyring.activeKeyId);
    const sealed = { keyId: rows[0].national_id_key_id, ciphertext: rows[0].national_id_ciphertext };
    expect(keyring.open(sealed, `customers.national_id:${c.customerId}`)).toBe('111223344');
    expect(() => keyring.open(sealed, 'customers.national_id:someone-else')).toThrow();
  });

  it('is re-encrypted under the newest key by key rotation, and stays unique and searchable', async () => {
    const c = await registerCustomer(app, { nationalId: '444-55-6666' });
    const mfaUser = await registerCustomer(app);
    await app.inject({ method: 'POST', url: '/api/v1/auth/mfa/setup', headers: mfaUser.headers });
    const rotated: AppContext = {
      ...ctx,
      config: loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        PII_KEYRING: `${testSecrets.PII_KEYRING},test2:${Buffer.alloc(32, 42).toString('base64')}`,
      }),
    };
    const r = await reencryptAll(rotated);
    expect(r.keyId).toBe('test2');
    expect(r.customers).toBeGreaterThanOrEqual(1);
    expect(r.users).toBeGreaterThanOrEqual(1);
    const { rows } = await db.pool.query(
      `select count(*)::int as n from customers where national_id_key_id is not null and national_id_key_id <> 'test2'`,
    );
    expect(rows[0].n).toBe(0);
    const { rows: users } = await db.pool.query(`select totp_pending_key_id from users where id = $1`, [
      mfaUser.userId,
    ]);
    expect(users[0].totp_pending_key_id).toBe('test2');
    const { rows: mine } = await db.pool.query(
      'select national_id_ciphertext, national_id_key_id from customers where id = $1',
      [c.customerId],
    );
    expect(
      piiCrypto(rotated.config).keyring.open(
        { keyId: mine[0].national_id_key_id, ciphertext: mine[0].national_id_ciphertext },
        `customers.national_id:${c.customerId}`,
      ),
    ).toBe('444556666');
    // Rotation is audited; running it again finds nothing to do.
    expect((await db.pool.query(`select 1 from audit_log where action = 'keys.rotated'`)).rowCount).toBe(1);
    expect((await reencryptAll(rotated)).customers).toBe(0);
    // The blind index did not change: uniqueness still holds.
    expect(
      (await registerCustomer(app).then((x) => patchProfile(x, { nationalId: '444556666' }))).statusCode,
    ).toBe(409);
  });
});
