// Reads a V8 CPU profile (node --cpu-prof) and says where the time went: self time by area
// (a package, a src/ file, Node's internals, GC), the hottest functions by self time, and the
// src/ functions and packages by inclusive time (counted once per sample, however deep the
// recursion). Percentages are of the samples in which the process was not idle. A window (in
// the profile's clock: CLOCK_MONOTONIC microseconds, the same as process.hrtime in any process
// of the machine) restricts it to the samples taken within it, e.g. a run's measured phase.
//
//   npx tsx bench/lib/cpuprofile.ts <file.cpuprofile> [top]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function shortUrl(url: string): string {
  let u = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (u.startsWith(root)) u = path.relative(root, u);
  return u;
}

/** node_modules/<pkg>, src/<file>, node:<area>, or the pseudo-frames (GC, program, idle). */
function areaOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const u = shortUrl(frame.url);
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = u.slice(nm + 'node_modules/'.length).split('/');
    return `pkg ${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (u.startsWith('node:')) {
    const parts = u.split('/');
    return `node ${parts.slice(0, Math.min(parts.length - 1, 3)).join('/') || u}`;
  }
  return u;
}

const fnKey = (f: ProfileNode['callFrame']) =>
  `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

/** Now, in the clock of CPU profiles. */
export const profileClockUs = (): number => Number(process.hrtime.bigint() / 1000n);

export async function summarizeProfile(
  file: string,
  opts: { top?: number; fromUs?: number; toUs?: number } = {},
): Promise<string[]> {
  const top = opts.top ?? 12;
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfByArea = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  const inclByFn = new Map<string, number>();
  const inclByArea = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let busy = 0;
  let taken = 0;
  let t = profile.startTime;
  let first = Infinity;
  let last = -Infinity;
  for (const [i, id] of profile.samples.entries()) {
    t += profile.timeDeltas[i] ?? 0;
    if ((opts.fromUs !== undefined && t < opts.fromUs) || (opts.toUs !== undefined && t > opts.toUs))
      continue;
    taken++;
    first = Math.min(first, t);
    last = Math.max(last, t);
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') continue;
    busy++;
    add(selfByArea, areaOf(node.callFrame));
    add(selfByFn, fnKey(node.callFrame));
    const fns = new Set<string>();
    const areas = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (!f || f.functionName === '(root)') continue;
      fns.add(fnKey(f));
      areas.add(areaOf(f));
    }
    for (const f of fns) add(inclByFn, f);
    for (const a of areas) add(inclByArea, a);
  }
  const seconds = taken > 0 ? (last - first) / 1e6 : 0;
  const share = (n: number) => `${((100 * n) / Math.max(1, busy)).toFixed(1).padStart(5)} %`;
  const topOf = (m: Map<string, number>, filter: (k: string) => boolean = () => true, k = top) =>
    [...m]
      .filter(([key]) => filter(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([key, n]) => `  ${share(n)}  ${key}`);
  return [
    `${seconds.toFixed(1)} s, ${taken} samples, busy in ${((100 * busy) / Math.max(1, taken)).toFixed(0)} % of them (percentages below are of the ${busy} busy samples)`,
    'self time by area:',
    ...topOf(selfByArea),
    'self time by function:',
    ...topOf(selfByFn),
    'inclusive time, src/ functions:',
    ...topOf(inclByFn, (k) => k.includes(' src/')),
    'inclusive time, packages and Node areas:',
    ...topOf(inclByArea, (k) => k.startsWith('pkg ') || k.startsWith('node ')),
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, top, ...rest] = process.argv.slice(2);
  // A run's directory holds one profile per thread (the main thread's is the .0.001 one): a glob
  // passes two files, and the second would be read as `top`.
  if (!file || rest.length > 0 || (top !== undefined && !/^[1-9]\d*$/.test(top))) {
    console.error('usage: npx tsx bench/lib/cpuprofile.ts <file.cpuprofile> [top: a positive count]');
    process.exit(2);
  }
  summarizeProfile(file, { top: top ? Number(top) : 12 }).then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
