import { isDeepStrictEqual } from 'node:util';
import type { Express } from 'express';
import { oicpIdentity, type BridgeConfig } from './config/schema';
import type { TenantConfig } from './config/load';
import { DEFAULT_TENANT, TENANT_PATH, tenantPrefix } from './core/tenant';
import type { Logger } from './observability/logger';
import type { OicpClient } from './oicp/client';
import { hubjectBaseUrl, oicpClientFromConfig, oicpRoutesFromConfig } from './oicp';
import { adminApp, tenantIndexApp } from './admin/app';
import type { BridgeIdentity } from './admin/api';
import { BACKEND_PARTY, ocpiSide, publicUrlOf, registerWithBackend, registeredPeer, storedLocation, type OcpiSide } from './ocpi';
import { OcpiClient } from './ocpi/client';
import { flowsFromConfig } from './flows';
import { Scheduler, type JobStatus } from './flows/scheduler';
import { OutboxWorker } from './flows/outbox-worker';
import { outboxRetentionJob } from './flows/outbox-retention';
import { storeRetentionJob } from './flows/retention';
import { traceRetentionJob } from './flows/trace-retention';
import { lateSink, teeSinks } from './core/trace-context';
import { withFindingsTraced } from './observability/findings-trace';
import { createApp, startServer, tenantFront, tenantlessRoutes, type RunningServer } from './server';
import { createMetrics, type Metrics } from './observability/metrics';
import { staleReporter } from './flows/freshness';
import { openStore, type Store } from './store';

/** One tenant as it runs: its OCPI party, its OICP identity, its flows, worker and jobs, over its part of the store. */
export interface RunningTenant {
  id: string;
  config: BridgeConfig;
  /** The store as this tenant sees it: its rows only. */
  store: Store;
  /** The client toward Hubject (or the simulator), with this tenant's identity and certificate. */
  oicp: OicpClient;
  /** The OCPI party toward this tenant's backend: registration and its routes. */
  ocpi: OcpiSide;
  /** Where this tenant's backend and Hubject reach it: the listener, under `/tenants/{id}` (also without it for `default`). */
  url: string;
  /** Runs a scheduled job now (e.g. 'full sync', 'outbox retention'), whatever its schedule. */
  runJob(name: string): Promise<unknown>;
  /** The scheduled jobs and how their last runs went. */
  jobs(): JobStatus[];
}

export interface RunningBridge extends Omit<RunningTenant, 'id' | 'config' | 'url'> {
  /** The listener (the `default` tenant's, or the first tenant's, routes are at its root). */
  url: string;
  /** The admin API and console, when `admin.port` is set. */
  adminUrl?: string;
  /** Every tenant, by id; the properties above are the first tenant's. */
  tenants: ReadonlyMap<string, RunningTenant>;
  /**
   * Brings the running tenants in line with a new configuration: tenants added are started, removed
   * ones stopped, changed ones restarted; the others go on untouched. Shared sections (server, store,
   * admin, trace, log, the outbox's retry policy) take effect at the next restart. Resolves to what changed.
   */
  reload(tenants: TenantConfig[]): Promise<ReloadOutcome>;
  /** Graceful stop: no new connections, in-flight requests finish, then the store is closed. */
  stop(): Promise<void>;
}

export interface ReloadOutcome {
  added: string[];
  removed: string[];
  restarted: string[];
  unchanged: string[];
  /** Shared sections that differ from the running ones: they need a restart. */
  needRestart: string[];
}

/** What every tenant shares: the listener, the store, the metrics, the logger. */
interface Shared {
  config: BridgeConfig;
  root: Store;
  metrics: Metrics;
  logger: Logger;
  /** The listener's address, once listening. */
  listening(): string;
  /** The tenants running now. */
  tenantIds(): string[];
}

interface Tenant extends RunningTenant {
  app: Express;
  admin?: Express;
  /** Starts the worker, registers with the backend when configured, then starts the jobs. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SHARED_SECTIONS = ['server', 'store', 'admin', 'trace', 'log'] as const;

/**
 * What a running tenant applies of its configuration: its own sections, and the shared settings its
 * worker and jobs read. A change elsewhere (the log, the trace, the listener) waits for a restart and
 * restarts no tenant: a tenant's restart runs its start-up jobs (a full sync) again.
 */
const ownParts = ({ ocpi, oicp, mapping, retention, outbox }: BridgeConfig) => ({ ocpi, oicp, mapping, retention, outbox: { pollMs: outbox.pollMs, concurrency: outbox.concurrency, retention: outbox.retention } });

/** The outbox settings the store applies for every tenant (its polling, concurrency and retention are each worker's and job's, restarted with its tenant). */
const outboxPolicy = ({ maxAttempts, baseDelayMs, maxDelayMs, jitter, leaseMs }: BridgeConfig['outbox']) => ({ maxAttempts, baseDelayMs, maxDelayMs, jitter, leaseMs });

/** Wires store, HTTP app and listener together from a validated configuration: one tenant, or several. */
export async function startBridge(configuration: BridgeConfig | TenantConfig[], logger: Logger): Promise<RunningBridge> {
  const tenantConfigs = Array.isArray(configuration) ? configuration : [{ id: DEFAULT_TENANT, config: configuration }];
  if (tenantConfigs.length === 0) throw new Error('a bridge needs at least one tenant');
  // The shared sections are the same in every tenant's configuration (the file has them once).
  const config = tenantConfigs[0]!.config;
  const traceConfig = config.trace;
  const counting = lateSink();
  const root = await openStore(config.store, config.outbox, {
    ...(traceConfig.enabled && {
      trace: { flushMs: traceConfig.flushMs, batch: traceConfig.batch, maxBuffered: 20 * traceConfig.batch, onError: (error) => logger.warn('trace events could not be written', { error }) },
    }),
    observe: counting,
  });
  logger.info('store ready', { store: root.location, ...(root.migrated.length > 0 && { migrated: `to schema version ${Math.max(...root.migrated)} (${root.migrated.join(', ')} applied now)` }) });
  const tenants = new Map<string, Tenant>();
  let server: RunningServer | undefined;
  let admin: RunningServer | undefined;
  let listening = '';
  const metrics = createMetrics(() => [...tenants.values()].map(({ id, store }) => ({ tenant: id, store })));
  counting.attach(metrics.exchanges(undefined));
  const tenantIds = () => [...tenants.keys()];
  const shared: Shared = { config, root, metrics, logger, listening: () => listening, tenantIds };
  // What is not a tenant's route (health, readiness, metrics) answers here; `default` is served at the root too.
  const rootApp = createApp({ store: root, logger, metrics, server: config.server, routers: [tenantlessRoutes(tenantIds)] });
  const front = tenantFront({ tenant: (id) => tenants.get(id)?.app, root: () => tenants.get(DEFAULT_TENANT)?.app ?? rootApp });
  try {
    server = await startServer(front, config.server);
    listening = server.url;
    for (const tenantConfig of tenantConfigs) {
      const tenant = tenantOf(tenantConfig, shared);
      // Routed before it starts: registering, the backend calls the tenant's versions URL back.
      tenants.set(tenant.id, tenant);
      await tenant.start();
    }
    if (config.admin.port !== undefined && config.admin.token !== undefined) {
      const index = tenantIndexApp(tenantIds);
      const adminFront = tenantFront({ tenant: (id) => tenants.get(id)?.admin, root: () => tenants.get(DEFAULT_TENANT)?.admin ?? index });
      admin = await startServer(adminFront, { host: config.admin.host, port: config.admin.port, bodyLimit: '16kb', shutdownTimeoutMs: config.server.shutdownTimeoutMs });
      logger.info('operator console (admin API and page) ready', { adminUrl: admin.url, ...(tenants.size > 1 && { tenants: tenantIds().map((id) => `${admin!.url}${TENANT_PATH}/${id}/`) }) });
    }
  } catch (err) {
    await Promise.all([server?.close(), admin?.close()]);
    await Promise.all([...tenants.values()].map((tenant) => tenant.stop()));
    await root.close();
    throw err;
  }
  logger.info('listening', { url: server.url, ...(!(tenants.size === 1 && tenants.has(DEFAULT_TENANT)) && { tenants: [...tenants.values()].map((t) => t.url) }) });
  const first = () => tenants.get(DEFAULT_TENANT) ?? tenants.values().next().value!;
  let stopping: Promise<void> | undefined;
  let reloading = Promise.resolve<unknown>(undefined);
  return {
    url: server.url,
    adminUrl: admin?.url,
    get store() {
      return first().store;
    },
    get oicp() {
      return first().oicp;
    },
    get ocpi() {
      return first().ocpi;
    },
    runJob: (name) => first().runJob(name),
    jobs: () => first().jobs(),
    tenants,
    reload: (next) => {
      const run = reloading.then(() => reload(next, tenants, shared));
      reloading = run.catch(() => undefined);
      return run;
    },
    stop: () =>
      (stopping ??= (async () => {
        logger.info('stopping: finishing in-flight requests', { timeoutMs: config.server.shutdownTimeoutMs });
        await Promise.all([server.close(), admin?.close()]);
        // What the workers claimed and the jobs in progress are settled before the store closes.
        await Promise.all([...tenants.values()].map((tenant) => tenant.stop()));
        await root.close();
        logger.info('stopped');
      })()),
  };
}

async function reload(next: TenantConfig[], tenants: Map<string, Tenant>, shared: Shared): Promise<ReloadOutcome> {
  const { logger } = shared;
  const wanted = new Set(next.map((tenant) => tenant.id));
  const outcome: ReloadOutcome = { added: [], removed: [], restarted: [], unchanged: [], needRestart: [] };
  const newShared = next[0]?.config;
  for (const section of SHARED_SECTIONS) {
    if (newShared && !isDeepStrictEqual(newShared[section], shared.config[section])) outcome.needRestart.push(section);
  }
  if (newShared && !isDeepStrictEqual(outboxPolicy(newShared.outbox), outboxPolicy(shared.config.outbox))) outcome.needRestart.push('outbox');
  // Started before the old one stops, and swapped in only once started: a tenant that cannot start
  // (a certificate file gone) leaves the running one as it was. Two workers of one tenant for a moment
  // are safe: outbox items are claimed, as between instances.
  for (const change of next) {
    const running = tenants.get(change.id);
    if (running && isDeepStrictEqual(ownParts(change.config), ownParts(running.config))) {
      outcome.unchanged.push(change.id);
      continue;
    }
    const fresh = tenantOf(change, shared);
    tenants.set(change.id, fresh);
    await fresh.start();
    await running?.stop();
    (running ? outcome.restarted : outcome.added).push(change.id);
  }
  for (const [id, tenant] of tenants) {
    if (wanted.has(id)) continue;
    // Routed nowhere from here on; requests already in its app finish against the store, which stays open.
    tenants.delete(id);
    await tenant.stop();
    outcome.removed.push(id);
  }
  logger.info('configuration reloaded', { ...outcome });
  if (outcome.needRestart.length > 0) logger.warn('shared sections changed; they take effect at the next restart', { sections: outcome.needRestart });
  return outcome;
}

/** A tenant's parts, wired and not yet started. Throws when its configuration cannot be used (an unreadable certificate). */
function tenantOf({ id, config }: TenantConfig, shared: Shared): Tenant {
  const logger = shared.logger.child({ tenant: id });
  const store = shared.root.forTenant(id);
  const trace = teeSinks(store.tracer, shared.metrics.exchanges(id));
  const oicp = oicpClientFromConfig(config, logger, trace);
  const stale = staleReporter(logger, (module) => shared.metrics.staleUpdates.inc({ module, tenant: id }));
  // The default tenant keeps the single-tenant URLs its backend registered; the others are under their prefix.
  const publicUrl = () => `${publicUrlOf(config, shared.listening())}${tenantPrefix(id)}`;
  // Our OCPI party toward the backend: its eMSP in front of a CPO backend, its CPO in front of an eMSP backend.
  const us = { role: config.oicp.role === 'EMP' ? 'CPO' : 'EMSP', countryCode: config.ocpi.countryCode, partyId: config.ocpi.partyId };
  const peers = new OcpiClient({ logger, trace });
  const flows = flowsFromConfig(config, {
    store,
    oicp,
    backend: () => registeredPeer(store, peers, us, BACKEND_PARTY, { locationOf: storedLocation(store) }),
    us,
    publicUrl,
    logger: withFindingsTraced(logger, trace),
    stale,
    now: () => new Date(),
  });
  const ocpi = ocpiSide({ ocpi: config.ocpi, bodyLimit: config.server.bodyLimit, store, logger, publicUrl, modules: flows.modules });
  const worker = new OutboxWorker({ outbox: store.outbox, deliverers: flows.deliverers, logger, idleMs: config.outbox.pollMs, concurrency: config.outbox.concurrency, leaseMs: config.outbox.leaseMs, trace });
  // Housekeeping last: the flows' first runs (the EMP network pull) matter more at start.
  const clock = () => Date.now();
  const scheduler = new Scheduler(
    [...flows.jobs, outboxRetentionJob(store, config.outbox.retention, logger, clock), storeRetentionJob(store, config.retention, logger, clock), traceRetentionJob(store, config.trace, logger, clock)],
    logger,
    trace,
  );
  // Operations the flows do not handle (yet) are answered 320.
  const routers = [ocpi.router, oicpRoutesFromConfig(config, flows.oicpHandlers, logger, trace)];
  const app = createApp({ store, logger, metrics: shared.metrics, server: config.server, routers, trace });
  const admin =
    config.admin.token === undefined
      ? undefined
      : adminApp({
          token: config.admin.token,
          store,
          identity: identityOf(id, config),
          tenants: () => shared.tenantIds(),
          jobs: () => scheduler.status(),
          runJob: (name) => scheduler.run(name),
          trace: { enabled: store.tracer !== undefined, dropped: () => store.tracer?.dropped ?? 0 },
          logger,
        });
  return {
    id,
    config,
    store,
    oicp,
    ocpi,
    app,
    admin,
    get url() {
      return publicUrl();
    },
    runJob: (name) => scheduler.run(name),
    jobs: () => scheduler.status(),
    start: async () => {
      worker.start();
      await registerWithBackend(config, ocpi, store, logger);
      // After registering: the first full sync needs the backend's endpoints.
      scheduler.start();
      logger.info('tenant started', { role: config.oicp.role, oicp: identityOf(id, config).oicp.id, url: publicUrl() });
    },
    stop: async () => {
      await Promise.all([worker.stop(), scheduler.stop()]);
      oicp.close();
    },
  };
}

/** Who the tenant is, for the console's overview. */
function identityOf(tenant: string, config: BridgeConfig): BridgeIdentity {
  const { ocpi, oicp } = config;
  return {
    tenant,
    ocpi: { countryCode: ocpi.countryCode, partyId: ocpi.partyId, roles: [...ocpi.roles], versions: [...ocpi.versions] },
    oicp: { role: oicp.role, id: oicpIdentity(oicp) || null, environment: oicp.environment, protocol: oicp.protocol, baseUrl: hubjectBaseUrl(oicp) },
  };
}
