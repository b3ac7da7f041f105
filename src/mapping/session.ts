/**
 * OCPI Sessions <-> OICP ChargingNotifications.
 *
 * OCPI keeps one Session object up to date (PENDING, ACTIVE, COMPLETED, INVALID, RESERVATION); OICP
 * sends events (Start, Progress, End, Error). An ACTIVE session is a Start the first time and a
 * Progress afterwards; COMPLETED is End, INVALID is Error; PENDING and RESERVATION have no event.
 * Energy is kWh on both sides; OCPI charging periods whose ENERGY adds up to a thousand times the
 * session's kWh are Wh (the official examples do this, ocpi.md §4.3) and are read as such, reported.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: session-energy-in-wh (src/ocpi/errata.ts); charging-duration-definition (src/oicp/errata.ts).
import type { Location, Tariff } from '../ocpi/wire/schemas';
import { Session as SessionSchema, type ChargingPeriod, type Session, type Token } from '../ocpi/wire/transaction-schemas';
import { ChargingNotification as ChargingNotificationSchema, type ChargingNotification } from '../oicp/wire/transaction-schemas';
import { checkInto } from '../core/typebox';
import { ocpiTime, periodsFromTimes } from './cdr';
import { sessionCost } from './cost';
import { FindingLog, type Mapped } from '../core/findings';
import { writtenOcpi } from './text-limits';
import { hubjectSessionId, ocpiEvseIdOf, operatorOfEvseId, partyToOperatorId, type OcpiParty } from './identifiers';
import { identificationToCdrToken, tokenToIdentification } from './identification';
import { ocpiDateTime } from '../ocpi/wire/transport';
import { NO_RULES, operatorParty, type MappingRules } from './rules';
import { assumedConnector, cachedEvse } from './location/from-oicp';
import { applicableTariff, productIdOf } from './tariff/products';

export interface SessionToOicpOptions {
  rules?: MappingRules;
  /** Hubject's SessionID (from the authorization); else an authorization_reference holding one. */
  sessionId?: string;
  /** The EvseID of the session's EVSE, by correlation; else read from the cached location. */
  evseId?: string;
  location?: Location;
  /** Whether a Start was already sent for this session: ACTIVE then means Progress. */
  started?: boolean;
  /** Our OperatorID toward Hubject; else the session owner's. */
  operatorId?: string;
}

/** Charging periods as kWh: a list whose ENERGY adds up to 1000 times the session's kwh was written in Wh. */
function periodsInKwh(periods: readonly ChargingPeriod[], kwh: number, path: string, log: FindingLog): ChargingPeriod[] {
  const energy = periods.flatMap((p) => p.dimensions.filter((d) => d.type === 'ENERGY').map((d) => d.volume)).reduce((a, b) => a + b, 0);
  if (kwh <= 0 || Math.abs(energy - kwh * 1000) > kwh * 10) return [...periods];
  log.defaulted(path, `the ENERGY volumes add up to ${energy}, a thousand times kwh ${kwh}: read as Wh`);
  return periods.map((p) => ({ ...p, dimensions: p.dimensions.map((d) => (d.type === 'ENERGY' ? { ...d, volume: d.volume / 1000 } : d)) }));
}

/** When charging started and stopped: the first charging period, and the first not-charging period after it. */
function chargingTimes(session: Session, periods: readonly ChargingPeriod[]): { start: string; end?: string } {
  const charges = (p: ChargingPeriod) => p.dimensions.some((d) => (d.type === 'ENERGY' || d.type === 'TIME' || d.type === 'POWER' || d.type === 'CURRENT') && d.volume > 0);
  const sorted = [...periods].sort((a, b) => a.start_date_time.localeCompare(b.start_date_time));
  const first = sorted.findIndex(charges);
  if (first < 0) return { start: session.start_date_time, ...(session.end_date_time !== undefined && { end: session.end_date_time }) };
  const stop = sorted.slice(first).find((p) => !charges(p));
  return { start: sorted[first]!.start_date_time, ...((stop?.start_date_time ?? session.end_date_time) !== undefined && { end: stop?.start_date_time ?? session.end_date_time }) };
}

/** The notification a Session update calls for; null when OICP has none for its status. */
export function ocpiSessionToNotification(input: unknown, options: SessionToOicpOptions = {}): Mapped<ChargingNotification | null | undefined> {
  const log = new FindingLog();
  const rules = options.rules ?? NO_RULES;
  const session = checkInto(SessionSchema, input, log);
  if (session === undefined) return log.result(undefined);
  if (session.status === 'PENDING' || session.status === 'RESERVATION') {
    log.loss('status', `OICP sends no charging notification for a ${session.status} session`);
    return log.result(null);
  }
  const sessionId = hubjectSessionId(options.sessionId, session.authorization_reference);
  if (sessionId === undefined) log.invalid('authorization_reference', 'no Hubject SessionID is known for this session');
  const evse = options.location?.evses?.find((e) => e.uid === session.evse_uid);
  const evseId = options.evseId ?? (evse ? log.take(ocpiEvseIdOf(evse, undefined, 'evse_uid')) : undefined);
  if (evseId === undefined && evse === undefined) log.invalid('evse_uid', `the EvseID of EVSE ${session.evse_uid} is unknown (give the correlation or the cached location)`);
  const identification = log.take(tokenToIdentification(session.cdr_token, 'record', 'cdr_token'));
  if (sessionId === undefined || evseId === undefined || identification === undefined) return log.result(undefined);

  const periods = periodsInKwh(session.charging_periods ?? [], session.kwh, 'charging_periods', log);
  const times = chargingTimes(session, periods);
  const tariffId = periods.find((p) => p.tariff_id !== undefined)?.tariff_id;
  const common = {
    SessionID: sessionId,
    CPOPartnerSessionID: session.id,
    ...(session.authorization_reference !== undefined && session.authorization_reference !== sessionId && { EMPPartnerSessionID: session.authorization_reference }),
    Identification: identification,
    EvseID: evseId,
    OperatorID: options.operatorId ?? operatorOfEvseId(evseId) ?? partyToOperatorId({ countryCode: session.country_code, partyId: session.party_id }),
    ...(tariffId !== undefined && { PartnerProductID: productIdOf(rules, tariffId) }),
    SessionStart: session.start_date_time,
  };
  if (session.total_cost !== undefined) log.loss('total_cost', 'OICP notifications carry no price');
  if (session.status === 'INVALID') {
    log.loss('status', 'INVALID is sent as an Error notification (CriticalError)');
    return log.result({ ...common, Type: 'Error', ErrorType: 'CriticalError', ErrorAdditionalInfo: `OCPI session ${session.id} is INVALID` });
  }
  if (session.status === 'COMPLETED') {
    const end = session.end_date_time ?? session.last_updated;
    if (session.end_date_time === undefined) log.defaulted('end_date_time', 'a COMPLETED session without end_date_time ends at last_updated');
    return log.result({ ...common, Type: 'End', ChargingStart: times.start, ChargingEnd: times.end ?? end, SessionEnd: end, ConsumedEnergy: session.kwh });
  }
  if (!options.started) return log.result({ ...common, Type: 'Start', ChargingStart: times.start });
  return log.result({
    ...common,
    Type: 'Progress',
    ChargingStart: times.start,
    EventOccurred: session.last_updated,
    ChargingDuration: Math.max(0, Date.parse(session.last_updated) - Date.parse(times.start)),
    ConsumedEnergyProgress: session.kwh,
  });
}

export interface NotificationToOcpiOptions {
  rules?: MappingRules;
  /** The Session as last sent: notifications are events, the OCPI Session is their sum. */
  previous?: Session;
  location?: Location;
  /** The OCPI tariff of the EVSE: gives the currency and total_cost. Default: the one contracted in the rules. */
  tariff?: Tariff;
  /** The eMSP owning the token (our backend); else read from the EvcoID. */
  provider?: OcpiParty;
  /** The eMSP's own token the identification names, when known: cdr_token is written from it (its contract_id). */
  token?: Token;
  /** The currency of a session no tariff prices (OCPI requires one): the session goes without a cost, reported. */
  unpricedCurrency?: string;
  now: Date;
}

/** The OCPI Session after a charging notification (PUT body; the id is Hubject's SessionID). */
export function notificationToOcpiSession(input: unknown, options: NotificationToOcpiOptions): Mapped<Session | undefined> {
  const log = new FindingLog();
  const event = checkInto(ChargingNotificationSchema, input, log);
  if (event === undefined) return log.result(undefined);
  const previous = options.previous;
  const now = ocpiDateTime(options.now);
  if (event.Type === 'Error') {
    if (previous === undefined) {
      log.invalid('Type', 'an Error notification changes a session the bridge has not seen');
      return log.result(undefined);
    }
    log.loss('ErrorType', `OCPI has no error detail: ${event.ErrorType ?? ''} ${event.ErrorAdditionalInfo ?? ''} ends the session as INVALID`.replace(/\s+/g, ' '));
    return log.result(writtenOcpi(SessionSchema, { ...previous, status: 'INVALID', last_updated: now }, log));
  }
  const required = { Start: ['ChargingStart'], Progress: ['ChargingStart', 'EventOccurred'], End: ['ChargingEnd'] }[event.Type] as (keyof ChargingNotification)[];
  for (const field of required) if (event[field] === undefined) log.invalid(field, `is required in a ${event.Type} notification`);

  // An update of a session already seen may come without the location.
  const evse = cachedEvse(options.location, event.EvseID, previous === undefined ? log : undefined);
  const connector = evse && assumedConnector(evse, event.EvseID, log);
  const owner = options.location ? { countryCode: options.location.country_code, partyId: options.location.party_id } : log.take(operatorParty(options.rules ?? NO_RULES, event.OperatorID));
  const token = event.Identification ? log.take(identificationToCdrToken(event.Identification, options.provider, 'Identification', options.token)) : undefined;
  if (token === undefined && previous === undefined) log.invalid('Identification', 'OCPI sessions need the token: the first notification must carry the identification');
  const tariff = owner && applicableTariff(options.rules ?? NO_RULES, options.tariff, event.OperatorID, owner, 'PartnerProductID', log);
  let currency = tariff?.currency ?? previous?.currency;
  if (currency === undefined && options.unpricedCurrency !== undefined) {
    currency = options.unpricedCurrency;
    log.defaulted('PartnerProductID', `no tariff prices this session: it goes without a cost, in ${currency}`);
  }
  if (currency === undefined) log.invalid('PartnerProductID', 'OCPI sessions need a currency: pass the tariff of the EVSE, or contract one in the mapping rules');
  if (log.findings.some((f) => f.kind === 'invalid') || owner === undefined || currency === undefined) return log.result(undefined);

  const chargingStart = event.ChargingStart !== undefined ? ocpiTime(event.ChargingStart) : undefined;
  const sessionStart = event.SessionStart !== undefined ? ocpiTime(event.SessionStart) : (previous?.start_date_time ?? chargingStart ?? now);
  const at = event.Type === 'End' ? ocpiTime(event.SessionEnd ?? event.ChargingEnd!) : event.Type === 'Progress' ? ocpiTime(event.EventOccurred!) : (chargingStart ?? now);
  const kwh = event.Type === 'End' ? (event.ConsumedEnergy ?? previous?.kwh ?? 0) : event.Type === 'Progress' ? (event.ConsumedEnergyProgress ?? previous?.kwh ?? 0) : 0;
  if (event.Type === 'End' && event.ConsumedEnergy === undefined) log.defaulted('ConsumedEnergy', 'not given: the last known energy stands');
  const periods =
    chargingStart === undefined
      ? (previous?.charging_periods ?? [])
      : periodsFromTimes({ sessionStart, chargingStart, chargingEnd: event.Type === 'End' ? ocpiTime(event.ChargingEnd!) : at, sessionEnd: at, energy: kwh }, tariff?.id);
  const session: Session = {
    country_code: owner.countryCode,
    party_id: owner.partyId,
    id: event.SessionID,
    start_date_time: sessionStart,
    ...(event.Type === 'End' && { end_date_time: at }),
    kwh,
    cdr_token: token ? { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id } : previous!.cdr_token,
    auth_method: token?.auth_method ?? previous!.auth_method,
    ...((event.EMPPartnerSessionID ?? previous?.authorization_reference) !== undefined && { authorization_reference: (event.EMPPartnerSessionID ?? previous?.authorization_reference)!.slice(0, 36) }),
    location_id: options.location?.id ?? previous!.location_id,
    evse_uid: evse?.uid ?? previous!.evse_uid,
    connector_id: connector?.id ?? previous!.connector_id,
    currency,
    charging_periods: periods,
    status: event.Type === 'End' ? 'COMPLETED' : 'ACTIVE',
    last_updated: now,
  };
  if (tariff !== undefined && periods.length > 0) {
    const cost = log.take(sessionCost({ tariff, start: new Date(sessionStart), end: new Date(at), periods, timeZone: options.location?.time_zone ?? 'Etc/UTC' }));
    session.total_cost = cost.total_cost;
  }
  for (const field of ['MeterValueStart', 'MeterValueEnd', 'MeterValueInBetween', 'PenaltyTimeStart'] as const) {
    if (event[field] !== undefined) log.loss(field, 'OCPI sessions have no place for it');
  }
  if (event.Type === 'Progress' && event.ChargingDuration !== undefined && Math.abs(event.ChargingDuration - (Date.parse(at) - Date.parse(chargingStart!))) > 60_000) {
    log.loss('ChargingDuration', 'differs from EventOccurred - ChargingStart; OCPI periods follow the timestamps');
  }
  return log.result(writtenOcpi(SessionSchema, session, log));
}

