// CPU time of the whole machine (every process and the kernel: the server, PostgreSQL, the load
// generator), from /proc/stat. When the machine is saturated, throughput is its cores divided by
// the CPU one transfer costs, so this is the figure that says whether a change made the path
// cheaper, where single throughput runs on a shared virtual machine vary by a third.
import { readFileSync } from 'node:fs';

export interface MachineCpu {
  busySeconds: number;
  totalSeconds: number;
}

/** Undefined where /proc/stat is not there (not Linux). */
export function machineCpu(): MachineCpu | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  const hz = 100; // USER_HZ: 100 on every Linux that Node supports
  return { busySeconds: busy / hz, totalSeconds: (busy + idle + iowait) / hz };
}

/** "87 % of 2 cores, 1.52 ms per request" between two readings. */
export function describeMachineCpu(
  before: MachineCpu | undefined,
  after: MachineCpu | undefined,
  cores: number,
  requests: number,
): string {
  if (!before || !after) return '-';
  const busy = after.busySeconds - before.busySeconds;
  const total = after.totalSeconds - before.totalSeconds;
  if (total <= 0) return '-';
  return `${((100 * busy) / total).toFixed(0)} % of ${cores} cores, ${((1000 * busy) / Math.max(1, requests)).toFixed(2)} ms per request`;
}
