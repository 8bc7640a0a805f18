// Statements sent in one write. In pipeline mode (pool.ts) each statement issued is written to
// the socket at once, one system call each, and on this kind of machine a write to a local
// PostgreSQL costs more CPU than building the statement (docs/benchmarks.md): the kernel runs
// the loopback delivery and wakes the server process for every one. Issuing a round of
// independent statements inside sendTogether() corks the connection's stream, so they leave
// in a single write when `issue` returns.
//
// `issue` must only issue statements and return their promises: it must not wait for anything,
// since nothing it sends reaches the server until it has returned.
import type { PoolClient } from './pool.js';

export function sendTogether<T>(client: PoolClient, issue: () => T): T {
  const stream = client.connection?.stream;
  stream?.cork();
  try {
    return issue();
  } finally {
    stream?.uncork();
  }
}
