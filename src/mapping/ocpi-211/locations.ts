/**
 * OCPI 2.1.1 <-> 2.2.1 for Locations (with EVSEs and connectors) and Tariffs, so the mappers are
 * written once against 2.2.1. "Up" is 2.1.1 -> 2.2.1, "down" the reverse; the rules are those of
 * ../shared/spec/ocpi.md §5.2 and §5.5, and everything one version cannot hold is a finding.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: text-characters-read-leniently, coordinates-2-1-1-decimals (src/ocpi/errata.ts).
import type { Static, TSchema } from '@sinclair/typebox';
import { childPath, FindingLog, type Mapped } from '../../core/findings';
import { fitOcpiStrings } from '../text-limits';
import { operatorOfEvseId, operatorIdToParty, type OcpiParty } from '../identifiers';
import { ocpiToOicpCoordinates } from '../coordinates';
import { zoneAt } from '../time-zone';
import { brokenAt, check, soundItems } from '../../core/typebox';
import {
  CAPABILITIES_211,
  CONNECTOR_TYPES_211,
  FACILITIES_211,
  checkLocation,
  Connector as ConnectorSchema,
  Connector211 as Connector211Schema,
  Evse as EvseSchema,
  Evse211 as Evse211Schema,
  Location211 as Location211Schema,
  Tariff as TariffSchema,
  Tariff211 as Tariff211Schema,
  type Connector,
  type Connector211,
  type EnergyMix,
  type EnergyMix211,
  type Evse,
  type Evse211,
  type Hours,
  type Hours211,
  type Location,
  type Location211,
  type Tariff,
  type Tariff211,
} from '../../ocpi/wire/schemas';

interface UpOptions {
  /** The owner, which 2.1.1 objects do not name (it is in the URL); by default read from an EVSE id. */
  party?: OcpiParty;
  /** IANA zone of the owner, for 2.1.1 locations without time_zone (mandatory in 2.2.1). */
  timeZoneOf?: (party: OcpiParty) => string | undefined;
}

const LOCATION_TYPE_UP: Record<Location211['type'], Location['parking_type'] | null> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
  OTHER: null,
  UNKNOWN: null,
};

const renameImpact = <F extends string, T extends string>(mix: { environ_impact?: ({ amount: number } & Record<F, string>)[] }, from: F, to: T) =>
  mix.environ_impact?.map((impact) => ({ [to]: impact[from], amount: impact.amount }));

function energyMixUp(mix: EnergyMix211): EnergyMix {
  const { environ_impact: _impact, ...rest } = mix;
  const impact = renameImpact(mix, 'source', 'category') as EnergyMix['environ_impact'];
  return impact ? { ...rest, environ_impact: impact } : rest;
}

function energyMixDown(mix: EnergyMix): EnergyMix211 {
  const { environ_impact: _impact, ...rest } = mix;
  const impact = renameImpact(mix, 'category', 'source') as EnergyMix211['environ_impact'];
  return impact ? { ...rest, environ_impact: impact } : rest;
}

/** A connector, or the fields of a connector PATCH, renamed up. */
export function connectorUp(connector: Partial<Connector211>): Partial<Connector> {
  const { voltage, amperage, tariff_id, ...rest } = connector;
  return {
    ...rest,
    ...(voltage !== undefined && { max_voltage: voltage }),
    ...(amperage !== undefined && { max_amperage: amperage }),
    ...(tariff_id !== undefined && { tariff_ids: [tariff_id] }),
  };
}

function partyOf(location: Location211, options: UpOptions, log: FindingLog): OcpiParty | undefined {
  if (options.party) return options.party;
  for (const evse of location.evses ?? []) {
    const operator = evse.evse_id === undefined ? undefined : operatorOfEvseId(evse.evse_id);
    const party = operator === undefined ? undefined : operatorIdToParty(operator).value;
    if (party) {
      log.defaulted('country_code', `2.1.1 locations do not name their owner; ${party.countryCode}/${party.partyId} read from evse_id ${evse.evse_id!}`);
      return party;
    }
  }
  log.invalid('country_code', '2.2.1 needs country_code and party_id; 2.1.1 carries them in the URL only (give the party)');
  return undefined;
}

function hoursUp(hours: Hours211): Hours {
  return { ...hours, twentyfourseven: hours.twentyfourseven ?? false };
}

export function location211To221(input: unknown, options: UpOptions = {}): Mapped<Location | undefined> {
  const log = new FindingLog();
  const checked = check(Location211Schema, input);
  log.findings.push(...checked.findings);
  if (brokenAt(checked.refused, '', ['evses'])) return log.result(undefined);
  const source = checked.value;
  const party = partyOf(source, options, log);
  const configured = source.time_zone === undefined ? party && options.timeZoneOf?.(party) : undefined;
  const derived = source.time_zone === undefined && configured === undefined ? zoneAt(source.coordinates.latitude, source.coordinates.longitude) : undefined;
  const timeZone = source.time_zone ?? configured ?? derived;
  if (timeZone === undefined) log.invalid('time_zone', '2.2.1 needs time_zone; the 2.1.1 location has none, no default zone is given and none is found at its coordinates');
  else if (configured !== undefined) log.defaulted('time_zone', `2.1.1 location without time_zone; ${timeZone} from the mapping rules`);
  else if (derived !== undefined) log.defaulted('time_zone', `2.1.1 location without time_zone; ${timeZone} derived from its coordinates`);
  if (party === undefined || timeZone === undefined) return log.result(undefined);

  const { type, evses, opening_times, energy_mix, ...common } = source;
  const location: Location = { country_code: party.countryCode, party_id: party.partyId, ...common, publish: true, time_zone: timeZone };
  const parking = LOCATION_TYPE_UP[type];
  if (parking) location.parking_type = parking;
  else log.loss('type', `2.2.1 has no parking type ${type}`);
  if (opening_times) location.opening_times = hoursUp(opening_times);
  if (energy_mix) location.energy_mix = energyMixUp(energy_mix);
  if (evses) location.evses = soundItems(checked.refused, evses, 'evses', ['connectors']).flatMap(({ item, path }) => evseUp(item, checked.refused, path, log) ?? []);
  return log.result(location);
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A 2.1.1 location PATCH's members under their 2.2.1 names. Members of the wrong shape are passed
 * on unchanged, for the schema check that follows to name them.
 */
export function locationPatchUp(changes: Record<string, unknown>, log: FindingLog): Record<string, unknown> {
  const { type, opening_times, energy_mix, evses, ...rest } = changes;
  const up: Record<string, unknown> = { ...rest };
  if (type !== undefined) {
    const parking = LOCATION_TYPE_UP[type as Location211['type']];
    if (parking) up.parking_type = parking;
    else log.loss('type', `2.2.1 has no parking type ${JSON.stringify(type)}`);
  }
  if (opening_times !== undefined) up.opening_times = isObject(opening_times) ? hoursUp(opening_times) : opening_times;
  if (energy_mix !== undefined) up.energy_mix = isObject(energy_mix) ? energyMixUp(energy_mix as EnergyMix211) : energy_mix;
  if (evses !== undefined) up.evses = Array.isArray(evses) ? evses.flatMap((evse, i) => log.takeAt(childPath('evses', i), evse211To221(evse)) ?? []) : evses;
  return up;
}

/** An EVSE raised to 2.2.1 with its sound connectors; none left, no EVSE. */
function evseUp(evse: Evse211, refused: readonly string[], path: string, log: FindingLog): Evse | undefined {
  const connectors = soundItems(refused, evse.connectors, childPath(path, 'connectors')).map(({ item }) => connectorUp(item) as Connector);
  if (connectors.length > 0) return { ...evse, connectors };
  log.loss(path, 'no valid connector left; the EVSE is not carried');
  return undefined;
}

/** A 2.1.1 EVSE on its own (an EVSE-level PUT) as 2.2.1. */
export function evse211To221(input: unknown): Mapped<Evse | undefined> {
  const log = new FindingLog();
  const checked = check(Evse211Schema, input);
  log.findings.push(...checked.findings);
  return log.result(brokenAt(checked.refused, '', ['connectors']) ? undefined : evseUp(checked.value, checked.refused, '', log));
}

/** A 2.1.1 connector on its own (a connector-level PUT) as 2.2.1. */
export function connector211To221(input: unknown): Mapped<Connector | undefined> {
  const log = new FindingLog();
  const checked = check(Connector211Schema, input);
  log.findings.push(...checked.findings);
  return log.result(checked.refused.length > 0 ? undefined : (connectorUp(checked.value) as Connector));
}

const LOCATION_TYPE_DOWN: Record<NonNullable<Location['parking_type']>, Location211['type']> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
  ALONG_MOTORWAY: 'OTHER',
  ON_DRIVEWAY: 'OTHER',
};

function hoursDown(hours: Hours): Hours211 {
  const { twentyfourseven, regular_hours, ...exceptions } = hours;
  return twentyfourseven ? { twentyfourseven, ...exceptions } : { regular_hours: regular_hours ?? [], ...exceptions };
}

/** Drops list values 2.1.1 does not know, reporting each. */
function known<T extends string>(values: readonly string[] | undefined, allowed: readonly T[], path: string, what: string, log: FindingLog): T[] | undefined {
  if (values === undefined) return undefined;
  const kept = values.filter((value, i): value is T => {
    const ok = (allowed as readonly string[]).includes(value);
    if (!ok) log.loss(childPath(path, i), `2.1.1 has no ${what} ${value}`);
    return ok;
  });
  return kept;
}

function connectorDown(connector: Connector, path: string, log: FindingLog): Connector211 | undefined {
  const { max_voltage, max_amperage, max_electric_power, tariff_ids, power_type, standard, ...rest } = connector;
  if (!(CONNECTOR_TYPES_211 as readonly string[]).includes(standard)) return void log.loss(childPath(path, 'standard'), `2.1.1 has no connector standard ${standard}; the connector is not carried`);
  const down: Connector211 = { ...rest, standard: standard as Connector211['standard'], power_type: power_type === 'AC_2_PHASE' || power_type === 'AC_2_PHASE_SPLIT' ? 'AC_1_PHASE' : power_type, voltage: max_voltage, amperage: max_amperage };
  if (down.power_type !== power_type) log.loss(childPath(path, 'power_type'), `2.1.1 has no ${power_type}; sent as AC_1_PHASE`);
  if (max_electric_power !== undefined) log.loss(childPath(path, 'max_electric_power'), '2.1.1 has no max_electric_power');
  if (tariff_ids && tariff_ids.length > 0) {
    down.tariff_id = tariff_ids[0];
    if (tariff_ids.length > 1) log.loss(childPath(path, 'tariff_ids'), `2.1.1 has one tariff_id per connector; ${tariff_ids[0]} is kept`);
  }
  return down;
}

const ASCII = /^[\x20-\x7E]*$/;
/** Letters that are not a base letter with accents, so decomposition does not reach ASCII: written as they are spelt without. */
const LETTERS_WITHOUT_ACCENT: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', þ: 'th', ð: 'd', Æ: 'AE', Ø: 'O', Œ: 'OE', Ł: 'L', Đ: 'D', Þ: 'TH',
};
const FRACTION_OR_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]00:00)?$/;

/**
 * 2.1.1 strings are printable ASCII and its DateTimes have no fraction: transliterates letters with
 * accents ("Malmö" -> "Malmo"), drops what is left, and writes DateTimes as `...:ssZ`. Every object and
 * PATCH body written to a 2.1.1 peer passes here last.
 */
export function asciiDown<T>(value: T, path: string, log: FindingLog): T {
  if (typeof value === 'string') {
    const time = FRACTION_OR_OFFSET.exec(value);
    if (time) return `${time[1]!}Z` as T;
    if (ASCII.test(value)) return value;
    const ascii = value
      .replace(/[ßæøœłđþðÆØŒŁĐÞ]/g, (letter) => LETTERS_WITHOUT_ACCENT[letter]!)
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      // A tab or line break separates words: it becomes a space, as in 2.2.1 text, not nothing.
      .replace(/[\t\r\n]+/g, ' ')
      .replace(/[^\x20-\x7E]/g, '');
    log.loss(path, `2.1.1 strings are ASCII: "${value}" sent as "${ascii}"`);
    return ascii as T;
  }
  if (Array.isArray(value)) return (value as unknown[]).map((item, i) => asciiDown(item, childPath(path, i), log)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asciiDown(v, childPath(path, k), log)])) as T;
  }
  return value;
}

/**
 * The last step of every object written to a 2.1.1 peer: its character set and DateTime form
 * (asciiDown), then each string fitted to its 2.1.1 field (fitOcpiStrings).
 */
export function written211<S extends TSchema>(schema: S, value: Static<S> | undefined, log: FindingLog): Mapped<Static<S> | undefined> {
  return log.result(value === undefined ? undefined : log.take(fitOcpiStrings(schema, asciiDown(value, '', log), '2.1.1')));
}

export function location221To211(input: unknown): Mapped<Location211 | undefined> {
  const log = new FindingLog();
  const checked = checkLocation(input, log);
  if (checked === undefined) return log.result(undefined);
  const source = checked.location;
  if (!source.publish) {
    log.loss('publish', '2.1.1 has no visibility control; an unpublished location is not sent to a 2.1.1 peer');
    return log.result(undefined);
  }
  const { country_code: _cc, party_id: _pid, publish: _publish, publish_allowed_to: _allowed, parking_type, state, postal_code, evses: _evses, opening_times, energy_mix, facilities, coordinates, ...common } = source;
  const location: Location211 = { ...common, type: parking_type ? LOCATION_TYPE_DOWN[parking_type] : 'UNKNOWN', postal_code: postal_code ?? '', coordinates };
  if (parking_type === 'ALONG_MOTORWAY' || parking_type === 'ON_DRIVEWAY') log.loss('parking_type', `2.1.1 has no location type ${parking_type}; sent as OTHER`);
  if (postal_code === undefined) log.defaulted('postal_code', '2.1.1 requires postal_code; sent empty');
  if (state !== undefined) log.loss('state', '2.1.1 has no state');
  const six = ocpiToOicpCoordinates(coordinates).value?.DecimalDegree;
  if (six) location.coordinates = { latitude: six.Latitude, longitude: six.Longitude };
  if (opening_times) location.opening_times = hoursDown(opening_times);
  if (energy_mix) location.energy_mix = energyMixDown(energy_mix);
  const keptFacilities = known(facilities, FACILITIES_211, 'facilities', 'facility', log);
  if (keptFacilities) location.facilities = keptFacilities;
  if (source.evses) location.evses = checked.evses.flatMap(({ item, path }) => evseDown(item, checked.refused, path, log) ?? []);
  return written211(Location211Schema, location, log);
}

/** An EVSE lowered to 2.1.1 with the connectors 2.1.1 can describe; none left, no EVSE. */
function evseDown(evse: Evse, refused: readonly string[], path: string, log: FindingLog): Evse211 | undefined {
  const connectors = soundItems(refused, evse.connectors, childPath(path, 'connectors')).flatMap(({ item, path: at }) => connectorDown(item, at, log) ?? []);
  if (connectors.length === 0) {
    log.loss(path, 'no connector 2.1.1 can describe; the EVSE is not carried');
    return undefined;
  }
  const down: Evse211 = { ...evse, connectors, capabilities: known(evse.capabilities, CAPABILITIES_211, childPath(path, 'capabilities'), 'capability', log) };
  if (down.capabilities === undefined) delete down.capabilities;
  return down;
}

/**
 * A 2.2.1 location PATCH body as a 2.1.1 peer reads it at its level (location, EVSE or connector): the
 * members renamed and lowered like whole objects, then in 2.1.1's character set and DateTime form.
 */
export function locationPatch221To211(level: 'location' | 'evse' | 'connector', changes: Record<string, unknown>): Mapped<Record<string, unknown>> {
  const log = new FindingLog();
  const down: Record<string, unknown> = { ...changes };
  if (level === 'location') {
    const { parking_type, opening_times, energy_mix, state, publish, publish_allowed_to, country_code: _cc, party_id: _pid, facilities } = changes;
    delete down.parking_type;
    delete down.country_code;
    delete down.party_id;
    if (parking_type !== undefined) down.type = LOCATION_TYPE_DOWN[parking_type as NonNullable<Location['parking_type']>] ?? 'OTHER';
    if (isObject(opening_times)) down.opening_times = hoursDown(opening_times as Hours);
    if (isObject(energy_mix)) down.energy_mix = energyMixDown(energy_mix as EnergyMix);
    if (Array.isArray(facilities)) down.facilities = known(facilities as string[], FACILITIES_211, 'facilities', 'facility', log);
    for (const [field, value] of [['state', state], ['publish', publish], ['publish_allowed_to', publish_allowed_to]] as const) {
      if (value === undefined) continue;
      delete down[field];
      log.loss(field, `2.1.1 locations have no ${field}`);
    }
  }
  if (level === 'evse' && Array.isArray(changes.capabilities)) down.capabilities = known(changes.capabilities as string[], CAPABILITIES_211, 'capabilities', 'capability', log);
  if (level === 'connector') {
    const { max_voltage, max_amperage, max_electric_power, tariff_ids } = changes;
    for (const key of ['max_voltage', 'max_amperage', 'max_electric_power', 'tariff_ids']) delete down[key];
    if (max_voltage !== undefined) down.voltage = max_voltage;
    if (max_amperage !== undefined) down.amperage = max_amperage;
    if (Array.isArray(tariff_ids) && tariff_ids.length > 0) down.tariff_id = tariff_ids[0];
    if (max_electric_power !== undefined) log.loss('max_electric_power', '2.1.1 has no max_electric_power');
    if (Array.isArray(tariff_ids) && tariff_ids.length > 1) log.loss('tariff_ids', `2.1.1 has one tariff_id per connector; ${String(tariff_ids[0])} is kept`);
  }
  const schema = level === 'location' ? Location211Schema : level === 'evse' ? Evse211Schema : Connector211Schema;
  return log.result(log.take(fitOcpiStrings(schema, asciiDown(down, '', log), '2.1.1')));
}

/** A 2.2.1 EVSE on its own (an EVSE-level GET from a 2.1.1 peer) as 2.1.1. */
export function evse221To211(input: unknown): Mapped<Evse211 | undefined> {
  const log = new FindingLog();
  const checked = check(EvseSchema, input);
  log.findings.push(...checked.findings);
  if (brokenAt(checked.refused, '', ['connectors'])) return log.result(undefined);
  const down = evseDown(checked.value, checked.refused, '', log);
  return written211(Evse211Schema, down, log);
}

/** A 2.2.1 connector on its own as 2.1.1. */
export function connector221To211(input: unknown): Mapped<Connector211 | undefined> {
  const log = new FindingLog();
  const checked = check(ConnectorSchema, input);
  log.findings.push(...checked.findings);
  return written211(Connector211Schema, checked.refused.length > 0 ? undefined : connectorDown(checked.value, '', log), log);
}

/** Said whenever a tariff with several elements crosses between the versions. */
const ELEMENT_SELECTION =
  '2.1.1 applies the first matching element, 2.2.1 the first matching element per dimension; prices can differ when elements price different dimensions';

export function tariff211To221(input: unknown, options: UpOptions = {}): Mapped<Tariff | undefined> {
  const log = new FindingLog();
  const checked = check(Tariff211Schema, input);
  log.findings.push(...checked.findings);
  if (brokenAt(checked.refused, '')) return log.result(undefined);
  if (options.party === undefined) {
    log.invalid('country_code', '2.2.1 needs country_code and party_id; 2.1.1 carries them in the URL only (give the party)');
    return log.result(undefined);
  }
  const tariff = checked.value;
  if (tariff.elements.length > 1) {
    log.loss('elements', ELEMENT_SELECTION);
  }
  const { energy_mix, ...rest } = tariff;
  const up: Tariff = { country_code: options.party.countryCode, party_id: options.party.partyId, ...rest };
  if (energy_mix) up.energy_mix = energyMixUp(energy_mix);
  return log.result(up);
}

export function tariff221To211(input: unknown): Mapped<Tariff211 | undefined> {
  const log = new FindingLog();
  const checked = check(TariffSchema, input);
  log.findings.push(...checked.findings);
  if (brokenAt(checked.refused, '')) return log.result(undefined);
  const { country_code: _cc, party_id: _pid, type, min_price, max_price, start_date_time, end_date_time, elements, energy_mix, ...rest } = checked.value;
  const lost: [string, unknown, string][] = [
    ['type', type, '2.1.1 tariffs have no type (ad hoc, profile)'],
    ['min_price', min_price, '2.1.1 has no minimum price'],
    ['max_price', max_price, '2.1.1 has no maximum price'],
    ['start_date_time', start_date_time, '2.1.1 tariffs have no validity period'],
    ['end_date_time', end_date_time, '2.1.1 tariffs have no validity period'],
  ];
  for (const [field, value, why] of lost) if (value !== undefined) log.loss(field, why);
  const down: Tariff211['elements'] = [];
  elements.forEach((element, i) => {
    const at = childPath('elements', i);
    const { min_current, max_current, reservation, ...restrictions } = element.restrictions ?? {};
    if (reservation !== undefined) return log.loss(at, `2.1.1 has no reservation tariffs (${reservation}); the element is not carried`);
    if (min_current !== undefined || max_current !== undefined) log.loss(childPath(at, 'restrictions'), '2.1.1 restrictions have no current bands');
    const components = element.price_components.map(({ vat, ...component }, j) => {
      if (vat !== undefined) log.loss(childPath(childPath(childPath(at, 'price_components'), j), 'vat'), '2.1.1 has no VAT rate per component');
      return component;
    });
    down.push(Object.keys(restrictions).length > 0 || element.restrictions === undefined ? { price_components: components, ...(element.restrictions && { restrictions }) } : { price_components: components });
  });
  if (down.length === 0) {
    log.loss('elements', 'no element 2.1.1 can hold; the tariff is not carried');
    return log.result(undefined);
  }
  if (down.length > 1) log.loss('elements', ELEMENT_SELECTION);
  const tariff: Tariff211 = { ...rest, elements: down };
  if (energy_mix) tariff.energy_mix = energyMixDown(energy_mix);
  return written211(Tariff211Schema, tariff, log);
}
