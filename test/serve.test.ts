// `corebank serve` as a user runs it, with no DATABASE_URL: an embedded PostgreSQL starts with
// the process, /health/ready answers, Ctrl-C (SIGINT) stops server and database, and a second
// start finds the data of the first.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../src/platform/paths.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function start(dataDir: string): Promise<Running> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COREBANK_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(
    process.execPath,
    [path.join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'src/bin/corebank.ts', 'serve'],
    {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /corebank is running at (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return { child, url, output: () => out };
}

async function stop(r: Running): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => r.child.on('exit', (code) => resolve(code)));
  r.child.kill('SIGINT');
  return exited;
}

async function postgresRunningOn(dataDir: string): Promise<boolean> {
  const { execSync } = await import('node:child_process');
  const ps = execSync('ps -eo args', { encoding: 'utf8' });
  return ps.split('\n').some((l) => l.includes('postgres') && l.includes(path.join(dataDir, 'pg')));
}

it('starts on an embedded PostgreSQL, stops on Ctrl-C, and keeps its data for the next start', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'corebank-serve-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the OS user postgres (see clusterDirFor)
  dirs.push(dir);
  const dataDir = path.join(dir, 'data');
  const t0 = Date.now();
  const first = await start(dataDir);
  const ready = await fetch(`${first.url}/health/ready`);
  expect(ready.status).toBe(200);
  expect(Date.now() - t0).toBeLessThan(60_000);
  expect(first.output()).toContain('alice@corebank.demo'); // demo logins printed on first start
  const login = await fetch(`${first.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@corebank.demo', password: 'Demo-Password-2025!' }),
  });
  expect(login.status).toBe(200);
  expect(await postgresRunningOn(dataDir)).toBe(true);

  expect(await stop(first)).toBe(0);
  expect(await postgresRunningOn(dataDir)).toBe(false);

  const second = await start(dataDir);
  try {
    const again = await fetch(`${second.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@corebank.demo', password: 'Demo-Password-2025!' }),
    });
    expect(again.status).toBe(200); // the users of the first run are still there
    const token = ((await again.json()) as { accessToken: string }).accessToken;
    const accounts = await fetch(`${second.url}/api/v1/accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await accounts.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  } finally {
    expect(await stop(second)).toBe(0);
  }
}, 180_000);
