/**
 * A Hubject stand-in for tests, sandbox mode and `ocpi-oicp-bridge simulate hubject`: it serves the
 * hub side of every OICP 2.3 operation from the operation table, forwards the partner-served ones
 * (authorizations to EMPs, remote starts and reservations to CPOs, CDRs and notifications to the
 * session's EMP) through the same client the bridge uses, answers like the hub does, records the
 * traffic, and can be told to fail, to be slow, or to go down.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express, { type Express, type RequestHandler } from 'express';
import { sameOperator, operatorOfEvseId } from '../mapping/identifiers';
import type { Logger } from '../observability/logger';
import { OicpClient, type OicpResult, type TlsMaterial } from '../oicp/client';
import { OPERATIONS, OPERATION_NAMES, servedOperations, type OicpOperation, type OicpRole, type OperationName, type RequestOf, type ResponseOf } from '../oicp/wire/operations';
import { oicpRouter, requireClientCertificate, type OicpAuthorizer, type OicpCallContext, type OicpExchange, type OicpHandlers, type OicpWire } from '../oicp/router';
import { OicpRefusal, acknowledgement, statusCode, type StatusCodeValue } from '../oicp/wire/status-codes';
import type { Acknowledgement, AuthorizationStart } from '../oicp/wire/transaction-schemas';
import { startServer } from '../server';
import type { SoapRelease } from '../oicp/wire/soap-services';
import { HubState, pageOf } from './hub-state';
import { keepLast } from './ring';

export interface HubPartner {
  role: OicpRole;
  /** OperatorID (CPO) or ProviderID (EMP). */
  id: string;
  /** Where the partner serves its OICP endpoints; absent for an offline partner (nothing is forwarded). */
  url?: string;
  /** How the hub talks to it: OICP 2.3 REST (default) or 2.x SOAP. */
  wire?: OicpWire;
  /** Over SOAP, the 2.x release the partner speaks (default 2.2). */
  soapRelease?: SoapRelease;
}

/** An exchange the hub took part in: received from a partner (`in`) or forwarded to one (`out`). */
export interface TrafficEntry extends OicpExchange {
  at: string;
  direction: 'in' | 'out';
  /** Set when the answer was a bulk page kept as its size only (see `summarised`): what it carried, e.g. "2000 records". */
  summarised?: string;
}

/** A page answer with more records than this is kept without them: the log is for reading the exchange, not for holding the network. */
const PAGE_RECORDS_KEPT = 1_000;

/** The entry as the log keeps it: a large page answer without its records. */
function summarised(entry: TrafficEntry): TrafficEntry {
  const content = (entry.response as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(content) || content.length <= PAGE_RECORDS_KEPT) return entry;
  return { ...entry, response: { ...(entry.response as object), content: [] }, summarised: `${content.length} records` };
}

interface HubjectSimulatorOptions {
  logger: Logger;
  partners?: HubPartner[];
  /** Refuse callers without a verified client certificate and compare path ids with its CN (Hubject's 017). */
  requireCertificates?: boolean;
  /** The hub's own client certificate when it calls partners. */
  tls?: TlsMaterial;
  bodyLimit?: string;
  /** Largest body of a bulk SOAP push (default 512mb: a fullLoad of 100,000 EVSEs fits). */
  bulkBodyLimit?: string;
  now?: () => Date;
  /** Told of every exchange as it is recorded (the sandbox prints them). */
  onTraffic?: (entry: TrafficEntry) => void;
  /** Added to every answer from the start, as a hub far away would be (default 0; `setDelay` changes it). */
  latencyMs?: number;
  /** Exchanges the traffic log keeps, the latest (default TRAFFIC_LIMIT). */
  trafficLimit?: number;
}

export interface HubjectSimulator {
  app: Express;
  state: HubState;
  /** The latest exchanges, oldest first (bounded: `trafficLimit`); bulk page answers without their records. */
  traffic: TrafficEntry[];
  partners: HubPartner[];
  /** The next call of `operation` (by the party `partyId`, when given) is refused with `code` (at `httpStatus`, default 200). */
  failNext(operation: OperationName, code: StatusCodeValue, httpStatus?: number, partyId?: string): void;
  /** Every answer waits this long first (0 to stop). */
  setDelay(ms: number): void;
  /** Down: every connection is dropped without an answer, as a dead hub would. */
  setDown(down: boolean): void;
  close(): void;
}

/** 017 unless the verified certificate names the party of the path, compared as text like Hubject does. */
const certificateNamesParty: OicpAuthorizer = (caller, operation, partyId) => {
  const unverified = requireClientCertificate(caller, operation, partyId);
  if (unverified) return unverified;
  if (partyId !== undefined && caller.commonName !== partyId) return new OicpRefusal('017', `the certificate (${caller.commonName ?? 'no CN'}) is not ${partyId}'s`, 403);
  return OPERATIONS[operation].party === 'none' && !caller.commonName ? new OicpRefusal('017', 'the certificate names no operator', 403) : undefined;
};

export function createHubjectSimulator(options: HubjectSimulatorOptions): HubjectSimulator {
  const state = new HubState(options.now);
  const traffic: TrafficEntry[] = [];
  const record = (entry: TrafficEntry) => {
    keepLast(traffic, summarised(entry), options.trafficLimit);
    options.onTraffic?.(entry);
  };
  const partners = [...(options.partners ?? [])];
  const failures = new Map<OperationName, { code: StatusCodeValue; httpStatus: number; partyId?: string }>();
  const clients = new Map<string, OicpClient>();
  let delayMs = options.latencyMs ?? 0;
  let down = false;

  const clientFor = (url: string, wire: OicpWire, soapRelease?: SoapRelease) => {
    const key = `${wire} ${soapRelease ?? ''} ${url}`;
    let client = clients.get(key);
    if (!client) {
      client = new OicpClient({ baseUrl: url, as: 'HUB', tls: options.tls, wire, soapRelease, logger: options.logger });
      clients.set(key, client);
    }
    return client;
  };

  const partnerFor = (role: OicpRole, id: string | undefined): HubPartner | undefined =>
    id === undefined ? undefined : partners.find((p) => p.role === role && (role === 'CPO' ? sameOperator(p.id, id) : p.id.toUpperCase() === id.toUpperCase()));

  /** Forwards a partner-served call; a partner that cannot be reached is Hubject's 310. */
  async function forward<N extends OperationName>(name: N, partner: HubPartner | undefined, body: RequestOf<N>, partyId: string | undefined): Promise<ResponseOf<N>> {
    const operation: OicpOperation = OPERATIONS[name];
    if (!partner?.url) throw new OicpRefusal('300', `no ${operation.servedBy ?? ''} partner online for this request`);
    const wire = partner.wire ?? 'rest';
    const result: OicpResult<ResponseOf<N>> = await clientFor(partner.url, wire, partner.soapRelease).call(name, body, { partyId });
    record({
      at: new Date().toISOString(),
      direction: 'out',
      wire,
      operation: name,
      partyId,
      request: body,
      httpStatus: result.ok ? result.httpStatus : (result.error.httpStatus ?? 0),
      response: result.ok ? result.value : result.error,
    });
    if (result.ok) return result.value;
    if (result.error.kind === 'refused' && result.error.statusCode) {
      // The partner's own refusal travels back with its StatusCode, in the shape the caller expects:
      // an authorization answer says NotAuthorized, everything else is an acknowledgement.
      const refusal = name === 'AuthorizeStart' || name === 'AuthorizeStop' ? { AuthorizationStatus: 'NotAuthorized' } : { Result: false };
      return { ...refusal, SessionID: (body as { SessionID?: string }).SessionID, StatusCode: result.error.statusCode } as ResponseOf<N>;
    }
    throw new OicpRefusal('310', `${partner.role} ${partner.id}: ${result.error.message}`);
  }

  const ack = (code: StatusCodeValue = '000', ids: Partial<Acknowledgement> = {}) => acknowledgement(code, undefined, ids);

  const handlers: OicpHandlers = {
    PushEvseData: ({ ActionType, OperatorEvseData }) => {
      state.pushEvseData(ActionType, OperatorEvseData.OperatorID, OperatorEvseData.OperatorName, OperatorEvseData.EvseDataRecord);
      return ack();
    },
    PushEvseStatus: ({ ActionType, OperatorEvseStatus }) => {
      state.pushEvseStatus(ActionType, OperatorEvseStatus.OperatorID, OperatorEvseStatus.OperatorName, OperatorEvseStatus.EvseStatusRecord);
      return ack();
    },
    PullEvseData: (request, context) => ({ ...pageOf(state.pullEvseData(request), context.page, context.size), StatusCode: statusCode('000') }),
    PullEvseStatus: (request) => state.pullEvseStatus(request),
    AuthorizeStart: async (request): Promise<AuthorizationStart> => {
      const SessionID = request.SessionID ?? randomUUID();
      const offline = state.providerHolding(request.Identification);
      if (offline) {
        state.openSession({ sessionId: SessionID, operatorId: request.OperatorID, providerId: offline, evseId: request.EvseID });
        return { SessionID, ProviderID: offline, AuthorizationStatus: 'Authorized', StatusCode: statusCode('000') };
      }
      // Online authorization: ask each EMP in turn; the first that authorizes owns the session.
      for (const partner of partners.filter((p) => p.role === 'EMP' && p.url)) {
        const answer = await forward('AuthorizeStart', partner, { ...request, SessionID }, request.OperatorID);
        if ('AuthorizationStatus' in answer && answer.AuthorizationStatus === 'Authorized') {
          state.openSession({ sessionId: SessionID, operatorId: request.OperatorID, providerId: answer.ProviderID ?? partner.id, evseId: request.EvseID });
          return { ...answer, SessionID, ProviderID: answer.ProviderID ?? partner.id };
        }
      }
      return { SessionID, AuthorizationStatus: 'NotAuthorized', StatusCode: statusCode('102', 'no provider authorized this identification') };
    },
    AuthorizeStop: async (request) => {
      const session = state.session(request.SessionID);
      const partner = partnerFor('EMP', session.providerId);
      if (!partner?.url) return { SessionID: request.SessionID, ProviderID: session.providerId, AuthorizationStatus: 'Authorized', StatusCode: statusCode('000') };
      return forward('AuthorizeStop', partner, request, request.OperatorID);
    },
    AuthorizeRemoteStart: async (request, context) => {
      state.openSession({ sessionId: request.SessionID, providerId: context.partyId, operatorId: operatorOfEvseId(request.EvseID), evseId: request.EvseID });
      return forward('AuthorizeRemoteStart', partnerFor('CPO', operatorOfEvseId(request.EvseID)), request, context.partyId);
    },
    AuthorizeRemoteStop: async (request, context) => {
      const session = state.session(request.SessionID);
      return forward('AuthorizeRemoteStop', partnerFor('CPO', session.operatorId ?? operatorOfEvseId(request.EvseID)), request, context.partyId);
    },
    AuthorizeRemoteReservationStart: async (request, context) => {
      // The hub issues the SessionID of a reservation when the EMP did not bring one.
      const SessionID = request.SessionID ?? randomUUID();
      state.openSession({ sessionId: SessionID, providerId: context.partyId, operatorId: operatorOfEvseId(request.EvseID), evseId: request.EvseID });
      const answer = await forward('AuthorizeRemoteReservationStart', partnerFor('CPO', operatorOfEvseId(request.EvseID)), { ...request, SessionID }, context.partyId);
      return { ...answer, SessionID };
    },
    AuthorizeRemoteReservationStop: async (request, context) => {
      const session = state.session(request.SessionID);
      return forward('AuthorizeRemoteReservationStop', partnerFor('CPO', session.operatorId ?? operatorOfEvseId(request.EvseID)), request, context.partyId);
    },
    ChargeDetailRecord: async (request, context) => {
      // Over SOAP without a certificate (plain HTTP: sandbox, tests) nothing names the operator but the EvseID.
      const operatorId = context.partyId ?? operatorOfEvseId(request.EvseID) ?? '';
      const session = state.acceptCdr(operatorId, request);
      const partner = partnerFor('EMP', session.providerId);
      // An offline EMP collects its CDRs with GetChargeDetailRecords; the hub has accepted it either way.
      if (partner?.url) await forward('ChargeDetailRecord', partner, request, operatorId);
      return ack('000', { SessionID: request.SessionID });
    },
    GetChargeDetailRecords: (request, context) => ({ ...pageOf(state.chargeDetailRecords(context.partyId ?? request.ProviderID, request), context.page, context.size), StatusCode: statusCode('000') }),
    ChargingNotification: async (request, context) => {
      if (options.requireCertificates && !sameOperator(context.caller.commonName ?? '', request.OperatorID)) {
        throw new OicpRefusal('017', `the certificate (${context.caller.commonName ?? 'no CN'}) is not ${request.OperatorID}'s`, 403);
      }
      const session = state.session(request.SessionID);
      return forward('ChargingNotification', partnerFor('EMP', session.providerId), request, undefined);
    },
    PushAuthenticationData: ({ ActionType, ProviderAuthenticationData }, context) => {
      state.pushAuthenticationData(ActionType, context.partyId ?? ProviderAuthenticationData.ProviderID, ProviderAuthenticationData.AuthenticationDataRecord.map((r) => r.Identification));
      return ack();
    },
    PushPricingProductData: ({ ActionType, PricingProductData }, context) => {
      state.pushPricingProducts(ActionType, context.partyId ?? PricingProductData.OperatorID, PricingProductData);
      return ack();
    },
    PushEvsePricing: ({ ActionType, EVSEPricing }, context) => {
      // A SOAP body names no operator: without a certificate, the EvseIDs say whose pricing it is.
      state.pushEvsePricing(ActionType, context.partyId ?? operatorOfEvseId(EVSEPricing[0]?.EvseID ?? '') ?? '', EVSEPricing);
      return ack();
    },
    PullPricingProductData: (request, context) => ({ PricingProductData: state.pricingProductsFor(context.partyId ?? '', request.OperatorIDs), StatusCode: statusCode('000') }),
    PullEvsePricing: (request, context) => ({ EVSEPricing: state.evsePricingFor(context.partyId ?? request.ProviderID, request.OperatorIDs), StatusCode: statusCode('000') }),
  };

  const withControls = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      (request: never, context: OicpCallContext) => {
        const failure = failures.get(name);
        if (failure && (failure.partyId === undefined || failure.partyId === context.partyId)) {
          failures.delete(name);
          throw new OicpRefusal(failure.code, 'failure injected by the simulator', failure.httpStatus);
        }
        // A SOAP body need not name its sender's party: Hubject then knows it from the certificate.
        const partyId = context.partyId ?? (OPERATIONS[name].party === 'none' ? undefined : context.caller.commonName);
        return (handlers[name] as (r: never, c: OicpCallContext) => unknown)(request, { ...context, partyId });
      },
    ]),
  ) as OicpHandlers;

  const app = express();
  app.disable('x-powered-by');
  app.use(gate(() => down, () => delayMs));
  app.use(
    oicpRouter({
      serves: servedOperations('HUB'),
      handlers: withControls,
      authorize: options.requireCertificates ? certificateNamesParty : () => undefined,
      bodyLimit: options.bodyLimit ?? '10mb',
      bulkBodyLimit: options.bulkBodyLimit,
      onExchange: (exchange) => record({ at: new Date().toISOString(), direction: 'in', ...exchange }),
      logger: options.logger,
    }),
  );
  app.get('/simulator/traffic', (_req, res) => {
    res.json(traffic);
  });
  app.use((_req, res) => {
    res.status(404).json(acknowledgement('022', 'no such OICP operation'));
  });

  return {
    app,
    state,
    traffic,
    partners,
    failNext: (operation, code, httpStatus = 200, partyId) => failures.set(operation, { code, httpStatus, partyId }),
    setDelay: (ms) => (delayMs = ms),
    setDown: (value) => (down = value),
    close: () => clients.forEach((client) => client.close()),
  };
}

function gate(isDown: () => boolean, delay: () => number): RequestHandler {
  return (req, _res, next) => {
    if (isDown()) {
      req.socket.destroy();
      return;
    }
    const ms = delay();
    if (ms > 0) setTimeout(next, ms);
    else next();
  };
}

export interface RunningHubjectSimulator {
  url: string;
  simulator: HubjectSimulator;
  close(): Promise<void>;
}

/**
 * The simulator on a listener of its own. With `tls` it is HTTPS and demands client certificates
 * from `tls.ca` (Hubject's mutual TLS, path ids compared with the certificate); without, plain HTTP
 * for the sandbox.
 */
export async function startHubjectSimulator(
  options: Omit<HubjectSimulatorOptions, 'requireCertificates' | 'tls'> & { host: string; port: number; tls?: { cert: string; key: string; ca: string } },
): Promise<RunningHubjectSimulator> {
  const { host, port, tls, ...rest } = options;
  const material = tls && { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: readFileSync(tls.ca) };
  const simulator = createHubjectSimulator({ ...rest, requireCertificates: tls !== undefined, tls: material });
  const server = await startServer(simulator.app, {
    host,
    port,
    bodyLimit: rest.bodyLimit ?? '10mb',
    shutdownTimeoutMs: 2_000,
    tls: tls && { ...tls, requestClientCert: true },
  });
  return {
    url: server.url,
    simulator,
    close: async () => {
      simulator.close();
      await server.close();
    },
  };
}
