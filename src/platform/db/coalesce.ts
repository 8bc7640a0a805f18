// Read coalescing: lookups by key asked for within one turn of the event loop are answered by
// ONE query for all of them. Under load many requests reach the same lookup in the same turn
// (sessions on every authenticated request, accounts on every movement); one `= any($1)` round
// trip instead of one per request saves both the database and the Node process a round trip's
// work each (see docs/benchmarks.md). Nothing is cached: every lookup sees the database as of
// the query that answers it, exactly as a query of its own would — only the round trip is shared.
//
// One batch waits for at most one turn of the event loop (setImmediate), so a lone request pays
// nothing noticeable; a failed query fails exactly the lookups it was answering.

export interface CoalesceOptions {
  /** Keys per query; more wait for the next one (default 500). */
  maxKeys?: number;
}

type Waiter<V> = { resolve(value: V | undefined): void; reject(err: unknown): void };

/**
 * A lookup function `get(key)` whose calls within one event-loop turn are answered by one
 * `load(keys)` call. `load` returns the values it found by key; a key it has no value for
 * resolves to undefined. Duplicate keys are asked for once.
 */
export function coalesce<V>(
  load: (keys: string[]) => Promise<Map<string, V>>,
  opts: CoalesceOptions = {},
): (key: string) => Promise<V | undefined> {
  const maxKeys = Math.max(1, opts.maxKeys ?? 500);
  let gathering: Map<string, Waiter<V>[]> | undefined;

  const run = async (batch: Map<string, Waiter<V>[]>) => {
    try {
      const found = await load([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };

  const leave = (batch: Map<string, Waiter<V>[]>) => {
    if (gathering === batch) gathering = undefined;
    void run(batch);
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      let batch = gathering;
      if (!batch) {
        const started = new Map<string, Waiter<V>[]>();
        gathering = batch = started;
        setImmediate(() => {
          if (gathering === started) leave(started);
        });
      }
      const waiters = batch.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else batch.set(key, [{ resolve, reject }]);
      if (batch.size >= maxKeys) leave(batch);
    });
}

/**
 * coalesce() for a lookup that runs on a pool given at call time: one gathering lookup per
 * pool (a process may hold several, e.g. tests), created on first use.
 */
export function coalescePerPool<P extends object, V>(
  load: (pool: P, keys: string[]) => Promise<Map<string, V>>,
  opts: CoalesceOptions = {},
): (pool: P, key: string) => Promise<V | undefined> {
  const byPool = new WeakMap<P, (key: string) => Promise<V | undefined>>();
  return (pool, key) => {
    let get = byPool.get(pool);
    if (!get) {
      get = coalesce((keys) => load(pool, keys), opts);
      byPool.set(pool, get);
    }
    return get(key);
  };
}
