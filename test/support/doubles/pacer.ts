/**
 * Sends a list of requests at a fixed rate with bounded concurrency, recording each answer: the
 * load side of the fault tests (N requests per second, at most C in flight). When C requests are
 * in flight the next one waits, and its lag behind the schedule is recorded, so a report shows
 * whether the rate asked for was the rate achieved.
 */

export interface PaceOptions {
  /** Requests started per second. */
  rate: number;
  /** Requests in flight at most. */
  concurrency: number;
}

export interface Paced<R> {
  results: R[];
  elapsedMs: number;
  /** Requests per second actually started. */
  achievedRate: number;
  maxInFlight: number;
  /** How late the latest start was behind its schedule (ms). */
  maxLagMs: number;
}

export async function pace<T, R>(items: T[], send: (item: T, index: number) => Promise<R>, options: PaceOptions): Promise<Paced<R>> {
  if (!(options.rate > 0) || !(options.concurrency >= 1)) throw new Error('rate must be > 0 and concurrency >= 1');
  const started = Date.now();
  const results = new Array<R>(items.length);
  const running = new Set<Promise<void>>();
  let maxInFlight = 0;
  let maxLagMs = 0;
  let lastStart = started;
  for (let i = 0; i < items.length; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (running.size >= options.concurrency) await Promise.race(running);
    lastStart = Date.now();
    maxLagMs = Math.max(maxLagMs, lastStart - due);
    const task: Promise<void> = send(items[i]!, i)
      .then((result) => {
        results[i] = result;
      })
      .finally(() => running.delete(task));
    running.add(task);
    maxInFlight = Math.max(maxInFlight, running.size);
  }
  await Promise.all(running);
  const elapsedMs = Date.now() - started;
  return { results, elapsedMs, achievedRate: items.length > 1 ? ((items.length - 1) * 1000) / Math.max(1, lastStart - started) : items.length, maxInFlight, maxLagMs };
}

/** Percentiles of a list of latencies (nearest rank). */
export function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? 0 };
}
