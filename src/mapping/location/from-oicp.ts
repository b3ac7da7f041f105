/**
 * OICP EvseDataRecords -> OCPI Locations: records are grouped into locations by ChargingPoolID, else
 * ChargingStationID, else address and coordinates, deriving the location id the other direction
 * (to-oicp.ts) writes; each record becomes an EVSE with its connectors. Also how a session or CDR from
 * OICP finds its EVSE and connector in a cached location.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: charging-station-id-spelling (src/oicp/errata.ts).
import { createHash } from 'node:crypto';
import type { Connector, DisplayText, Evse, Image, Location } from '../../ocpi/wire/schemas';
import { Location as LocationSchema } from '../../ocpi/wire/schemas';
import { EvseDataRecords, type EvseDataRecord, type InfoText } from '../../oicp/wire/schemas';
import { check, soundItems } from '../../core/typebox';
import { oicpToOcpiAccess } from '../accessibility';
import { oicpToOcpiAddress } from '../address';
import { oicpToOcpiCapabilities } from '../capabilities';
import { oicpFacilityToOcpi } from '../charging-facility';
import { oicpToOcpiCoordinates } from '../coordinates';
import { oicpEnergyToOcpi } from '../energy-mix';
import { type Finding, type FindingKind, type FindingLog, type Mapped } from '../../core/findings';
import { CountedFindings, ListedFindings, type FindingSink } from '../finding-sink';
import { recurringPath } from '../recurring-text';
import { hubjectEvseIdOf, oicpEvseIdToOcpi, operatorOfEvseId } from '../identifiers';
import { oicpOpeningToOcpi } from '../opening-times';
import { currentOf, oicpToOcpiConnector, plugCurrent, type PlugCurrent } from '../plug';
import { DEFAULT_LANGUAGE, evseDefaults, NO_RULES, operatorParty, type MappingRules } from '../rules';
import { sameJson } from '../same-json';
import { fitOcpiStrings } from '../text-limits';
import { oicpTimeZoneToOcpi } from '../time-zone';

const POOL_ID = /^[A-Za-z]{2}\*?[A-Za-z0-9]{3}\*?P(.+)$/;
const OCPI_ID_MAX = 36;
const toDisplayText = (texts: readonly InfoText[] | undefined): DisplayText[] | undefined =>
  texts && texts.length > 0 ? texts.map((t) => ({ language: t.lang.slice(0, 2), text: t.value })) : undefined;

export interface OicpToLocationOptions {
  rules?: MappingRules;
  /** The operator of records that do not name one (pushed records); pulled records carry OperatorID. */
  operatorId?: string;
  operatorName?: string;
  /** Stands for last_updated where Hubject gave no lastUpdate, and for the time zone offset. */
  now: Date;
  /** Correlations known to the caller. */
  locationIds?: Readonly<Record<string, string>>;
  evseUids?: Readonly<Record<string, string>>;
}

interface Group {
  key: string;
  kind: 'pool' | 'station' | 'address';
  members: { record: EvseDataRecord; path: string }[];
}

/** The grouping key of a record: the location it belongs to. */
function groupOf(record: EvseDataRecord): Pick<Group, 'key' | 'kind'> {
  if (record.ChargingPoolID !== undefined) return { key: `pool:${record.ChargingPoolID}`, kind: 'pool' };
  const station = record.ChargingStationID ?? record.ChargingStationId;
  if (station !== undefined) return { key: `station:${station}`, kind: 'station' };
  const a = record.Address;
  return { key: `address:${JSON.stringify([a.Country, a.City, a.PostalCode, a.Street, a.HouseNum, record.GeoCoordinates])}`, kind: 'address' };
}

/** How a finding's path is made from its parent's and a key. */
type PathOf = (parent: string, key: string | number) => string;

/**
 * A field's path, one string per (parent, key) while it recurs (recurringPath): every record of a
 * page logs some 16 findings at the same fields of `[i]`, and a path built anew must be joined and
 * hashed by FindingLog's table of shared strings first (a fifth of this mapper's time on a pulled page).
 */
const listedPath: PathOf = recurringPath;

/**
 * The counted form's paths: none, as counting by kind never reads one. Built, a pulled page's paths
 * (`[1234].Plugs[0]`, some 30 per record) cost their joins and lookups, and filled both tables of
 * recurring strings (recurringPath's and the findings' shared ones) with a page's worth of them,
 * kept from page to page: live heap the pull's process carried for nothing, which V8 lets the heap
 * grow to several times before it collects.
 */
const noPath: PathOf = () => '';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

function locationIdOf(group: Group, first: EvseDataRecord): string {
  if (group.kind === 'pool') {
    const suffix = POOL_ID.exec(first.ChargingPoolID!)?.[1];
    if (suffix !== undefined && suffix.length <= OCPI_ID_MAX) return suffix;
  }
  if (group.kind === 'station') {
    const station = (first.ChargingStationID ?? first.ChargingStationId)!;
    if (station.length <= OCPI_ID_MAX) return station;
  }
  return `L${shortHash(group.key)}`;
}

export function oicpEvseDataToLocations(input: unknown, options: OicpToLocationOptions): Mapped<Location[]> {
  const checked = check(EvseDataRecords, input);
  const log = new ListedFindings();
  const value = recordsToLocations(soundItems(checked.refused, checked.value, ''), options, log, listedPath);
  return { value, findings: [...checked.findings, ...log.findings] };
}

/**
 * The same for records already checked against EvseDataRecord: a pulled page, which the OICP client
 * refuses whole when it breaks the schema. Checking it again was a seventh of this mapper's time.
 */
export function checkedEvseDataToLocations(records: readonly EvseDataRecord[], options: OicpToLocationOptions): Mapped<Location[]> {
  const log = new ListedFindings();
  return log.result(recordsToLocations(pathed(records, listedPath), options, log, listedPath));
}

/**
 * The same, the findings counted by kind instead of listed: the network pull's form, which only
 * counts them (a pulled record brings some 16); `evseDataFindingsAbout` lists those it needs. The
 * locations are made one at a time as the caller takes them, and `counts` is complete once it took
 * the last: the pull stores each as it is made, so a location is garbage before the next young
 * collection instead of living, with the page's others, until the page is stored (long enough to be
 * copied to the old generation, whose growth sets the process's memory).
 */
export function countedEvseDataToLocations(records: readonly EvseDataRecord[], options: OicpToLocationOptions): { value: Iterable<Location>; counts: Record<FindingKind, number> } {
  const counts = new CountedFindings();
  return { value: eachLocation(pathed(records, noPath), options, counts, noPath), counts: counts.counts };
}

/**
 * The findings `checkedEvseDataToLocations` lists about the locations that hold the given EvseIDs,
 * as it would list them mapping the whole page (same paths, same subjects): locations are mapped
 * each on its own, so mapping theirs again is enough.
 */
export function evseDataFindingsAbout(records: readonly EvseDataRecord[], evseIds: ReadonlySet<string>, options: OicpToLocationOptions): Finding[] {
  const groups = groupsOf(pathed(records, listedPath));
  const log = new ListedFindings();
  for (const group of groups) if (group.members.some((m) => evseIds.has(m.record.EvseID))) groupToLocation(group, options.rules ?? NO_RULES, options, log, listedPath);
  return log.findings;
}

/** A page's records with their paths in it. */
const pathed = (records: readonly EvseDataRecord[], at: PathOf) => records.map((record, index) => ({ item: record, path: at('', index) }));

function groupsOf(records: readonly { item: EvseDataRecord; path: string }[]): Group[] {
  const groups = new Map<string, Group>();
  for (const { item: record, path } of records) {
    const { key, kind } = groupOf(record);
    const group = groups.get(key) ?? { key, kind, members: [] };
    group.members.push({ record, path });
    groups.set(key, group);
  }
  return [...groups.values()];
}

function recordsToLocations(records: readonly { item: EvseDataRecord; path: string }[], options: OicpToLocationOptions, log: FindingSink, at: PathOf): Location[] {
  return [...eachLocation(records, options, log, at)];
}

function* eachLocation(records: readonly { item: EvseDataRecord; path: string }[], options: OicpToLocationOptions, log: FindingSink, at: PathOf): Generator<Location> {
  const rules = options.rules ?? NO_RULES;
  for (const group of groupsOf(records)) {
    const location = groupToLocation(group, rules, options, log, at);
    if (location) yield location;
  }
}

/** Hubject's lastUpdate of a pulled record in ms, when it is a readable time. */
function lastUpdateOf(record: EvseDataRecord): number | undefined {
  const time = record.lastUpdate === undefined ? NaN : Date.parse(record.lastUpdate);
  return Number.isNaN(time) ? undefined : time;
}

const LOCATION_FIELDS = ['Address', 'IsOpen24Hours', 'OpeningTimes', 'ChargingStationNames', 'RenewableEnergy', 'EnergySource', 'EnvironmentalImpact', 'AccessibilityLocation'] as const;

function groupToLocation(group: Group, rules: MappingRules, options: OicpToLocationOptions, log: FindingSink, at: PathOf): Location | undefined {
  const { record: first, path: base } = group.members[0]!;
  const operatorId = first.OperatorID ?? options.operatorId ?? operatorOfEvseId(first.EvseID)!;
  const defaults = evseDefaults(rules, operatorId);
  const party = log.take(operatorParty(rules, operatorId, at(base, 'OperatorID')));
  if (party === undefined) return undefined;
  const stamps = group.members.map((m) => lastUpdateOf(m.record)).filter((t) => t !== undefined);
  const lastUpdated = stamps.length > 0 ? new Date(Math.max(...stamps)) : options.now;
  const address = log.take(oicpToOcpiAddress(first.Address, at(base, 'Address')));
  const coordinates = log.take(oicpToOcpiCoordinates(first.GeoCoordinates, at(base, 'GeoCoordinates')));
  if (coordinates === undefined) return undefined;
  // Floor belongs to the EVSE; everything else here describes the location and should agree.
  for (const field of LOCATION_FIELDS) {
    const differing = group.members.find((m) => !sameJson(m.record[field], first[field], field === 'Address' ? 'Floor' : undefined));
    if (differing) log.loss(at(differing.path, field), `records of one location disagree on ${field}; the first record's value is used`);
  }

  const location: Location = {
    country_code: party.countryCode,
    party_id: party.partyId,
    id: options.locationIds?.[group.key] ?? locationIdOf(group, first),
    publish: true,
    ...address,
    coordinates,
    time_zone: log.take(oicpTimeZoneToOcpi({ offset: first.Address.TimeZone, coordinates, configured: defaults.timeZone }, options.now, at(base, 'Address.TimeZone'))),
    last_updated: lastUpdated.toISOString(),
  };
  if (group.kind === 'pool' && !first.ChargingPoolID!.toUpperCase().startsWith(`${operatorId.toUpperCase()}*P`)) {
    log.loss(at(base, 'ChargingPoolID'), `the pool id is read back as <OperatorID>*P<location id> (${operatorId}*P${location.id})`);
  }
  const name = first.ChargingStationNames.find((n) => n.lang === (defaults.language ?? DEFAULT_LANGUAGE)) ?? first.ChargingStationNames[0];
  if (name) location.name = name.value;
  if (first.ChargingStationNames.length > 1) log.loss(at(base, 'ChargingStationNames'), 'OCPI has one location name without language; the others are not carried');
  const parking = log.take(oicpToOcpiAccess(first, base)).parking_type;
  if (parking) location.parking_type = parking;
  if (first.GeoChargingPointEntrance) {
    const entrance = log.take(oicpToOcpiCoordinates(first.GeoChargingPointEntrance, at(base, 'GeoChargingPointEntrance')));
    if (entrance) location.related_locations = [entrance];
  }
  const directions = toDisplayText(first.ChargingStationLocationReference);
  if (directions) location.directions = directions;
  const operatorName = first.OperatorName ?? options.operatorName ?? defaults.operatorName;
  if (operatorName !== undefined) location.operator = { name: operatorName };
  if (first.SubOperatorName !== undefined) location.suboperator = { name: first.SubOperatorName };
  const hours = log.take(oicpOpeningToOcpi(first, base));
  if (hours) location.opening_times = hours;
  location.energy_mix = log.take(oicpEnergyToOcpi(first, base));
  location.evses = [];
  for (const { record, path } of group.members) {
    // Each finding names its EVSE and operator, so the operator can be shown what did not reach the backend.
    const { value: evse, refused } = log.about({ operatorId, evseId: record.EvseID }, (evseLog) => recordToEvse(record, path, coordinates, lastUpdated, options, evseLog, at));
    if (evse !== undefined && !refused) location.evses.push(evse);
  }
  return log.take(fitOcpiStrings(LocationSchema, location, '2.2.1', base));
}

function recordToEvse(
  record: EvseDataRecord,
  path: string,
  locationCoordinates: { latitude: string; longitude: string },
  lastUpdated: Date,
  options: OicpToLocationOptions,
  log: FindingSink,
  at: PathOf,
): Evse | undefined {
  const stamp = new Date(lastUpdateOf(record) ?? lastUpdated).toISOString();
  const uid = options.evseUids?.[record.EvseID] ?? (record.EvseID.length <= OCPI_ID_MAX ? record.EvseID : `E${shortHash(record.EvseID)}`);
  const connectors = recordConnectors(record, path, stamp, log, at);
  if (connectors.length === 0) return void log.loss(path, `EVSE ${record.EvseID}: no plug has an OCPI connector standard (OCPI needs one); the EVSE is not carried`);
  // The ISO form only where the uid keeps Hubject's spelling for the messages back (hubjectEvseIdOf).
  const evseId = uid === record.EvseID ? log.take(oicpEvseIdToOcpi(record.EvseID, at(path, 'EvseID'))) : record.EvseID;
  const evse: Evse = {
    uid,
    evse_id: evseId,
    status: record.deltaType === 'delete' ? 'REMOVED' : 'UNKNOWN',
    connectors,
    last_updated: stamp,
  };
  if (record.deltaType !== 'delete') log.defaulted(path, 'EVSE data carries no status; UNKNOWN until an EVSE status record arrives');
  const capabilities = log.take(oicpToOcpiCapabilities(record, path));
  if (capabilities.length > 0) evse.capabilities = capabilities;
  if (record.Address.Floor !== undefined) evse.floor_level = record.Address.Floor;
  const coordinates = log.take(oicpToOcpiCoordinates(record.GeoCoordinates, at(path, 'GeoCoordinates')));
  if (coordinates && (coordinates.latitude !== locationCoordinates.latitude || coordinates.longitude !== locationCoordinates.longitude)) evse.coordinates = coordinates;
  const directions = toDisplayText(record.AdditionalInfo);
  if (directions) evse.directions = directions;
  if (record.ChargingStationImage !== undefined) evse.images = [imageOf(record.ChargingStationImage, at(path, 'ChargingStationImage'), log)];
  if (record.ChargingPoolID !== undefined && (record.ChargingStationID ?? record.ChargingStationId) !== undefined) {
    log.loss(at(path, 'ChargingStationID'), 'OCPI has no charging station between location and EVSE; the pool is the location');
  }
  if (!record.GeoCoordinates.DecimalDegree) log.loss(at(path, 'GeoCoordinates'), 'the coordinate encoding is not kept; read back as DecimalDegree');
  if (record.GeoChargingPointEntrance && !record.GeoChargingPointEntrance.DecimalDegree) {
    log.loss(at(path, 'GeoChargingPointEntrance'), 'the coordinate encoding is not kept; read back as DecimalDegree');
  }
  log.loss(at(path, 'HotlinePhoneNumber'), 'OCPI has no hotline number; the way back takes the operator default');
  const lost: [keyof EvseDataRecord, string][] = [
    ['deltaType', 'assigned by Hubject to pulled records'],
    ['lastUpdate', 'assigned by Hubject; read as last_updated'],
    ['HardwareManufacturer', 'OCPI has no hardware manufacturer'],
    ['DynamicPowerLevel', 'OCPI has no dynamic power level flag'],
    ['MaxCapacity', 'OCPI has no storage capacity'],
    ['HubOperatorID', 'OCPI has no hub operator'],
    ['ClearinghouseID', 'OCPI has no clearing house'],
  ];
  for (const [field, why] of lost) if (record[field] !== undefined) log.loss(at(path, field), why);
  if (record.CalibrationLawDataAvailability !== 'Not Available') log.loss(at(path, 'CalibrationLawDataAvailability'), 'OCPI EVSEs do not say where calibration law data is (CDRs carry signed data)');
  if (!record.IsHubjectCompatible) log.loss(at(path, 'IsHubjectCompatible'), 'OCPI has no "not remotely startable through the hub" flag');
  if (record.DynamicInfoAvailable === 'false') log.loss(at(path, 'DynamicInfoAvailable'), 'OCPI has no "no live status" flag');
  return evse;
}

function imageOf(url: string, path: string, log: FindingSink): Image {
  let file = '';
  try {
    file = new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    log.loss(path, 'not a URL');
  }
  const extension = /\.([A-Za-z0-9]{1,4})$/.exec(file)?.[1]?.toLowerCase();
  if (extension === undefined) log.defaulted(path, 'OCPI needs the image type; the URL has no extension, "jpeg" assumed');
  log.defaulted(path, 'OICP does not say what the image shows; category CHARGER assumed');
  return { url, category: 'CHARGER', type: extension ?? 'jpeg' };
}

/**
 * One connector per plug, each with the ChargingFacility of its current type: DC plugs (CCS, CHAdeMO)
 * take the DC facilities, AC plugs the AC ones, in order within that type; a plug of either type
 * (Tesla) takes the facility at its own position. A plug with fewer facilities of its type than plugs
 * shares the last one, and says so; a plug with none of its type is not carried.
 */
function recordConnectors(record: EvseDataRecord, path: string, stamp: string, log: FindingSink, at: PathOf): Connector[] {
  const facilities = record.ChargingFacilities.map((facility, index) => ({ facility, index, current: currentOf(facility.PowerType) }));
  const facilitiesPath = at(path, 'ChargingFacilities');
  const taken = new Set<number>();
  const seen: Record<PlugCurrent, number> = { AC: 0, DC: 0, any: 0 };
  const connectors: Connector[] = [];
  record.Plugs.forEach((plug, i) => {
    const plugPath = at(at(path, 'Plugs'), i);
    const mapped = oicpToOcpiConnector(plug);
    if (mapped.outcome === 'unmapped') return log.loss(plugPath, `${mapped.reason}; the plug is not carried`);
    if (mapped.assumed) log.defaulted(plugPath, mapped.assumed);
    const current = mapped.current;
    const position = seen[current]++;
    const candidates = current === 'any' ? facilities : facilities.filter((f) => f.current === current);
    const chosen = candidates[current === 'any' ? Math.min(i, candidates.length - 1) : Math.min(position, candidates.length - 1)];
    if (chosen === undefined) {
      return log.loss(plugPath, `the record has no ${current} charging facility for "${plug}": OCPI needs its power type, voltage and amperage; the plug is not carried`);
    }
    const sameType = current === 'any' ? record.Plugs.length : record.Plugs.filter((p) => plugCurrent(p) === current).length;
    const singleAnswer = facilities.length === 1 && facilities.every((f) => f.current === current || current === 'any');
    if (!singleAnswer && candidates.length !== sameType) {
      log.defaulted(
        plugPath,
        `OICP does not pair plugs with facilities: ${candidates.length} ${current === 'any' ? '' : `${current} `}facilities for ${sameType} such plugs, ChargingFacilities[${chosen.index}] assumed`,
      );
    }
    taken.add(chosen.index);
    const power = log.take(oicpFacilityToOcpi(chosen.facility, at(facilitiesPath, chosen.index)));
    connectors.push({ id: String(connectors.length + 1), standard: mapped.standard as Connector['standard'], format: mapped.format, ...power, last_updated: stamp });
  });
  for (const { index } of facilities) {
    if (!taken.has(index)) log.loss(at(facilitiesPath, index), 'no plug of this current type uses the facility; it is not carried');
  }
  return connectors;
}

/**
 * The EVSE an OICP EvseID names in the cached OCPI location (letter case and `*` separators aside),
 * by Hubject's form of each EVSE's id. A miss is reported to `log` when given; without one it is the
 * caller's to judge.
 */
export function cachedEvse(location: Location | undefined, evseId: string, log?: FindingLog): Evse | undefined {
  const canonical = (id: string) => id.replace(/\*/g, '').toUpperCase();
  const evse = location?.evses?.find((e) => {
    const hubject = hubjectEvseIdOf(e);
    return hubject !== undefined && canonical(hubject) === canonical(evseId);
  });
  if (evse === undefined) log?.invalid('EvseID', `EVSE ${evseId} is not in the given location (pass the cached location)`);
  return evse;
}

/** The connector OICP means at an EVSE: OICP names none, so the first, reported when there are several. */
export function assumedConnector(evse: Evse, evseId: string, log: FindingLog): Connector {
  const connector = evse.connectors[0]!;
  if (evse.connectors.length > 1) log.defaulted('EvseID', `OICP does not say which connector of ${evseId} was used; connector ${connector.id} (the first) is named`);
  return connector;
}
