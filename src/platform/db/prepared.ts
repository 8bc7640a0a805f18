// Prepared statements for the hot path. A named statement is parsed and planned by PostgreSQL
// once per connection and then only bound and executed; unnamed ones (pg's default) are parsed
// and planned on every call, which for the short statements run on every request or batch costs
// about as much as running them (docs/benchmarks.md has the pg_stat_statements figures). The
// name is derived from the text, so two statements can never share a name, and a changed text
// is a new statement.
//
// Use it for texts that are one of a few fixed variants only: every distinct text stays
// prepared on each connection that ran it. A statement whose best plan would change as a young
// table grows (a generic plan settled on early would keep a sequential scan) goes into a
// function whose plans cannot scan tables instead (migrations 0405 and 0501). `enable_seqscan =
// off` alone is not enough: a join can still walk a whole index, so each probe is a subquery
// the planner cannot flatten (a scalar subquery, or a lateral one with `offset 0`).
import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/** The query as a named (prepared) statement: `q.query(named(text, values))`. */
export function named(text: string, values: unknown[] = []): QueryConfig<unknown[]> {
  let name = names.get(text);
  if (name === undefined) {
    name = `cb_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
