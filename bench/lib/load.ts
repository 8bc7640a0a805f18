// The HTTP load generator: autocannon, run in the benchmark's own process against a server in
// another process. Each connection sends one request at a time (no pipelining); every request is
// built by `next()` just before it is sent, so each can carry its own headers and body, and each
// reply is handed to `onReply` with whatever `next()` attached to it. Latency is autocannon's own
// per-request figure: from writing the request to the last byte of the reply.
import autocannon from 'autocannon';

export interface LoadRequest<M> {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Anything the caller wants back with the reply (what was asked for). */
  meta: M;
}

export interface LoadOptions<M> {
  url: string;
  connections: number;
  seconds: number;
  /** Seconds before a request counts as timed out (and its connection is re-opened). */
  timeoutSeconds?: number;
  next(): LoadRequest<M>;
  onReply(status: number, body: string, meta: M): void;
  signal?: AbortSignal;
}

export interface LoadResult {
  /** One per reply, in milliseconds. */
  latenciesMs: number[];
  /** Wall-clock length of the run. */
  elapsedSeconds: number;
  /** Socket errors and timeouts (a timed-out request has no reply). */
  socketErrors: number;
  timeouts: number;
  replies: number;
  /** Requests sent; those without a reply were in flight when the run stopped (or timed out). */
  sent: number;
}

export function runLoad<M>(opts: LoadOptions<M>): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const latenciesMs: number[] = [];
    const started = performance.now();
    const metaKey = 'bench.meta';
    let instance: autocannon.Instance | undefined;
    const onAbort = () => instance?.stop();
    try {
      instance = autocannon(
        {
          url: opts.url,
          connections: opts.connections,
          duration: opts.seconds,
          pipelining: 1,
          timeout: opts.timeoutSeconds ?? 10,
          requests: [
            {
              setupRequest: (req, context) => {
                const r = opts.next();
                context[metaKey] = r.meta;
                return {
                  ...req,
                  method: r.method,
                  path: r.path,
                  headers: r.headers,
                  ...(r.body !== undefined ? { body: r.body } : {}),
                };
              },
              onResponse: (status, body, context) => opts.onReply(status, body, context[metaKey] as M),
            },
          ],
        },
        (err, result) => {
          opts.signal?.removeEventListener('abort', onAbort);
          if (err) return reject(err);
          resolve({
            latenciesMs,
            elapsedSeconds: (performance.now() - started) / 1000,
            socketErrors: result.errors - result.timeouts,
            timeouts: result.timeouts,
            replies: latenciesMs.length,
            sent: result.requests.sent,
          });
        },
      );
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      latenciesMs.push(ms);
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
