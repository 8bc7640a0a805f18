// Every benchmark run, in the order `npm run bench` does them. Baselines first: the other runs'
// ratios divide by them. A new run is one more module and one more line.
import { httpRun } from './http.js';
import { ledgerBatchRun } from './ledger-batch.js';
import { pgbenchRun } from './pgbench.js';
import { pgbenchProductRun } from './pgbench-product.js';
import type { RunDefinition } from './types.js';

export const runs: RunDefinition[] = [
  pgbenchRun(16),
  pgbenchRun(64),
  ledgerBatchRun(16),
  ledgerBatchRun(64),
  // The product's rows, written one transfer per transaction: what the HTTP path's work costs
  // without the server and the micro-batcher.
  pgbenchProductRun(64),
  // Issue 8: the HTTP path, batcher on and off, uniform and hot-account, 16 and 64 connections.
  ...[16, 64].flatMap((connections) =>
    (['uniform', 'hot'] as const).flatMap((distribution) => [
      httpRun(true, distribution, connections),
      httpRun(false, distribution, connections),
    ]),
  ),
];
