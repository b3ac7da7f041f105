import express from 'express';
import request from 'supertest';
import { ocpiSide } from '../../src/ocpi';
import type { OcpiModule } from '../../src/ocpi/endpoints';
import { authorizationHeader, type OcpiVersion } from '../../src/ocpi/wire/transport';
import { startServer, type RunningServer } from '../../src/server';
import { createOcpiBackend, type OcpiBackend } from '../../src/simulator/ocpi-backend';
import { openStore, type Store } from '../../src/store';
import { quietLogger } from './oicp-network';

/** A bridge serving `modules`, and a backend simulator (NL*SIM) of `role` registered with it in `version`. */
export interface OcpiWorld {
  bridge: RunningServer;
  bridgeStore: Store;
  backend: OcpiBackend;
  backendServer: RunningServer;
  /** Issues a registration token (token A) on the bridge. */
  offer(party: string): Promise<string>;
  /** The backend's token on the bridge. */
  token: string;
  version: OcpiVersion;
  /** A request from the backend to one of the bridge's modules (its token, in its version's header form). */
  call(method: 'get' | 'put' | 'patch' | 'post' | 'delete', module: string, path: string, body?: unknown, token?: string): request.Test;
  close(): Promise<void>;
}

export async function startOcpiWorld(options: { version: OcpiVersion; role: 'CPO' | 'EMSP'; bridgeRole: 'CPO' | 'EMSP'; modules: (publicUrl: () => string) => OcpiModule[] }): Promise<OcpiWorld> {
  const logger = quietLogger();
  const bridgeStore = await openStore({ path: ':memory:', schema: 'public', poolSize: 1 }, { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, jitter: 0, leaseMs: 1 });
  let url = '';
  const publicUrl = () => url;
  const side = ocpiSide({
    ocpi: { countryCode: 'DE', partyId: 'BRG', roles: [options.bridgeRole], versions: ['2.1.1', '2.2.1'], businessDetails: { name: 'Bridge' }, tokenOverlapSeconds: 0 },
    bodyLimit: '1mb',
    store: bridgeStore,
    logger,
    publicUrl,
    modules: options.modules(publicUrl),
  });
  const app = express();
  app.use(side.router);
  const bridge = await startServer(app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  url = bridge.url;
  const backend = await createOcpiBackend({ role: options.role, countryCode: 'NL', partyId: 'SIM', versions: [options.version], logger });
  const backendServer = await startServer(backend.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  backend.setUrl(backendServer.url);
  const registered = await backend.registration.register('bridge', `${bridge.url}/ocpi/versions`, await side.registration.offer('backend'));
  const token = registered.outboundToken!;
  const { version } = options;
  return {
    bridge,
    bridgeStore,
    backend,
    backendServer,
    offer: (party) => side.registration.offer(party),
    token,
    version,
    call: (method, module, path, body, as = token) => {
      const req = request(bridge.url)[method](`/ocpi/${version}/${module}${path}`).set('authorization', authorizationHeader(as, version === '2.1.1' ? 'plain' : 'base64'));
      return body === undefined ? req : req.send(body as object);
    },
    close: async () => {
      await Promise.all([bridge.close(), backendServer.close()]);
      await Promise.all([bridgeStore.close(), backend.close()]);
    },
  };
}
