// Memory with a bound: in-process maps that remember what was read or verified (tokens,
// account identities) must not grow with everything a long-running server has ever seen.

/**
 * Sets `key` in `map`; if that would make the map hold more than `max` entries, the oldest
 * (first inserted) go first. A key already there keeps its place.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key)) {
    for (const oldest of map.keys()) {
      if (map.size < max) break;
      map.delete(oldest);
    }
  }
  map.set(key, value);
}
