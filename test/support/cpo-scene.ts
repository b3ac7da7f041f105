import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadMappingRules, parseConfig } from '../../src/config/load';
import { startBridge, type RunningBridge } from '../../src/runtime';
import { startServer, type RunningServer } from '../../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../../src/simulator/hubject';
import { startOcpiBackend, type RunningOcpiBackend } from '../../src/simulator/ocpi-backend';
import express from 'express';
import { OicpClient } from '../../src/oicp/client';
import { servedOperations } from '../../src/oicp/wire/operations';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { Cdr } from '../../src/ocpi/wire/transaction-schemas';
import type { Store } from '../../src/store';
import { corpusJson } from './corpus';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { oicpRouter, trustTerminatingProxy } from '../../src/oicp/router';
import { acknowledgement } from '../../src/oicp/wire/status-codes';
import type { ChargingNotification } from '../../src/oicp/wire/transaction-schemas';
import { bridgeProcesses, type Child } from './child';
import { assertConformance } from './conformance';
import { quietLogger } from './oicp-network';
import type { Backend, StoreSite } from './stores';

export const RULES = loadMappingRules(join(__dirname, '..', '..', 'fixtures', 'mapping-rules.example.yaml'));

/** The CPO scenario of issue 7: the OCPI CPO simulator, the bridge (OICP CPO BE*BEC) registered with it, the Hubject simulator. */
export interface CpoScene {
  hub: HubjectSimulator;
  /** What the eMSP partner behind the hub (DE-DCB) was forwarded. */
  notifications: ChargingNotification[];
  hubUrl: string;
  backend: RunningOcpiBackend;
  bridge: RunningBridge;
  /**
   * Ready for sessions: the eMSP DE-DCB has given Hubject `card` (so Hubject authorizes it without
   * asking), the backend has pushed its locations; the backend's client of the bridge.
   */
  withCard(card: string): Promise<OcpiPeer>;
  /** What the hub received for an operation, in order. */
  received<T>(operation: string): T[];
  close(): Promise<void>;
}

type Protocol = 'rest-2.3' | 'soap-2.2';

/** The scene without the bridge: the hub with its eMSP partner, and the CPO backend simulator. */
async function startNetwork(options: { backendVersions?: OcpiVersion[] } = {}) {
  const logger = quietLogger();
  // The eMSP behind Hubject (DE-DCB): it takes the charging notifications and CDRs the hub forwards.
  const notifications: ChargingNotification[] = [];
  const emp = express();
  emp.use(
    oicpRouter({
      serves: servedOperations('EMP'),
      handlers: {
        ChargingNotification: (notification) => (notifications.push(notification), acknowledgement('000')),
        ChargeDetailRecord: (cdr) => acknowledgement('000', undefined, { SessionID: cdr.SessionID }),
      },
      authorize: trustTerminatingProxy,
      bodyLimit: '1mb',
      operatorIds: [],
      logger,
    }),
  );
  const empServer = await startServer(emp, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  const hub = createHubjectSimulator({ logger, partners: [{ role: 'EMP', id: 'DE-DCB', url: empServer.url }] });
  const hubServer: RunningServer = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '10mb', shutdownTimeoutMs: 100 });
  // Pages of two: the full sync has to follow the backend's pagination.
  const backend = await startOcpiBackend({ role: 'CPO', countryCode: 'NL', partyId: 'SIM', logger, host: '127.0.0.1', port: 0, pageSize: 2, ...(options.backendVersions && { versions: options.backendVersions }) });
  return {
    logger,
    hub,
    notifications,
    hubUrl: hubServer.url,
    backend,
    /** The bridge's configuration (before defaults): OICP CPO BE*BEC registering with the backend. */
    bridgeConfig: async (protocol: Protocol, store: string | BridgeStore, operatorId = 'BE*BEC') => ({
      server: { host: '127.0.0.1', port: 0 },
      store: typeof store === 'string' ? { path: store } : store,
      outbox: { baseDelayMs: 100, maxDelayMs: 200, pollMs: 50, leaseMs: 1_000 },
      // OCPI does not say how drivers authenticate and pay, nor the accessibility: the rules do.
      mapping: RULES,
      ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'], businessDetails: { name: 'Bridge' }, backend: { versionsUrl: backend.backend.versionsUrl(), token: await backend.backend.registration.offer('bridge') } },
      // The official example's EVSEs belong to BE*BEC: the bridge pushes them as that operator. Full syncs only when a test asks.
      oicp: { role: 'CPO', operatorId, environment: 'custom', baseUrl: hubServer.url, protocol, inbound: { callerCheck: 'trusted-network' }, fullLoadMinutes: 0 },
    }),
    withCard: async (card: string) => {
      const client = new OicpClient({ baseUrl: hubServer.url, as: 'EMP', partyId: 'DE-DCB', logger });
      await client.call('PushAuthenticationData', { ActionType: 'fullLoad', ProviderAuthenticationData: { ProviderID: 'DE-DCB', AuthenticationDataRecord: [{ Identification: { RFIDMifareFamilyIdentification: { UID: card } } }] } });
      client.close();
      await backend.backend.pushAll('bridge');
      return (await backend.backend.peer('bridge'))!;
    },
    received: <T>(operation: string) => hub.traffic.filter((t) => t.direction === 'in' && t.operation === operation).map((t) => t.request as T),
    close: async () => {
      await backend.close();
      hub.close();
      await Promise.all([hubServer.close(), empServer.close()]);
      assertConformance(hub.traffic, backend.backend.wire);
    },
  };
}

const storeFile = () => join(mkdtempSync(join(tmpdir(), 'bridge-cpo-')), 'bridge.sqlite');

/** The bridge's store when not a fresh SQLite file: e.g. a PostgreSQL schema of test/support/stores.ts. */
export type BridgeStore = { path: string } | { url: string; schema: string };

/** A store site of test/support/stores.ts as the scenes take it. */
export const sceneStore = (site: StoreSite): BridgeStore => (site.config.url === undefined ? { path: site.config.path } : { url: site.config.url, schema: site.config.schema });

/**
 * Inside a describe: the CPO scene (REST) on a fresh site of `backend`, with `card` given to
 * Hubject and the backend's locations pushed; closed, and its store dropped, after the describe.
 */
export function cpoSceneOn(backend: Backend, card = 'AABBCCDD'): { scene: () => CpoScene; peer: () => OcpiPeer } {
  let site: StoreSite | undefined;
  let scene: CpoScene | undefined;
  let peer: OcpiPeer | undefined;
  beforeAll(async () => {
    site = backend.site();
    scene = await startCpoScene('rest-2.3', { store: sceneStore(site) });
    peer = await scene.withCard(card);
    // The suites start from a delivered network: a push of the seed still in flight would land in a test's counts.
    await untilDelivered(scene.bridge.store, 30_000);
  }, 60_000);
  afterAll(async () => {
    await scene?.close();
    await site?.destroy();
  });
  return { scene: () => scene!, peer: () => peer! };
}

/**
 * `backendVersions`: what the CPO backend speaks (both, so 2.2.1 is agreed, unless told); `operatorId`:
 * the bridge's OICP identity (BE*BEC, the operator of the official examples' EVSEs, unless told);
 * `config`: sections added to the bridge's configuration (e.g. `admin`).
 */
export async function startCpoScene(protocol: Protocol, options: { backendVersions?: OcpiVersion[]; store?: BridgeStore; operatorId?: string; config?: Record<string, unknown> } = {}): Promise<CpoScene> {
  const network = await startNetwork(options);
  const operatorId = options.operatorId ?? 'BE*BEC';
  const bridge = await startBridge(parseConfig({ ...(await network.bridgeConfig(protocol, options.store ?? storeFile(), operatorId)), ...options.config }, 'test', {}), network.logger);
  // Hubject forwards remote starts and stops for the operator's EVSEs to the bridge, in the scene's encoding.
  network.hub.partners.push({ role: 'CPO', id: operatorId, url: bridge.url, wire: protocol === 'soap-2.2' ? 'soap' : 'rest' });
  return {
    ...network,
    bridge,
    close: async () => {
      await bridge.stop();
      await network.close();
    },
  };
}

/** The same scene with the bridge as its own process (`serve --config`), to be killed and started again on the same store. */
export interface CpoSceneInChild extends Omit<CpoScene, 'bridge'> {
  storePath: string;
  /** Starts the bridge process; resolves once it has registered with the backend. */
  startBridge(): Promise<Child>;
}

export async function startCpoSceneInChild(protocol: Protocol): Promise<CpoSceneInChild> {
  const network = await startNetwork();
  const storePath = storeFile();
  const configFile = join(dirname(storePath), 'bridge.yaml');
  // YAML reads JSON.
  writeFileSync(configFile, JSON.stringify(await network.bridgeConfig(protocol, storePath)));
  const bridges = bridgeProcesses(configFile, async () => (await network.backend.backend.peer('bridge')) !== undefined);
  return {
    ...network,
    storePath,
    startBridge: bridges.start,
    close: async () => {
      await bridges.stopAll();
      await network.close();
    },
  };
}

export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const started = Date.now(); !check(); ) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once the bridge's outbox has nothing pending (everything delivered or dead). */
export async function untilDelivered(store: Pick<Store, 'outbox'>, ms = 10_000): Promise<void> {
  for (const started = Date.now(); (await store.outbox.depth()).pending > 0; ) {
    if (Date.now() - started > ms) throw new Error(`the outbox did not empty within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The backend posts a CDR (`id`, the official example) of a session Hubject authorized for `card` at LOC1/3256 just now; its SessionID. */
export async function postAuthorizedCdr(peer: OcpiPeer, card: string, id: string): Promise<string> {
  const answer = await peer.authorize(card, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
  if (!answer.ok) throw new Error(answer.failure.message);
  const sessionId = (answer.value as { authorization_reference: string }).authorization_reference;
  const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
  const posted = await peer.postCdr({ ...official, id, country_code: 'NL', party_id: 'SIM', authorization_reference: sessionId, cdr_token: { ...official.cdr_token, uid: card } });
  if (!posted.ok) throw new Error(posted.failure.message);
  return sessionId;
}
