import { describe, expect, it } from 'vitest';
import { setBounded } from './bounded-map.js';

describe('setBounded', () => {
  it('forgets the oldest entries once the map is full', () => {
    const m = new Map<string, number>();
    for (let i = 0; i < 5; i++) setBounded(m, `k${i}`, i, 3);
    expect([...m.entries()]).toEqual([
      ['k2', 2],
      ['k3', 3],
      ['k4', 4],
    ]);
  });

  it('replaces a key it holds without forgetting another', () => {
    const m = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    setBounded(m, 'a', 10, 2);
    expect([...m.entries()]).toEqual([
      ['a', 10],
      ['b', 2],
    ]);
  });

  it('brings an overfull map back to its bound', () => {
    const m = new Map([1, 2, 3, 4].map((k) => [k, k] as const));
    setBounded(m, 5, 5, 2);
    expect([...m.keys()]).toEqual([4, 5]);
  });
});
