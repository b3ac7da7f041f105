/**
 * A fixed-rate open-loop load generator: requests leave at their scheduled times whether or not the
 * earlier ones were answered, and each latency is measured from its scheduled time, not from when a
 * free connection let it go — so a server that falls behind shows its queue in the latency instead of
 * slowing the generator down (no coordinated omission).
 */
import http from 'node:http';

export interface LoadTarget {
  url: URL;
  /** Headers of every request (authorization, content type). */
  headers: Record<string, string>;
  /** The n-th request's method, path (under `url`) and JSON body. */
  request(n: number): { method: string; path: string; body: string };
  /** Whether an answer counts as served (HTTP status and body). */
  ok(status: number, body: string): boolean;
}

export interface LoadResult {
  rate: number;
  offered: number;
  /** Answered and `ok`. */
  served: number;
  failed: number;
  /** Not answered within the run plus its grace period. */
  missing: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? Infinity : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);

/** Sends the target's `n`-th request over `agent`; `answered` says whether its answer counts as served (no answer: not). */
export function sendOne(target: LoadTarget, agent: http.Agent, n: number, answered: (ok: boolean) => void): void {
  const { method, path, body } = target.request(n);
  const req = http.request(new URL(path, target.url), { method, agent, headers: { ...target.headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => answered(target.ok(res.statusCode ?? 0, text)));
  });
  req.on('error', () => answered(false));
  req.end(body);
}

/** Offers `rate` requests per second for `seconds`, over up to `connections` kept-alive connections. */
export async function openLoop(target: LoadTarget, rate: number, seconds: number, connections = 64, graceMs = 1_000): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const offered = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  let answered = 0;
  const started = performance.now();
  let sent = 0;
  let allAnswered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  const settle = () => {
    if (++answered === offered) allAnswered();
  };
  const send = (n: number, scheduledAt: number) =>
    sendOne(target, agent, n, (ok) => {
      if (ok) latencies.push(performance.now() - scheduledAt);
      else failed++;
      settle();
    });
  // Every millisecond, whatever is due goes: the timer's own lateness is in the latencies.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(offered, Math.floor((elapsed / 1000) * rate) + 1);
      while (sent < due) {
        send(sent, started + (sent * 1000) / rate);
        sent++;
      }
      if (sent >= offered) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rate, offered, served: latencies.length, failed, missing: offered - answered, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

/** Sustained: every request answered and served, the 99th percentile within `p99LimitMs` (a server falling behind grows its queue, and its p99 with it). */
export const sustained = (result: LoadResult, p99LimitMs = 100) => result.served === result.offered && result.p99Ms <= p99LimitMs;

/** The highest rate of the ladder sustained for `seconds`, climbing until one is not. */
export async function maxSustained(target: LoadTarget, ladder: readonly number[], seconds: number): Promise<{ rate: number; results: LoadResult[] }> {
  const results: LoadResult[] = [];
  let best = 0;
  for (const rate of ladder) {
    const result = await openLoop(target, rate, seconds);
    results.push(result);
    if (!sustained(result)) break;
    best = rate;
    // Let the server finish what the step left behind (outbox, GC) before the next.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { rate: best, results };
}
