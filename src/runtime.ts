import type { BridgeConfig } from './config/schema';
import type { Logger } from './observability/logger';
import type { OicpClient } from './oicp/client';
import { oicpClientFromConfig, oicpRoutesFromConfig } from './oicp';
import { createApp, startServer, type RunningServer } from './server';
import { openStore, type Store } from './store';

export interface RunningBridge {
  url: string;
  store: Store;
  /** The client toward Hubject (or the simulator), for the flows. */
  oicp: OicpClient;
  /** Graceful stop: no new connections, in-flight requests finish, then the store is closed. */
  stop(): Promise<void>;
}

/** Wires store, HTTP app and listener together from a validated configuration. */
export async function startBridge(config: BridgeConfig, logger: Logger): Promise<RunningBridge> {
  const store = await openStore(config.store, config.outbox);
  logger.info('store ready', { store: store.location });
  let server: RunningServer;
  let oicp: OicpClient;
  try {
    oicp = oicpClientFromConfig(config, logger);
    // No handlers yet: the CPO and EMP flows plug in here; until then served operations answer 320.
    const routers = [oicpRoutesFromConfig(config, {}, logger)];
    server = await startServer(createApp({ store, logger, server: config.server, routers }), config.server);
  } catch (err) {
    await store.close();
    throw err;
  }
  logger.info('listening', { url: server.url });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    store,
    oicp,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('stopping: finishing in-flight requests', { timeoutMs: config.server.shutdownTimeoutMs });
        await server.close();
        oicp.close();
        await store.close();
        logger.info('stopped');
      })()),
  };
}
