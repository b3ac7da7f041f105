/**
 * Pieces of the multi-tenant scenes (docs/tenants.md), written from the docs: a Hubject simulator on
 * its own listener, OCPI CPO backend simulators whose networks are generated for one operator each,
 * the tenant sections of a deployment, and a bridge started from such a deployment. Every simulator
 * checks what the bridge put on the wire when it closes (test/support/conformance.ts).
 */
import type { Socket } from 'node:net';
import express from 'express';
import type { Logger } from '../../src/observability/logger';
import { parseDeployment } from '../../src/config/load';
import { startBridge, type RunningBridge, type RunningTenant } from '../../src/runtime';
import { startServer, type RunningServer } from '../../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../../src/simulator/hubject';
import { startOcpiBackend, type RunningOcpiBackend } from '../../src/simulator/ocpi-backend';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import type { PushEvseDataRequest, PushEvseStatusRequest } from '../../src/oicp/wire/messages';
import { assertConformance } from './conformance';
import { RULES, untilDelivered, type BridgeStore } from './cpo-scene';
import { generateCdr, generateLocations, type CdrToken, type OcpiLocation } from './doubles/ocpi-data';

/** The card the eMSP behind Hubject (DE-DCB) gave Hubject for offline authorization in the CPO scenes. */
export const CARD = 'AABBCCDD';
export const CARD_TOKEN: CdrToken = { country_code: 'DE', party_id: 'DCB', uid: CARD, type: 'RFID', contract_id: 'DE-DCB-C12345-6' };

/** Retries fast and never gives up within a test: an item of a tenant whose hub is down stays pending. */
export const FAST_OUTBOX = { baseDelayMs: 100, maxDelayMs: 400, pollMs: 50, leaseMs: 1_000, maxAttempts: 10_000 };

/** How a hub is down: `drop` closes every connection at once (the simulator's setDown); `silent` takes requests and never answers, as behind a firewall that drops packets, until the caller gives up. */
export type Outage = 'drop' | 'silent';

export interface Hub {
  hub: HubjectSimulator;
  url: string;
  down(outage: Outage): void;
  /** Back up: silently held requests are cut (never processed), so their callers retry. */
  up(): void;
  /** EVSE records the hub was pushed, with the OperatorID of the path and of the body. */
  evsePushes(): { pathOperator: string | undefined; bodyOperator: string; evseIds: string[] }[];
  statusPushes(): { pathOperator: string | undefined; bodyOperator: string; evseIds: string[] }[];
  /** CDRs the hub accepted (000), with the operator of the path. */
  acceptedCdrs(): { operator: string | undefined; cdr: ChargeDetailRecord }[];
  close(): Promise<void>;
}

/** A Hubject simulator on a listener of its own; `card` (unless null) is authorized offline for DE-DCB, as if that eMSP had pushed it. */
export async function startHub(logger: Logger, card: string | null = CARD): Promise<Hub> {
  const hub = createHubjectSimulator({ logger, trafficLimit: 100_000 });
  if (card !== null) hub.state.pushAuthenticationData('fullLoad', 'DE-DCB', [{ RFIDMifareFamilyIdentification: { UID: card } }]);
  let silent = false;
  const held = new Set<Socket>();
  const front = express();
  front.use((req, _res, next) => {
    if (!silent) return next();
    held.add(req.socket);
  });
  front.use(hub.app);
  const server: RunningServer = await startServer(front, { host: '127.0.0.1', port: 0, bodyLimit: '10mb', shutdownTimeoutMs: 100 });
  const incoming = (operation: string) => hub.traffic.filter((t) => t.direction === 'in' && t.operation === operation && t.httpStatus === 200);
  return {
    hub,
    url: server.url,
    down: (outage) => (outage === 'drop' ? hub.setDown(true) : (silent = true)),
    up: () => {
      hub.setDown(false);
      silent = false;
      for (const socket of held) socket.destroy();
      held.clear();
    },
    evsePushes: () =>
      incoming('PushEvseData').map((t) => {
        const body = (t.request as PushEvseDataRequest).OperatorEvseData;
        return { pathOperator: t.partyId, bodyOperator: body.OperatorID, evseIds: body.EvseDataRecord.map((r) => r.EvseID) };
      }),
    statusPushes: () =>
      incoming('PushEvseStatus').map((t) => {
        const body = (t.request as PushEvseStatusRequest).OperatorEvseStatus;
        return { pathOperator: t.partyId, bodyOperator: body.OperatorID, evseIds: body.EvseStatusRecord.map((r) => r.EvseID) };
      }),
    acceptedCdrs: () =>
      incoming('ChargeDetailRecord')
        .filter((t) => (t.response as { Result?: boolean } | undefined)?.Result === true)
        .map((t) => ({ operator: t.partyId, cdr: t.request as ChargeDetailRecord })),
    close: async () => {
      hub.close();
      await server.close();
      assertConformance(hub.traffic, []);
    },
  };
}

export interface CpoBackend {
  running: RunningOcpiBackend;
  /** Its network: the generated locations (and any foreign ones it was given). */
  locations: OcpiLocation[];
  /** The EvseIDs of its own operator. */
  evseIds: string[];
  /** The backend's client of the bridge tenant it registered with. */
  peer(): Promise<OcpiPeer>;
  close(): Promise<void>;
}

/**
 * An OCPI CPO backend simulator (NL*SIM unless told: tenants may share party and location ids) whose
 * network is `locations` generated locations with EvseIDs of `operator`, plus `foreign` ones.
 */
export async function startCpoBackend(logger: Logger, options: { operator: string; locations: number; seed: number; countryCode?: string; partyId?: string; foreign?: OcpiLocation[] }): Promise<CpoBackend> {
  const countryCode = options.countryCode ?? 'NL';
  const partyId = options.partyId ?? 'SIM';
  const running = await startOcpiBackend({ role: 'CPO', countryCode, partyId, logger, host: '127.0.0.1', port: 0 });
  const own = generateLocations({ operator: options.operator, count: options.locations, countryCode, partyId, seed: options.seed, evsesPerLocation: [1, 3] });
  const locations = [...own, ...(options.foreign ?? []).map((l) => ({ ...l, country_code: countryCode, party_id: partyId }))];
  // Its network instead of the seed one (whose EVSEs are BE*BEC's and others'); no tariffs, so the counts are the network's.
  const objects = running.backend.platform.objects;
  objects.locations.clear();
  objects.tariffs.clear();
  for (const location of locations) objects.locations.set(`${countryCode}/${partyId}/${location.id}`, location);
  return {
    running,
    locations,
    evseIds: own.flatMap((l) => l.evses.map((e) => e.evse_id!)),
    peer: async () => {
      const peer = await running.backend.peer('bridge');
      if (!peer) throw new Error(`the backend of ${options.operator} is not registered with the bridge`);
      return peer;
    },
    close: async () => {
      await running.close();
      assertConformance([], running.backend.wire);
    },
  };
}

/** A CPO tenant's sections: its OCPI eMSP party in front of `backend`, OICP CPO `operatorId` at `hubUrl` (`oicp`: more of that section). */
export async function cpoTenant(id: string, options: { operatorId: string; partyId: string; hubUrl: string; backend: CpoBackend; name?: string; oicp?: Record<string, unknown> }) {
  const { backend } = options.backend.running;
  return {
    id,
    ocpi: {
      countryCode: 'DE',
      partyId: options.partyId,
      roles: ['EMSP'],
      businessDetails: { name: options.name ?? `Tenant ${id}` },
      backend: { versionsUrl: backend.versionsUrl(), token: await backend.registration.offer('bridge') },
    },
    oicp: { role: 'CPO', operatorId: options.operatorId, environment: 'custom', baseUrl: options.hubUrl, protocol: 'rest-2.3', inbound: { callerCheck: 'trusted-network' }, fullLoadMinutes: 0, ...options.oicp },
  };
}

/** An eMSP backend simulator (DE*DCB) with the seed tokens; `close` checks what it received. */
export async function startEmspBackend(logger: Logger): Promise<RunningOcpiBackend> {
  const running = await startOcpiBackend({ role: 'EMSP', countryCode: 'DE', partyId: 'DCB', logger, host: '127.0.0.1', port: 0 });
  return {
    ...running,
    close: async () => {
      await running.close();
      assertConformance([], running.backend.wire);
    },
  };
}

/** An EMP tenant's sections: its OCPI CPO party in front of `backend`, OICP EMP `providerId` giving Hubject its tokens; pulls only when a test runs them. */
export async function empTenant(id: string, options: { providerId: string; partyId: string; hubUrl: string; backend: RunningOcpiBackend }) {
  const { backend } = options.backend;
  return {
    id,
    ocpi: { countryCode: 'DE', partyId: options.partyId, roles: ['CPO'], businessDetails: { name: `Tenant ${id}` }, backend: { versionsUrl: backend.versionsUrl(), token: await backend.registration.offer('bridge') } },
    oicp: {
      role: 'EMP',
      providerId: options.providerId,
      environment: 'custom',
      baseUrl: options.hubUrl,
      protocol: 'rest-2.3',
      inbound: { callerCheck: 'trusted-network' },
      pushAuthenticationData: true,
      fullLoadMinutes: 0,
      evseDataPullMinutes: 0,
      evseStatusPullSeconds: 0,
      pricingPullMinutes: 0,
      cdrReconcileMinutes: 0,
    },
  };
}

/** A deployment of `tenants` sharing one store, fast retries and the example mapping rules. */
export function deployment(store: BridgeStore, tenants: unknown[], outbox: Record<string, number> = FAST_OUTBOX) {
  return { server: { host: '127.0.0.1', port: 0 }, store, outbox, mapping: RULES, tenants };
}

export async function startDeployment(raw: unknown, logger: Logger): Promise<RunningBridge> {
  return startBridge(parseDeployment(raw, 'test', {}), logger);
}

export function tenantOf(bridge: RunningBridge, id: string): RunningTenant {
  const tenant = bridge.tenants.get(id);
  if (!tenant) throw new Error(`no tenant ${id} runs`);
  return tenant;
}

/**
 * The backend pushes its network (or its tokens) to its tenant, and the tenant delivers what it
 * announced. The tenant registered with its backend as it started (docs/tenants.md: each tenant is the
 * OCPI party of its own `ocpi.backend`), else there is no one to push to.
 */
export async function pushNetwork(backend: RunningOcpiBackend, tenant: RunningTenant, ms = 30_000): Promise<void> {
  const { failed } = await backend.backend.pushAll('bridge');
  if (failed.length > 0) throw new Error(`the backend of tenant ${tenant.id} could not push to it (did the tenant register with it as it started?): ${failed.join('; ')}`);
  await untilDelivered(tenant.store, ms);
}

/** Hubject authorizes the card at the location's first EVSE through the tenant (real-time authorization); the authorization_reference. */
export async function authorizeCard(peer: OcpiPeer, location: OcpiLocation, card = CARD): Promise<string> {
  const answer = await peer.authorize(card, 'RFID', { location_id: location.id, evse_uids: [location.evses[0]!.uid] });
  if (!answer.ok) throw new Error(answer.failure.message);
  const { allowed, authorization_reference: reference } = answer.value as { allowed: string; authorization_reference?: string };
  if (allowed !== 'ALLOWED' || !reference) throw new Error(`the card was not authorized at ${location.id}: ${JSON.stringify(answer.value)}`);
  return reference;
}

/** The backend posts CDR `id` of the session Hubject authorized (`reference`) at the location's first EVSE. */
export async function postCdr(peer: OcpiPeer, location: OcpiLocation, id: string, reference: string, token: CdrToken = CARD_TOKEN): Promise<void> {
  const cdr = generateCdr({ id, location, token, authorizationReference: reference, start: new Date(Date.now() - 3_600_000).toISOString(), minutes: 30 });
  const posted = await peer.postCdr(cdr);
  if (!posted.ok) throw new Error(`CDR ${id}: ${posted.failure.message}`);
}

/** Runs `work` over `items`, `width` at a time, as a backend with several connections does. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  for (const started = Date.now(); !(await check()); ) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
