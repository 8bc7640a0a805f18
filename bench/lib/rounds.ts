// Repeated rounds (--rounds N). On a shared virtual machine two runs of the same code minutes
// apart differ by a fifth or more, and the machine's speed drifts within the half hour
// (docs/benchmarks.md). With N rounds every selected run is done N times in alternation (each
// run of round 1, then each of round 2 …), and the table shows per run the median and range of
// its throughput and the median of its per-round ratios: each run against the baseline measured
// in the same round, minutes apart at most, so a drift between rounds falls out of the ratio.

import type { PrintedRow, ResultRow } from './report.js';

/** What one run measured. */
export type Measured = Pick<ResultRow, 'name' | 'clients' | 'transfersPerSec' | 'p50Ms' | 'p99Ms' | 'errors'>;

export interface RoundRow extends Measured {
  round: number;
}

/**
 * transfersPerSec, p50Ms and p99Ms are medians over the rounds the run completed, errors their
 * sum; ratioToBaseline is the median of the per-round ratios to `baselineName`'s run of the same
 * round (null without one). The range fields are the report's own (report.ts).
 */
export type CombinedRow = Measured &
  Required<Pick<ResultRow, 'rounds' | 'transfersPerSecMin' | 'transfersPerSecMax'>> &
  Pick<PrintedRow, 'ratioToBaseline' | 'baselineName'>;

/** The median; of an even count, the mean of the middle two. NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * One row per run name, in order of first appearance. `baselineOf(name)` names the run a run is
 * compared with (null: none); a round in which either did not complete gives no ratio.
 */
export function combineRounds(
  rows: readonly RoundRow[],
  baselineOf: (name: string) => string | null,
): CombinedRow[] {
  const byName = new Map<string, RoundRow[]>();
  for (const r of rows) {
    const list = byName.get(r.name);
    if (list) list.push(r);
    else byName.set(r.name, [r]);
  }
  return [...byName.entries()].map(([name, runs]) => {
    const baselineName = baselineOf(name);
    const ratios: number[] = [];
    if (baselineName !== null) {
      for (const r of runs) {
        const base = byName.get(baselineName)?.find((b) => b.round === r.round);
        if (base && base.transfersPerSec > 0) ratios.push(r.transfersPerSec / base.transfersPerSec);
      }
    }
    const tps = runs.map((r) => r.transfersPerSec);
    return {
      name,
      clients: runs[0]!.clients,
      transfersPerSec: median(tps),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      rounds: runs.length,
      transfersPerSecMin: Math.min(...tps),
      transfersPerSecMax: Math.max(...tps),
      ratioToBaseline: ratios.length > 0 ? median(ratios) : null,
      baselineName: ratios.length > 0 ? baselineName : null,
    };
  });
}
