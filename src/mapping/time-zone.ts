/**
 * Time zone, OCPI IANA name (`Europe/Berlin`) <-> OICP Address.TimeZone (`UTC+01:00`). OICP holds only
 * a fixed offset, so the offset is the one in force at the mapping instant and the way back needs the
 * operator's zone from the mapping rules to recover daylight saving time.
 */
import { FindingLog, type Mapped } from './findings';

const OFFSET = /^UTC([+-])(\d{2}):(\d{2})$/;

/** `UTC+01:00` for the zone at `at`; undefined when the zone is not an IANA name. */
export function utcOffset(zone: string, at: Date): string | undefined {
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  } catch {
    return undefined;
  }
  if (name === undefined) return undefined;
  // Intl writes "GMT" for a zero offset and "GMT+01:00" otherwise.
  return name === 'GMT' ? 'UTC+00:00' : name.replace('GMT', 'UTC');
}

export function ocpiTimeZoneToOicp(zone: string, at: Date, path = 'time_zone'): Mapped<string | undefined> {
  const log = new FindingLog();
  const offset = utcOffset(zone, at);
  if (offset === undefined) {
    log.invalid(path, `${JSON.stringify(zone)} is not an IANA time zone`);
    return log.result(undefined);
  }
  const year = at.getUTCFullYear();
  const seasonal = utcOffset(zone, new Date(Date.UTC(year, 0, 1))) !== utcOffset(zone, new Date(Date.UTC(year, 6, 1)));
  log.loss(
    path,
    seasonal
      ? `OICP holds a fixed offset: ${zone} is sent as ${offset} (in force at ${at.toISOString()}); daylight saving time is not carried`
      : `OICP holds a fixed offset: ${zone} is sent as ${offset}; the zone name is not carried`,
  );
  return log.result(offset);
}

/**
 * The OCPI zone for an OICP offset: the operator's configured zone when it uses that offset in some
 * season of the year, else the fixed-offset zone `Etc/GMT-1` (POSIX sign: east is minus).
 */
export function oicpTimeZoneToOcpi(offset: string | undefined, at: Date, configured: string | undefined, path = 'Address.TimeZone'): Mapped<string> {
  const log = new FindingLog();
  if (configured !== undefined && utcOffset(configured, at) === undefined) {
    log.invalid('mapping.operators.timeZone', `${JSON.stringify(configured)} is not an IANA time zone`);
    configured = undefined;
  }
  if (offset === undefined) {
    if (configured !== undefined) {
      log.defaulted(path, `no TimeZone given; the operator's zone ${configured} applies`);
      return log.result(configured);
    }
    log.defaulted(path, 'no TimeZone given and none configured for the operator; Etc/UTC assumed, local times may be off');
    return log.result('Etc/UTC');
  }
  const match = OFFSET.exec(offset);
  if (!match) {
    log.invalid(path, `${JSON.stringify(offset)} is not a UTC offset (UTC+hh:mm)`);
    return log.result(configured ?? 'Etc/UTC');
  }
  if (configured !== undefined) {
    const year = at.getUTCFullYear();
    const seasons = [new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year, 6, 1)), at];
    if (seasons.some((d) => utcOffset(configured, d) === offset)) return log.result(configured);
    log.loss(path, `${offset} is not an offset of the configured zone ${configured}`);
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
