// `corebank verify`: reconciles the ledger (and every other check registered here), prints a
// summary and exits non-zero on any discrepancy.
import type { Queryable } from '../platform/db/pool.js';
import { verifyAuditChain } from '../modules/audit/service.js';
import { reconcile } from '../modules/ledger/service.js';
import { openRuntime } from './runtime.js';

export interface VerifyCheck {
  name: string;
  run(q: Queryable): Promise<{ ok: boolean; summary: string; problems: string[] }>;
}

export const verifyChecks: VerifyCheck[] = [
  {
    name: 'ledger',
    async run(q) {
      const r = await reconcile(q);
      const totals = r.currencies
        .filter((c) => c.debits !== '0')
        .map((c) => `${c.currency} ${c.debits}`)
        .join(', ');
      return {
        ok: r.ok,
        summary: `${r.accounts} accounts, ${r.transfers} transfers, ${r.entries} entries; posted per currency (minor units): ${totals || 'none'}`,
        problems: r.discrepancies,
      };
    },
  },
  {
    name: 'audit',
    async run(q) {
      const r = await verifyAuditChain(q);
      return {
        ok: r.ok,
        summary: `${r.checked} rows chained, head ${r.headSeq} ${r.headHash.slice(0, 12)}`,
        problems: r.brokenAt ? [`row ${r.brokenAt.seq}: ${r.brokenAt.reason}`] : [],
      };
    },
  },
];

export async function runVerify(q: Queryable, print: (line: string) => void): Promise<boolean> {
  let ok = true;
  for (const check of verifyChecks) {
    const result = await check.run(q);
    ok &&= result.ok;
    print(`${result.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${result.summary}`);
    for (const p of result.problems) print(`     - ${p}`);
  }
  print(ok ? 'verify: everything reconciles' : 'verify: DISCREPANCIES FOUND');
  return ok;
}

export async function verifyCommand(): Promise<number> {
  const rt = await openRuntime({ startDatabase: true, migrate: false, logLevel: 'warn' });
  try {
    return (await runVerify(rt.pool, (l) => console.log(l))) ? 0 : 1;
  } finally {
    await rt.close();
  }
}
