/**
 * OCPI commands <-> OICP remote operations, and their outcomes (../shared/spec/mapping.md §4.7).
 *
 * START_SESSION, STOP_SESSION, RESERVE_NOW and CANCEL_RESERVATION are AuthorizeRemoteStart/Stop and
 * AuthorizeRemoteReservationStart/Stop. OICP targets an EVSE by EvseID and a session by Hubject's
 * SessionID; OCPI by location/EVSE uid and its own ids, so the caller gives the correlation. OCPI
 * answers asynchronously (CommandResponse, then CommandResult); Hubject wants one Acknowledgement, with
 * the StatusCode from the tables below.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: reservation-emp-partner-session-id-spelling (src/oicp/errata.ts).
import type { Location } from '../ocpi/wire/schemas';
import {
  CancelReservation as CancelReservationSchema,
  CommandResponse as CommandResponseSchema,
  CommandResult as CommandResultSchema,
  ReserveNow as ReserveNowSchema,
  StartSession as StartSessionSchema,
  StopSession as StopSessionSchema,
  type CancelReservation,
  type CommandResponseType,
  type CommandResult,
  type CommandResultType,
  type ReserveNow,
  type StartSession,
  type StopSession,
} from '../ocpi/wire/transaction-schemas';
import {
  Acknowledgement as AcknowledgementSchema,
  AuthorizeRemoteReservationStart as ReservationStartSchema,
  AuthorizeRemoteReservationStop as ReservationStopSchema,
  AuthorizeRemoteStart as RemoteStartSchema,
  AuthorizeRemoteStop as RemoteStopSchema,
  type Acknowledgement,
  type AuthorizeRemoteReservationStart,
  type AuthorizeRemoteReservationStop,
  type AuthorizeRemoteStart,
  type AuthorizeRemoteStop,
  type ChargingNotification,
  type Identification,
  type StatusCode,
} from '../oicp/wire/transaction-schemas';
import { statusCode } from '../oicp/wire/status-codes';
import { checkInto } from '../core/typebox';
import { FindingLog, type Mapped } from '../core/findings';
import { writtenOcpi } from './text-limits';
import { ocpiEvseIdOf, partyToProviderId, providerIdToParty } from './identifiers';
import { cachedEvse } from './location/from-oicp';
import { identificationToOcpiToken, tokenToIdentification } from './identification';
import { ocpiDateTime } from '../ocpi/wire/transport';

export type RemoteOperation = 'start' | 'stop' | 'reserve' | 'cancel';

const SUCCESS = statusCode('000');

/** OCPI CommandResult -> OICP StatusCode of the Acknowledgement. */
const RESULT_STATUS: Record<CommandResultType, StatusCode> = {
  ACCEPTED: SUCCESS,
  CANCELED_RESERVATION: statusCode('400', 'the reservation was canceled'),
  EVSE_OCCUPIED: statusCode('602', 'EVSE occupied'),
  EVSE_INOPERATIVE: statusCode('700'),
  FAILED: statusCode('501'),
  NOT_SUPPORTED: statusCode('320', 'not supported by this EVSE'),
  REJECTED: statusCode('602'),
  TIMEOUT: statusCode('510'),
  UNKNOWN_RESERVATION: statusCode('400', 'unknown reservation'),
};

/** OCPI synchronous CommandResponse -> OICP StatusCode, when the answer cannot wait for the result. */
const RESPONSE_STATUS: Record<CommandResponseType | 'TIMEOUT', StatusCode> = {
  ACCEPTED: SUCCESS,
  NOT_SUPPORTED: RESULT_STATUS.NOT_SUPPORTED,
  REJECTED: RESULT_STATUS.REJECTED,
  UNKNOWN_SESSION: statusCode('400'),
  TIMEOUT: statusCode('501'),
};

/** OICP StatusCode of an Acknowledgement -> OCPI CommandResult; unlisted codes are FAILED. */
const STATUS_RESULT: Readonly<Record<string, CommandResultType>> = {
  '000': 'ACCEPTED',
  '210': 'REJECTED',
  '300': 'REJECTED',
  '310': 'TIMEOUT',
  '400': 'REJECTED',
  '510': 'TIMEOUT',
  '601': 'EVSE_OCCUPIED',
  '602': 'EVSE_OCCUPIED',
  '603': 'REJECTED',
  '604': 'REJECTED',
  '700': 'EVSE_INOPERATIVE',
  '320': 'NOT_SUPPORTED',
};

export interface CommandToOicpOptions {
  /** Hubject SessionID: new for a start or reservation (the caller makes it), correlated for stop and cancel. */
  sessionId?: string;
  /** The EvseID, by correlation; else read from the cached location. */
  evseId?: string;
  location?: Location;
  /** Stop and cancel carry no token: the eMSP's ProviderID. */
  providerId?: string;
  now?: Date;
}

function evseIdFor(locationId: string | undefined, evseUid: string | undefined, options: CommandToOicpOptions, log: FindingLog): string | undefined {
  if (options.evseId !== undefined) return options.evseId;
  if (evseUid === undefined) {
    log.invalid('evse_uid', 'OICP remote operations target one EVSE: evse_uid is required');
    return undefined;
  }
  const evse = options.location?.id === locationId ? options.location?.evses?.find((e) => e.uid === evseUid) : undefined;
  if (evse === undefined) {
    log.invalid('evse_uid', `the EvseID of EVSE ${evseUid} is unknown (give the correlation or the cached location)`);
    return undefined;
  }
  return log.take(ocpiEvseIdOf(evse, undefined, 'evse_uid'));
}

function needed<T>(value: T | undefined, field: string, why: string, log: FindingLog): T | undefined {
  if (value === undefined) log.invalid(field, why);
  return value;
}

export function startSessionToOicp(input: unknown, options: CommandToOicpOptions = {}): Mapped<AuthorizeRemoteStart | undefined> {
  const log = new FindingLog();
  const command: StartSession | undefined = checkInto(StartSessionSchema, input, log);
  if (command === undefined) return log.result(undefined);
  const evseId = evseIdFor(command.location_id, command.evse_uid, options, log);
  const identification = log.take(tokenToIdentification(command.token, 'remote', 'token'));
  const sessionId = needed(options.sessionId, 'response_url', 'AuthorizeRemoteStart needs a new SessionID from the caller', log);
  if (command.connector_id !== undefined) log.loss('connector_id', 'OICP starts an EVSE, not a connector');
  if (evseId === undefined || identification === undefined || sessionId === undefined) return log.result(undefined);
  return log.result({
    SessionID: sessionId,
    ...(command.authorization_reference !== undefined && { EMPPartnerSessionID: command.authorization_reference }),
    ProviderID: partyToProviderId({ countryCode: command.token.country_code, partyId: command.token.party_id }),
    EvseID: evseId,
    Identification: identification,
  });
}

/** The ids a stop or cancel needs from the correlation: OCPI names only its own session or reservation. */
function correlated(field: string, what: string, options: CommandToOicpOptions, log: FindingLog): { SessionID: string; ProviderID: string; EvseID: string } | undefined {
  const why = `is not known for ${what} (give the correlation)`;
  const sessionId = needed(options.sessionId, field, `Hubject's SessionID ${why}`, log);
  const evseId = needed(options.evseId, field, `the EvseID ${why}`, log);
  const providerId = needed(options.providerId, field, `the eMSP's ProviderID ${why}`, log);
  if (sessionId === undefined || evseId === undefined || providerId === undefined) return undefined;
  return { SessionID: sessionId, ProviderID: providerId, EvseID: evseId };
}

export function stopSessionToOicp(input: unknown, options: CommandToOicpOptions = {}): Mapped<AuthorizeRemoteStop | undefined> {
  const log = new FindingLog();
  const command: StopSession | undefined = checkInto(StopSessionSchema, input, log);
  const ids = command && correlated('session_id', `session ${command.session_id}`, options, log);
  return log.result(command && ids && { ...ids, EMPPartnerSessionID: command.session_id });
}

export function reserveNowToOicp(input: unknown, options: CommandToOicpOptions = {}): Mapped<AuthorizeRemoteReservationStart | undefined> {
  const log = new FindingLog();
  const command: ReserveNow | undefined = checkInto(ReserveNowSchema, input, log);
  if (command === undefined) return log.result(undefined);
  const evseId = evseIdFor(command.location_id, command.evse_uid, options, log);
  const identification = log.take(tokenToIdentification(command.token, 'remote', 'token'));
  if (evseId === undefined || identification === undefined) return log.result(undefined);
  const minutes = Math.ceil((Date.parse(command.expiry_date) - (options.now ?? new Date()).getTime()) / 60_000);
  const duration = Math.min(99, Math.max(1, minutes));
  if (duration !== minutes) log.loss('expiry_date', `OICP reservations last 1 to 99 minutes; ${minutes} minutes become ${duration}`);
  return log.result({
    ...(options.sessionId !== undefined && { SessionID: options.sessionId }),
    EMPPartnerSessionId: command.reservation_id,
    ProviderID: partyToProviderId({ countryCode: command.token.country_code, partyId: command.token.party_id }),
    EvseID: evseId,
    Identification: identification,
    Duration: duration,
  });
}

export function cancelReservationToOicp(input: unknown, options: CommandToOicpOptions = {}): Mapped<AuthorizeRemoteReservationStop | undefined> {
  const log = new FindingLog();
  const command: CancelReservation | undefined = checkInto(CancelReservationSchema, input, log);
  const ids = command && correlated('reservation_id', `reservation ${command.reservation_id}`, options, log);
  return log.result(command && ids && { ...ids, EMPPartnerSessionId: command.reservation_id });
}

export interface CommandToOcpiOptions {
  /** Where the CPO posts the asynchronous result: the bridge's own URL for this request. */
  responseUrl: string;
  location?: Location;
  /** OCPI ids by correlation, for stop and cancel. */
  sessionId?: string;
  reservationId?: string;
  now: Date;
}

/** The location_id and evse_uid of an EvseID in the cached location. */
function placeOf(evseId: string, location: Location | undefined, log: FindingLog): { location_id: string; evse_uid: string } | undefined {
  const evse = cachedEvse(location, evseId, log);
  return location && evse && { location_id: location.id, evse_uid: evse.uid };
}

/** Whom and where a remote start or reservation is for: the eMSP's token at the cached EVSE. */
function targetOf(request: AuthorizeRemoteStart | AuthorizeRemoteReservationStart, options: CommandToOcpiOptions, log: FindingLog) {
  const place = placeOf(request.EvseID, options.location, log);
  const provider = log.take(providerIdToParty(request.ProviderID));
  const token = provider && log.take(identificationToOcpiToken(request.Identification, provider, options.now));
  return place && token && { token, ...place };
}

/** Hubject's AuthorizeRemoteStart as an OCPI START_SESSION; Hubject's SessionID is the authorization_reference. */
export function remoteStartToOcpi(input: unknown, options: CommandToOcpiOptions): Mapped<StartSession | undefined> {
  const log = new FindingLog();
  const request = checkInto(RemoteStartSchema, input, log);
  if (request === undefined) return log.result(undefined);
  const target = targetOf(request, options, log);
  if (request.PartnerProductID !== undefined) log.loss('PartnerProductID', 'OCPI START_SESSION names no tariff');
  if (target === undefined) return log.result(undefined);
  return log.result(writtenOcpi(StartSessionSchema, { response_url: options.responseUrl, ...target, authorization_reference: request.SessionID }, log));
}

export function remoteStopToOcpi(input: unknown, options: CommandToOcpiOptions): Mapped<StopSession | undefined> {
  const log = new FindingLog();
  const request = checkInto(RemoteStopSchema, input, log);
  if (request === undefined) return log.result(undefined);
  const sessionId = options.sessionId ?? request.CPOPartnerSessionID;
  if (sessionId === undefined || sessionId.length > 36) {
    log.invalid('SessionID', `the OCPI session of Hubject session ${request.SessionID} is unknown (give the correlation)`);
    return log.result(undefined);
  }
  return log.result(writtenOcpi(StopSessionSchema, { response_url: options.responseUrl, session_id: sessionId }, log));
}

export function reservationStartToOcpi(input: unknown, options: CommandToOcpiOptions): Mapped<ReserveNow | undefined> {
  const log = new FindingLog();
  const request = checkInto(ReservationStartSchema, input, log);
  if (request === undefined) return log.result(undefined);
  const target = targetOf(request, options, log);
  const reservationId = options.reservationId ?? request.SessionID;
  if (reservationId === undefined) log.invalid('SessionID', 'OCPI needs a reservation id: no SessionID and none given');
  if (request.Duration === undefined) log.defaulted('Duration', 'no Duration: the reservation lasts 15 minutes');
  if (target === undefined || reservationId === undefined) return log.result(undefined);
  return log.result(writtenOcpi(ReserveNowSchema, {
    response_url: options.responseUrl,
    ...target,
    expiry_date: ocpiDateTime(new Date(options.now.getTime() + (request.Duration ?? 15) * 60_000)),
    reservation_id: reservationId,
    ...(request.SessionID !== undefined && { authorization_reference: request.SessionID }),
  }, log));
}

export function reservationStopToOcpi(input: unknown, options: CommandToOcpiOptions): Mapped<CancelReservation | undefined> {
  const log = new FindingLog();
  const request = checkInto(ReservationStopSchema, input, log);
  if (request === undefined) return log.result(undefined);
  return log.result(writtenOcpi(CancelReservationSchema, { response_url: options.responseUrl, reservation_id: options.reservationId ?? request.SessionID }, log));
}

interface AcknowledgementContext {
  operation: RemoteOperation;
  /** Echoed from the request. */
  sessionId?: string;
  cpoPartnerSessionId?: string;
  empPartnerSessionId?: string;
}

/**
 * The CPO's answer to a command as Hubject's Acknowledgement: a CommandResult when it came in time,
 * else the synchronous CommandResponse. REJECTED of a stop or cancel means the session is not one the
 * CPO knows (400); of a start or reservation, that the EVSE refuses this token (602).
 */
export function commandOutcomeToAcknowledgement(input: unknown, context: AcknowledgementContext): Mapped<Acknowledgement | undefined> {
  const log = new FindingLog();
  // A CommandResponse has a timeout; a CommandResult has none.
  const isResponse = typeof input === 'object' && input !== null && 'timeout' in input;
  const outcome = isResponse ? checkInto(CommandResponseSchema, input, log) : checkInto(CommandResultSchema, input, log);
  if (outcome === undefined) return log.result(undefined);
  let status = isResponse ? RESPONSE_STATUS[outcome.result as CommandResponseType] : RESULT_STATUS[outcome.result as CommandResultType];
  if (outcome.result === 'REJECTED' && (context.operation === 'stop' || context.operation === 'cancel')) status = statusCode('400');
  if (outcome.message !== undefined) log.loss('message', 'the OICP acknowledgement has no driver message');
  return log.result({
    Result: status.Code === '000',
    StatusCode: status,
    ...(context.sessionId !== undefined && { SessionID: context.sessionId }),
    ...(context.cpoPartnerSessionId !== undefined && { CPOPartnerSessionID: context.cpoPartnerSessionId }),
    ...(context.empPartnerSessionId !== undefined && { EMPPartnerSessionID: context.empPartnerSessionId }),
  });
}

/** Hubject's Acknowledgement of a remote operation as the OCPI CommandResult for the eMSP backend. */
export function acknowledgementToCommandResult(input: unknown): Mapped<CommandResult | undefined> {
  const log = new FindingLog();
  const ack = checkInto(AcknowledgementSchema, input, log);
  if (ack === undefined) return log.result(undefined);
  const result: CommandResultType = ack.Result ? 'ACCEPTED' : (STATUS_RESULT[ack.StatusCode.Code] ?? 'FAILED');
  const text = [ack.StatusCode.Code, ack.StatusCode.Description, ack.StatusCode.AdditionalInfo].filter((t) => t !== undefined).join(' ');
  return log.result(writtenOcpi(CommandResultSchema, { result, ...(!ack.Result && { message: [{ language: 'en', text }] }) }, log));
}

interface FailedCommandContext {
  operation: 'start' | 'stop';
  sessionId: string;
  evseId: string;
  operatorId: string;
  identification?: Identification;
}

/** OICP's two error classes: an EVSE out of service needs someone at the station; anything else is a start or stop that did not happen. */
const ERROR_TYPE: Partial<Record<CommandResultType, ChargingNotification['ErrorType']>> = { EVSE_INOPERATIVE: 'CriticalError' };

/**
 * A remote start or stop that Hubject was told was accepted but the charge point then did not
 * carry out (its CommandResult is not ACCEPTED) as a ChargingNotification Error, so the eMSP learns
 * it; null when the result is ACCEPTED. The OCPI result and message travel in ErrorAdditionalInfo.
 */
export function failedCommandToNotification(input: unknown, context: FailedCommandContext): Mapped<ChargingNotification | null | undefined> {
  const log = new FindingLog();
  const outcome = checkInto(CommandResultSchema, input, log);
  if (outcome === undefined) return log.result(undefined);
  if (outcome.result === 'ACCEPTED') return log.result(null);
  const ErrorType = ERROR_TYPE[outcome.result] ?? 'ConnectorError';
  log.loss('result', `OICP has two error types: ${outcome.result} is sent as ${ErrorType}, the result named in ErrorAdditionalInfo`);
  const message = outcome.message?.[0]?.text;
  const info = `${context.operation === 'start' ? 'remote start' : 'remote stop'} failed at the charge point: ${outcome.result}${message === undefined ? '' : ` (${message})`}`;
  if (info.length > 250) log.loss('message', 'ErrorAdditionalInfo holds 250 characters; the message is cut');
  return log.result({
    Type: 'Error',
    SessionID: context.sessionId,
    EvseID: context.evseId,
    OperatorID: context.operatorId,
    ErrorType,
    ErrorAdditionalInfo: info.slice(0, 250),
    ...(context.identification !== undefined && { Identification: context.identification }),
  });
}
