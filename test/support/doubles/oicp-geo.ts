import { isObject, type Json } from './http';

/**
 * OICP GeoCoordinates in the three official notations (GeoCoordinates.yaml): Hubject answers a
 * pull in the notation the EMP asks for (GeoCoordinatesResponseFormat), whatever the CPO pushed.
 */
export type GeoFormat = 'Google' | 'DecimalDegree' | 'DegreeMinuteSeconds';

const DMS = /^(-?)(\d{1,3})°\s?(\d{1,2})'\s?(\d{1,2}(?:\.\d+)?)''$/;

function dmsToDecimal(text: string): number | undefined {
  const match = DMS.exec(text);
  if (!match) return undefined;
  const value = Number(match[2]) + Number(match[3]) / 60 + Number(match[4]) / 3600;
  return match[1] === '-' ? -value : value;
}

/** Latitude and longitude of any official notation; undefined for one that does not parse. */
export function toDecimal(geo: unknown): { lat: number; lon: number } | undefined {
  if (!isObject(geo)) return undefined;
  if (isObject(geo.DecimalDegree)) {
    const lat = Number(geo.DecimalDegree.Latitude);
    const lon = Number(geo.DecimalDegree.Longitude);
    if (Number.isFinite(lat) && Number.isFinite(lon)) return { lat, lon };
  }
  if (isObject(geo.Google) && typeof geo.Google.Coordinates === 'string') {
    const [lat, lon] = geo.Google.Coordinates.split(/\s*,\s*|\s+/).map(Number);
    if (Number.isFinite(lat) && Number.isFinite(lon)) return { lat: lat!, lon: lon! };
  }
  if (isObject(geo.DegreeMinuteSeconds)) {
    const lat = dmsToDecimal(String(geo.DegreeMinuteSeconds.Latitude));
    const lon = dmsToDecimal(String(geo.DegreeMinuteSeconds.Longitude));
    if (lat !== undefined && lon !== undefined) return { lat, lon };
  }
  return undefined;
}

function decimalToDms(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = Math.floor((abs - degrees) * 60);
  const seconds = (abs - degrees - minutes / 60) * 3600;
  return `${sign}${degrees}°${minutes}'${seconds.toFixed(2)}''`;
}

/** The coordinates in one notation, at the six decimals the official patterns allow. */
export function inFormat(point: { lat: number; lon: number }, format: GeoFormat): Json {
  const lat = point.lat.toFixed(6);
  const lon = point.lon.toFixed(6);
  switch (format) {
    case 'Google':
      return { Google: { Coordinates: `${lat} ${lon}` } };
    case 'DecimalDegree':
      return { DecimalDegree: { Latitude: lat, Longitude: lon } };
    case 'DegreeMinuteSeconds':
      return { DegreeMinuteSeconds: { Latitude: decimalToDms(point.lat), Longitude: decimalToDms(point.lon) } };
  }
}

/** `geo` rewritten in `format`; left as it is when it does not parse (it passed the schema, so it should). */
export function convertGeo(geo: unknown, format: GeoFormat): unknown {
  const point = toDecimal(geo);
  return point ? inFormat(point, format) : geo;
}
