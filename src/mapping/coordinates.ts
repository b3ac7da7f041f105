/**
 * Coordinates, OCPI GeoLocation (decimal strings) <-> OICP GeoCoordinates. OICP accepts three
 * encodings (Google, DecimalDegree, DegreeMinuteSeconds); we read all three and write DecimalDegree.
 * Decimal text is carried as text so no digit changes on the way; only what one side cannot hold
 * (more than 6 decimals toward OICP) is rounded, and that is reported.
 */
import { childPath, FindingLog, type Mapped } from '../core/findings';

interface OcpiGeoLocation {
  latitude: string;
  longitude: string;
}

interface OicpDecimalDegree {
  Latitude: string;
  Longitude: string;
}

interface OicpGeoCoordinates {
  Google?: { Coordinates: string };
  DecimalDegree?: OicpDecimalDegree;
  DegreeMinuteSeconds?: { Latitude: string; Longitude: string };
}

/** OICP DecimalDegree allows at most 6 decimals; OCPI 2.1.1 demands exactly 6, 2.2.1 allows 5 to 7. */
const DECIMALS = 6;
const DECIMAL = /^(-?)(\d{1,3})(?:\.(\d+))?$/;
const GOOGLE = /^(-?\d{1,3}(?:\.\d+)?)\s*,?\s*(-?\d{1,3}(?:\.\d+)?)$/;
const DMS = /^(-?)(\d{1,3})°[ ]?(\d{1,2})'[ ]?(\d{1,2}(?:\.\d+)?)''$/;

type Axis = 'latitude' | 'longitude';
const LIMIT: Record<Axis, number> = { latitude: 90, longitude: 180 };

/**
 * A decimal degree string with exactly six decimals: padded as text, rounded only when longer.
 * Undefined when it is not a number or out of range for the axis.
 */
function sixDecimals(text: string, axis: Axis): { value: string; rounded: boolean } | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match || Math.abs(Number(text)) > LIMIT[axis]) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.slice(0, DECIMALS).padEnd(DECIMALS, '0');
  const dropped = fraction.slice(DECIMALS);
  if (/^0*$/.test(dropped)) return { value: `${sign}${whole}.${kept}`, rounded: false };
  // Decimal rounding on the digits themselves, half away from zero: binary floats would turn
  // 51.0475995 into 51.047599.
  const units = BigInt(`${whole}${kept}`) + (dropped[0]! >= '5' ? 1n : 0n);
  const digits = units.toString().padStart(DECIMALS + 1, '0');
  return { value: `${sign}${digits.slice(0, -DECIMALS)}.${digits.slice(-DECIMALS)}`, rounded: true };
}

function fromDms(text: string, axis: Axis): string | undefined {
  const match = DMS.exec(text.trim());
  if (!match) return undefined;
  const [, sign, degrees, minutes, seconds] = match;
  const value = Number(degrees) + Number(minutes) / 60 + Number(seconds) / 3600;
  if (value > LIMIT[axis] || Number(minutes) >= 60 || Number(seconds) >= 60) return undefined;
  return `${sign}${value.toFixed(DECIMALS)}`;
}

/** Both axes to six decimals, with findings for rounding and for values that are not coordinates. */
function decimalPair(latitude: string, longitude: string, log: FindingLog, paths: Record<Axis, string>): OcpiGeoLocation | undefined {
  const lat = sixDecimals(latitude, 'latitude');
  const lon = sixDecimals(longitude, 'longitude');
  if (!lat) log.invalid(paths.latitude, `${JSON.stringify(latitude)} is not a latitude (decimal degrees, -90 to 90)`);
  if (!lon) log.invalid(paths.longitude, `${JSON.stringify(longitude)} is not a longitude (decimal degrees, -180 to 180)`);
  if (!lat || !lon) return undefined;
  for (const [axis, result] of [['latitude', lat], ['longitude', lon]] as const) {
    if (result.rounded) log.loss(paths[axis], `rounded to ${DECIMALS} decimals (${result.value})`);
  }
  return { latitude: lat.value, longitude: lon.value };
}

export function ocpiToOicpCoordinates(geo: OcpiGeoLocation, path = 'coordinates'): Mapped<{ DecimalDegree: OicpDecimalDegree } | undefined> {
  const log = new FindingLog();
  const pair = decimalPair(geo.latitude, geo.longitude, log, { latitude: childPath(path, 'latitude'), longitude: childPath(path, 'longitude') });
  return log.result(pair && { DecimalDegree: { Latitude: pair.latitude, Longitude: pair.longitude } });
}

/** Reads whichever encoding is present, DecimalDegree first; writes OCPI's six-decimal strings. */
export function oicpToOcpiCoordinates(geo: OicpGeoCoordinates, path = 'GeoCoordinates'): Mapped<OcpiGeoLocation | undefined> {
  const log = new FindingLog();
  if (geo.DecimalDegree) {
    const at = childPath(path, 'DecimalDegree');
    return log.result(decimalPair(geo.DecimalDegree.Latitude, geo.DecimalDegree.Longitude, log, { latitude: childPath(at, 'Latitude'), longitude: childPath(at, 'Longitude') }));
  }
  if (geo.Google) {
    const at = childPath(childPath(path, 'Google'), 'Coordinates');
    const match = GOOGLE.exec(geo.Google.Coordinates.trim());
    if (!match) {
      log.invalid(at, `${JSON.stringify(geo.Google.Coordinates)} is not "latitude longitude"`);
      return log.result(undefined);
    }
    return log.result(decimalPair(match[1]!, match[2]!, log, { latitude: at, longitude: at }));
  }
  if (geo.DegreeMinuteSeconds) {
    const at = childPath(path, 'DegreeMinuteSeconds');
    const latitude = fromDms(geo.DegreeMinuteSeconds.Latitude, 'latitude');
    const longitude = fromDms(geo.DegreeMinuteSeconds.Longitude, 'longitude');
    if (latitude === undefined) log.invalid(childPath(at, 'Latitude'), `${JSON.stringify(geo.DegreeMinuteSeconds.Latitude)} is not a latitude in degrees, minutes and seconds`);
    if (longitude === undefined) log.invalid(childPath(at, 'Longitude'), `${JSON.stringify(geo.DegreeMinuteSeconds.Longitude)} is not a longitude in degrees, minutes and seconds`);
    return log.result(latitude !== undefined && longitude !== undefined ? { latitude, longitude } : undefined);
  }
  log.invalid(path, 'none of Google, DecimalDegree or DegreeMinuteSeconds is given');
  return log.result(undefined);
}
