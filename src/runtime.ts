import type { BridgeConfig } from './config/schema';
import type { Logger } from './observability/logger';
import type { OicpClient } from './oicp/client';
import { hubjectBaseUrl, oicpClientFromConfig, oicpRoutesFromConfig } from './oicp';
import { adminApp } from './admin/app';
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
import { createApp, startServer, type RunningServer } from './server';
import { createMetrics } from './observability/metrics';
import { staleReporter } from './flows/freshness';
import { openStore, type Store } from './store';

export interface RunningBridge {
  url: string;
  /** The admin API and console, when `admin.port` is set. */
  adminUrl?: string;
  store: Store;
  /** The client toward Hubject (or the simulator), for the flows. */
  oicp: OicpClient;
  /** The OCPI party toward the backend: registration and its routes. */
  ocpi: OcpiSide;
  /** Runs a scheduled job now (e.g. 'full sync', 'outbox retention'), whatever its schedule. */
  runJob(name: string): Promise<unknown>;
  /** The scheduled jobs and how their last runs went. */
  jobs(): JobStatus[];
  /** Graceful stop: no new connections, in-flight requests finish, then the store is closed. */
  stop(): Promise<void>;
}

/** Wires store, HTTP app and listener together from a validated configuration. */
export async function startBridge(config: BridgeConfig, logger: Logger): Promise<RunningBridge> {
  const traceConfig = config.trace;
  const counting = lateSink();
  const store = await openStore(config.store, config.outbox, {
    ...(traceConfig.enabled && {
      trace: { flushMs: traceConfig.flushMs, batch: traceConfig.batch, maxBuffered: 20 * traceConfig.batch, onError: (error) => logger.warn('trace events could not be written', { error }) },
    }),
    observe: counting,
  });
  logger.info('store ready', { store: store.location });
  let server: RunningServer;
  let oicp: OicpClient;
  let ocpi: OcpiSide;
  let worker: OutboxWorker;
  let scheduler: Scheduler;
  let admin: RunningServer | undefined;
  try {
    const metrics = createMetrics(store);
    counting.attach(metrics.exchanges);
    // Every traced event is counted; the store keeps those the trace is on for.
    const trace = teeSinks(store.tracer, metrics.exchanges);
    oicp = oicpClientFromConfig(config, logger, trace);
    // The listening address is known only once listening; our OCPI documents ask for it per request.
    let listening = '';
    const stale = staleReporter(logger, (module) => metrics.staleUpdates.inc({ module }));
    const publicUrl = () => publicUrlOf(config, listening);
    // Our OCPI party toward the backend: its eMSP in front of a CPO backend, its CPO in front of an eMSP backend.
    const us = { role: config.oicp.role === 'EMP' ? 'CPO' : 'EMSP', countryCode: config.ocpi.countryCode, partyId: config.ocpi.partyId };
    const peers = new OcpiClient({ logger, trace });
    const locationOf = storedLocation(store);
    const flows = flowsFromConfig(config, {
      store,
      oicp,
      backend: () => registeredPeer(store, peers, us, BACKEND_PARTY, { locationOf }),
      us,
      publicUrl,
      logger: withFindingsTraced(logger, trace),
      stale,
      now: () => new Date(),
    });
    ocpi = ocpiSide({ ocpi: config.ocpi, bodyLimit: config.server.bodyLimit, store, logger, publicUrl, modules: flows.modules });
    worker = new OutboxWorker({ outbox: store.outbox, deliverers: flows.deliverers, logger, idleMs: config.outbox.pollMs, concurrency: config.outbox.concurrency, trace });
    // Housekeeping last: the flows' first runs (the EMP network pull) matter more at start.
    const clock = () => Date.now();
    scheduler = new Scheduler(
      [...flows.jobs, outboxRetentionJob(store, config.outbox.retention, logger, clock), storeRetentionJob(store, config.retention, logger, clock), traceRetentionJob(store, traceConfig, logger, clock)],
      logger,
      trace,
    );
    // Operations the flows do not handle (yet) are answered 320.
    const routers = [ocpi.router, oicpRoutesFromConfig(config, flows.oicpHandlers, logger, trace)];
    server = await startServer(createApp({ store, logger, metrics, server: config.server, routers, trace }), config.server);
    listening = server.url;
    if (config.admin.port !== undefined && config.admin.token !== undefined) {
      const jobs = scheduler;
      const app = adminApp({
        token: config.admin.token,
        store,
        identity: identityOf(config),
        jobs: () => jobs.status(),
        runJob: (name) => jobs.run(name),
        trace: { enabled: store.tracer !== undefined, dropped: () => store.tracer?.dropped ?? 0 },
        logger,
      });
      admin = await startServer(app, { host: config.admin.host, port: config.admin.port, bodyLimit: '16kb', shutdownTimeoutMs: config.server.shutdownTimeoutMs });
      logger.info('operator console (admin API and page) ready', { adminUrl: admin.url });
    }
    worker.start();
    await registerWithBackend(config, ocpi, store, logger);
    // After registering: the first full sync needs the backend's endpoints.
    scheduler.start();
  } catch (err) {
    await admin?.close();
    await store.close();
    throw err;
  }
  logger.info('listening', { url: server.url });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    adminUrl: admin?.url,
    store,
    oicp,
    ocpi,
    runJob: (name) => scheduler.run(name),
    jobs: () => scheduler.status(),
    stop: () =>
      (stopping ??= (async () => {
        logger.info('stopping: finishing in-flight requests', { timeoutMs: config.server.shutdownTimeoutMs });
        await Promise.all([server.close(), admin?.close()]);
        // What the worker claimed and the jobs in progress are settled before the store closes.
        await Promise.all([worker.stop(), scheduler.stop()]);
        oicp.close();
        await store.close();
        logger.info('stopped');
      })()),
  };
}

/** Who the bridge is, for the console's overview. */
function identityOf(config: BridgeConfig): BridgeIdentity {
  const { ocpi, oicp } = config;
  return {
    ocpi: { countryCode: ocpi.countryCode, partyId: ocpi.partyId, roles: [...ocpi.roles], versions: [...ocpi.versions] },
    oicp: { role: oicp.role, id: (oicp.role === 'CPO' ? oicp.operatorId : oicp.providerId) ?? null, environment: oicp.environment, protocol: oicp.protocol, baseUrl: hubjectBaseUrl(oicp) },
  };
}
