/**
 * The CPO scene the store benchmarks load: the Hubject simulator (with an offline eMSP DE-DCB that
 * holds the card, so authorizations need no partner), the OCPI CPO backend simulator, and the bridge's
 * configuration registering with it — run by the caller in this process or in its own.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMappingRules } from '../src/config/load';
import { OicpClient } from '../src/oicp/client';
import type { OcpiPeer } from '../src/ocpi/peer';
import { authorizationHeader } from '../src/ocpi/wire/transport';
import type { Location } from '../src/ocpi/wire/schemas';
import { startServer } from '../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../src/simulator/hubject';
import { startOcpiBackend, type RunningOcpiBackend } from '../src/simulator/ocpi-backend';
import { quietLogger } from '../test/support/oicp-network';

export const CARD = 'AABBCCDD';
export const BACKEND_OWNER = { countryCode: 'NL', partyId: 'SIM' };

export interface CpoNetwork {
  hub: HubjectSimulator;
  backend: RunningOcpiBackend;
  /** The bridge's configuration file (JSON), for `serve --config`. */
  configFile: string;
  /** The same configuration as an object, for `startBridge` in this process. */
  config: Record<string, unknown>;
  /** Once the bridge registered: the backend's client of it. */
  peer(): Promise<OcpiPeer | undefined>;
  /** The headers the backend's PATCHes carry (its token toward the bridge, OCPI 2.2.1 routing). */
  headers(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export type StoreChoice = { path: string } | { url: string; schema: string; poolSize?: number };

export async function cpoNetwork(options: { store?: StoreChoice; hubDelayMs?: number; concurrency?: number } = {}): Promise<CpoNetwork> {
  const logger = quietLogger();
  const hub = createHubjectSimulator({ logger, latencyMs: options.hubDelayMs });
  const hubServer = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '10mb', shutdownTimeoutMs: 100 });
  const card = new OicpClient({ baseUrl: hubServer.url, as: 'EMP', partyId: 'DE-DCB', logger });
  await card.call('PushAuthenticationData', { ActionType: 'fullLoad', ProviderAuthenticationData: { ProviderID: 'DE-DCB', AuthenticationDataRecord: [{ Identification: { RFIDMifareFamilyIdentification: { UID: CARD } } }] } });
  card.close();
  const backend = await startOcpiBackend({ role: 'CPO', ...BACKEND_OWNER, logger, host: '127.0.0.1', port: 0, versions: ['2.2.1'] });
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpo-'));
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    store: options.store ?? { path: join(dir, 'bridge.sqlite') },
    outbox: { pollMs: 50, ...(options.concurrency !== undefined && { concurrency: options.concurrency }) },
    mapping: loadMappingRules(join(__dirname, '..', 'fixtures', 'mapping-rules.example.yaml')),
    ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'], versions: ['2.2.1'], businessDetails: { name: 'Bridge' }, backend: { versionsUrl: backend.backend.versionsUrl(), token: await backend.backend.registration.offer('bridge') } },
    oicp: { role: 'CPO', operatorId: 'BE*BEC', environment: 'custom', baseUrl: hubServer.url, protocol: 'rest-2.3', inbound: { callerCheck: 'trusted-network' }, fullLoadMinutes: 0 },
  };
  const configFile = join(dir, 'bridge.json');
  writeFileSync(configFile, JSON.stringify(config));
  const party = async () => (await backend.backend.store.parties.list()).find((p) => p.id === 'bridge' && p.state === 'registered');
  return {
    hub,
    backend,
    configFile,
    config,
    peer: async () => ((await party()) ? backend.backend.peer('bridge') : undefined),
    headers: async () => ({
      authorization: authorizationHeader((await party())!.outboundToken!, 'base64'),
      'content-type': 'application/json',
      'ocpi-from-country-code': BACKEND_OWNER.countryCode,
      'ocpi-from-party-id': BACKEND_OWNER.partyId,
      'ocpi-to-country-code': 'DE',
      'ocpi-to-party-id': 'BRG',
    }),
    close: async () => {
      await backend.close();
      hub.close();
      await hubServer.close();
    },
  };
}

/** Waits until the bridge registered with the backend (it does so as it starts). */
export async function registeredPeer(network: CpoNetwork): Promise<OcpiPeer> {
  for (let i = 0; i < 1_500; i++) {
    const peer = await network.peer();
    if (peer) return peer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the bridge did not register with the backend within 30 s');
}

/** Location `n` of the load: the official example's location with `evses` EVSEs of BE*BEC, ids made unique. */
export function loadLocation(template: Location, n: number, evses: number): Location {
  const evse = template.evses![0]!;
  return {
    ...template,
    ...{ country_code: BACKEND_OWNER.countryCode, party_id: BACKEND_OWNER.partyId },
    id: `L${n}`,
    evses: Array.from({ length: evses }, (_, j) => ({ ...evse, uid: `E${n}-${j}`, evse_id: `BE*BEC*E${String(n * evses + j).padStart(7, '0')}`, status: 'AVAILABLE' as const })),
  };
}

/** Runs `work` over `items` with at most `width` at once. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
