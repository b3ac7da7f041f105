/**
 * OCPI CDR <-> OICP ChargeDetailRecord (../shared/spec/mapping.md §4.8).
 *
 * OICP's record knows times, energy, meter readings, the product and the identification, but no price
 * and no place beyond the EvseID. So OCPI -> OICP reports the prices and the location as losses, and
 * OICP -> OCPI takes the place from the cached location and computes every cost from the OCPI tariff
 * that applied (cost.ts). Hubject's SessionID is the one correlation OICP insists on: it comes from the
 * caller's correlation, else from an `authorization_reference` that holds one (authorization.ts puts it
 * there).
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: hub-provider-id-spelling (src/oicp/errata.ts).
import type { Location } from '../ocpi/wire/schemas';
import { Cdr as CdrSchema, type Cdr, type ChargingPeriod, type Token } from '../ocpi/wire/transaction-schemas';
import { ChargeDetailRecord as ChargeDetailRecordSchema, type ChargeDetailRecord } from '../oicp/wire/transaction-schemas';
import type { Tariff } from '../ocpi/wire/schemas';
import { checkInto } from '../core/typebox';
import { sessionCost } from './cost';
import { FindingLog, type Mapped } from '../core/findings';
import { writtenOcpi } from './text-limits';
import { hubjectSessionId, operatorOfEvseId, sameOperator, type OcpiParty } from './identifiers';
import { identificationToCdrToken, tokenToIdentification } from './identification';
import { ocpiDateTime } from '../ocpi/wire/transport';
import { evseDefaults, NO_RULES, operatorParty, type MappingRules } from './rules';
import { ocpiSignedDataToOicp, oicpEichrechtToOcpi } from './signed-data';
import { assumedConnector, cachedEvse } from './location/from-oicp';
import { applicableTariff, productIdOf } from './tariff/products';
import { sixDecimals } from './decimals';

const HOUR = 3_600_000;

export interface CdrCorrelation {
  /** Hubject's SessionID of this session. */
  sessionId?: string;
  cpoPartnerSessionId?: string;
  empPartnerSessionId?: string;
}

export interface CdrToOicpOptions {
  rules?: MappingRules;
  correlation?: CdrCorrelation;
}

/** When charging began and ended, read from the charging periods: the first and last periods that charged. */
function chargingWindow(cdr: Pick<Cdr, 'charging_periods' | 'start_date_time' | 'end_date_time'>): { start: string; end: string } {
  const periods = [...cdr.charging_periods].sort((a, b) => a.start_date_time.localeCompare(b.start_date_time));
  const charges = (p: ChargingPeriod) => p.dimensions.some((d) => (d.type === 'TIME' || d.type === 'ENERGY') && d.volume > 0);
  const first = periods.findIndex(charges);
  if (first < 0) return { start: cdr.start_date_time, end: cdr.end_date_time };
  const last = periods.length - 1 - [...periods].reverse().findIndex(charges);
  const next = periods[last + 1];
  const time = periods[last]!.dimensions.find((d) => d.type === 'TIME')?.volume;
  const end = next?.start_date_time ?? (time !== undefined ? new Date(Math.min(Date.parse(periods[last]!.start_date_time) + time * HOUR, Date.parse(cdr.end_date_time))).toISOString() : cdr.end_date_time);
  return { start: periods[first]!.start_date_time, end: end.replace(/\.000Z$/, 'Z') };
}

/** The OCPI fields OICP has no room for, reported once each. */
const NOT_IN_OICP: [keyof Cdr, string][] = [
  ['total_cost', 'OICP CDRs carry no price'],
  ['total_fixed_cost', 'OICP CDRs carry no price'],
  ['total_energy_cost', 'OICP CDRs carry no price'],
  ['total_time_cost', 'OICP CDRs carry no price'],
  ['total_parking_cost', 'OICP CDRs carry no price'],
  ['total_reservation_cost', 'OICP CDRs carry no price'],
  ['tariffs', 'OICP CDRs name the product (PartnerProductID), not its prices'],
  ['charging_periods', 'OICP CDRs hold charging start and end only'],
  ['cdr_location', 'OICP CDRs name the EvseID only; the address is in the EVSE data'],
  ['meter_id', 'OICP CDRs have no meter id'],
  ['remark', 'OICP CDRs have no remark'],
  ['invoice_reference_id', 'OICP CDRs have no invoice reference'],
  ['auth_method', 'OICP CDRs do not say how the session was authorized'],
  ['currency', 'OICP CDRs carry no price'],
];

export function ocpiCdrToOicp(input: unknown, options: CdrToOicpOptions = {}): Mapped<ChargeDetailRecord | undefined> {
  const log = new FindingLog();
  const rules = options.rules ?? NO_RULES;
  const cdr = checkInto(CdrSchema, input, log);
  if (cdr === undefined) return log.result(undefined);
  if (cdr.credit === true) {
    log.invalid('credit', 'OICP has no credit CDRs: a correction must be agreed with Hubject and the EMP');
    return log.result(undefined);
  }
  const correlation = options.correlation ?? {};
  const sessionId = hubjectSessionId(correlation.sessionId, cdr.authorization_reference);
  if (sessionId === undefined) {
    log.invalid('session_id', 'no Hubject SessionID is known for this session (Hubject refuses a CDR for a session it did not open)');
  }
  const evseId = cdr.cdr_location.evse_id;
  const operator = operatorOfEvseId(evseId);
  if (operator === undefined) log.invalid('cdr_location.evse_id', `${JSON.stringify(evseId)} is not an OICP EvseID`);
  const identification = log.take(tokenToIdentification(cdr.cdr_token, 'record', 'cdr_token'));
  const eichrecht = cdr.signed_data && log.take(ocpiSignedDataToOicp(cdr.signed_data));
  if (cdr.signed_data === undefined && operator !== undefined && evseDefaults(rules, operator, evseId).calibrationLawDataAvailability === 'External') {
    log.invalid('signed_data', `EVSE ${evseId} publishes CalibrationLawDataAvailability External: its CDRs must carry signed meter values`);
  }
  if (sessionId === undefined || operator === undefined || identification === undefined || log.findings.some((f) => f.kind === 'invalid')) return log.result(undefined);

  for (const [field, why] of NOT_IN_OICP) if (cdr[field] !== undefined) log.loss(field, why);
  const tariffId = cdr.charging_periods.find((p) => p.tariff_id !== undefined)?.tariff_id ?? cdr.tariffs?.[0]?.id;
  if ((cdr.tariffs?.length ?? 0) > 1) log.loss('tariffs', 'OICP names one product per CDR; the first tariff is named');
  const window = chargingWindow(cdr);
  return log.result({
    SessionID: sessionId,
    CPOPartnerSessionID: correlation.cpoPartnerSessionId ?? cdr.session_id ?? cdr.id,
    ...(correlation.empPartnerSessionId !== undefined && { EMPPartnerSessionID: correlation.empPartnerSessionId }),
    ...(tariffId !== undefined && { PartnerProductID: productIdOf(rules, tariffId) }),
    EvseID: evseId,
    Identification: identification,
    ChargingStart: window.start,
    ChargingEnd: window.end,
    SessionStart: cdr.start_date_time,
    SessionEnd: cdr.end_date_time,
    ConsumedEnergy: cdr.total_energy,
    ...eichrecht,
  });
}

/**
 * The charging periods of a session known only by its times: not charging before ChargingStart and
 * after ChargingEnd (PARKING_TIME), charging in between with all the energy (OICP meter values in
 * between have no timestamps).
 */
export function periodsFromTimes(times: { sessionStart: string; chargingStart: string; chargingEnd: string; sessionEnd: string; energy: number }, tariffId?: string): ChargingPeriod[] {
  const hours = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from)) / HOUR;
  const tagged = (period: ChargingPeriod): ChargingPeriod => (tariffId === undefined ? period : { ...period, tariff_id: tariffId });
  const periods: ChargingPeriod[] = [];
  if (Date.parse(times.chargingStart) > Date.parse(times.sessionStart)) {
    periods.push(tagged({ start_date_time: times.sessionStart, dimensions: [{ type: 'PARKING_TIME', volume: sixDecimals(hours(times.sessionStart, times.chargingStart)) }] }));
  }
  periods.push(
    tagged({
      start_date_time: times.chargingStart,
      dimensions: [
        { type: 'ENERGY', volume: times.energy },
        { type: 'TIME', volume: sixDecimals(hours(times.chargingStart, times.chargingEnd)) },
      ],
    }),
  );
  if (Date.parse(times.sessionEnd) > Date.parse(times.chargingEnd)) {
    periods.push(tagged({ start_date_time: times.chargingEnd, dimensions: [{ type: 'PARKING_TIME', volume: sixDecimals(hours(times.chargingEnd, times.sessionEnd)) }] }));
  }
  return periods;
}

/** An OICP date-time as OCPI writes it (UTC, `Z`). */
export const ocpiTime = (text: string) => ocpiDateTime(new Date(text));

export interface CdrToOcpiOptions {
  rules?: MappingRules;
  /** The OCPI tariff the session was charged under: OICP CDRs carry no price. Default: the one contracted in the rules. */
  tariff?: Tariff;
  /** The ProductID the tariff was read from, when its id does not say (the EMP side qualifies ids by operator). */
  tariffProductId?: string;
  /** The cached OCPI location of the EVSE, for cdr_location. */
  location?: Location;
  /** The eMSP owning the token (the backend we forward to); else read from the EvcoID. */
  provider?: OcpiParty;
  /** The eMSP's own token the identification names, when known: cdr_token is written from it (its contract_id). */
  token?: Token;
  /** OCPI ids by correlation: the CDR id (default: SessionID) and the session id (default: SessionID). */
  cdrId?: string;
  sessionId?: string;
  now: Date;
}

/** The EVSE and connector of the cached location a record names. */
function placeOf(location: Location | undefined, evseId: string, log: FindingLog): Cdr['cdr_location'] | undefined {
  const evse = cachedEvse(location, evseId, log);
  if (location === undefined || evse === undefined) return undefined;
  const connector = assumedConnector(evse, evseId, log);
  return {
    id: location.id,
    ...(location.name !== undefined && { name: location.name }),
    address: location.address,
    city: location.city,
    ...(location.postal_code !== undefined && { postal_code: location.postal_code }),
    ...(location.state !== undefined && { state: location.state }),
    country: location.country,
    coordinates: location.coordinates,
    evse_uid: evse.uid,
    evse_id: evse.evse_id!,
    connector_id: connector.id,
    connector_standard: connector.standard,
    connector_format: connector.format,
    connector_power_type: connector.power_type,
  };
}

export function oicpCdrToOcpi(input: unknown, options: CdrToOcpiOptions): Mapped<Cdr | undefined> {
  const log = new FindingLog();
  const rules = options.rules ?? NO_RULES;
  const record = checkInto(ChargeDetailRecordSchema, input, log);
  if (record === undefined) return log.result(undefined);
  const operatorId = operatorOfEvseId(record.EvseID)!;
  const place = placeOf(options.location, record.EvseID, log);
  const owner = options.location ? { countryCode: options.location.country_code, partyId: options.location.party_id } : log.take(operatorParty(rules, operatorId, 'EvseID'));
  if (options.location && !sameOperator(operatorId, `${owner!.countryCode}${owner!.partyId}`)) {
    log.loss('EvseID', `EVSE of operator ${operatorId} at a location of ${owner!.countryCode}/${owner!.partyId}; the location's party owns the CDR`);
  }
  const token = log.take(identificationToCdrToken(record.Identification, options.provider, 'Identification', options.token));
  const signed = log.take(oicpEichrechtToOcpi(record.SignedMeteringValues ?? [], record.CalibrationLawVerificationInfo));
  if (signed === undefined && evseDefaults(rules, operatorId, record.EvseID).calibrationLawDataAvailability === 'External') {
    log.invalid('SignedMeteringValues', `EVSE ${record.EvseID} publishes CalibrationLawDataAvailability External: its CDRs must carry signed meter values`);
  }
  if (record.MeterValueStart !== undefined && record.MeterValueEnd !== undefined && Math.abs(record.MeterValueEnd - record.MeterValueStart - record.ConsumedEnergy) > 0.001) {
    log.invalid('ConsumedEnergy', `ConsumedEnergy ${record.ConsumedEnergy} is not MeterValueEnd - MeterValueStart (${record.MeterValueEnd} - ${record.MeterValueStart})`);
  }
  for (const field of ['MeterValueStart', 'MeterValueEnd', 'MeterValueInBetween', 'HubOperatorID', 'HubProviderID', 'HubProviderId'] as const) {
    if (record[field] !== undefined) log.loss(field, 'OCPI CDRs have no place for it');
  }
  const tariff = owner && applicableTariff(rules, options.tariff, operatorId, owner, 'PartnerProductID', log);
  if (tariff === undefined) {
    log.invalid(
      'PartnerProductID',
      `no OCPI tariff is known for product ${record.PartnerProductID ?? '(none)'}: OICP CDRs carry no price, so the OCPI costs cannot be computed (pass the tariff, or contract one in the mapping rules)`,
    );
  } else if (options.tariff !== undefined && record.PartnerProductID !== undefined && !record.PartnerProductID.startsWith(options.tariffProductId ?? productIdOf(rules, tariff.id))) {
    log.loss('PartnerProductID', `the CDR names product ${record.PartnerProductID}, priced with the given tariff ${tariff.id}`);
  }
  if (place === undefined || owner === undefined || token === undefined || tariff === undefined || log.findings.some((f) => f.kind === 'invalid')) return log.result(undefined);

  const start = ocpiTime(record.SessionStart);
  const end = ocpiTime(record.SessionEnd);
  const periods = periodsFromTimes(
    { sessionStart: start, chargingStart: ocpiTime(record.ChargingStart), chargingEnd: ocpiTime(record.ChargingEnd), sessionEnd: end, energy: record.ConsumedEnergy },
    tariff.id,
  );
  const timeZone = options.location?.time_zone ?? 'Etc/UTC';
  const cost = log.take(sessionCost({ tariff, start: new Date(start), end: new Date(end), periods, timeZone }));
  const { auth_method, ...cdrToken } = token;
  const sessionId = options.sessionId ?? record.SessionID;
  const reference = record.EMPPartnerSessionID;
  return log.result(writtenOcpi(CdrSchema, {
    country_code: owner.countryCode,
    party_id: owner.partyId,
    id: options.cdrId ?? record.SessionID,
    start_date_time: start,
    end_date_time: end,
    session_id: sessionId,
    cdr_token: cdrToken,
    auth_method,
    ...(reference !== undefined && reference.length <= 36 && { authorization_reference: reference }),
    cdr_location: place,
    currency: tariff.currency,
    tariffs: [tariff],
    charging_periods: periods,
    ...(signed !== undefined && { signed_data: signed }),
    ...cost,
    total_energy: record.ConsumedEnergy,
    last_updated: ocpiDateTime(options.now),
  }, log));
}

