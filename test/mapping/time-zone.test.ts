import { ocpiTimeZoneToOicp, oicpTimeZoneToOcpi, utcOffset, zoneAt } from '../../src/mapping/time-zone';

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
    ['UTC+03:00', 'Europe/Berlin', WINTER, 'Europe/Berlin', ['loss']],
    [undefined, 'Europe/Berlin', WINTER, 'Europe/Berlin', ['default']],
    [undefined, undefined, WINTER, 'Etc/UTC', ['default']],
  ] as const)('OICP %s with configured %s and no position -> %s', (offset, configured, at, zone, kinds) => {
    const { value, findings } = oicpTimeZoneToOcpi({ offset, configured }, at);
    expect(value).toBe(zone);
    expect(findings.map((f) => f.kind)).toEqual(kinds);
  });

  it.each([
    // Border towns, where a coarse lookup goes wrong by an hour: Tornio (FI) faces Haparanda (SE), Kehl (DE) Strasbourg (FR).
    ['Tornio', '65.848100', '24.146600', 'Europe/Helsinki'],
    ['Haparanda', '65.835500', '24.136800', 'Europe/Stockholm'],
    ['Kehl', '48.572400', '7.815600', 'Europe/Berlin'],
    ['Strasbourg', '48.573400', '7.752100', 'Europe/Paris'],
    ['Basel', '47.559600', '7.588600', 'Europe/Zurich'],
    ['Görlitz', '51.152800', '14.987200', 'Europe/Berlin'],
    ['Zgorzelec', '51.150000', '15.008600', 'Europe/Warsaw'],
    ['Oslo', '59.913900', '10.752200', 'Europe/Oslo'],
    ['Lisbon', '38.722300', '-9.139300', 'Europe/Lisbon'],
    ['Madeira', '32.666900', '-16.924100', 'Atlantic/Madeira'],
    ['Las Palmas', '28.123500', '-15.436300', 'Atlantic/Canary'],
    ['Kaliningrad', '54.710400', '20.452200', 'Europe/Kaliningrad'],
    ['Tijuana', '32.514900', '-117.038200', 'America/Tijuana'],
  ])('the zone at %s is %s', (_place, latitude, longitude, zone) => {
    expect(zoneAt(latitude, longitude)).toBe(zone);
  });

  it('derives the zone from the coordinates and says so, with or without an offset', () => {
    const berlin = { latitude: '52.520000', longitude: '13.405000' };
    expect(oicpTimeZoneToOcpi({ offset: 'UTC+01:00', coordinates: berlin }, SUMMER)).toEqual({
      value: 'Europe/Berlin',
      findings: [{ kind: 'default', path: 'Address.TimeZone', message: 'Europe/Berlin derived from the coordinates (OICP gives UTC+01:00)' }],
    });
    expect(oicpTimeZoneToOcpi({ coordinates: berlin }, WINTER).value).toBe('Europe/Berlin');
    // An offset that the place never has is reported, not followed: the position is the better witness.
    expect(oicpTimeZoneToOcpi({ offset: 'UTC+05:00', coordinates: berlin }, WINTER).findings[0]!.message).toContain('UTC+05:00 is not one of its offsets');
  });

  it('lets the operator’s configured zone override the coordinates', () => {
    const { value, findings } = oicpTimeZoneToOcpi({ offset: 'UTC+01:00', coordinates: { latitude: '52.520000', longitude: '13.405000' }, configured: 'Europe/Vienna' }, WINTER);
    expect(value).toBe('Europe/Vienna');
    expect(findings).toEqual([]);
  });
});
