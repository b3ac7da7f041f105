/**
 * OCPI 2.1.1 <-> 2.2.1 for Tokens, Sessions, CDRs and Commands (../shared/spec/ocpi.md §5.3, §5.4,
 * §5.6, §5.7), so the transaction mappers are written once against 2.2.1. Whatever one version cannot
 * hold is a finding; what 2.2.1 needs and 2.1.1 lacks comes from the options (the owner party, the
 * cached location or token) or is reported as a default.
 */
import { childPath, FindingLog, type Mapped } from '../../core/findings';
import { emaidParty } from '../identification';
import type { OcpiParty } from '../identifiers';
import { Type } from '@sinclair/typebox';
import { check, checkInto } from '../../core/typebox';
import type { Location, Location211 } from '../../ocpi/wire/schemas';
import {
  AuthorizationInfo as AuthorizationInfoSchema,
  ChargingPeriod211 as ChargingPeriod211Schema,
  AuthorizationInfo211 as AuthorizationInfo211Schema,
  type AuthorizationInfo211,
  Cdr as CdrSchema,
  Cdr211 as Cdr211Schema,
  CDR_DIMENSIONS_211,
  CommandResponse211 as CommandResponse211Schema,
  CommandResult as CommandResultSchema,
  ReserveNow as ReserveNowSchema,
  ReserveNow211 as ReserveNow211Schema,
  Session as SessionSchema,
  Session211 as Session211Schema,
  StartSession as StartSessionSchema,
  StartSession211 as StartSession211Schema,
  Token as TokenSchema,
  Token211 as Token211Schema,
  type Cdr,
  type Cdr211,
  type CdrLocation,
  type CdrToken,
  type ChargingPeriod,
  type ChargingPeriod211,
  type CommandResponse211,
  type CommandResult,
  type CommandResultType,
  type ReserveNow,
  type ReserveNow211,
  type Session,
  type Session211,
  type StartSession,
  type StartSession211,
  type Token,
  type Token211,
} from '../../ocpi/wire/transaction-schemas';
import { asciiDown, location221To211, tariff211To221, tariff221To211, written211 } from './locations';
import { fitOcpiStrings } from '../text-limits';

interface TransactionUpOptions {
  /** The owner of the object (the CPO of a session or CDR, the eMSP of a token): 2.1.1 names it in the URL only. */
  party?: OcpiParty;
  /** The 2.2.1 token a 2.1.1 `auth_id` stands for, when the bridge has it cached. */
  token?: Token;
}

interface TransactionDownOptions {
  /** The cached 2.2.1 location a session or CDR took place at: 2.1.1 embeds the location. */
  location?: Location;
}

function ownerOf(options: TransactionUpOptions, fallback: OcpiParty | undefined, log: FindingLog): OcpiParty | undefined {
  if (options.party) return options.party;
  if (fallback) {
    log.defaulted('country_code', `2.1.1 names the owner in the URL only; ${fallback.countryCode}/${fallback.partyId} read from the contract id`);
    return fallback;
  }
  log.invalid('country_code', '2.2.1 needs country_code and party_id; 2.1.1 carries them in the URL only (give the party)');
  return undefined;
}

export function token211To221(input: unknown, options: TransactionUpOptions = {}): Mapped<Token | undefined> {
  const log = new FindingLog();
  const token = checkInto(Token211Schema, input, log);
  if (token === undefined) return log.result(undefined);
  const owner = ownerOf(options, emaidParty(token.auth_id), log);
  if (owner === undefined) return log.result(undefined);
  const { auth_id, ...rest } = token;
  return log.result({ country_code: owner.countryCode, party_id: owner.partyId, ...rest, contract_id: auth_id });
}

export function token221To211(input: unknown): Mapped<Token211 | undefined> {
  const log = new FindingLog();
  const token = checkInto(TokenSchema, input, log);
  if (token === undefined) return log.result(undefined);
  const { country_code: _cc, party_id: _pid, contract_id, group_id, default_profile_type, energy_contract, type, ...rest } = token;
  const lost: [string, unknown][] = [['group_id', group_id], ['default_profile_type', default_profile_type], ['energy_contract', energy_contract]];
  for (const [field, value] of lost) if (value !== undefined) log.loss(field, `2.1.1 tokens have no ${field}`);
  if (type !== 'RFID' && type !== 'OTHER') log.loss('type', `2.1.1 has no token type ${type}; sent as OTHER`);
  return written211(Token211Schema, { ...rest, type: type === 'RFID' ? 'RFID' : 'OTHER', auth_id: contract_id }, log);
}

/** A 2.1.1 auth_id as a 2.2.1 CdrToken: the cached token when given, else the auth_id stands for uid and contract id. */
function cdrTokenUp(authId: string, options: TransactionUpOptions, log: FindingLog): CdrToken | undefined {
  const token = options.token;
  if (token !== undefined) return { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id };
  const owner = emaidParty(authId);
  if (owner === undefined) {
    log.invalid('auth_id', `2.2.1 needs the token (uid, type, eMSP) behind auth_id ${authId}; give the cached token`);
    return undefined;
  }
  log.defaulted('auth_id', `no cached token: uid = contract_id = ${authId}, type OTHER, eMSP ${owner.countryCode}/${owner.partyId} from the contract id`);
  return { country_code: owner.countryCode, party_id: owner.partyId, uid: authId, type: 'OTHER', contract_id: authId };
}

function periodsUp(periods: readonly ChargingPeriod211[], path: string, log: FindingLog): ChargingPeriod[] {
  return periods.flatMap((period, i) => {
    const dimensions = period.dimensions.filter((d) => d.type !== 'FLAT') as ChargingPeriod['dimensions'];
    if (dimensions.length < period.dimensions.length) log.loss(childPath(childPath(path, i), 'dimensions'), '2.2.1 has no FLAT dimension');
    return dimensions.length > 0 ? [{ start_date_time: period.start_date_time, dimensions }] : [];
  });
}

function periodsDown(periods: readonly ChargingPeriod[], path: string, log: FindingLog): ChargingPeriod211[] {
  const known = new Set<string>(CDR_DIMENSIONS_211);
  return periods.flatMap((period, i) => {
    const at = childPath(path, i);
    const dimensions = period.dimensions.filter((d) => known.has(d.type)) as ChargingPeriod211['dimensions'];
    if (dimensions.length < period.dimensions.length) log.loss(childPath(at, 'dimensions'), '2.1.1 lacks dimension types added in 2.2.1');
    if (period.tariff_id !== undefined) log.loss(childPath(at, 'tariff_id'), '2.1.1 periods name no tariff');
    return dimensions.length > 0 ? [{ start_date_time: period.start_date_time, dimensions }] : [];
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Whether a 2.1.1 embedded location can be read for the place used. Its other defects are findings
 * (it is checked as a nested element); a location, EVSE or connector that is not an object at all,
 * or EVSEs and connectors that are not lists, cannot be read (they crashed the reading: HTTP 500).
 */
function readablePlace(location: unknown, log: FindingLog): location is Location211 {
  const readable =
    isRecord(location) &&
    (location.evses === undefined || (Array.isArray(location.evses) && location.evses.every((evse) => isRecord(evse) && Array.isArray(evse.connectors) && evse.connectors.every(isRecord))));
  if (!readable) log.invalid('location', 'the embedded location, its EVSEs and their connectors must be objects (with lists of EVSEs and connectors)');
  return readable;
}

/** The location ids of a 2.1.1 embedded location (it holds the one EVSE and connector used). */
function placeUp(location: Location211, log: FindingLog): { location_id: string; evse_uid: string; connector_id: string } {
  const evse = location.evses?.[0];
  const connector = evse?.connectors[0];
  if ((location.evses?.length ?? 0) > 1 || (evse?.connectors.length ?? 0) > 1) log.loss('location', 'the location lists several EVSEs or connectors; the first is taken as the one used');
  // 2.2.1's "no data available" marker (§2.8), allowed for exactly these fields; said, not silent.
  if (evse === undefined) log.defaulted('location.evses', 'the location names no EVSE; evse_uid and connector_id are #NA');
  return { location_id: location.id, evse_uid: evse?.uid ?? '#NA', connector_id: connector?.id ?? '#NA' };
}

export function session211To221(input: unknown, options: TransactionUpOptions = {}): Mapped<Session | undefined> {
  const log = new FindingLog();
  const session = checkInto(Session211Schema, input, log, ['location']);
  if (session === undefined) return log.result(undefined);
  const owner = ownerOf(options, undefined, log);
  const cdrToken = cdrTokenUp(session.auth_id, options, log);
  if (owner === undefined || cdrToken === undefined) return log.result(undefined);
  const { start_datetime, end_datetime, auth_id: _auth, location, total_cost, charging_periods, ...rest } = session;
  if (!readablePlace(location, log)) return log.result(undefined);
  return log.result({
    country_code: owner.countryCode,
    party_id: owner.partyId,
    ...rest,
    start_date_time: start_datetime,
    ...(end_datetime !== undefined && { end_date_time: end_datetime }),
    cdr_token: cdrToken,
    ...placeUp(location, log),
    ...(charging_periods !== undefined && { charging_periods: periodsUp(charging_periods, 'charging_periods', log) }),
    ...(total_cost !== undefined && { total_cost: { excl_vat: total_cost } }),
  });
}

const ChargingPeriods211 = Type.Array(ChargingPeriod211Schema);

/**
 * A 2.1.1 session PATCH's members under their 2.2.1 names. What a PATCH cannot express in 2.2.1
 * terms (a new auth_id needs the whole token, a new embedded location the ids of the EVSE used) is
 * a loss finding; members of the wrong shape are passed on for the schema check to name.
 */
export function sessionPatchUp(changes: Record<string, unknown>, log: FindingLog): Record<string, unknown> {
  const { start_datetime, end_datetime, total_cost, charging_periods, auth_id, location, ...rest } = changes;
  const up: Record<string, unknown> = { ...rest };
  if (start_datetime !== undefined) up.start_date_time = start_datetime;
  if (end_datetime !== undefined) up.end_date_time = end_datetime;
  if (total_cost !== undefined) up.total_cost = typeof total_cost === 'number' ? { excl_vat: total_cost } : total_cost;
  if (charging_periods !== undefined) {
    const periods = check(ChargingPeriods211, charging_periods, 'charging_periods');
    if (periods.findings.length > 0) log.findings.push(...periods.findings);
    else up.charging_periods = periodsUp(periods.value, 'charging_periods', log);
  }
  if (auth_id !== undefined) log.loss('auth_id', 'a 2.1.1 PATCH of auth_id cannot become a 2.2.1 cdr_token (the whole token is needed); not applied');
  if (location !== undefined) log.loss('location', 'a 2.1.1 PATCH of the embedded location is not applied; PUT the session to move it');
  return up;
}

/** A 2.2.1 session PATCH body as a 2.1.1 peer reads it: renamed, lowered, in 2.1.1's DateTime form. */
export function sessionPatch221To211(changes: Record<string, unknown>): Mapped<Record<string, unknown>> {
  const log = new FindingLog();
  const { start_date_time, end_date_time, total_cost, charging_periods, cdr_token, status, auth_method, authorization_reference, location_id, evse_uid, connector_id, country_code: _cc, party_id: _pid, ...rest } = changes;
  const down: Record<string, unknown> = { ...rest };
  if (start_date_time !== undefined) down.start_datetime = start_date_time;
  if (end_date_time !== undefined) down.end_datetime = end_date_time;
  if (isPrice(total_cost)) down.total_cost = total_cost.excl_vat;
  if (Array.isArray(charging_periods)) down.charging_periods = periodsDown(charging_periods as ChargingPeriod[], 'charging_periods', log);
  if (isObject(cdr_token) && typeof cdr_token.contract_id === 'string') down.auth_id = cdr_token.contract_id;
  if (status !== undefined) down.status = status === 'RESERVATION' ? 'PENDING' : status;
  if (auth_method !== undefined) down.auth_method = auth_method === 'COMMAND' ? 'AUTH_REQUEST' : auth_method;
  if (authorization_reference !== undefined) log.loss('authorization_reference', '2.1.1 sessions carry no authorization reference');
  if (location_id !== undefined || evse_uid !== undefined || connector_id !== undefined) log.loss('location_id', 'a 2.1.1 session embeds its location: PUT the session to move it');
  return log.result(log.take(fitOcpiStrings(Session211Schema, asciiDown(down, '', log), '2.1.1')));
}

/** A 2.2.1 token PATCH body as a 2.1.1 peer reads it. */
export function tokenPatch221To211(changes: Record<string, unknown>): Mapped<Record<string, unknown>> {
  const log = new FindingLog();
  const { contract_id, type, group_id, default_profile_type, energy_contract, country_code: _cc, party_id: _pid, ...rest } = changes;
  const down: Record<string, unknown> = { ...rest };
  if (contract_id !== undefined) down.auth_id = contract_id;
  if (type !== undefined) down.type = type === 'RFID' ? 'RFID' : 'OTHER';
  for (const [field, value] of [['group_id', group_id], ['default_profile_type', default_profile_type], ['energy_contract', energy_contract]] as const) {
    if (value !== undefined) log.loss(field, `2.1.1 tokens have no ${field}`);
  }
  return log.result(log.take(fitOcpiStrings(Token211Schema, asciiDown(down, '', log), '2.1.1')));
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isPrice = (value: unknown): value is { excl_vat: number } => isObject(value) && typeof value.excl_vat === 'number';

/** A 2.1.1 token PATCH's members under their 2.2.1 names. */
export function tokenPatchUp(changes: Record<string, unknown>): Record<string, unknown> {
  const { auth_id, ...rest } = changes;
  return auth_id === undefined ? rest : { ...rest, contract_id: auth_id };
}

/** The 2.1.1 embedded location of a session or CDR: the cached location cut to the EVSE and connector used. */
function placeDown(place: { location_id: string; evse_uid: string; connector_id: string }, cached: Location | undefined, log: FindingLog): Location211 | undefined {
  if (cached === undefined || cached.id !== place.location_id) {
    log.invalid('location_id', `2.1.1 embeds the whole location; location ${place.location_id} is not cached`);
    return undefined;
  }
  const evse = cached.evses?.find((e) => e.uid === place.evse_uid);
  const connector = evse?.connectors.find((c) => c.id === place.connector_id);
  const only = { ...cached, evses: evse && connector ? [{ ...evse, connectors: [connector] }] : [] };
  if (!evse || !connector) log.loss('evse_uid', `EVSE ${place.evse_uid} connector ${place.connector_id} is not in the cached location`);
  return log.take(location221To211({ ...only, publish: true }));
}

export function session221To211(input: unknown, options: TransactionDownOptions = {}): Mapped<Session211 | undefined> {
  const log = new FindingLog();
  const session = checkInto(SessionSchema, input, log);
  if (session === undefined) return log.result(undefined);
  const location = placeDown(session, options.location, log);
  if (location === undefined) return log.result(undefined);
  const { country_code: _cc, party_id: _pid, start_date_time, end_date_time, cdr_token, auth_method, authorization_reference, location_id: _l, evse_uid: _e, connector_id: _c, total_cost, charging_periods, status, ...rest } = session;
  if (authorization_reference !== undefined) log.loss('authorization_reference', '2.1.1 sessions carry no authorization reference');
  if (auth_method === 'COMMAND') log.loss('auth_method', '2.1.1 has no COMMAND; sent as AUTH_REQUEST');
  if (status === 'RESERVATION') log.loss('status', '2.1.1 has no RESERVATION status; sent as PENDING');
  if (total_cost?.incl_vat !== undefined) log.loss('total_cost.incl_vat', '2.1.1 costs are excl. VAT only');
  return written211(Session211Schema, {
    ...rest,
    start_datetime: start_date_time,
    ...(end_date_time !== undefined && { end_datetime: end_date_time }),
    auth_id: cdr_token.contract_id,
    auth_method: auth_method === 'COMMAND' ? 'AUTH_REQUEST' : auth_method,
    location,
    ...(charging_periods !== undefined && { charging_periods: periodsDown(charging_periods, 'charging_periods', log) }),
    ...(total_cost !== undefined && { total_cost: total_cost.excl_vat }),
    status: status === 'RESERVATION' ? 'PENDING' : status,
  }, log);
}

export function cdr211To221(input: unknown, options: TransactionUpOptions = {}): Mapped<Cdr | undefined> {
  const log = new FindingLog();
  const cdr = checkInto(Cdr211Schema, input, log, ['location', 'tariffs']);
  if (cdr === undefined) return log.result(undefined);
  const owner = ownerOf(options, undefined, log);
  const cdrToken = cdrTokenUp(cdr.auth_id, options, log);
  if (owner === undefined || cdrToken === undefined) return log.result(undefined);
  const { stop_date_time, auth_id: _auth, location, tariffs, charging_periods, total_cost, ...rest } = cdr;
  if (!readablePlace(location, log)) return log.result(undefined);
  const place = placeUp(location, log);
  const evse = location.evses?.[0];
  const connector = evse?.connectors[0];
  if (evse?.evse_id === undefined || connector === undefined) {
    log.invalid('location.evses', '2.2.1 cdr_location needs the EVSE id and connector used');
    return log.result(undefined);
  }
  const cdrLocation: CdrLocation = {
    id: location.id,
    ...(location.name !== undefined && { name: location.name }),
    address: location.address,
    city: location.city,
    postal_code: location.postal_code,
    country: location.country,
    coordinates: location.coordinates,
    evse_uid: place.evse_uid,
    evse_id: evse.evse_id,
    connector_id: place.connector_id,
    connector_standard: connector.standard,
    connector_format: connector.format,
    connector_power_type: connector.power_type,
  };
  const up = (tariffs ?? []).flatMap((tariff, i) => log.takeAt(childPath('tariffs', i), tariff211To221(tariff, { party: owner })) ?? []);
  return log.result({
    country_code: owner.countryCode,
    party_id: owner.partyId,
    ...rest,
    end_date_time: stop_date_time,
    cdr_token: cdrToken,
    cdr_location: cdrLocation,
    ...(tariffs !== undefined && { tariffs: up }),
    charging_periods: periodsUp(charging_periods, 'charging_periods', log),
    total_cost: { excl_vat: total_cost },
  });
}

export function cdr221To211(input: unknown, options: TransactionDownOptions = {}): Mapped<Cdr211 | undefined> {
  const log = new FindingLog();
  const cdr = checkInto(CdrSchema, input, log);
  if (cdr === undefined) return log.result(undefined);
  const { cdr_location: at } = cdr;
  const location = placeDown({ location_id: at.id, evse_uid: at.evse_uid, connector_id: at.connector_id }, options.location, log);
  if (location === undefined) return log.result(undefined);
  if (cdr.id.length > 36) {
    log.invalid('id', `2.1.1 CDR ids hold 36 characters; ${cdr.id} does not fit`);
    return log.result(undefined);
  }
  const dropped: (keyof Cdr)[] = [
    'session_id', 'authorization_reference', 'signed_data', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost', 'invoice_reference_id', 'credit_reference_id', 'home_charging_compensation',
  ];
  for (const field of dropped) {
    if (cdr[field] !== undefined) log.loss(field, field === 'signed_data' ? '2.1.1 has no signed data: the Eichrecht data is lost' : `2.1.1 CDRs have no ${field}`);
  }
  if (cdr.credit === true) log.loss('credit', '2.1.1 has no credit CDRs; the negative total says it, by agreement only');
  if (cdr.auth_method === 'COMMAND') log.loss('auth_method', '2.1.1 has no COMMAND; sent as AUTH_REQUEST');
  if (cdr.total_cost.incl_vat !== undefined) log.loss('total_cost.incl_vat', '2.1.1 costs are excl. VAT only');
  const tariffs = (cdr.tariffs ?? []).flatMap((tariff, i) => log.takeAt(childPath('tariffs', i), tariff221To211(tariff)) ?? []);
  return written211(Cdr211Schema, {
    id: cdr.id,
    start_date_time: cdr.start_date_time,
    stop_date_time: cdr.end_date_time,
    auth_id: cdr.cdr_token.contract_id,
    auth_method: cdr.auth_method === 'COMMAND' ? 'AUTH_REQUEST' : cdr.auth_method,
    location,
    ...(cdr.meter_id !== undefined && { meter_id: cdr.meter_id }),
    currency: cdr.currency,
    ...(cdr.tariffs !== undefined && { tariffs }),
    charging_periods: periodsDown(cdr.charging_periods, 'charging_periods', log),
    total_cost: cdr.total_cost.excl_vat,
    total_energy: cdr.total_energy,
    total_time: cdr.total_time,
    ...(cdr.total_parking_time !== undefined && { total_parking_time: cdr.total_parking_time }),
    ...(cdr.remark !== undefined && { remark: cdr.remark }),
    last_updated: cdr.last_updated,
  }, log);
}

export function startSession211To221(input: unknown, options: TransactionUpOptions = {}): Mapped<StartSession | undefined> {
  const log = new FindingLog();
  const command = checkInto(StartSession211Schema, input, log);
  if (command === undefined) return log.result(undefined);
  const token = log.take(token211To221(command.token, options));
  return log.result(token && { ...command, token });
}

export function startSession221To211(input: unknown): Mapped<StartSession211 | undefined> {
  const log = new FindingLog();
  const command = checkInto(StartSessionSchema, input, log);
  if (command === undefined) return log.result(undefined);
  const { connector_id, authorization_reference, token: tokenIn, ...rest } = command;
  if (connector_id !== undefined) log.loss('connector_id', '2.1.1 cannot target a connector');
  if (authorization_reference !== undefined) log.loss('authorization_reference', '2.1.1 commands carry no authorization reference (kept by the bridge)');
  const token = log.take(token221To211(tokenIn));
  return written211(StartSession211Schema, token && { ...rest, token }, log);
}

export function reserveNow211To221(input: unknown, options: TransactionUpOptions = {}): Mapped<ReserveNow | undefined> {
  const log = new FindingLog();
  const command = checkInto(ReserveNow211Schema, input, log);
  if (command === undefined) return log.result(undefined);
  const token = log.take(token211To221(command.token, options));
  return log.result(token && { ...command, token, reservation_id: String(command.reservation_id) });
}

export function reserveNow221To211(input: unknown): Mapped<ReserveNow211 | undefined> {
  const log = new FindingLog();
  const command = checkInto(ReserveNowSchema, input, log);
  if (command === undefined) return log.result(undefined);
  const { authorization_reference, reservation_id, token: tokenIn, ...rest } = command;
  if (authorization_reference !== undefined) log.loss('authorization_reference', '2.1.1 commands carry no authorization reference (kept by the bridge)');
  if (!/^\d{1,9}$/.test(reservation_id)) {
    log.invalid('reservation_id', `2.1.1 reservation ids are integers; ${reservation_id} needs a number from the bridge's reservation table`);
    return log.result(undefined);
  }
  const token = log.take(token221To211(tokenIn));
  return written211(ReserveNow211Schema, token && { ...rest, token, reservation_id: Number(reservation_id) }, log);
}

/** A real-time authorization answered to a 2.1.1 CPO: the token is implied by the URL there. */
export function authorizationInfo221To211(input: unknown): Mapped<AuthorizationInfo211 | undefined> {
  const log = new FindingLog();
  const info = checkInto(AuthorizationInfoSchema, input, log);
  if (info === undefined) return log.result(undefined);
  const { token: _token, authorization_reference, ...rest } = info;
  if (authorization_reference !== undefined) log.loss('authorization_reference', '2.1.1 authorizations carry no authorization reference');
  return written211(AuthorizationInfo211Schema, rest, log);
}

/** A 2.1.1 asynchronous CommandResponse as a 2.2.1 CommandResult. */
export function commandResult211To221(input: unknown): Mapped<CommandResult | undefined> {
  const log = new FindingLog();
  const response = checkInto(CommandResponse211Schema, input, log);
  if (response === undefined) return log.result(undefined);
  if (response.result === 'UNKNOWN_SESSION') log.loss('result', '2.2.1 results have no UNKNOWN_SESSION; sent as FAILED');
  return log.result({ result: response.result === 'UNKNOWN_SESSION' ? 'FAILED' : response.result });
}

const RESULT_DOWN: Record<CommandResultType, CommandResponse211['result']> = {
  ACCEPTED: 'ACCEPTED',
  CANCELED_RESERVATION: 'REJECTED',
  EVSE_OCCUPIED: 'REJECTED',
  EVSE_INOPERATIVE: 'REJECTED',
  FAILED: 'REJECTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  REJECTED: 'REJECTED',
  TIMEOUT: 'TIMEOUT',
  UNKNOWN_RESERVATION: 'REJECTED',
};

export function commandResult221To211(input: unknown): Mapped<CommandResponse211 | undefined> {
  const log = new FindingLog();
  const result = checkInto(CommandResultSchema, input, log);
  if (result === undefined) return log.result(undefined);
  const down = RESULT_DOWN[result.result];
  if (down !== result.result) log.loss('result', `2.1.1 has no ${result.result}; sent as ${down}`);
  if (result.message !== undefined) log.loss('message', '2.1.1 command responses carry no message');
  return log.result({ result: down });
}
