// bench/lib/rounds.ts: what `npm run bench -- --rounds N` prints per run.
import { describe, expect, it } from 'vitest';
import { combineRounds, median, type RoundRow } from '../bench/lib/rounds.js';

const row = (
  round: number,
  name: string,
  transfersPerSec: number,
  extra: Partial<RoundRow> = {},
): RoundRow => ({
  round,
  name,
  clients: 64,
  transfersPerSec,
  p50Ms: transfersPerSec / 100,
  p99Ms: transfersPerSec / 10,
  errors: 0,
  ...extra,
});
const baselineOf = (name: string) => (name.startsWith('http') ? 'pgbench-64' : null);

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('combineRounds', () => {
  it('gives each run its median, range and summed errors, in the order runs first appeared', () => {
    const out = combineRounds(
      [
        row(1, 'pgbench-64', 3000),
        row(1, 'http-a', 1500, { errors: 1 }),
        row(2, 'pgbench-64', 2000),
        row(2, 'http-a', 1200, { errors: 2 }),
        row(3, 'pgbench-64', 2600),
        row(3, 'http-a', 1400),
      ],
      baselineOf,
    );
    expect(out.map((r) => r.name)).toEqual(['pgbench-64', 'http-a']);
    expect(out[1]).toMatchObject({
      transfersPerSec: 1400,
      transfersPerSecMin: 1200,
      transfersPerSecMax: 1500,
      p50Ms: 14,
      p99Ms: 140,
      errors: 3,
      rounds: 3,
      baselineName: 'pgbench-64',
    });
    expect(out[0]).toMatchObject({ ratioToBaseline: null, baselineName: null, transfersPerSec: 2600 });
  });

  it('takes the ratio within each round, not of the medians', () => {
    // The machine slowed down in round 2: the run kept its ratio to the baseline of its round.
    // Per round 0.5, 0.5 and 0.6; the medians (1,200 over 2,000) would say 0.6.
    const [, http] = combineRounds(
      [
        row(1, 'pgbench-64', 3000),
        row(1, 'http-a', 1500),
        row(2, 'pgbench-64', 1000),
        row(2, 'http-a', 500),
        row(3, 'pgbench-64', 2000),
        row(3, 'http-a', 1200),
      ],
      baselineOf,
    );
    expect(http!.ratioToBaseline).toBeCloseTo(0.5, 10);
    expect(http!.transfersPerSec).toBe(1200);
  });

  it('gives no ratio for a round whose baseline did not complete, nor without a baseline', () => {
    const [http] = combineRounds(
      [row(1, 'http-a', 1500), row(2, 'http-a', 900), row(2, 'pgbench-64', 1800)],
      baselineOf,
    );
    expect(http!.ratioToBaseline).toBeCloseTo(0.5, 10);
    const [alone] = combineRounds([row(1, 'http-a', 1500)], baselineOf);
    expect(alone).toMatchObject({ ratioToBaseline: null, baselineName: null, rounds: 1 });
  });
});
