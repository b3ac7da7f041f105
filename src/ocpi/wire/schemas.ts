/**
 * OCPI 2.2.1 and 2.1.1 wire objects of the Locations and Tariffs modules, written once: the TypeScript
 * types are derived from these schemas and the same schemas validate what peers send. Field tables:
 * ../shared/spec/ocpi.md §4.1, §4.4; differences between the versions: §5.2, §5.5.
 *
 * Each string says what kind of OCPI string it is (`x-ocpi`): free `text` the bridge may cut to its
 * length, an `id` (CiString) it never alters, a `url` it leaves out rather than cut, a `datetime`. Where
 * errata raised a length (Location.address 45 -> 255, plain_data 512 -> 5000) peers are read by the
 * raised one and written by the original (`x-ocpi-write-maxLength`), which every reader accepts.
 * outboundSchema() turns these marks into the schema of what the bridge may write.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: location-address-length, location-state-length, datetime-read-leniently, text-characters-read-leniently, coordinates-2-1-1-decimals, party-id-letters-and-digits (src/ocpi/errata.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { OCPI_PARKING_RESTRICTIONS, OCPI_PARKING_TYPES } from './vocabulary';
import { OCPI_CAPABILITIES } from './vocabulary';
import { OCPI_EVSE_STATUSES } from './vocabulary';
import type { FindingLog } from '../../core/findings';
import { brokenAt, check, soundItems, StringEnum } from '../../core/typebox';

/** The kind of OCPI string a schema node is, and the length the bridge writes where it differs from the one it reads. */
export const OCPI_KIND = 'x-ocpi';
const WRITE_MAX_LENGTH = 'x-ocpi-write-maxLength';
export type OcpiStringKind = 'text' | 'id' | 'url' | 'datetime';

// C0 and C1 control characters: no OCPI id type admits one.
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';
/** OCPI `string(n)`: free text, cut to fit on the way out. `write` is the stricter length written when errata raised n. */
export const Text = (maxLength: number, write?: number) => Type.String({ maxLength, [OCPI_KIND]: 'text', ...(write !== undefined && { [WRITE_MAX_LENGTH]: write }) });
/**
 * OCPI `CiString(n)` and string ids: never cut (an id cut is another id), written as printable ASCII.
 * Read leniently as to letters (a peer's accented id is still its id), but never with a control
 * character: an id is stored, logged and sent on, and PostgreSQL cannot hold a NUL.
 */
export const Id = (maxLength: number) => Type.String({ maxLength, pattern: NO_CONTROL_CHARACTERS, [OCPI_KIND]: 'id' });
/** OCPI URL, string(255): left out when optional and too long, since a cut URL leads nowhere. */
export const Url = (maxLength = 255) => Type.String({ maxLength, [OCPI_KIND]: 'url' });
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** RFC 3339 as OCPI restricts it: UTC, `Z` or no designator, optional fraction (read leniently; written by outboundSchema's rule). */
export const DateTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]00:00)?$', [OCPI_KIND]: 'datetime' });
const LocalTime = Type.String({ pattern: '^([0-1][0-9]|2[0-3]):[0-5][0-9]$' });
const LocalDate = Type.String({ pattern: '^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' });

export const DisplayText = Type.Object({ language: Id(2), text: Text(512) });
export type DisplayText = Static<typeof DisplayText>;

/** 2.1.1 demands exactly six decimals, 2.2.1 five to seven; the coordinates mapper reads both. */
export const GeoLocation = Type.Object({
  latitude: Type.String({ maxLength: 10, pattern: '^-?[0-9]{1,2}\\.[0-9]{5,7}$' }),
  longitude: Type.String({ maxLength: 11, pattern: '^-?[0-9]{1,3}\\.[0-9]{5,7}$' }),
});
const AdditionalGeoLocation = Type.Object({ ...GeoLocation.properties, name: Opt(DisplayText) });

const IMAGE_CATEGORIES = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER'] as const;
const Image = Type.Object({
  url: Url(),
  thumbnail: Opt(Url()),
  category: StringEnum(IMAGE_CATEGORIES),
  type: Id(4),
  width: Opt(Type.Integer({ minimum: 0, maximum: 99999 })),
  height: Opt(Type.Integer({ minimum: 0, maximum: 99999 })),
});
export type Image = Static<typeof Image>;

export const BusinessDetails = Type.Object({ name: Text(100), website: Opt(Url()), logo: Opt(Image) });
export type BusinessDetails = Static<typeof BusinessDetails>;

const RegularHours = Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7 }), period_begin: LocalTime, period_end: LocalTime });
type RegularHours = Static<typeof RegularHours>;
const ExceptionalPeriod = Type.Object({ period_begin: DateTime, period_end: DateTime });
const hoursCommon = { regular_hours: Opt(Type.Array(RegularHours)), exceptional_openings: Opt(Type.Array(ExceptionalPeriod)), exceptional_closings: Opt(Type.Array(ExceptionalPeriod)) };
/** 2.2.1: `twentyfourseven` always given. 2.1.1: `regular_hours` or `twentyfourseven`. */
export const Hours = Type.Object({ twentyfourseven: Type.Boolean(), ...hoursCommon });
export type Hours = Static<typeof Hours>;
const Hours211 = Type.Object({ twentyfourseven: Opt(Type.Boolean()), ...hoursCommon });
export type Hours211 = Static<typeof Hours211>;

const ENERGY_SOURCE_CATEGORIES = ['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER'] as const;
const ENVIRONMENTAL_IMPACT_CATEGORIES = ['NUCLEAR_WASTE', 'CARBON_DIOXIDE'] as const;
const energyMixCommon = {
  is_green_energy: Type.Boolean(),
  energy_sources: Opt(Type.Array(Type.Object({ source: StringEnum(ENERGY_SOURCE_CATEGORIES), percentage: Type.Number({ minimum: 0, maximum: 100 }) }))),
  supplier_name: Opt(Text(64)),
  energy_product_name: Opt(Text(64)),
};
export const EnergyMix = Type.Object({
  ...energyMixCommon,
  environ_impact: Opt(Type.Array(Type.Object({ category: StringEnum(ENVIRONMENTAL_IMPACT_CATEGORIES), amount: Type.Number({ minimum: 0 }) }))),
});
export type EnergyMix = Static<typeof EnergyMix>;
/** 2.1.1 names the impact category `source`. */
const EnergyMix211 = Type.Object({
  ...energyMixCommon,
  environ_impact: Opt(Type.Array(Type.Object({ source: StringEnum(ENVIRONMENTAL_IMPACT_CATEGORIES), amount: Type.Number({ minimum: 0 }) }))),
});
export type EnergyMix211 = Static<typeof EnergyMix211>;

export const CAPABILITIES_211 = ['CHARGING_PROFILE_CAPABLE', 'CREDIT_CARD_PAYABLE', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'UNLOCK_CAPABLE'] as const;
export const CONNECTOR_TYPES_211 = [
  'CHADEMO',
  ...(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'] as const).map((l) => `DOMESTIC_${l}` as const),
  'IEC_60309_2_single_16',
  'IEC_60309_2_three_16',
  'IEC_60309_2_three_32',
  'IEC_60309_2_three_64',
  'IEC_62196_T1',
  'IEC_62196_T1_COMBO',
  'IEC_62196_T2',
  'IEC_62196_T2_COMBO',
  'IEC_62196_T3A',
  'IEC_62196_T3C',
  'TESLA_R',
  'TESLA_S',
] as const;
export const CONNECTOR_TYPES = [
  ...CONNECTOR_TYPES_211,
  'CHAOJI',
  'DOMESTIC_M',
  'DOMESTIC_N',
  'DOMESTIC_O',
  'GBT_AC',
  'GBT_DC',
  'NEMA_5_20',
  'NEMA_6_30',
  'NEMA_6_50',
  'NEMA_10_30',
  'NEMA_10_50',
  'NEMA_14_30',
  'NEMA_14_50',
  'PANTOGRAPH_BOTTOM_UP',
  'PANTOGRAPH_TOP_DOWN',
] as const;
const POWER_TYPES_211 = ['AC_1_PHASE', 'AC_3_PHASE', 'DC'] as const;
export const POWER_TYPES = [...POWER_TYPES_211, 'AC_2_PHASE', 'AC_2_PHASE_SPLIT'] as const;
export const FACILITIES_211 = [
  'HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BUS_STOP', 'TAXI_STAND', 'TRAIN_STATION', 'AIRPORT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI',
] as const;
export const FACILITIES = [...FACILITIES_211, 'BIKE_SHARING', 'TRAM_STOP', 'METRO_STATION', 'PARKING_LOT'] as const;
const LOCATION_TYPES_211 = ['ON_STREET', 'PARKING_GARAGE', 'UNDERGROUND_GARAGE', 'PARKING_LOT', 'OTHER', 'UNKNOWN'] as const;
export const TOKEN_TYPES = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'] as const;

const StatusSchedule = Type.Object({ period_begin: DateTime, period_end: Opt(DateTime), status: StringEnum(OCPI_EVSE_STATUSES) });

const connectorCommon = {
  standard: StringEnum(CONNECTOR_TYPES),
  format: StringEnum(['SOCKET', 'CABLE'] as const),
  terms_and_conditions: Opt(Url()),
  last_updated: DateTime,
};

export const Connector = Type.Object({
  id: Id(36),
  ...connectorCommon,
  power_type: StringEnum(POWER_TYPES),
  max_voltage: Type.Integer({ minimum: 0 }),
  max_amperage: Type.Integer({ minimum: 0 }),
  max_electric_power: Opt(Type.Integer({ minimum: 0 })),
  tariff_ids: Opt(Type.Array(Id(36))),
});
export type Connector = Static<typeof Connector>;

export const Connector211 = Type.Object({
  id: Id(36),
  ...connectorCommon,
  standard: StringEnum(CONNECTOR_TYPES_211),
  power_type: StringEnum(POWER_TYPES_211),
  voltage: Type.Integer({ minimum: 0 }),
  amperage: Type.Integer({ minimum: 0 }),
  tariff_id: Opt(Id(36)),
});
export type Connector211 = Static<typeof Connector211>;

const evseFields = {
  uid: Id(36),
  evse_id: Opt(Id(48)),
  status: StringEnum(OCPI_EVSE_STATUSES),
  status_schedule: Opt(Type.Array(StatusSchedule)),
  capabilities: Opt(Type.Array(StringEnum(OCPI_CAPABILITIES))),
  connectors: Type.Array(Connector, { minItems: 1 }),
  floor_level: Opt(Text(4)),
  coordinates: Opt(GeoLocation),
  physical_reference: Opt(Text(16)),
  directions: Opt(Type.Array(DisplayText)),
  parking_restrictions: Opt(Type.Array(StringEnum(OCPI_PARKING_RESTRICTIONS))),
  images: Opt(Type.Array(Image)),
  last_updated: DateTime,
};
export const Evse = Type.Object(evseFields);
export type Evse = Static<typeof Evse>;

export const Evse211 = Type.Object({
  ...evseFields,
  uid: Id(39),
  capabilities: Opt(Type.Array(StringEnum(CAPABILITIES_211))),
  connectors: Type.Array(Connector211, { minItems: 1 }),
});
export type Evse211 = Static<typeof Evse211>;

const PublishToken = Type.Object({
  uid: Opt(Id(36)),
  type: Opt(StringEnum(TOKEN_TYPES)),
  visual_number: Opt(Text(64)),
  issuer: Opt(Text(64)),
  group_id: Opt(Id(36)),
});

const locationFields = {
  name: Opt(Text(255)),
  address: Text(255, 45),
  city: Text(45),
  country: Type.String({ pattern: '^[A-Z]{3}$' }),
  coordinates: GeoLocation,
  related_locations: Opt(Type.Array(AdditionalGeoLocation)),
  directions: Opt(Type.Array(DisplayText)),
  operator: Opt(BusinessDetails),
  suboperator: Opt(BusinessDetails),
  owner: Opt(BusinessDetails),
  images: Opt(Type.Array(Image)),
  last_updated: DateTime,
};

export const Location = Type.Object({
  country_code: Type.String({ pattern: '^[A-Za-z]{2}$' }),
  party_id: Type.String({ pattern: '^[A-Za-z0-9]{3}$' }),
  id: Id(36),
  publish: Type.Boolean(),
  publish_allowed_to: Opt(Type.Array(PublishToken)),
  ...locationFields,
  postal_code: Opt(Text(10)),
  state: Opt(Text(45, 20)),
  parking_type: Opt(StringEnum(OCPI_PARKING_TYPES)),
  evses: Opt(Type.Array(Evse)),
  facilities: Opt(Type.Array(StringEnum(FACILITIES))),
  time_zone: Id(255),
  opening_times: Opt(Hours),
  charging_when_closed: Opt(Type.Boolean()),
  energy_mix: Opt(EnergyMix),
});
export type Location = Static<typeof Location>;

export const Location211 = Type.Object({
  id: Id(39),
  type: StringEnum(LOCATION_TYPES_211),
  ...locationFields,
  address: Text(45),
  postal_code: Text(10),
  evses: Opt(Type.Array(Evse211)),
  facilities: Opt(Type.Array(StringEnum(FACILITIES_211))),
  time_zone: Opt(Id(255)),
  opening_times: Opt(Hours211),
  charging_when_closed: Opt(Type.Boolean()),
  energy_mix: Opt(EnergyMix211),
});
export type Location211 = Static<typeof Location211>;

const OUTBOUND_PATTERN = {
  /** Whole seconds or exactly 1 or 3 fraction digits, always `Z` (../shared/spec/ocpi.md §2.9: strict on output). */
  datetime: { '2.2.1': '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d|\\.\\d{3})?Z$', '2.1.1': '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' },
  /** 2.1.1 strings and every CiString are printable ASCII; 2.2.1 strings printable UTF-8 without control characters. */
  ascii: '^[\\x20-\\x7E]*$',
  printable: '^[^\\x00-\\x1F\\x7F]*$',
} as const;

export type OcpiWriteVersion = '2.2.1' | '2.1.1';
const outbound = { '2.2.1': new WeakMap<TSchema, TSchema>(), '2.1.1': new WeakMap<TSchema, TSchema>() };

/**
 * The schema of what the bridge may write in `version`, from a schema of what it reads: errata-raised
 * lengths back to the original ones, DateTimes in the strict output form, every string without a
 * pattern of its own in its character set, and no members the specification does not define.
 */
export function outboundSchema(schema: TSchema, version: OcpiWriteVersion): TSchema {
  const known = outbound[version].get(schema);
  if (known) return known;
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (node === null || typeof node !== 'object') return node;
    const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, strict(value)])) as Record<string, unknown>;
    // The bridge writes the members the specification defines, nothing of its own.
    if (copy.type === 'object' && copy.properties !== undefined && copy.additionalProperties === undefined) copy.additionalProperties = false;
    if (copy.type !== 'string' || copy.enum !== undefined) return copy;
    if (typeof copy[WRITE_MAX_LENGTH] === 'number') copy.maxLength = copy[WRITE_MAX_LENGTH];
    if (copy[OCPI_KIND] === 'datetime') copy.pattern = OUTBOUND_PATTERN.datetime[version];
    else if (copy[OCPI_KIND] === 'id') copy.pattern = OUTBOUND_PATTERN.ascii;
    else if (copy.pattern === undefined) copy.pattern = version === '2.1.1' ? OUTBOUND_PATTERN.ascii : OUTBOUND_PATTERN.printable;
    return copy;
  };
  const result = strict(schema) as TSchema;
  outbound[version].set(schema, result);
  return result;
}

/**
 * A schema without the OCPI string marks, for validators in strict mode that know no such keywords
 * (the configuration's, which embeds a tariff in the mapping rules).
 */
export function withoutOcpiMarks<T extends TSchema>(schema: T): T {
  const plain = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(plain);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string | symbol, unknown> = {};
    for (const key of Reflect.ownKeys(node)) {
      if (key !== OCPI_KIND && key !== WRITE_MAX_LENGTH) copy[key] = plain((node as Record<string | symbol, unknown>)[key]);
    }
    return copy;
  };
  return plain(schema) as T;
}

interface CheckedLocation {
  location: Location;
  /** The EVSEs that passed the schema; a broken connector leaves its EVSE here (see brokenAt). */
  evses: { item: Evse; path: string }[];
  refused: readonly string[];
}

/** An OCPI 2.2.1 location from a peer, its problems logged; undefined when the location itself is refused. */
export function checkLocation(input: unknown, log: FindingLog): CheckedLocation | undefined {
  const checked = check(Location, input);
  log.findings.push(...checked.findings);
  if (brokenAt(checked.refused, '', ['evses'])) return undefined;
  return { location: checked.value, evses: soundItems(checked.refused, checked.value.evses, 'evses', ['connectors']), refused: checked.refused };
}

const TARIFF_DIMENSIONS = ['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'] as const;
const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];
const TARIFF_TYPES = ['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR'] as const;

const priceComponentFields = {
  type: StringEnum(TARIFF_DIMENSIONS),
  price: Type.Number({ minimum: 0 }),
  step_size: Type.Integer({ minimum: 0 }),
};
const PriceComponent = Type.Object({ ...priceComponentFields, vat: Opt(Type.Number({ minimum: 0 })) });
export type PriceComponent = Static<typeof PriceComponent>;

const restrictionFields = {
  start_time: Opt(LocalTime),
  end_time: Opt(LocalTime),
  start_date: Opt(LocalDate),
  end_date: Opt(LocalDate),
  min_kwh: Opt(Type.Number({ minimum: 0 })),
  max_kwh: Opt(Type.Number({ minimum: 0 })),
  min_power: Opt(Type.Number({ minimum: 0 })),
  max_power: Opt(Type.Number({ minimum: 0 })),
  min_duration: Opt(Type.Integer({ minimum: 0 })),
  max_duration: Opt(Type.Integer({ minimum: 0 })),
  day_of_week: Opt(Type.Array(StringEnum(DAYS_OF_WEEK))),
};
export const TariffRestrictions = Type.Object({
  ...restrictionFields,
  min_current: Opt(Type.Number({ minimum: 0 })),
  max_current: Opt(Type.Number({ minimum: 0 })),
  reservation: Opt(StringEnum(['RESERVATION', 'RESERVATION_EXPIRES'] as const)),
});
export type TariffRestrictions = Static<typeof TariffRestrictions>;

const TariffElement = Type.Object({ price_components: Type.Array(PriceComponent, { minItems: 1 }), restrictions: Opt(TariffRestrictions) });
export type TariffElement = Static<typeof TariffElement>;
const Price = Type.Object({ excl_vat: Type.Number({ minimum: 0 }), incl_vat: Opt(Type.Number({ minimum: 0 })) });
export type Price = Static<typeof Price>;

const tariffFields = {
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  tariff_alt_text: Opt(Type.Array(DisplayText)),
  tariff_alt_url: Opt(Url()),
  last_updated: DateTime,
};

export const Tariff = Type.Object({
  country_code: Type.String({ pattern: '^[A-Za-z]{2}$' }),
  party_id: Type.String({ pattern: '^[A-Za-z0-9]{3}$' }),
  id: Id(36),
  ...tariffFields,
  type: Opt(StringEnum(TARIFF_TYPES)),
  min_price: Opt(Price),
  max_price: Opt(Price),
  elements: Type.Array(TariffElement, { minItems: 1 }),
  start_date_time: Opt(DateTime),
  end_date_time: Opt(DateTime),
  energy_mix: Opt(EnergyMix),
});
export type Tariff = Static<typeof Tariff>;

export const Tariff211 = Type.Object({
  id: Id(36),
  ...tariffFields,
  elements: Type.Array(
    Type.Object({ price_components: Type.Array(Type.Object(priceComponentFields), { minItems: 1 }), restrictions: Opt(Type.Object(restrictionFields)) }),
    { minItems: 1 },
  ),
  energy_mix: Opt(EnergyMix211),
});
export type Tariff211 = Static<typeof Tariff211>;
