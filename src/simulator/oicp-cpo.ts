/**
 * A CPO behind the Hubject simulator, for the EMP scenario (tests, sandbox, benchmark): it publishes
 * a charging network built from the official PushEvseData and PushPricingProductData examples
 * (re-keyed to its operator, as many EVSEs as asked), answers Hubject's remote starts, stops and
 * reservations like a charge point would, and charges a card end to end (AuthorizeStart, Start and
 * End notifications, the CDR), all through the same OICP client and routes the bridge uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '../observability/logger';
import { OicpClient, OicpCallError, type OicpResult } from '../oicp/client';
import { servedOperations } from '../oicp/wire/operations';
import { oicpRouter, trustTerminatingProxy } from '../oicp/router';
import { acknowledgement } from '../oicp/wire/status-codes';
import type { EvseDataRecord, EvseStatusRecord, PricingProductData } from '../oicp/wire/schemas';
import type { ChargeDetailRecord, ChargingNotification, Identification } from '../oicp/wire/transaction-schemas';
import type { OicpWire } from '../oicp/calls';

const EXAMPLES = join(__dirname, '..', '..', 'fixtures', 'oicp');
const example = <T>(operation: string, file: string): T => JSON.parse(readFileSync(join(EXAMPLES, operation, file), 'utf8')) as T;

/** The official example EVSE record as the template of every simulated EVSE. */
const TEMPLATE: EvseDataRecord = (() => {
  const { deltaType: _delta, lastUpdate: _last, ...record } = example<{ OperatorEvseData: { EvseDataRecord: (EvseDataRecord & { deltaType?: string; lastUpdate?: string })[] } }>('PushEvseData', 'request-eRoamingPushEvseData.json').OperatorEvseData.EvseDataRecord[0]!;
  return record;
})();

export const SIMULATED_OPERATOR = { OperatorID: 'DE*XYZ', OperatorName: 'XYZ Technologies' };
/** The product every simulated EVSE is priced with (the official example's, offered to every provider). */
const SIMULATED_PRODUCT = 'AC 1';

/** EVSE `n` of a network with `perPool` EVSEs per charging pool (location): `DE*XYZ*E<pool>*<k>`. */
export function simulatedEvse(n: number, perPool = 2, operatorId = SIMULATED_OPERATOR.OperatorID): EvseDataRecord {
  const pool = Math.floor(n / perPool) + 1;
  return {
    ...TEMPLATE,
    EvseID: `${operatorId}*E${pool}*${(n % perPool) + 1}`,
    ChargingPoolID: `${operatorId}*P${pool}`,
    ChargingStationID: `STATION ${pool}`,
    // Locations apart: 100 m per pool northward from the example's, a new column every 1000 pools.
    GeoCoordinates: { DecimalDegree: { Latitude: (52.479 + (pool % 1000) * 0.001).toFixed(6), Longitude: (13.356 + Math.floor(pool / 1000) * 0.01).toFixed(6) } },
  };
}

function simulatedPricing(evseIds: readonly string[]): { products: PricingProductData; evsePricing: { EvseID: string; EvseIDProductList: string[]; ProviderID: string }[] } {
  const products = example<{ PricingProductData: PricingProductData }>('PushPricingProductData', 'request-eRoamingPushPricingProductData.json').PricingProductData;
  return {
    products: { ...products, ...SIMULATED_OPERATOR, ProviderID: '*' },
    evsePricing: evseIds.map((EvseID) => ({ EvseID, EvseIDProductList: [SIMULATED_PRODUCT], ProviderID: '*' })),
  };
}

interface OicpCpoSimulatorOptions {
  hubUrl: string;
  logger: Logger;
  /** How many EVSEs it publishes (two per location). */
  evses?: number;
  wire?: OicpWire;
  /** How long a simulated charge point takes to react to a remote command. */
  reactionMs?: number;
}

export interface OicpCpoSimulator {
  /** Its OICP routes, where Hubject forwards remote starts, stops and reservations. */
  app: Express;
  client: OicpClient;
  evseIds: string[];
  /** Pushes its EVSE data, statuses (Available) and pricing to the hub. */
  publish(): Promise<void>;
  setStatus(evseId: string, status: EvseStatusRecord['EvseStatus']): Promise<void>;
  /**
   * A driver charges with a card at an EVSE for one hour ending at `endedAt` (default now): authorization,
   * Start, End, CDR. Resolves with the SessionID and what was sent.
   */
  charge(evseId: string, identification: Identification, kwh?: number, endedAt?: Date): Promise<{ sessionId: string; cdr: ChargeDetailRecord; authorized: boolean }>;
  /** Sessions it is running (started remotely), by SessionID. */
  sessions: Map<string, { evseId: string; identification: Identification; start: string }>;
  /** The CDRs it sent. */
  cdrs: ChargeDetailRecord[];
  close(): void;
}

const ok = <T>(result: OicpResult<T>): T => {
  if (!result.ok) throw new OicpCallError(result.error);
  return result.value;
};

export function createOicpCpoSimulator(options: OicpCpoSimulatorOptions): OicpCpoSimulator {
  const { OperatorID } = SIMULATED_OPERATOR;
  const client = new OicpClient({ baseUrl: options.hubUrl, as: 'CPO', partyId: OperatorID, wire: options.wire, logger: options.logger });
  const evseIds = Array.from({ length: options.evses ?? 4 }, (_, n) => simulatedEvse(n).EvseID);
  const sessions = new Map<string, { evseId: string; identification: Identification; start: string }>();
  const cdrs: ChargeDetailRecord[] = [];
  const reactionMs = options.reactionMs ?? 50;
  const later = (work: () => Promise<unknown>) => setTimeout(() => void work().catch((err: unknown) => options.logger.warn('simulated CPO could not report', { reason: (err as Error).message })), reactionMs).unref();

  const setStatus = async (EvseID: string, EvseStatus: EvseStatusRecord['EvseStatus']) => {
    ok(await client.call('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { ...SIMULATED_OPERATOR, EvseStatusRecord: [{ EvseID, EvseStatus }] } }));
  };
  const notify = async (notification: Omit<ChargingNotification, 'OperatorID'>) => ok(await client.call('ChargingNotification', { ...notification, OperatorID }));

  /** Ends a session (now, or at the given end): End notification, CDR, EVSE free again. */
  async function finish(sessionId: string, evseId: string, identification: Identification, start: string, kwh: number, end = new Date().toISOString()): Promise<ChargeDetailRecord> {
    await notify({ Type: 'End', SessionID: sessionId, EvseID: evseId, Identification: identification, ChargingEnd: end, SessionEnd: end, ConsumedEnergy: kwh });
    const cdr: ChargeDetailRecord = {
      SessionID: sessionId,
      EvseID: evseId,
      Identification: identification,
      PartnerProductID: SIMULATED_PRODUCT,
      SessionStart: start,
      SessionEnd: end,
      ChargingStart: start,
      ChargingEnd: end,
      ConsumedEnergy: kwh,
      MeterValueStart: 1000,
      MeterValueEnd: 1000 + kwh,
    };
    ok(await client.call('ChargeDetailRecord', cdr));
    cdrs.push(cdr);
    await setStatus(evseId, 'Available');
    return cdr;
  }

  const app = express();
  app.use(
    oicpRouter({
      serves: servedOperations('CPO'),
      handlers: {
        AuthorizeRemoteStart: (request) => {
          const start = new Date().toISOString();
          sessions.set(request.SessionID, { evseId: request.EvseID, identification: request.Identification, start });
          later(async () => {
            await notify({ Type: 'Start', SessionID: request.SessionID, EvseID: request.EvseID, Identification: request.Identification, ChargingStart: start, SessionStart: start });
            await setStatus(request.EvseID, 'Occupied');
          });
          return acknowledgement('000', undefined, { SessionID: request.SessionID });
        },
        AuthorizeRemoteStop: (request) => {
          const session = sessions.get(request.SessionID);
          if (!session) return acknowledgement('400', 'no such session at this charge point', { SessionID: request.SessionID });
          sessions.delete(request.SessionID);
          later(() => finish(request.SessionID, session.evseId, session.identification, session.start, 12.5));
          return acknowledgement('000', undefined, { SessionID: request.SessionID });
        },
        AuthorizeRemoteReservationStart: (request) => {
          later(() => setStatus(request.EvseID, 'Reserved'));
          return acknowledgement('000', undefined, { SessionID: request.SessionID });
        },
        AuthorizeRemoteReservationStop: (request) => {
          later(() => setStatus(request.EvseID, 'Available'));
          return acknowledgement('000', undefined, { SessionID: request.SessionID });
        },
      },
      authorize: trustTerminatingProxy,
      bodyLimit: '1mb',
      operatorIds: [OperatorID],
      logger: options.logger,
    }),
  );

  return {
    app,
    client,
    evseIds,
    sessions,
    cdrs,
    setStatus,
    async publish() {
      const records = evseIds.map((_, n) => simulatedEvse(n));
      ok(await client.call('PushEvseData', { ActionType: 'fullLoad', OperatorEvseData: { ...SIMULATED_OPERATOR, EvseDataRecord: records } }));
      ok(await client.call('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { ...SIMULATED_OPERATOR, EvseStatusRecord: evseIds.map((EvseID) => ({ EvseID, EvseStatus: 'Available' as const })) } }));
      const pricing = simulatedPricing(evseIds);
      ok(await client.call('PushPricingProductData', { ActionType: 'fullLoad', PricingProductData: pricing.products }));
      ok(await client.call('PushEvsePricing', { ActionType: 'fullLoad', EVSEPricing: pricing.evsePricing }));
    },
    async charge(evseId, identification, kwh = 10, endedAt = new Date()) {
      const answer = ok(await client.call('AuthorizeStart', { OperatorID, EvseID: evseId, Identification: identification, PartnerProductID: SIMULATED_PRODUCT }));
      const sessionId = answer.SessionID!;
      if (answer.AuthorizationStatus !== 'Authorized') return { sessionId, cdr: undefined as never, authorized: false };
      // A charge of exactly one hour, whatever the calls in between cost.
      const endsAt = endedAt.getTime();
      const start = new Date(endsAt - 3_600_000).toISOString();
      await notify({ Type: 'Start', SessionID: sessionId, EvseID: evseId, Identification: identification, ChargingStart: start, SessionStart: start, PartnerProductID: SIMULATED_PRODUCT });
      await setStatus(evseId, 'Occupied');
      const cdr = await finish(sessionId, evseId, identification, start, kwh, new Date(endsAt).toISOString());
      return { sessionId, cdr, authorized: true };
    },
    close: () => client.close(),
  };
}
