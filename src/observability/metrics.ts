import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Pushes older than what the bridge held: acknowledged, not applied. */
  staleUpdates: Counter<'module'>;
}

/** One registry per app, so several apps (tests, simulators) in one process do not share counters. */
export function createMetrics(store: Pick<Store, 'outbox' | 'held'>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bridge_' });
  const httpRequests = new Counter({
    name: 'bridge_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'bridge_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'bridge_outbox_items',
    help: 'Outbox items not yet delivered, by state (pending: waiting or retrying; dead: needs an operator).',
    labelNames: ['state'] as const,
    registers: [registry],
    // Read at scrape time so the number is the store's, shared by every instance on PostgreSQL.
    async collect() {
      const depth = await store.outbox.depth();
      this.set({ state: 'pending' }, depth.pending);
      this.set({ state: 'dead' }, depth.dead);
    },
  });
  new Gauge({
    name: 'bridge_held_items',
    help: 'What was accepted but is held back from the other side (e.g. an EVSE Hubject would refuse), by kind; `outbox held` lists them with the reason.',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [kind, count] of Object.entries(await store.held.counts())) this.set({ kind }, count);
    },
  });
  const staleUpdates = new Counter({
    name: 'bridge_stale_updates_total',
    help: 'OCPI pushes older than the version the bridge holds (by last_updated): acknowledged, not applied, not forwarded.',
    labelNames: ['module'] as const,
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration, staleUpdates };
}
