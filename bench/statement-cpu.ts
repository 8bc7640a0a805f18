// PostgreSQL's own CPU per statement, read from its log: what each statement costs the server
// to parse, bind (for a named statement: plan, when it gets a custom plan) and execute, apart
// from the time it spends waiting for locks or the network, which `--trace-sql` cannot separate.
//
// Run the benchmark with the server logging every statement and its resource use (PGOPTIONS is
// passed to corebank's server; the log is PostgreSQL's, e.g. Debian's
// /var/log/postgresql/postgresql-15-main.log), then read that log:
//
//   PGOPTIONS="-c log_min_duration_statement=0 -c log_statement_stats=on" \
//     npm run bench -- --only http-batch-uniform-16 --seconds 4
//   npx tsx bench/statement-cpu.ts /var/log/postgresql/postgresql-15-main.log
//
// Only statements of databases whose name starts with --database (default bench_http_, the HTTP
// runs' databases; their templates are left out) are counted. The logging itself costs CPU:
// read the figures as proportions.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

export interface StatementCpu {
  /** PARSE, BIND, EXECUTE or QUERY (a simple-protocol statement). */
  phase: string;
  /** The statement's text, whitespace folded, first 90 characters. */
  statement: string;
  count: number;
  /** User plus system CPU, seconds. */
  cpuS: number;
  elapsedS: number;
}

const LINE = /^\S+ \S+ \S+ \[\d+\] \S+@(\S+) (LOG|DETAIL|STATEMENT):\s+(.*)$/;
const USAGE = /([\d.]+) s user, ([\d.]+) s system, ([\d.]+) s elapsed/;

/**
 * Adds up the "… MESSAGE STATISTICS" and "QUERY STATISTICS" entries of a log, per phase and
 * statement, fed one line at a time (a log can be larger than a string may be).
 */
export function statementCpu(databasePrefix: string) {
  const totals = new Map<string, StatementCpu>();
  let phase: string | undefined;
  let usageNext = false;
  let usage: { cpu: number; elapsed: number } | undefined;
  return {
    line(text: string): void {
      if (usageNext) {
        usageNext = false;
        const u = USAGE.exec(text);
        usage = u ? { cpu: Number(u[1]) + Number(u[2]), elapsed: Number(u[3]) } : undefined;
        return;
      }
      const m = LINE.exec(text);
      if (!m) return;
      const [database = '', level, message = ''] = m.slice(1);
      if (level === 'LOG') {
        phase = message.endsWith('STATISTICS') ? message.split(' ')[0] : undefined;
        usage = undefined;
      } else if (level === 'DETAIL') {
        usageNext = phase !== undefined && message.includes('system usage');
      } else if (phase && usage) {
        if (database.startsWith(databasePrefix) && !database.includes('template')) {
          const statement = message.replace(/\s+/g, ' ').trim().slice(0, 90);
          const key = `${phase}\u0000${statement}`;
          const t = totals.get(key) ?? { phase, statement, count: 0, cpuS: 0, elapsedS: 0 };
          t.count += 1;
          t.cpuS += usage.cpu;
          t.elapsedS += usage.elapsed;
          totals.set(key, t);
        }
        phase = undefined;
        usage = undefined;
      }
    },
    /** Most CPU first. */
    result(): StatementCpu[] {
      return [...totals.values()].sort((a, b) => b.cpuS - a.cpuS);
    },
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { database: { type: 'string', default: 'bench_http_' }, top: { type: 'string', default: '30' } },
  });
  const file = positionals[0];
  const top = Number(values.top);
  if (!file || !Number.isInteger(top) || top < 1)
    throw new Error('usage: statement-cpu.ts <postgresql log> [--database prefix] [--top n, n ≥ 1]');
  const sum = statementCpu(values.database);
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity }))
    sum.line(line);
  const rows = sum.result();
  const total = rows.reduce((s, r) => s + r.cpuS, 0);
  console.log(`PostgreSQL CPU, all statements: ${total.toFixed(3)} s`);
  console.log('   cpu s   share    count  cpu ms each  phase    statement');
  for (const r of rows.slice(0, top)) {
    console.log(
      `${r.cpuS.toFixed(3).padStart(8)}  ${((100 * r.cpuS) / total).toFixed(1).padStart(5)} %  ${String(r.count).padStart(7)}  ${((1000 * r.cpuS) / r.count).toFixed(3).padStart(11)}  ${r.phase.padEnd(8)} ${r.statement}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
