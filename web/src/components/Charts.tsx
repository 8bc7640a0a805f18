// The dashboard's charts (Recharts, loaded on demand so the first page stays small). Values are
// integer minor units (geometry only); every label is formatted back from the decimal string.
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { chartLabel, formatMoney, toChartNumber } from '../money';
import type { BalancePoint, CategoryTotal } from '../reports';
import { formatDate, humanize } from './ui';

const BLUE = '#0b5cad';
const TEAL = '#0f766e';

export function BalanceChart({ points, currency }: { points: BalancePoint[]; currency: string }) {
  const data = points.map((p) => ({
    date: p.date,
    label: formatDate(p.date),
    value: toChartNumber(p.balance, currency),
  }));
  const last = points[points.length - 1];
  return (
    <figure className="chart">
      <figcaption className="sr-only">
        Balance over time from {formatDate(points[0]?.date)} to {formatDate(last?.date)}; latest{' '}
        {last ? formatMoney(last.balance, currency) : 'unknown'}.
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#e3e7ee" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#4a5365' }} minTickGap={24} />
            <YAxis
              tick={{ fontSize: 12, fill: '#4a5365' }}
              width={84}
              tickFormatter={(v: number) => chartLabel(v, currency)}
            />
            <Tooltip formatter={(v) => chartLabel(Number(v), currency)} />
            {/* Daily closing balances: a step, not a curve that invents values between days. */}
            <Area
              type="stepAfter"
              dataKey="value"
              name="Balance"
              stroke={BLUE}
              strokeWidth={2}
              fill={BLUE}
              fillOpacity={0.12}
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function CategoryChart({ categories, currency }: { categories: CategoryTotal[]; currency: string }) {
  const data = categories.map((c) => ({
    name: humanize(c.category),
    value: toChartNumber(c.amount, currency),
  }));
  return (
    <figure className="chart">
      <figcaption className="sr-only">
        Spending by category:{' '}
        {categories.map((c) => `${humanize(c.category)} ${formatMoney(c.amount, currency)}`).join('; ')}.
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 12, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#e3e7ee" horizontal={false} />
            <XAxis
              type="number"
              tick={{ fontSize: 12, fill: '#4a5365' }}
              tickFormatter={(v: number) => chartLabel(v, currency)}
            />
            <YAxis type="category" dataKey="name" width={96} tick={{ fontSize: 12, fill: '#4a5365' }} />
            <Tooltip formatter={(v) => chartLabel(Number(v), currency)} />
            <Bar
              dataKey="value"
              name="Spent"
              fill={TEAL}
              radius={[0, 4, 4, 0]}
              isAnimationActive={false}
              barSize={22}
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export default function Charts({
  balances,
  categories,
  currency,
}: {
  balances: BalancePoint[];
  categories: CategoryTotal[];
  currency: string;
}) {
  return (
    <div className="grid-2">
      {balances.length > 0 ? (
        <section className="card" aria-labelledby="chart-balance">
          <h3 id="chart-balance">Balance over time</h3>
          <BalanceChart points={balances} currency={currency} />
        </section>
      ) : null}
      {categories.length > 0 ? (
        <section className="card" aria-labelledby="chart-categories">
          <h3 id="chart-categories">Spending by category</h3>
          <CategoryChart categories={categories} currency={currency} />
        </section>
      ) : null}
    </div>
  );
}
