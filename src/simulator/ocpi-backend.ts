/**
 * An OCPI backend simulator: a CPO or eMSP platform with its own store, serving the Versions and
 * Credentials modules and able to register with the bridge or be registered with, in 2.1.1 or
 * 2.2.1. It is built from the same party code as the bridge's OCPI side, configured as the other
 * role, so the handshake is exercised in both directions over real HTTP.
 */
import type { Token } from '../ocpi/wire/transaction-schemas';
import type { Location } from '../ocpi/wire/schemas';
import express, { type Express } from 'express';
import type { BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { ocpiSide, registeredPeer, type OcpiSide } from '../ocpi';
import { versionsUrl } from '../ocpi/endpoints';
import type { OcpiVersion } from '../ocpi/wire/transport';
import { openStore, type Store } from '../store';
import { cdrReceiverRoutes } from '../ocpi/cdrs';
import { OcpiClient } from '../ocpi/client';
import { commandReceiverRoutes, commandResultRoutes } from '../ocpi/commands';
import type { OcpiPeer } from '../ocpi/peer';
import { RECEIVER_MODULES, receiverRoutes } from '../ocpi/receiver';
import type { OcpiModule } from '../ocpi/endpoints';
import { SENDER_MODULES, senderRoutes } from '../ocpi/sender';
import { SimulatedPlatform } from './ocpi-platform';
import { keepLast } from './ring';
import { startServer } from '../server';

interface OcpiBackendOptions {
  role: 'CPO' | 'EMSP';
  countryCode: string;
  partyId: string;
  name?: string;
  versions?: OcpiVersion[];
  tokenOverlapSeconds?: number;
  /** SQLite file keeping its registrations across restarts (sandbox mode); in memory by default. */
  storePath?: string;
  logger: Logger;
  now?: () => number;
  /** The most objects per page of its lists (default 100): small pages make peers paginate. */
  pageSize?: number;
}

export interface OcpiBackend extends OcpiSide {
  app: Express;
  store: Store;
  /** Its data, what peers sent it, and every call it received. */
  platform: SimulatedPlatform;
  /** The latest requests its functional modules received (bounded), as they came over the wire (before any 2.1.1 body was raised to 2.2.1). */
  wire: WireRequest[];
  /** The registered peer `partyId` as a module client. */
  peer(partyId: string): Promise<OcpiPeer | undefined>;
  /**
   * Pushes its own objects (a CPO's locations and tariffs, an eMSP's tokens) to a registered peer,
   * as a backend does after registering; modules the peer does not receive are skipped.
   */
  pushAll(partyId: string, onEach?: (push: { module: string; id: string; ok: boolean; detail?: string }) => void): Promise<{ pushed: number; failed: string[] }>;
  /** Where the backend is reached; set it once its server listens. */
  setUrl(url: string): void;
  /** Down: every connection is dropped without an answer, as a dead backend would. */
  setDown(down: boolean): void;
  versionsUrl(): string;
  close(): Promise<void>;
}

/** A request to a functional module, as received. */
export interface WireRequest {
  method: string;
  /** The path, query included. */
  path: string;
  body: unknown;
  status: number;
}

export async function createOcpiBackend(options: OcpiBackendOptions): Promise<OcpiBackend> {
  const store = await openStore(
    { path: options.storePath ?? ':memory:', schema: 'public', poolSize: 1 },
    { maxAttempts: 12, baseDelayMs: 1_000, maxDelayMs: 900_000, jitter: 0.2, leaseMs: 60_000 },
    options.now && { now: options.now },
  );
  const ocpi: BridgeConfig['ocpi'] = {
    countryCode: options.countryCode,
    partyId: options.partyId,
    roles: [options.role],
    versions: options.versions ?? ['2.1.1', '2.2.1'],
    businessDetails: { name: options.name ?? `Simulated ${options.role} ${options.countryCode}*${options.partyId}` },
    tokenOverlapSeconds: options.tokenOverlapSeconds ?? 300,
  };
  let url = '';
  const identity = { role: options.role, countryCode: options.countryCode, partyId: options.partyId };
  const client = new OcpiClient({ logger: options.logger });
  // A CPO writes its sessions and CDRs in 2.1.1 with its own location embedded.
  const locationOf = (ref: { locationId: string }): Promise<Location | undefined> => Promise.resolve(platform.own('locations').find((l) => l.id === ref.locationId) as Location | undefined);
  const peer = (partyId: string) => registeredPeer(store, client, identity, partyId, { locationOf });
  const anyPeer = async () => {
    const registered = (await store.parties.list()).find((p) => p.state === 'registered');
    return registered && peer(registered.id);
  };
  const platform: SimulatedPlatform = new SimulatedPlatform(identity, anyPeer);
  const side = ocpiSide({ ocpi, bodyLimit: '1mb', store, logger: options.logger, publicUrl: () => url, modules: modulesOf(platform, () => url, options.logger, options.pageSize), now: options.now });
  const app = express();
  let down = false;
  const wire: WireRequest[] = [];
  app.use((req, _res, next) => (down ? req.socket.destroy() : next()));
  // Recorded when answered, by then with the body the OCPI router parsed (undefined when it had none).
  app.use((req, res, next) => {
    if (/^\/ocpi\/[^/]+\/(?!credentials)[a-z]+/.test(req.path)) res.on('finish', () => keepLast(wire, { method: req.method, path: req.originalUrl, body: req.body as unknown, status: res.statusCode }));
    next();
  });
  app.use(side.router);
  return {
    ...side,
    app,
    store,
    platform,
    wire,
    peer,
    pushAll: async (partyId, onEach) => {
      const target = await peer(partyId);
      if (!target) return { pushed: 0, failed: [`${partyId} is not registered`] };
      const owner = { countryCode: identity.countryCode, partyId: identity.partyId };
      const outbox = identity.role === 'CPO' ? (['locations', 'tariffs'] as const) : (['tokens'] as const);
      let pushed = 0;
      const failed: string[] = [];
      for (const module of outbox) {
        if (target.endpoint(module, 'RECEIVER') === undefined) continue;
        for (const object of platform.own(module)) {
          const id = String(object.id ?? object.uid);
          const result = await target.put(module, owner, [id], object);
          onEach?.({ module, id, ok: result.ok, ...(!result.ok && { detail: result.failure.message }) });
          if (result.ok) pushed++;
          else failed.push(`${module} ${id}: ${result.failure.message}`);
        }
      }
      return { pushed, failed };
    },
    setUrl: (listening) => {
      url = listening;
    },
    setDown: (value) => {
      down = value;
    },
    versionsUrl: () => versionsUrl(url),
    close: async () => {
      await platform.settle();
      await store.close();
    },
  };
}

/** The modules of the simulated platform: a CPO sends locations, sessions, CDRs and tariffs and receives tokens and commands; an eMSP the reverse. */
function modulesOf(platform: SimulatedPlatform, publicUrl: () => string, logger: Logger, maxLimit?: number): OcpiModule[] {
  const versions = ['2.1.1', '2.2.1'] as const;
  const send = (id: keyof typeof SENDER_MODULES): OcpiModule => ({ identifier: id, role: 'SENDER', versions, router: senderRoutes(SENDER_MODULES[id], platform.sender, { publicUrl, logger, ...(maxLimit !== undefined && { maxLimit }) }) });
  // An eMSP knows its own tokens by the 2.1.1 auth_id sessions and CDRs name them with.
  const tokenOf = (authId: string) => Promise.resolve(platform.own('tokens').find((t) => t.contract_id === authId) as Token | undefined);
  const receive = (id: keyof typeof RECEIVER_MODULES): OcpiModule => ({ identifier: id, role: 'RECEIVER', versions, router: receiverRoutes(RECEIVER_MODULES[id], platform.receiver, { tokenOf }) });
  if (platform.identity.role === 'CPO') {
    return [send('locations'), send('sessions'), send('cdrs'), send('tariffs'), receive('tokens'), { identifier: 'commands', role: 'RECEIVER', versions, router: commandReceiverRoutes(platform.commands) }];
  }
  return [
    send('tokens'),
    receive('locations'),
    receive('sessions'),
    receive('tariffs'),
    { identifier: 'cdrs', role: 'RECEIVER', versions, router: cdrReceiverRoutes(platform.cdrReceiver, { publicUrl, tokenOf }) },
    { identifier: 'commands', role: 'SENDER', versions, router: commandResultRoutes(platform.commands) },
  ];
}

export interface RunningOcpiBackend {
  url: string;
  backend: OcpiBackend;
  close(): Promise<void>;
}

/** The simulator listening on `host:port` (0 picks a free port). */
export async function startOcpiBackend(options: OcpiBackendOptions & { host: string; port: number }): Promise<RunningOcpiBackend> {
  const { host, port, ...rest } = options;
  const backend = await createOcpiBackend(rest);
  try {
    const server = await startServer(backend.app, { host, port, bodyLimit: '1mb', shutdownTimeoutMs: 2_000 });
    backend.setUrl(server.url);
    return {
      url: server.url,
      backend,
      close: async () => {
        await server.close();
        await backend.close();
      },
    };
  } catch (err) {
    await backend.close();
    throw err;
  }
}
