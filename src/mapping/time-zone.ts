/**
 * Time zone, OCPI IANA name (`Europe/Berlin`) <-> OICP Address.TimeZone (`UTC+01:00`). OICP holds only
 * a fixed offset, so the offset is the one in force at the mapping instant. The way back reads the
 * zone off the coordinates (geo-tz, the timezone-boundary-builder polygons), unless the operator's
 * zone from the mapping rules overrides it; the offset alone is the last resort.
 */
import { find as zonesAt, setCache } from 'geo-tz/dist/find-all';
import { LRUCache } from 'lru-cache';
import { FindingLog, type Mapped } from '../core/findings';

const OFFSET = /^UTC([+-])(\d{2}):(\d{2})$/;

/**
 * One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with one (it
 * was two thirds of the location mapper's time), and a network has few zones. Bounded, as the names
 * come from peers; a name that is not a zone is not remembered (bad input pays for itself).
 */
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 1_000 });

function offsetFormatter(zone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      return undefined;
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** `UTC+01:00` for the zone at `at`; undefined when the zone is not an IANA name. */
export function utcOffset(zone: string, at: Date): string | undefined {
  const name = offsetFormatter(zone)?.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  if (name === undefined) return undefined;
  // Intl writes "GMT" for a zero offset and "GMT+01:00" otherwise.
  return name === 'GMT' ? 'UTC+00:00' : name.replace('GMT', 'UTC');
}

/** A zone's winter and summer offsets of a year: pure, remembered (a network has few zones; bounded like the formatters). */
const seasonalOffsets = new LRUCache<string, readonly (string | undefined)[]>({ max: 1_000 });

function seasonsOf(zone: string, year: number): readonly (string | undefined)[] {
  const key = `${zone} ${year}`;
  let seasons = seasonalOffsets.get(key);
  if (seasons === undefined) {
    seasons = [utcOffset(zone, new Date(Date.UTC(year, 0, 1))), utcOffset(zone, new Date(Date.UTC(year, 6, 1)))];
    seasonalOffsets.set(key, seasons);
  }
  return seasons;
}

/**
 * The last answer per zone: a sync maps its locations at one instant, so the next location in a zone
 * asks the same, and formatting the offset (Intl) was still the largest single cost of a location.
 */
const lastAnswers = new LRUCache<string, { time: number; offset: string; message: string }>({ max: 1_000 });

export function ocpiTimeZoneToOicp(zone: string, at: Date, path = 'time_zone'): Mapped<string | undefined> {
  const log = new FindingLog();
  const time = at.getTime();
  let answer = lastAnswers.get(zone);
  if (answer?.time !== time) {
    const offset = utcOffset(zone, at);
    if (offset === undefined) {
      log.invalid(path, `${JSON.stringify(zone)} is not an IANA time zone`);
      return log.result(undefined);
    }
    const [winter, summer] = seasonsOf(zone, at.getUTCFullYear());
    const seasonal = winter !== summer;
    const message = seasonal
      ? `OICP holds a fixed offset: ${zone} is sent as ${offset} (in force at ${at.toISOString()}); daylight saving time is not carried`
      : `OICP holds a fixed offset: ${zone} is sent as ${offset}; the zone name is not carried`;
    answer = { time, offset, message };
    lastAnswers.set(zone, answer);
  }
  log.loss(path, answer.message);
  return log.result(answer.offset);
}

// geo-tz keeps every polygon it reads in memory by default (300 MB for Europe, measured); read from
// its data file each time instead (+40 MB, 40-110 µs a lookup) and remember the answer per position.
setCache({ store: { get: () => undefined, set: () => undefined } });
const zoneByPosition = new LRUCache<string, string>({ max: 20_000 });

/**
 * The IANA zone at a position, from the time zone boundaries; undefined where they name none that
 * this runtime knows. Pure, so remembered: a network's locations are looked up once per process.
 */
export function zoneAt(latitude: string, longitude: string): string | undefined {
  const key = `${latitude},${longitude}`;
  const known = zoneByPosition.get(key);
  if (known !== undefined) return known === '' ? undefined : known;
  let zone: string | undefined;
  try {
    zone = zonesAt(Number(latitude), Number(longitude))[0];
  } catch {
    zone = undefined;
  }
  // A zone newer than the runtime's time zone data cannot be used for local times.
  if (zone !== undefined && !knownToRuntime(zone)) zone = undefined;
  zoneByPosition.set(key, zone ?? '');
  return zone;
}

const runtimeZones = new Map<string, boolean>();
/** Whether this runtime's time zone data has the zone: remembered, a network has few zones. */
function knownToRuntime(zone: string): boolean {
  let known = runtimeZones.get(zone);
  if (known === undefined) {
    known = utcOffset(zone, new Date(0)) !== undefined;
    runtimeZones.set(zone, known);
  }
  return known;
}

/** Whether `zone` has `offset` in winter, in summer or at `at`: the seasons an operator may have meant. */
function hasOffset(zone: string, offset: string, at: Date): boolean {
  return seasonsOf(zone, at.getUTCFullYear()).includes(offset) || utcOffset(zone, at) === offset;
}

interface OicpTimeZoneSource {
  /** Address.TimeZone, `UTC+01:00`. */
  offset?: string;
  /** The location's position, already read into OCPI's decimal form. */
  coordinates?: { latitude: string; longitude: string };
  /** The operator's zone from the mapping rules: it overrides what the coordinates say. */
  configured?: string;
}

/**
 * The OCPI zone of an OICP location: the operator's configured zone, else the zone at its
 * coordinates, each reported; else the fixed-offset zone `Etc/GMT-1` for the offset (POSIX sign: east
 * is minus), which knows no daylight saving time.
 */
export function oicpTimeZoneToOcpi(source: OicpTimeZoneSource, at: Date, path = 'Address.TimeZone'): Mapped<string> {
  const log = new FindingLog();
  const { offset, coordinates } = source;
  let configured = source.configured;
  if (configured !== undefined && utcOffset(configured, at) === undefined) {
    log.invalid('mapping.operators.timeZone', `${JSON.stringify(configured)} is not an IANA time zone`);
    configured = undefined;
  }
  const match = offset === undefined ? undefined : OFFSET.exec(offset);
  if (offset !== undefined && !match) log.invalid(path, `${JSON.stringify(offset)} is not a UTC offset (UTC+hh:mm)`);
  if (configured !== undefined) {
    if (offset === undefined) log.defaulted(path, `no TimeZone given; the operator's zone ${configured} applies`);
    else if (match && !hasOffset(configured, offset, at)) log.loss(path, `${offset} is not an offset of the configured zone ${configured}; the configured zone applies`);
    return log.result(configured);
  }
  const derived = coordinates && zoneAt(coordinates.latitude, coordinates.longitude);
  if (derived !== undefined) {
    const disagreeing = match && !hasOffset(derived, offset!, at) ? `; the given ${offset} is not one of its offsets and is not used` : '';
    log.defaulted(path, `${derived} derived from the coordinates (OICP gives ${offset ?? 'no zone'})${disagreeing}`);
    return log.result(derived);
  }
  if (offset === undefined || !match) {
    if (offset === undefined) log.defaulted(path, 'no TimeZone given, none configured for the operator and none found at the coordinates; Etc/UTC assumed, local times may be off');
    return log.result('Etc/UTC');
  }
  const [, sign, hours, minutes] = match;
  if (minutes === '00') {
    const zone = Number(hours) === 0 ? 'Etc/UTC' : `Etc/GMT${sign === '+' ? '-' : '+'}${Number(hours)}`;
    if (utcOffset(zone, at) === offset) {
      log.loss(path, `only the offset ${offset} is known; ${zone} has no daylight saving time (configure the operator's timeZone)`);
      return log.result(zone);
    }
  }
  log.defaulted(path, `no IANA zone has the fixed offset ${offset}; Etc/UTC assumed (configure the operator's timeZone)`);
  return log.result('Etc/UTC');
}
