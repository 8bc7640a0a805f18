import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_SAMPLE_MS, createMetrics } from './metrics.js';

describe('event-loop delay gauges', () => {
  // npm run bench reports the delay as the p99 less EVENT_LOOP_SAMPLE_MS: that is right only if
  // the histogram's values include the interval between samples, which this checks.
  it('include the sampling interval: a loop that waits idle reports about EVENT_LOOP_SAMPLE_MS', async () => {
    const metrics = createMetrics({ defaultMetrics: true });
    await sleep(12 * EVENT_LOOP_SAMPLE_MS);
    // One scrape: prom-client empties the histogram after each.
    const text = await metrics.registry.metrics();
    const gauge = (name: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name} `))
          ?.split(' ')[1],
      );
    // The least and the median value (an empty histogram's median would be 0). A timer may fire
    // a little early by the clock that measures it, hence 0.8.
    expect(gauge('corebank_nodejs_eventloop_lag_min_seconds') * 1000).toBeGreaterThanOrEqual(
      0.8 * EVENT_LOOP_SAMPLE_MS,
    );
    expect(gauge('corebank_nodejs_eventloop_lag_p50_seconds') * 1000).toBeGreaterThanOrEqual(
      0.8 * EVENT_LOOP_SAMPLE_MS,
    );
  });
});
