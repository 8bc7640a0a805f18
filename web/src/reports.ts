// The account report (GET /api/v1/reports/accounts/:id) as the charts need it: a balance series
// and spending by category. The reader is tolerant of field names so the portal keeps working
// while the reports module grows; anything it cannot read leaves that chart out.
import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from './api';
import { useCapability } from './components/ui';

export interface BalancePoint {
  date: string;
  balance: string;
}
export interface CategoryTotal {
  category: string;
  amount: string;
}
export interface AccountReport {
  currency: string | null;
  balances: BalancePoint[];
  categories: CategoryTotal[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const money = (v: unknown): string | null => {
  if (typeof v === 'string' && DECIMAL.test(v)) return v;
  if (isObj(v) && typeof v.amount === 'string' && DECIMAL.test(v.amount)) return v.amount;
  return null;
};
const pick = (o: Obj, names: string[]): unknown => {
  for (const n of names) if (n in o) return o[n];
  return undefined;
};

function arraysIn(o: Obj, depth = 0): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (Array.isArray(v)) out.push([k, v]);
    else if (isObj(v) && depth < 2)
      out.push(...arraysIn(v, depth + 1).map(([kk, vv]) => [`${k}.${kk}`, vv] as [string, unknown[]]));
  }
  return out;
}

const DATE_KEYS = ['date', 'day', 'at', 'asOf', 'period', 'month', 'week', 'bucket', 'start'];
const BALANCE_KEYS = ['balance', 'closingBalance', 'closing', 'endBalance', 'balanceAfter'];
const CATEGORY_KEYS = ['category', 'name', 'label'];
const SPEND_KEYS = ['spent', 'spending', 'debits', 'outflow', 'total', 'amount'];

export function readAccountReport(input: unknown): AccountReport {
  const report: AccountReport = { currency: null, balances: [], categories: [] };
  if (!isObj(input)) return report;
  // The server wraps a generated report as a saved one: {id, kind, parameters, result}.
  const raw = isObj(input.result) ? input.result : input;
  const cur = pick(raw, ['currency']);
  report.currency =
    typeof cur === 'string'
      ? cur
      : isObj(raw.account) && typeof raw.account.currency === 'string'
        ? raw.account.currency
        : null;
  for (const [name, arr] of arraysIn(raw)) {
    const items = arr.filter(isObj);
    if (items.length === 0) continue;
    if (report.balances.length === 0 && /balance/i.test(name)) {
      const pts = items
        .map((it) => {
          const d = pick(it, DATE_KEYS);
          const b = money(pick(it, BALANCE_KEYS));
          return typeof d === 'string' && b !== null ? { date: d, balance: b } : null;
        })
        .filter((p): p is BalancePoint => p !== null);
      if (pts.length > 0)
        report.balances = pts.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    }
    if (report.categories.length === 0 && /categor|spend/i.test(name)) {
      const cats = items
        .map((it) => {
          const c = pick(it, CATEGORY_KEYS);
          const a = money(pick(it, SPEND_KEYS));
          return typeof c === 'string' && a !== null ? { category: c, amount: a.replace(/^-/, '') } : null;
        })
        .filter((p): p is CategoryTotal => p !== null);
      if (cats.length > 0) report.categories = cats;
    }
  }
  return report;
}

/** The report of one account, or null when the server has no reports (or none for it). */
export function useAccountReport(accountId: string | undefined) {
  const available = useCapability('GET /api/v1/reports/accounts/{id}');
  const q = useQuery({
    queryKey: ['report', accountId],
    enabled: !!accountId && available === true,
    retry: false,
    // The server generates and saves a report on every GET: ask again only when money moved
    // (useInvalidateMoney) or after a few minutes.
    staleTime: 5 * 60_000,
    queryFn: async () => {
      try {
        return readAccountReport(await api.get<unknown>(`/api/v1/reports/accounts/${accountId}`));
      } catch (e) {
        if (isApiError(e) && (e.status === 404 || e.status === 403)) return null;
        throw e;
      }
    },
  });
  return {
    available,
    report: q.data ?? null,
    loading: available === undefined || (available && q.isPending),
    error: q.error,
  };
}
