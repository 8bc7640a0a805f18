// Where a process's database time goes, without touching its code: wraps pg's Client#query and
// Pool#connect and adds up, per statement text, how many ran and how long each took as the
// process saw it (round trip, lock waits and commit flushes included), plus the time spent
// waiting for a pool connection and each transaction's BEGIN-to-COMMIT span.
//
// `npm run bench -- --trace-sql` preloads this module into the server (node --import) with
// BENCH_SQL_TIMING_FILE set; the figures are written to that file when the process exits.
import { writeFileSync } from 'node:fs';
import pg from 'pg';

export type SqlTimings = [statement: string, count: number, totalMs: number, maxMs: number][];

const stats = new Map<string, { n: number; ms: number; max: number }>();

function record(key: string, ms: number): void {
  const s = stats.get(key);
  if (s) {
    s.n++;
    s.ms += ms;
    if (ms > s.max) s.max = ms;
  } else {
    stats.set(key, { n: 1, ms, max: ms });
  }
}

const keyOf = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 110);
const began = new WeakMap<object, number>();

type Query = (...args: unknown[]) => unknown;
type Connect = (...args: unknown[]) => unknown;

export function installSqlTiming(): () => SqlTimings {
  const proto = pg.Client.prototype as unknown as { query: Query; __benchTimed?: boolean };
  if (!proto.__benchTimed) {
    proto.__benchTimed = true;
    const query = proto.query;
    proto.query = function (this: object, ...args: unknown[]) {
      const first = args[0];
      const text =
        typeof first === 'string'
          ? first
          : typeof (first as { text?: unknown } | null)?.text === 'string'
            ? (first as { text: string }).text
            : '?';
      const key = keyOf(text);
      const t0 = performance.now();
      const done = () => {
        const t1 = performance.now();
        record(key, t1 - t0);
        const verb = key.toUpperCase();
        if (verb.startsWith('BEGIN')) began.set(this, t0);
        else if (verb === 'COMMIT' || verb === 'ROLLBACK') {
          const start = began.get(this);
          if (start !== undefined) record(`(transaction: BEGIN … ${verb})`, t1 - start);
          began.delete(this);
        }
      };
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (...cbArgs: unknown[]) => {
          done();
          return (last as (...a: unknown[]) => unknown)(...cbArgs);
        };
        return query.apply(this, args);
      }
      const result = query.apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(done, done);
      }
      return result;
    };
    const poolProto = pg.Pool.prototype as unknown as { connect: Connect };
    const connect = poolProto.connect;
    poolProto.connect = function (this: object, ...args: unknown[]) {
      const t0 = performance.now();
      const cb = args[0];
      if (typeof cb === 'function') {
        return connect.call(this, (...cbArgs: unknown[]) => {
          record('(waiting for a pool connection)', performance.now() - t0);
          return (cb as (...a: unknown[]) => unknown)(...cbArgs);
        });
      }
      const result = connect.apply(this, args) as Promise<unknown>;
      void result.then(
        () => record('(waiting for a pool connection)', performance.now() - t0),
        () => undefined,
      );
      return result;
    };
  }
  return () => [...stats].map(([k, s]) => [k, s.n, s.ms, s.max]);
}

/** The statements by total time, with count, mean and max. */
export function summarizeSqlTimings(timings: SqlTimings, top = 15): string[] {
  const sorted = [...timings].sort((a, b) => b[2] - a[2]);
  return sorted
    .slice(0, top)
    .map(
      ([k, n, ms, max]) =>
        `${(ms / 1000).toFixed(1).padStart(7)} s  ${String(n).padStart(7)}x  mean ${(ms / n).toFixed(2).padStart(7)} ms  max ${max.toFixed(0).padStart(5)} ms  ${k}`,
    );
}

const file = process.env.BENCH_SQL_TIMING_FILE;
if (file) {
  const read = installSqlTiming();
  process.on('exit', () => writeFileSync(file, JSON.stringify(read())));
}
