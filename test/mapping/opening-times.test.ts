import { ocpiHoursToOicp, oicpOpeningToOcpi } from '../../src/mapping/opening-times';

const day = (weekday: number, period_begin: string, period_end: string) => ({ weekday, period_begin, period_end });

describe('opening hours', () => {
  it.each([
    ['every day alike', [1, 2, 3, 4, 5, 6, 7].map((d) => day(d, '08:00', '20:00')), [{ on: 'Everyday', Period: [{ begin: '08:00', end: '20:00' }] }]],
    [
      'workdays and weekend',
      [...[1, 2, 3, 4, 5].map((d) => day(d, '07:00', '19:00')), day(6, '09:00', '13:00'), day(7, '09:00', '13:00')],
      [
        { on: 'Workdays', Period: [{ begin: '07:00', end: '19:00' }] },
        { on: 'Weekend', Period: [{ begin: '09:00', end: '13:00' }] },
      ],
    ],
    [
      'single days with a lunch break',
      [day(1, '13:00', '18:00'), day(1, '08:00', '12:00'), day(3, '08:00', '12:00')],
      [
        { on: 'Monday', Period: [{ begin: '08:00', end: '12:00' }, { begin: '13:00', end: '18:00' }] },
        { on: 'Wednesday', Period: [{ begin: '08:00', end: '12:00' }] },
      ],
    ],
  ])('%s', (_name, regular_hours, openingTimes) => {
    const { value } = ocpiHoursToOicp({ twentyfourseven: false, regular_hours });
    expect(value).toEqual({ IsOpen24Hours: false, OpeningTimes: openingTimes });
    const back = oicpOpeningToOcpi(value).value!;
    const sorted = [...regular_hours].sort((a, b) => a.weekday - b.weekday || a.period_begin.localeCompare(b.period_begin));
    expect(back).toEqual({ twentyfourseven: false, regular_hours: sorted });
  });

  it('splits OICP periods past midnight over two OCPI days and writes midnight as 23:59', () => {
    const { value, findings } = oicpOpeningToOcpi({ IsOpen24Hours: false, OpeningTimes: [{ on: 'Sunday', Period: [{ begin: '22:00', end: '02:00' }] }, { on: 'Monday', Period: [{ begin: '18:00', end: '24:00' }] }] });
    expect(value!.regular_hours).toEqual([day(1, '00:00', '02:00'), day(1, '18:00', '23:59'), day(7, '22:00', '23:59')]);
    expect(findings.map((f) => f.kind)).toEqual(['loss', 'loss']);
  });

  it('reports the default when OCPI gives no hours, and refuses false without regular hours', () => {
    expect(ocpiHoursToOicp(undefined)).toEqual({ value: { IsOpen24Hours: true }, findings: [expect.objectContaining({ kind: 'default' })] });
    expect(ocpiHoursToOicp({ twentyfourseven: false }).findings).toEqual([expect.objectContaining({ kind: 'invalid', path: 'opening_times.regular_hours' })]);
  });
});
