import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store';
import type { TraceRecord, TraceSink } from '../core/trace-context';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Pushes older than what the bridge held: acknowledged, not applied. */
  staleUpdates: Counter<'module' | 'tenant'>;
  /**
   * Counts what a tenant's exchange trace reports: messages per flow and direction, findings, deliveries
   * and their latency, labelled with the tenant; translations (what the store enqueues, its records
   * marked with their tenant) from the store's sink, `exchanges(undefined)`.
   */
  exchanges(tenant: string | undefined): TraceSink;
}

/** A tenant's outbox and held items, counted at scrape time. */
export interface TenantCounts {
  tenant: string;
  store: Pick<Store, 'outbox' | 'held'>;
}

/**
 * One registry per app, so several apps (tests, simulators) in one process do not share counters.
 * `stores` are the tenants running at scrape time (they change with a reload).
 */
export function createMetrics(stores: () => readonly TenantCounts[]): Metrics {
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
    help: 'Outbox items not yet delivered, by tenant and state (pending: waiting or retrying; dead: needs an operator).',
    labelNames: ['state', 'tenant'] as const,
    registers: [registry],
    // Read at scrape time so the number is the store's, shared by every instance on PostgreSQL.
    async collect() {
      this.reset();
      for (const { tenant, store } of stores()) {
        const depth = await store.outbox.depth();
        this.set({ state: 'pending', tenant }, depth.pending);
        this.set({ state: 'dead', tenant }, depth.dead);
      }
    },
  });
  new Gauge({
    name: 'bridge_held_items',
    help: 'What was accepted but is held back from the other side (e.g. an EVSE Hubject would refuse), by kind; `outbox held` lists them with the reason.',
    labelNames: ['kind', 'tenant'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { tenant, store } of stores()) {
        for (const [kind, count] of Object.entries(await store.held.counts())) this.set({ kind, tenant }, count);
      }
    },
  });
  const staleUpdates = new Counter({
    name: 'bridge_stale_updates_total',
    help: 'OCPI pushes older than the version the bridge holds (by last_updated): acknowledged, not applied, not forwarded.',
    labelNames: ['module', 'tenant'] as const,
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration, staleUpdates, exchanges: exchangeMetrics(registry) };
}

/**
 * Metrics worth graphing per flow, from the trace's events (all of them, those a scope does not store
 * too). Labels stay bounded: an OCPI message is named by its module (a path the router did not serve
 * by `unmatched`), an OICP one by its operation, an outbox flow by its topic.
 */
function exchangeMetrics(registry: Registry): (tenant: string | undefined) => TraceSink {
  const messages = new Counter({
    name: 'bridge_messages_total',
    help: 'Protocol messages by protocol, direction (in: answered by the bridge, out: sent by it), module or operation, and outcome (HTTP status, OICP StatusCode, or the failure).',
    labelNames: ['protocol', 'direction', 'message', 'outcome', 'tenant'] as const,
    registers: [registry],
  });
  const translations = new Counter({
    name: 'bridge_translations_total',
    help: 'Messages the mappers made and put in the outbox, by tenant, flow (outbox topic) and what became of them (created, replaced a waiting one, duplicate).',
    labelNames: ['flow', 'outcome', 'tenant'] as const,
    registers: [registry],
  });
  const findings = new Counter({
    name: 'bridge_findings_total',
    help: 'Mapping findings by kind (loss, default, invalid) and by what was mapped.',
    labelNames: ['kind', 'mapping', 'tenant'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'bridge_deliveries_total',
    help: 'Outbox deliveries by tenant, flow (topic) and outcome (delivered, retry, dead, superseded, stale).',
    labelNames: ['flow', 'outcome', 'tenant'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'bridge_delivery_latency_seconds',
    help: 'From the enqueue of a message to its delivery, by flow (topic): retries and outages included.',
    labelNames: ['flow', 'tenant'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600],
    registers: [registry],
  });
  const messageOf = (record: TraceRecord): string => {
    if (record.protocol !== 'ocpi') return record.name;
    if (record.status === '404') return 'unmatched';
    // `PUT /ocpi/2.2.1/locations/...`: the module; `/ocpi/versions` and `/ocpi/2.2.1` themselves.
    const [, , version, module] = (record.name.split(' ')[1] ?? '').split('/');
    return module ?? (version === 'versions' ? 'versions' : 'version details');
  };
  // Translations are reported by the store, which serves every tenant: counted from its sink only.
  return (tenant) => ({
    record(record) {
      const own = tenant ?? '';
      switch (record.kind) {
        case 'request':
        case 'call':
          messages.inc({ protocol: record.protocol, direction: record.direction, message: messageOf(record), outcome: record.status ?? '', tenant: own });
          break;
        case 'enqueued':
          // The store marks what it reports with the tenant whose item it wrote.
          if (tenant === undefined) translations.inc({ flow: record.name, outcome: record.status ?? '', tenant: (record as { tenant?: string }).tenant ?? '' });
          break;
        case 'findings':
          for (const finding of record.findings ?? []) findings.inc({ kind: finding.kind, mapping: record.name, tenant: own });
          break;
        case 'delivery':
          deliveries.inc({ flow: record.name, outcome: record.status ?? '', tenant: own });
          if (record.status === 'delivered' && record.durationMs !== undefined) latency.observe({ flow: record.name, tenant: own }, record.durationMs / 1000);
          break;
        default:
          break;
      }
    },
  });
}
