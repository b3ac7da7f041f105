import { ocpiTimeZoneToOicp, oicpTimeZoneToOcpi, utcOffset } from '../../src/mapping/time-zone';

const WINTER = new Date('2025-01-15T12:00:00Z');
const SUMMER = new Date('2025-07-15T12:00:00Z');

describe('time zone', () => {
  it.each([
    ['Europe/Berlin', WINTER, 'UTC+01:00'],
    ['Europe/Berlin', SUMMER, 'UTC+02:00'],
    ['America/New_York', WINTER, 'UTC-05:00'],
    ['Asia/Kolkata', WINTER, 'UTC+05:30'],
    ['UTC', WINTER, 'UTC+00:00'],
  ])('%s at %s is %s', (zone, at, offset) => {
    expect(utcOffset(zone, at)).toBe(offset);
    expect(ocpiTimeZoneToOicp(zone, at).value).toBe(offset);
  });

  it('refuses a name that is not an IANA zone', () => {
    expect(ocpiTimeZoneToOicp('Mars/Olympus', WINTER)).toEqual({ value: undefined, findings: [expect.objectContaining({ kind: 'invalid', path: 'time_zone' })] });
  });

  it.each([
    ['UTC+01:00', 'Europe/Berlin', SUMMER, 'Europe/Berlin', []],
    ['UTC+02:00', 'Europe/Berlin', WINTER, 'Europe/Berlin', []],
    ['UTC+01:00', undefined, WINTER, 'Etc/GMT-1', ['loss']],
    ['UTC-05:00', undefined, WINTER, 'Etc/GMT+5', ['loss']],
    ['UTC+05:30', undefined, WINTER, 'Etc/UTC', ['default']],
    ['UTC+03:00', 'Europe/Berlin', WINTER, 'Etc/GMT-3', ['loss', 'loss']],
    [undefined, 'Europe/Berlin', WINTER, 'Europe/Berlin', ['default']],
    [undefined, undefined, WINTER, 'Etc/UTC', ['default']],
  ] as const)('OICP %s with configured %s -> %s', (offset, configured, at, zone, kinds) => {
    const { value, findings } = oicpTimeZoneToOcpi(offset, at, configured);
    expect(value).toBe(zone);
    expect(findings.map((f) => f.kind)).toEqual(kinds);
  });
});
