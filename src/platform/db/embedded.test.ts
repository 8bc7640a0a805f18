import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { clusterDirFor } from './embedded.js';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

it('keeps the cluster in the data dir when the postgres user can reach it, or when not root', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cb-cluster-'));
  made.push(dir);
  await chmod(dir, 0o755);
  expect(await clusterDirFor(path.join(dir, 'data'), true)).toBe(path.join(dir, 'data', 'pg'));
  await chmod(dir, 0o700);
  expect(await clusterDirFor(path.join(dir, 'data'), false)).toBe(path.join(dir, 'data', 'pg'));
});

it.runIf(process.getuid?.() === 0)(
  'as root, moves the cluster out of a directory closed to others',
  async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cb-cluster-'));
    made.push(dir);
    await chmod(dir, 0o700);
    const where = await clusterDirFor(path.join(dir, 'data'), true);
    expect(where).toMatch(/^\/var\/lib\/corebank\/[0-9a-f]{16}\/pg$/);
    expect(await clusterDirFor(path.join(dir, 'data'), true)).toBe(where); // stable across runs
    made.push(path.dirname(where));
  },
);
