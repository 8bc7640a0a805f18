// bench/statement-cpu.ts: PostgreSQL's CPU per statement, added up from its log.
import { describe, expect, it } from 'vitest';
import { statementCpu } from '../bench/statement-cpu.js';

const entry = (db: string, phase: string, user: string, system: string, statement: string) => [
  `2026-11-21 22:06:50.536 UTC [6185] postgres@${db} LOG:  ${phase} STATISTICS`,
  `2026-11-21 22:06:50.536 UTC [6185] postgres@${db} DETAIL:  ! system usage stats:`,
  `\t!\t${user} s user, ${system} s system, 0.000500 s elapsed`,
  `\t!\t[1.395742 s user, 0.419897 s system total]`,
  `2026-11-21 22:06:50.536 UTC [6185] postgres@${db} STATEMENT:  ${statement}`,
  `\t     from unnest($1::uuid[])`,
];

describe('statementCpu', () => {
  it('adds user and system CPU per phase and statement, for the databases named, templates left out', () => {
    const log = [
      `2026-11-21 22:06:50.530 UTC [6185] postgres@bench_http_1_2 LOG:  duration: 0.231 ms  execute <unnamed>: select 1`,
      ...entry('bench_http_1_2', 'EXECUTE MESSAGE', '0.000200', '0.000100', 'insert into t\n'),
      ...entry('bench_http_1_2', 'EXECUTE MESSAGE', '0.000400', '0.000000', 'insert  into t'),
      ...entry('bench_http_1_2', 'BIND MESSAGE', '0.000050', '0.000000', 'insert into t'),
      ...entry('bench_http_1_2', 'QUERY', '0.000010', '0.000000', 'COMMIT'),
      ...entry('bench_http_template_1_1', 'EXECUTE MESSAGE', '0.5', '0', 'insert into t'),
      ...entry('other', 'EXECUTE MESSAGE', '0.5', '0', 'insert into t'),
    ].join('\n');
    const sum = statementCpu('bench_http_');
    for (const line of log.split('\n')) sum.line(line);
    const rows = sum.result();
    expect(rows.map((r) => [r.phase, r.statement, r.count])).toEqual([
      ['EXECUTE', 'insert into t', 2],
      ['BIND', 'insert into t', 1],
      ['QUERY', 'COMMIT', 1],
    ]);
    expect(rows[0]!.cpuS).toBeCloseTo(0.0007, 9);
    expect(rows[0]!.elapsedS).toBeCloseTo(0.001, 9);
  });

  it('counts nothing for a statement logged without its resource use', () => {
    const sum = statementCpu('bench_http_');
    sum.line('2026-11-21 22:06:50.536 UTC [1] postgres@bench_http_1_2 LOG:  EXECUTE MESSAGE STATISTICS');
    sum.line('2026-11-21 22:06:50.536 UTC [1] postgres@bench_http_1_2 STATEMENT:  select 1');
    expect(sum.result()).toEqual([]);
  });
});
