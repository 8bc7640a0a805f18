#!/usr/bin/env node
// Builds the portal (vite build web) when web/dist is missing or older than its sources.
// `npm start` runs it first (prestart), and the browser tests run it once per test run: a
// lock directory makes concurrent callers wait for one build instead of racing on web/dist.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(web);
const index = path.join(web, 'dist', 'index.html');

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = 0;
  for (const name of readdirSync(p)) m = Math.max(m, newest(path.join(p, name)));
  return m;
}

export function isStale() {
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(
    ...['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((f) =>
      newest(path.join(web, f)),
    ),
  );
  return sources > built;
}

function build() {
  let vite;
  try {
    vite = path.join(
      path.dirname(createRequire(path.join(root, 'package.json')).resolve('vite/package.json')),
      'bin',
      'vite.js',
    );
  } catch {
    console.warn(
      'corebank: vite is not installed (npm install without --omit=dev), so the portal is not built.',
    );
    return false;
  }
  console.log('corebank: building the web portal (vite build web)…');
  const r = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
  return true;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Builds if stale; if another process is building, waits for it. */
export async function ensureBuilt({ timeoutMs = 180_000 } = {}) {
  const lock = path.join(
    os.tmpdir(),
    `corebank-web-build-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.lock`,
  );
  const started = Date.now();
  while (isStale()) {
    try {
      mkdirSync(lock);
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // Someone else builds. A lock older than the timeout is left over from a killed build.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > timeoutMs)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > timeoutMs)
        throw new Error(`timed out waiting for the portal build (lock ${lock})`);
      await sleep(250);
      continue;
    }
    try {
      if (isStale()) build();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    if (isStale()) break; // nothing more to do (vite missing); do not loop
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureBuilt().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
