// The printed table and bench/results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LatencyUnit } from '../runs/types.js';

export interface ResultRow {
  name: string;
  clients: number;
  transfersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  ratioToBaseline: number | null;
  /** With --rounds N > 1: rounds completed, and the lowest and highest transfers/s among them. */
  rounds?: number;
  transfersPerSecMin?: number;
  transfersPerSecMax?: number;
}

export interface PrintedRow extends ResultRow {
  latencyUnit: LatencyUnit;
  /** e.g. "pgbench-16": what ratioToBaseline divides by. */
  baselineName: string | null;
}

const fmt = (n: number, digits: number): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '-';

export function table(rows: PrintedRow[]): string {
  const ranged = rows.some((r) => r.rounds !== undefined);
  const header = [
    'run',
    'clients',
    'transfers/s',
    ...(ranged ? ['range (rounds)'] : []),
    'p50 ms',
    'p99 ms',
    'latency of',
    'errors',
    'vs baseline',
  ];
  const body = rows.map((r) => [
    r.name,
    String(r.clients),
    fmt(r.transfersPerSec, 0),
    ...(ranged
      ? [
          r.rounds === undefined
            ? '-'
            : `${fmt(r.transfersPerSecMin ?? Number.NaN, 0)}–${fmt(r.transfersPerSecMax ?? Number.NaN, 0)} (${r.rounds})`,
        ]
      : []),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    `1 ${r.latencyUnit}`,
    String(r.errors),
    r.ratioToBaseline === null ? '-' : `${fmt(r.ratioToBaseline, 2)}x ${r.baselineName ?? ''}`.trim(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const left = new Set([0, header.indexOf('latency of'), header.indexOf('vs baseline')]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function writeResults(
  file: string,
  runs: ResultRow[],
  meta: Record<string, unknown>,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = {
    runs: runs.map((r) => ({
      name: r.name,
      clients: r.clients,
      transfersPerSec: r.transfersPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      errors: r.errors,
      ratioToBaseline: r.ratioToBaseline,
      ...(r.rounds === undefined
        ? {}
        : {
            rounds: r.rounds,
            transfersPerSecMin: r.transfersPerSecMin,
            transfersPerSecMax: r.transfersPerSecMax,
          }),
    })),
    meta,
  };
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
}
