/**
 * OCPI Location (with its EVSEs and connectors) -> OICP EvseDataRecords, one record per EVSE. This
 * module composes the per-concept mappers (address, coordinates, hours, plugs, power, capabilities,
 * access, energy mix, time zone) and decides what belongs to the location and what to the EVSE.
 *
 * Identity: the EvseID is the OCPI `evse_id` (or the caller's correlation for the EVSE uid), kept as
 * written. The location travels as ChargingPoolID `<OperatorID>*P<location id>` when the id fits the
 * pool grammar, else as ChargingStationID. The way back is in from-oicp.ts.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: charging-station-id-spelling (src/oicp/errata.ts).
import type { Connector, DisplayText, Evse, Location } from '../../ocpi/wire/schemas';
import { checkLocation } from '../../ocpi/wire/schemas';
import { type ChargingFacility, type EvseDataRecord, type InfoText } from '../../oicp/wire/schemas';
import { soundItems } from '../../core/typebox';
import { ocpiToOicpAccess } from '../accessibility';
import { ocpiToOicpAddress } from '../address';
import { ocpiCapabilitiesToOicp } from '../capabilities';
import { ocpiToOicpFacility } from '../charging-facility';
import { ocpiToOicpCoordinates } from '../coordinates';
import { ocpiEnergyMixToOicp } from '../energy-mix';
import { ocpiToOicpStatus } from '../evse-status';
import { FindingLog, type Mapped } from '../../core/findings';
import { ocpiEvseIdOf, operatorOfEvseId, partyToOperatorId, sameOperator } from '../identifiers';
import { ocpiHoursToOicp } from '../opening-times';
import { ocpiToOicpPlug, type OicpPlug } from '../plug';
import { DEFAULT_LANGUAGE, evseDefaults, NO_RULES, type EvseDefaults, type MappingRules } from '../rules';
import { sameJson } from '../same-json';
import { ocpiTimeZoneToOicp } from '../time-zone';
import { recurringPath, recurringText } from '../recurring-text';

const POOL_SUFFIX = /^[A-Za-z0-9*]{1,30}$/;
const ISO_OPERATOR = /^[A-Za-z]{2}\*?[A-Za-z0-9]{3}$/;

const toInfoText = (texts: readonly DisplayText[] | undefined): InfoText[] | undefined =>
  texts && texts.length > 0 ? texts.map((t) => ({ lang: t.language.toLowerCase(), value: t.text })) : undefined;

export interface LocationToOicpOptions {
  rules?: MappingRules;
  /** Our OperatorID toward Hubject; by default the location's party (`BE*BEC`). */
  operatorId?: string;
  /** The instant whose UTC offset stands for the location's time zone; by default its last_updated. */
  at?: Date;
  /** Correlations known to the caller: OCPI EVSE uid -> EvseID, for EVSEs without `evse_id`. */
  evseIds?: Readonly<Record<string, string>>;
}

export interface OicpEvseData {
  OperatorID: string;
  OperatorName: string;
  /** Records to insert or update. */
  records: EvseDataRecord[];
  /** EvseIDs of REMOVED EVSEs: to delete from Hubject. */
  deleted: string[];
}

/** Everything a location contributes to each of its EVSE records. */
type LocationPart = Omit<EvseDataRecord, 'EvseID' | 'Plugs' | 'ChargingFacilities' | 'AuthenticationModes' | 'PaymentOptions' | 'ValueAddedServices' | 'Accessibility' | 'HotlinePhoneNumber' | 'CalibrationLawDataAvailability'>;

export function ocpiLocationToOicp(input: unknown, options: LocationToOicpOptions = {}): Mapped<OicpEvseData | undefined> {
  const log = new FindingLog();
  const checked = checkLocation(input, log);
  if (checked === undefined) return log.result(undefined);
  const { location } = checked;
  const rules = options.rules ?? NO_RULES;
  const operatorId = options.operatorId ?? partyToOperatorId({ countryCode: location.country_code, partyId: location.party_id });
  const operatorDefaults = evseDefaults(rules, operatorId);
  const at = options.at ?? new Date(location.last_updated);

  const shared = locationPart(location, operatorId, at, operatorDefaults, log);
  const operatorName = location.operator?.name ?? operatorDefaults.operatorName;
  if (location.operator?.name === undefined) {
    log.defaulted('operator', operatorName === undefined ? 'no operator name; OICP OperatorName set to the OperatorID' : 'no operator; the configured operator name applies');
  }
  const result: OicpEvseData = { OperatorID: operatorId, OperatorName: operatorName ?? operatorId, records: [], deleted: [] };
  if (shared === undefined) return log.result(undefined);

  const ctx: EvseContext = { shared, operatorId, operatorDefaults, rules, refused: checked.refused, evseIds: options.evseIds, floors: new Map() };
  for (const { item: evse, path } of checked.evses) {
    const evseLog = new FindingLog();
    const outcome = evseRecord(location, evse, path, ctx, evseLog);
    log.findings.push(...evseLog.findings);
    if (outcome === undefined || evseLog.findings.some((f) => f.kind === 'invalid')) continue;
    if (outcome.deleted) result.deleted.push(outcome.deleted);
    else if (outcome.record) result.records.push(outcome.record);
  }
  return log.result(result);
}

function locationPart(location: Location, operatorId: string, at: Date, defaults: EvseDefaults, log: FindingLog): LocationPart | undefined {
  const before = log.findings.length;
  const address = log.take(ocpiToOicpAddress(location));
  const timeZone = log.take(ocpiTimeZoneToOicp(location.time_zone, at));
  if (timeZone !== undefined) address.TimeZone = timeZone;
  const coordinates = log.take(ocpiToOicpCoordinates(location.coordinates));
  const opening = log.take(ocpiHoursToOicp(location.opening_times));
  const energy = log.take(ocpiEnergyMixToOicp(location.energy_mix, defaults.renewableEnergy));
  if (log.findings.slice(before).some((f) => f.kind === 'invalid') || coordinates === undefined) return undefined;

  const language = defaults.language ?? DEFAULT_LANGUAGE;
  const part: LocationPart = {
    ChargingStationNames: location.name === undefined ? [] : [{ lang: language, value: location.name }],
    Address: address,
    GeoCoordinates: coordinates,
    ...energy,
    IsOpen24Hours: opening.IsOpen24Hours,
    IsHubjectCompatible: true,
    DynamicInfoAvailable: 'true',
  };
  if (location.name !== undefined && defaults.language === undefined) log.defaulted('name', `OCPI names carry no language; "${DEFAULT_LANGUAGE}" assumed`);
  if (opening.OpeningTimes) part.OpeningTimes = opening.OpeningTimes;
  const pool = ISO_OPERATOR.test(operatorId) && POOL_SUFFIX.test(location.id) ? `${operatorId}*P${location.id}` : undefined;
  if (pool) part.ChargingPoolID = pool;
  else part.ChargingStationID = location.id;
  if (location.suboperator) part.SubOperatorName = location.suboperator.name;
  const directions = toInfoText(location.directions);
  if (directions) part.ChargingStationLocationReference = directions;
  const [entrance, ...others] = location.related_locations ?? [];
  if (entrance) {
    const geo = log.take(ocpiToOicpCoordinates(entrance, 'related_locations[0]'));
    if (geo) part.GeoChargingPointEntrance = geo;
    if (entrance.name) log.loss('related_locations[0].name', 'OICP has no name for the entrance position');
  }
  if (others.length > 0) log.loss('related_locations', 'OICP holds one entrance position; further related locations are not carried');

  if (location.publish === false) log.loss('publish', 'OICP has no visibility control; the location is sent with Accessibility "Restricted access"');
  if (location.publish_allowed_to) log.loss('publish_allowed_to', 'OICP cannot restrict visibility to listed tokens');
  if (location.charging_when_closed !== undefined) log.loss('charging_when_closed', 'OICP has no "charging when closed" flag');
  if (location.facilities) log.loss('facilities', 'OICP has no facilities list');
  if (location.owner) log.loss('owner', 'OICP has no owner');
  for (const who of ['operator', 'suboperator'] as const) {
    if (location[who]?.website !== undefined || location[who]?.logo !== undefined) log.loss(who, 'OICP keeps the name only (no website or logo)');
  }
  if (location.images) log.loss('images', 'OICP holds one image per EVSE (ChargingStationImage): the first EVSE image, else the first location image');
  if ((location.evses ?? []).some((e) => e.coordinates !== undefined)) {
    log.loss('coordinates', 'OICP has one position per EVSE: EVSEs with their own coordinates do not carry the location’s');
  }
  log.loss('last_updated', 'timestamps of the location, its EVSEs and connectors are not carried; Hubject stamps records itself');
  return part;
}

const calibrationMessage = recurringText(
  (configured: EvseDefaults['calibrationLawDataAvailability']) =>
    `OCPI does not say where calibration law (Eichrecht) data is; CalibrationLawDataAvailability "${configured ?? 'Not Available'}"${configured ? ' from the operator defaults' : ' assumed'}`,
);
const restrictionLoss = recurringText((restriction: string) => `OICP has no parking restriction ${restriction}`);

interface EvseContext {
  shared: LocationPart;
  operatorId: string;
  /** The operator's defaults; an EVSE's own are these unless the rules have EVSE overrides. */
  operatorDefaults: EvseDefaults;
  rules: MappingRules;
  refused: readonly string[];
  evseIds: Readonly<Record<string, string>> | undefined;
  /** The location's Address with each floor its EVSEs name, made once: records share it as they share the Address. */
  floors: Map<string, EvseDataRecord['Address']>;
}

function addressOnFloor(ctx: EvseContext, floor: string): EvseDataRecord['Address'] {
  let address = ctx.floors.get(floor);
  if (address === undefined) {
    address = { ...ctx.shared.Address, Floor: floor };
    ctx.floors.set(floor, address);
  }
  return address;
}

function evseRecord(location: Location, evse: Evse, path: string, ctx: EvseContext, log: FindingLog): { record?: EvseDataRecord; deleted?: string } | undefined {
  const evseId = log.take(ocpiEvseIdOf(evse, ctx.evseIds?.[evse.uid], path));
  if (evseId === undefined) return undefined;
  const idPath = recurringPath(path, 'evse_id');
  const owner = operatorOfEvseId(evseId)!;
  if (!sameOperator(owner, ctx.operatorId)) return void log.invalid(idPath, `${evseId} belongs to operator ${owner}, not ${ctx.operatorId}; Hubject refuses it (018)`);

  const status = ocpiToOicpStatus(evse.status, ctx.rules.status);
  const statusPath = recurringPath(path, 'status');
  if (status.outcome === 'delete') return { deleted: evseId };
  if (status.outcome === 'withhold') return void log.loss(statusPath, `${evse.status}: ${status.reason}`);
  log.loss(statusPath, 'the status is not part of EVSE data; it travels in EVSE status records (PushEvseStatus)');

  const defaults = ctx.rules.evses.length === 0 ? ctx.operatorDefaults : evseDefaults(ctx.rules, ctx.operatorId, evseId);
  const { Plugs, ChargingFacilities } = plugsAndFacilities(evse, path, ctx, log);
  if (Plugs.length === 0) return void log.loss(recurringPath(path, 'connectors'), 'no connector has an OICP plug; the EVSE is not carried');
  const access = log.take(ocpiCapabilitiesToOicp(evse.capabilities, recurringPath(path, 'capabilities'), defaults));
  const place = log.take(
    ocpiToOicpAccess({ parking_type: location.parking_type, publish: location.publish, parking_restrictions: evse.parking_restrictions }, defaults.accessibility, { location: '', evse: path }),
  );
  (evse.parking_restrictions ?? []).forEach((restriction, i) => {
    if (restriction !== 'CUSTOMERS') log.loss(recurringPath(recurringPath(path, 'parking_restrictions'), i), restrictionLoss(restriction));
  });
  if (defaults.hotlinePhoneNumber === undefined) log.invalid(path, 'OICP needs a HotlinePhoneNumber, OCPI has none, and no operator default is configured');
  else log.defaulted(path, 'HotlinePhoneNumber from the operator defaults');
  const calibration = defaults.calibrationLawDataAvailability ?? 'Not Available';
  log.defaulted(path, calibrationMessage(defaults.calibrationLawDataAvailability));

  const record: EvseDataRecord = {
    EvseID: evseId,
    ...ctx.shared,
    // The location's Address object unless the EVSE adds its floor, as the records share the location's other parts.
    Address: evse.floor_level === undefined ? ctx.shared.Address : addressOnFloor(ctx, evse.floor_level),
    Plugs,
    ChargingFacilities,
    CalibrationLawDataAvailability: calibration,
    AuthenticationModes: access.AuthenticationModes,
    PaymentOptions: access.PaymentOptions,
    ValueAddedServices: access.ValueAddedServices,
    Accessibility: place.Accessibility ?? 'Restricted access',
    HotlinePhoneNumber: defaults.hotlinePhoneNumber ?? '',
  };
  if (place.AccessibilityLocation) record.AccessibilityLocation = place.AccessibilityLocation;
  if (evse.coordinates) {
    const geo = log.take(ocpiToOicpCoordinates(evse.coordinates, recurringPath(path, 'coordinates')));
    if (geo) record.GeoCoordinates = geo;
  }
  const directions = toInfoText(evse.directions);
  if (directions) record.AdditionalInfo = directions;
  const image = evse.images?.[0] ?? location.images?.[0];
  if (image) record.ChargingStationImage = image.url;
  if ((evse.images ?? []).length > 1) log.loss(recurringPath(path, 'images'), 'OICP holds one image per EVSE; only the first is carried');
  if (evse.status_schedule) log.loss(recurringPath(path, 'status_schedule'), 'OICP has no status schedule');
  if (evse.physical_reference !== undefined) log.loss(recurringPath(path, 'physical_reference'), 'OICP has no field for the reference printed on the EVSE');
  if (evse.uid !== evseId) log.loss(recurringPath(path, 'uid'), `the EVSE uid is not carried; it is read back as the EvseID unless the caller keeps the correlation`);
  return { record };
}

/** Plugs and facilities in connector order; the facility list collapses to one when all are equal. */
function plugsAndFacilities(evse: Evse, path: string, ctx: EvseContext, log: FindingLog): { Plugs: OicpPlug[]; ChargingFacilities: ChargingFacility[] } {
  const pairs: { plug: OicpPlug; facility: ChargingFacility }[] = [];
  for (const { item: connector, path: at } of soundItems(ctx.refused, evse.connectors, recurringPath(path, 'connectors'))) {
    const plug = connectorPlug(connector, at, ctx.rules, log);
    if (plug === undefined) continue;
    const facility = log.take(ocpiToOicpFacility(connector, at));
    if (pairs.some((p) => p.plug === plug && sameJson(p.facility, facility))) log.loss(at, 'OICP lists plug types, not connectors: this connector repeats an earlier one and is not carried separately');
    else pairs.push({ plug, facility });
    if (connector.id !== String(pairs.length)) log.loss(recurringPath(at, 'id'), 'connector ids are not carried; they are read back as 1, 2, ...');
    if ((connector.tariff_ids ?? []).length > 0) log.loss(recurringPath(at, 'tariff_ids'), 'tariffs travel in EVSE pricing (PushEVSEPricing), not in EVSE data');
    if (connector.terms_and_conditions !== undefined) log.loss(recurringPath(at, 'terms_and_conditions'), 'OICP has no terms and conditions URL');
  }
  const facilities = pairs.map((p) => p.facility);
  const allEqual = facilities.every((f) => sameJson(f, facilities[0]));
  return { Plugs: pairs.map((p) => p.plug), ChargingFacilities: allEqual ? facilities.slice(0, 1) : facilities };
}

function connectorPlug(connector: Connector, path: string, rules: MappingRules, log: FindingLog): OicpPlug | undefined {
  const override = rules.plugs.find((rule) => rule.standard === connector.standard && (rule.format === undefined || rule.format === connector.format));
  if (override) {
    log.defaulted(recurringPath(path, 'standard'), `plug "${override.plug}" from the mapping rules`);
    return override.plug;
  }
  const mapped = ocpiToOicpPlug(connector.standard, connector.format);
  if (mapped.outcome === 'unmapped') return void log.loss(recurringPath(path, 'standard'), `${mapped.reason}; the connector is not carried`);
  if (mapped.loss) log.loss(recurringPath(path, 'format'), mapped.loss);
  return mapped.plug;
}
