import { pick, seededRandom, someOf, type Json } from './http';

/**
 * OCPI 2.2.1 objects for the CPO backend double, written from the spec digest's field tables
 * (ocpi.md 4.1-4.4): many locations with ISO EvseIDs of one operator, EVSE status PATCH streams in
 * or deliberately out of order, sessions and CDRs carrying the authorization_reference a test gives.
 */

export type OcpiEvse = Json & { uid: string; evse_id?: string; status: string; connectors: Json[]; last_updated: string };
export type OcpiLocation = Json & { country_code: string; party_id: string; id: string; evses: OcpiEvse[]; last_updated: string };

const CONNECTORS = [
  { standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22080 },
  { standard: 'IEC_62196_T2', format: 'CABLE', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16 },
  { standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 32 },
  { standard: 'IEC_62196_T2_COMBO', format: 'CABLE', power_type: 'DC', max_voltage: 920, max_amperage: 200, max_electric_power: 150000 },
  { standard: 'CHADEMO', format: 'CABLE', power_type: 'DC', max_voltage: 500, max_amperage: 125, max_electric_power: 50000 },
  { standard: 'DOMESTIC_F', format: 'SOCKET', power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 16 },
  { standard: 'IEC_62196_T1', format: 'CABLE', power_type: 'AC_1_PHASE', max_voltage: 240, max_amperage: 32 },
] as const;
const FACILITIES = ['HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BIKE_SHARING', 'BUS_STOP', 'TAXI_STAND', 'TRAM_STOP', 'METRO_STATION', 'TRAIN_STATION', 'AIRPORT', 'PARKING_LOT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI'] as const;
const PARKING = ['ALONG_MOTORWAY', 'PARKING_GARAGE', 'PARKING_LOT', 'ON_DRIVEWAY', 'ON_STREET', 'UNDERGROUND_GARAGE'] as const;
const CAPABILITIES = ['CHARGING_PROFILE_CAPABLE', 'CREDIT_CARD_PAYABLE', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'UNLOCK_CAPABLE', 'CONTACTLESS_CARD_SUPPORT'] as const;
/** EVSE statuses a live EVSE takes (REMOVED ends an EVSE's life, so streams leave it out). */
export const LIVE_STATUSES = ['AVAILABLE', 'CHARGING', 'BLOCKED', 'RESERVED', 'OUTOFORDER', 'INOPERATIVE', 'UNKNOWN'] as const;
const CITIES = [
  { city: 'Berlin', postal: '10115', lat: 52.52, lon: 13.405 },
  { city: 'Köln', postal: '50667', lat: 50.9375, lon: 6.9603 },
  { city: 'München', postal: '80331', lat: 48.1374, lon: 11.5755 },
  { city: 'Görlitz', postal: '02826', lat: 51.1506, lon: 14.9872 },
  { city: 'Frankfurt am Main', postal: '60311', lat: 50.1109, lon: 8.6821 },
] as const;
const STREETS = ['Hauptstraße', 'Bahnhofplatz', 'Am Großen Wannsee', 'Königsallee', 'Straße des 17. Juni'] as const;

const ISO_OPERATOR = /^([A-Za-z]{2})\*?([A-Za-z0-9]{3})$/;

export interface LocationOptions {
  /** The ISO OperatorID whose EvseIDs the EVSEs carry, e.g. `DE*ABC`. */
  operator: string;
  count: number;
  /** The OCPI party owning the locations; by default the country and party of the operator. */
  countryCode?: string;
  partyId?: string;
  /** EVSEs per location: a number, or [min, max] drawn per location (default [1, 4]). */
  evsesPerLocation?: number | [number, number];
  /** Number of the first location (ids LOC00001, ...), so several batches do not collide. */
  firstIndex?: number;
  idPrefix?: string;
  lastUpdated?: string;
  publish?: boolean;
  /** Tariff ids the connectors point to. */
  tariffIds?: string[];
  seed?: number;
}

const at6 = (n: number) => n.toFixed(6);

/** `count` 2.2.1 Locations of one CPO with ISO EvseIDs of `operator`, varied in connectors, facilities, hours and parking. */
export function generateLocations(options: LocationOptions): OcpiLocation[] {
  const iso = ISO_OPERATOR.exec(options.operator);
  if (!iso) throw new Error(`generateLocations needs an ISO OperatorID such as DE*ABC, got ${options.operator}`);
  const countryCode = options.countryCode ?? iso[1]!.toUpperCase();
  const partyId = options.partyId ?? iso[2]!.toUpperCase();
  const operatorId = `${iso[1]!}*${iso[2]!}`.toUpperCase();
  const random = seededRandom(options.seed ?? 11);
  const lastUpdated = options.lastUpdated ?? new Date().toISOString();
  const [min, max] = typeof options.evsesPerLocation === 'number' ? [options.evsesPerLocation, options.evsesPerLocation] : (options.evsesPerLocation ?? [1, 4]);
  return Array.from({ length: options.count }, (_, i) => {
    const n = (options.firstIndex ?? 1) + i;
    const id = `${options.idPrefix ?? 'LOC'}${String(n).padStart(5, '0')}`;
    const place = pick(random, CITIES);
    const lat = place.lat + (random() - 0.5) / 20;
    const lon = place.lon + (random() - 0.5) / 20;
    const evseCount = min + Math.floor(random() * (max - min + 1));
    const evses: OcpiEvse[] = Array.from({ length: evseCount }, (_, e) => {
      const connectorCount = random() < 0.3 ? 2 : 1;
      return {
        uid: `${id}-${e + 1}`,
        evse_id: `${operatorId}*E${String(n).padStart(5, '0')}*${e + 1}`,
        status: pick(random, ['AVAILABLE', 'AVAILABLE', 'CHARGING', 'BLOCKED', 'OUTOFORDER', 'INOPERATIVE'] as const),
        capabilities: someOf(random, CAPABILITIES, 4),
        connectors: Array.from({ length: connectorCount }, (_, c) => ({
          id: String(c + 1),
          ...pick(random, CONNECTORS),
          ...(options.tariffIds ? { tariff_ids: options.tariffIds } : {}),
          last_updated: lastUpdated,
        })),
        ...(random() < 0.4 ? { floor_level: pick(random, ['-1', '0', '2']) } : {}),
        ...(random() < 0.4 ? { physical_reference: `${e + 1}` } : {}),
        ...(random() < 0.3 ? { coordinates: { latitude: at6(lat + 0.0001 * e), longitude: at6(lon) } } : {}),
        ...(random() < 0.2 ? { parking_restrictions: ['EV_ONLY'] } : {}),
        last_updated: lastUpdated,
      };
    });
    const open24 = random() < 0.6;
    return {
      country_code: countryCode,
      party_id: partyId,
      id,
      publish: options.publish ?? true,
      name: `${place.city} ${pick(random, ['Marktplatz', 'Parkhaus Süd', 'Rathaus', 'Bahnhof'])} ${n}`,
      address: `${pick(random, STREETS)} ${1 + Math.floor(random() * 120)}`,
      city: place.city,
      postal_code: place.postal,
      country: 'DEU',
      coordinates: { latitude: at6(lat), longitude: at6(lon) },
      ...(random() < 0.7 ? { parking_type: pick(random, PARKING) } : {}),
      evses,
      ...(random() < 0.5 ? { facilities: someOf(random, FACILITIES, 3) } : {}),
      operator: { name: `${partyId} Charging` },
      time_zone: 'Europe/Berlin',
      opening_times: open24
        ? { twentyfourseven: true }
        : { twentyfourseven: false, regular_hours: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, period_begin: '07:00', period_end: weekday === 6 ? '14:00' : '21:30' })) },
      ...(random() < 0.3 ? { energy_mix: { is_green_energy: true, energy_sources: [{ source: 'SOLAR', percentage: 60 }, { source: 'WIND', percentage: 40 }] } } : {}),
      last_updated: lastUpdated,
    };
  });
}

export interface EvseRef {
  locationId: string;
  evseUid: string;
  evseId?: string;
}

export const evseRefs = (locations: OcpiLocation[]): EvseRef[] =>
  locations.flatMap((l) => l.evses.map((e) => ({ locationId: l.id, evseUid: e.uid, ...(e.evse_id ? { evseId: e.evse_id } : {}) })));

export const evseKey = (ref: { locationId: string; evseUid: string }) => `${ref.locationId}/${ref.evseUid}`;

export interface StatusPatch {
  locationId: string;
  evseUid: string;
  patch: { status: string; last_updated: string };
}

export interface StatusStreamOptions {
  /** PATCHes per EVSE. */
  perEvse: number;
  /** last_updated of the first PATCH of each EVSE (default now). */
  start?: string;
  /** Time between two PATCHes of one EVSE (default 1000 ms); each EVSE's last_updated strictly increase. */
  stepMs?: number;
  /**
   * The order the stream is sent in: `increasing` (by last_updated), `reverse-pairs` (each EVSE's
   * PATCHes 1,0,3,2,...: the newer of every pair first, as in the stale-update report), or
   * `shuffled` (seeded, any order).
   */
  order?: 'increasing' | 'reverse-pairs' | 'shuffled';
  seed?: number;
}

/**
 * A stream of EVSE status PATCHes (2.2.1: a PATCH carries `last_updated`), with, per EVSE, the newest
 * state of the stream: what the receiver must end at whatever the order of arrival.
 */
export function statusPatches(evses: EvseRef[], options: StatusStreamOptions): { patches: StatusPatch[]; newest: Record<string, { status: string; last_updated: string }> } {
  const random = seededRandom(options.seed ?? 5);
  const start = Date.parse(options.start ?? new Date().toISOString());
  const step = options.stepMs ?? 1000;
  const perEvse = evses.map((ref) => {
    let previous = '';
    return Array.from({ length: options.perEvse }, (_, k) => {
      let status = pick(random, LIVE_STATUSES);
      while (status === previous) status = pick(random, LIVE_STATUSES);
      previous = status;
      return { locationId: ref.locationId, evseUid: ref.evseUid, patch: { status, last_updated: new Date(start + k * step).toISOString() } };
    });
  });
  const newest = Object.fromEntries(perEvse.filter((list) => list.length > 0).map((list) => [evseKey(list[0]!), list.at(-1)!.patch]));
  const order = options.order ?? 'increasing';
  const rounds = (lists: StatusPatch[][]) => Array.from({ length: options.perEvse }, (_, k) => lists.map((list) => list[k]!)).flat();
  if (order === 'increasing') return { patches: rounds(perEvse), newest };
  if (order === 'reverse-pairs') {
    // The newer of each pair first; an odd count leaves the last PATCH where it is.
    const swapped = perEvse.map((list) => list.map((_, k) => list[k % 2 === 0 && k + 1 < list.length ? k + 1 : k % 2 === 1 ? k - 1 : k]!));
    return { patches: rounds(swapped), newest };
  }
  const all = perEvse.flat();
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return { patches: all, newest };
}

/** The token of a session or CDR (CdrToken, 2.2.1): owned by the eMSP. */
export interface CdrToken {
  country_code: string;
  party_id: string;
  uid: string;
  type: 'RFID' | 'APP_USER' | 'AD_HOC_USER' | 'OTHER';
  contract_id: string;
}

export interface ChargeOptions {
  id: string;
  location: OcpiLocation;
  /** The EVSE charged at (default the location's first). */
  evseUid?: string;
  token: CdrToken;
  /** The eMSP's reference from the real-time authorization, copied as the spec requires. */
  authorizationReference?: string;
  start: string;
  minutes?: number;
  kwh?: number;
  currency?: string;
  lastUpdated?: string;
}

function charged(options: ChargeOptions) {
  const evse = options.location.evses.find((e) => e.uid === (options.evseUid ?? options.location.evses[0]?.uid));
  if (!evse) throw new Error(`location ${options.location.id} has no EVSE ${options.evseUid ?? '(none)'}`);
  const connector = evse.connectors[0]!;
  const minutes = options.minutes ?? 45;
  const kwh = options.kwh ?? 12.5;
  const end = new Date(Date.parse(options.start) + minutes * 60_000).toISOString();
  return { evse, connector, minutes, kwh, end };
}

/** A 2.2.1 Session at a location's EVSE (ACTIVE while charging, COMPLETED with its end). */
export function generateSession(options: ChargeOptions & { status?: 'PENDING' | 'ACTIVE' | 'COMPLETED' }): Json {
  const { evse, connector, kwh, end } = charged(options);
  const status = options.status ?? 'ACTIVE';
  return {
    country_code: options.location.country_code,
    party_id: options.location.party_id,
    id: options.id,
    start_date_time: options.start,
    ...(status === 'COMPLETED' ? { end_date_time: end } : {}),
    kwh: status === 'PENDING' ? 0 : kwh,
    cdr_token: options.token,
    auth_method: options.authorizationReference ? 'AUTH_REQUEST' : 'WHITELIST',
    ...(options.authorizationReference ? { authorization_reference: options.authorizationReference } : {}),
    location_id: options.location.id,
    evse_uid: evse.uid,
    connector_id: connector.id,
    currency: options.currency ?? 'EUR',
    status,
    last_updated: options.lastUpdated ?? (status === 'COMPLETED' ? end : options.start),
  };
}

/** A 2.2.1 CDR for a charge at a location's EVSE: one charging period, ENERGY and TIME, Price totals. */
export function generateCdr(options: ChargeOptions & { sessionId?: string; pricePerKwh?: number }): Json {
  const { evse, connector, minutes, kwh, end } = charged(options);
  const location = options.location;
  const excl = Math.round(kwh * (options.pricePerKwh ?? 0.39) * 100) / 100;
  return {
    country_code: location.country_code,
    party_id: location.party_id,
    id: options.id,
    start_date_time: options.start,
    end_date_time: end,
    ...(options.sessionId ? { session_id: options.sessionId } : {}),
    cdr_token: options.token,
    auth_method: options.authorizationReference ? 'AUTH_REQUEST' : 'WHITELIST',
    ...(options.authorizationReference ? { authorization_reference: options.authorizationReference } : {}),
    cdr_location: {
      id: location.id,
      name: location.name,
      address: location.address,
      city: location.city,
      postal_code: location.postal_code,
      country: location.country,
      coordinates: location.coordinates,
      evse_uid: evse.uid,
      evse_id: evse.evse_id ?? '#NA',
      connector_id: connector.id,
      connector_standard: connector.standard,
      connector_format: connector.format,
      connector_power_type: connector.power_type,
    },
    currency: options.currency ?? 'EUR',
    charging_periods: [
      {
        start_date_time: options.start,
        dimensions: [
          { type: 'ENERGY', volume: kwh },
          { type: 'TIME', volume: Math.round((minutes / 60) * 10000) / 10000 },
        ],
      },
    ],
    total_cost: { excl_vat: excl, incl_vat: Math.round(excl * 119) / 100 },
    total_energy: kwh,
    total_time: Math.round((minutes / 60) * 10000) / 10000,
    last_updated: options.lastUpdated ?? end,
  };
}

/** A 2.2.1 Tariff: a price per kWh with VAT, optionally a start fee. */
export function generateTariff(options: { id: string; countryCode: string; partyId: string; pricePerKwh?: number; startFee?: number; currency?: string; lastUpdated?: string }): Json {
  return {
    country_code: options.countryCode,
    party_id: options.partyId,
    id: options.id,
    currency: options.currency ?? 'EUR',
    elements: [
      {
        price_components: [
          { type: 'ENERGY', price: options.pricePerKwh ?? 0.39, vat: 19, step_size: 1 },
          ...(options.startFee ? [{ type: 'FLAT', price: options.startFee, vat: 19, step_size: 1 }] : []),
        ],
      },
    ],
    last_updated: options.lastUpdated ?? new Date().toISOString(),
  };
}
