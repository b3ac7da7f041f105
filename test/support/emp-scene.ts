import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseConfig } from '../../src/config/load';
import { startBridge, type RunningBridge } from '../../src/runtime';
import { startServer, type RunningServer } from '../../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../../src/simulator/hubject';
import { createOicpCpoSimulator, type OicpCpoSimulator } from '../../src/simulator/oicp-cpo';
import { startOcpiBackend, type RunningOcpiBackend } from '../../src/simulator/ocpi-backend';
import type { OcpiTraffic } from '../../src/simulator/ocpi-platform';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { bridgeProcesses, type Child } from './child';
import { assertConformance } from './conformance';
import { RULES, untilDelivered, type BridgeStore } from './cpo-scene';
import { quietLogger } from './oicp-network';

export type Protocol = 'rest-2.3' | 'soap-2.2';

/** The card of the eMSP simulator's seed tokens (RFID, whitelist ALLOWED). */
export const CARD = '12345678905880';
export const PROVIDER_ID = 'DE-DCB';

/**
 * The EMP scenario of issue 8: the OCPI eMSP simulator (DE*DCB), the bridge (OCPI CPO DE*BRG, OICP
 * EMP DE-DCB) registered with it, the Hubject simulator, and a CPO behind it (DE*XYZ, four EVSEs in
 * two locations) that has published its network and pricing. Every pull runs only when a test asks.
 */
export interface EmpScene {
  hub: HubjectSimulator;
  cpo: OicpCpoSimulator;
  backend: RunningOcpiBackend;
  bridge: RunningBridge;
  /** The backend's client of the bridge. */
  peer(): Promise<OcpiPeer>;
  /** Runs the network, pricing and status pulls, in that order. */
  pullAll(): Promise<void>;
  /** Resolves once the bridge's outbox has delivered everything (nothing pending). */
  delivered(): Promise<void>;
  /** What the backend received for a module, in order. */
  received(module: string, what?: string): OcpiTraffic[];
  close(): Promise<void>;
}

/** What the scene's eMSP backend speaks: both OCPI versions (2.2.1 is agreed) unless told. */
export interface EmpSceneOptions {
  backendVersions?: OcpiVersion[];
  /** Mapping rules instead of the example ones. */
  rules?: unknown;
  store?: BridgeStore;
  /** Sections added to the bridge's configuration (e.g. `admin`). */
  config?: Record<string, unknown>;
}

async function startNetwork(protocol: Protocol, options: EmpSceneOptions = {}, evses = 4) {
  const logger = quietLogger();
  const wire = protocol === 'soap-2.2' ? ('soap' as const) : ('rest' as const);
  const hub = createHubjectSimulator({ logger });
  const hubServer: RunningServer = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '50mb', shutdownTimeoutMs: 100 });
  const cpo = createOicpCpoSimulator({ hubUrl: hubServer.url, logger, evses, wire });
  const cpoServer = await startServer(cpo.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  hub.partners.push({ role: 'CPO', id: 'DE*XYZ', url: cpoServer.url, wire });
  await cpo.publish();
  const backend = await startOcpiBackend({ role: 'EMSP', countryCode: 'DE', partyId: 'DCB', logger, host: '127.0.0.1', port: 0, ...(options.backendVersions && { versions: options.backendVersions }) });
  return {
    logger,
    hub,
    cpo,
    backend,
    wire,
    bridgeConfig: async (store: string | BridgeStore, overrides: Record<string, unknown> = {}) => ({
      server: { host: '127.0.0.1', port: 0 },
      store: typeof store === 'string' ? { path: store } : store,
      outbox: { baseDelayMs: 100, maxDelayMs: 200, pollMs: 50, leaseMs: 1_000 },
      mapping: options.rules ?? RULES,
      ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['CPO'], businessDetails: { name: 'Bridge' }, backend: { versionsUrl: backend.backend.versionsUrl(), token: await backend.backend.registration.offer('bridge') } },
      oicp: {
        role: 'EMP',
        providerId: PROVIDER_ID,
        environment: 'custom',
        baseUrl: hubServer.url,
        protocol,
        inbound: { callerCheck: 'trusted-network' },
        fullLoadMinutes: 0,
        evseDataPullMinutes: 0,
        evseStatusPullSeconds: 0,
        pricingPullMinutes: 0,
        cdrReconcileMinutes: 0,
        ...overrides,
      },
    }),
    received: (module: string, what?: string) => backend.backend.platform.traffic.filter((t) => t.module === module && (what === undefined || t.what === what)),
    close: async () => {
      await backend.close();
      cpo.close();
      hub.close();
      await Promise.all([hubServer.close(), cpoServer.close()]);
      assertConformance(hub.traffic, backend.backend.wire);
    },
  };
}

const storeFile = () => join(mkdtempSync(join(tmpdir(), 'bridge-emp-')), 'bridge.sqlite');

export async function startEmpScene(protocol: Protocol, overrides: Record<string, unknown> = {}, options: EmpSceneOptions = {}): Promise<EmpScene> {
  const network = await startNetwork(protocol, options);
  const bridge = await startBridge(parseConfig({ ...(await network.bridgeConfig(options.store ?? storeFile(), overrides)), ...options.config }, 'test', {}), network.logger);
  network.hub.partners.push({ role: 'EMP', id: PROVIDER_ID, url: bridge.url, wire: network.wire });
  // The eMSP pushes its tokens, as a backend does after registering.
  await network.backend.backend.pushAll('bridge');
  return {
    ...network,
    bridge,
    peer: async () => (await network.backend.backend.peer('bridge'))!,
    pullAll: async () => {
      for (const job of ['EVSE data', 'pricing', 'EVSE status']) await bridge.runJob(job);
    },
    delivered: () => untilDelivered(bridge.store),
    close: async () => {
      await bridge.stop();
      await network.close();
    },
  };
}

/** The scene once the bridge has pulled the network, pricing and statuses and delivered them to the backend. */
export async function startPulledEmpScene(protocol: Protocol, overrides: Record<string, unknown> = {}, options: EmpSceneOptions = {}): Promise<EmpScene> {
  const scene = await startEmpScene(protocol, overrides, options);
  await scene.pullAll();
  await scene.delivered();
  return scene;
}

/** The scene with the bridge as its own process (`serve --config`), pulling the network at start and reconciling CDRs every minute. */
export interface EmpSceneInChild extends Omit<EmpScene, 'bridge' | 'pullAll' | 'peer' | 'delivered'> {
  startBridge(): Promise<Child>;
}

export async function startEmpSceneInChild(protocol: Protocol): Promise<EmpSceneInChild> {
  const network = await startNetwork(protocol);
  const storePath = storeFile();
  const configFile = join(dirname(storePath), 'bridge.yaml');
  writeFileSync(configFile, JSON.stringify(await network.bridgeConfig(storePath, { fullLoadMinutes: 1_440, pricingPullMinutes: 60, cdrReconcileMinutes: 1 })));
  // Hubject learns where the bridge listens each time it starts.
  const bridges = bridgeProcesses(configFile, async () => (await network.backend.backend.peer('bridge')) !== undefined, (url) => {
    const partner = network.hub.partners.find((p) => p.role === 'EMP');
    if (partner) partner.url = url;
    else network.hub.partners.push({ role: 'EMP', id: PROVIDER_ID, url, wire: network.wire });
  });
  return {
    ...network,
    startBridge: bridges.start,
    close: async () => {
      await bridges.stopAll();
      await network.close();
    },
  };
}
