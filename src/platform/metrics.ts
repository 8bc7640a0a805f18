// Prometheus metrics. One registry per app instance (tests build many apps in one process).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  ledgerTransfers: Counter<'result'>;
  ledgerBatches: Counter;
}

/**
 * How often the event loop's delay is sampled (prom-client's default, named here so that readers
 * of the `corebank_nodejs_eventloop_lag_*` gauges can rely on it). Node's histogram records the
 * time between two samples, so every value includes this interval: an idle loop reports about
 * 10 ms, and the delay is a value less this.
 */
export const EVENT_LOOP_SAMPLE_MS = 10;

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics)
    collectDefaultMetrics({
      register: registry,
      prefix: 'corebank_',
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'corebank_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ledgerTransfers: new Counter({
      name: 'corebank_ledger_transfers_total',
      help: 'Ledger transfers submitted, by result (ok or the failure reason)',
      labelNames: ['result'],
      registers: [registry],
    }),
    ledgerBatches: new Counter({
      name: 'corebank_ledger_batches_total',
      help: 'Ledger batches committed',
      registers: [registry],
    }),
  };
}
