import { describe, expect, it } from 'vitest';
import { coalesce, coalescePerPool } from './coalesce.js';

function recordingLoader(values: Record<string, number>) {
  const calls: string[][] = [];
  const load = async (keys: string[]) => {
    calls.push(keys);
    return new Map(keys.filter((k) => k in values).map((k) => [k, values[k]!]));
  };
  return { calls, load };
}

describe('coalesce', () => {
  it('answers the lookups of one event-loop turn with one load, each key asked once', async () => {
    const { calls, load } = recordingLoader({ a: 1, b: 2 });
    const get = coalesce(load);
    const got = await Promise.all([get('a'), get('b'), get('a'), get('missing')]);
    expect(got).toEqual([1, 2, 1, undefined]);
    expect(calls).toEqual([['a', 'b', 'missing']]);
  });

  it('loads again for lookups of a later turn: nothing is cached', async () => {
    const values: Record<string, number> = { a: 1 };
    const { calls, load } = recordingLoader(values);
    const get = coalesce(load);
    expect(await get('a')).toBe(1);
    values.a = 5;
    expect(await get('a')).toBe(5);
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('splits at maxKeys', async () => {
    const { calls, load } = recordingLoader({ a: 1, b: 2, c: 3 });
    const get = coalesce(load, { maxKeys: 2 });
    expect(await Promise.all([get('a'), get('b'), get('c')])).toEqual([1, 2, 3]);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('a failed load fails the lookups it answered, and only those', async () => {
    let fail = true;
    const get = coalesce(async (keys) => {
      if (fail) throw new Error('database down');
      return new Map(keys.map((k) => [k, k.length]));
    });
    const first = Promise.allSettled([get('x'), get('yy')]);
    fail = true;
    const settled = await first;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await get('zzz')).toBe(3);
  });
});

describe('coalescePerPool', () => {
  it('gathers per pool: lookups on two pools in one turn are two loads, each on its own pool', async () => {
    const calls: [string, string[]][] = [];
    const get = coalescePerPool(async (pool: { name: string }, keys: string[]) => {
      calls.push([pool.name, keys]);
      return new Map(keys.map((k) => [k, `${pool.name}:${k}`]));
    });
    const [a, b] = [{ name: 'a' }, { name: 'b' }];
    expect(await Promise.all([get(a, 'x'), get(b, 'x'), get(a, 'y')])).toEqual(['a:x', 'b:x', 'a:y']);
    expect(calls).toEqual([
      ['a', ['x', 'y']],
      ['b', ['x']],
    ]);
  });
});
