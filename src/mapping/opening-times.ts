/**
 * Opening hours, OCPI `Hours` (weekday 1-7 with local periods) <-> OICP IsOpen24Hours + OpeningTimes
 * (periods on Everyday, Workdays, Weekend or a single day). Days with the same periods are folded into
 * the widest OICP day set, so the way back expands them to the same weekdays.
 */
import type { Hours } from '../ocpi/wire/schemas';
import type { OicpDays, OpeningTimes, Period } from '../oicp/wire/schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
/** OICP day sets and the OCPI weekdays (1 = Monday) each covers, widest first. */
const DAY_SETS: readonly [OicpDays, readonly number[]][] = [
  ['Everyday', [1, 2, 3, 4, 5, 6, 7]],
  ['Workdays', [1, 2, 3, 4, 5]],
  ['Weekend', [6, 7]],
  ...DAY_NAMES.map((name, i): [OicpDays, number[]] => [name, [i + 1]]),
];
const WEEKDAYS_OF = new Map(DAY_SETS);

interface OicpOpening {
  IsOpen24Hours: boolean;
  OpeningTimes?: OpeningTimes[];
}

const periodsKey = (periods: readonly Period[]) => periods.map((p) => `${p.begin}-${p.end}`).join(',');

export function ocpiHoursToOicp(hours: Hours | undefined, path = 'opening_times'): Mapped<OicpOpening> {
  const log = new FindingLog();
  if (hours === undefined) {
    log.defaulted(path, 'no opening_times given; OICP needs an answer, open around the clock assumed');
    return log.result({ IsOpen24Hours: true });
  }
  if ((hours.exceptional_openings ?? []).length > 0) log.loss(childPath(path, 'exceptional_openings'), 'OICP has no exceptional openings');
  if ((hours.exceptional_closings ?? []).length > 0) log.loss(childPath(path, 'exceptional_closings'), 'OICP has no exceptional closings');
  if (hours.twentyfourseven) {
    if ((hours.regular_hours ?? []).length > 0) log.loss(childPath(path, 'regular_hours'), 'regular_hours beside twentyfourseven=true are not carried');
    return log.result({ IsOpen24Hours: true });
  }
  const regular = hours.regular_hours ?? [];
  if (regular.length === 0) {
    log.invalid(childPath(path, 'regular_hours'), 'twentyfourseven is false and no regular_hours are given');
    return log.result({ IsOpen24Hours: false });
  }
  const byDay = new Map<number, Period[]>();
  for (const h of regular) byDay.set(h.weekday, [...(byDay.get(h.weekday) ?? []), { begin: h.period_begin, end: h.period_end }]);
  for (const periods of byDay.values()) periods.sort((a, b) => a.begin.localeCompare(b.begin));
  const open = new Set(byDay.keys());
  const openingTimes: OpeningTimes[] = [];
  for (const [on, days] of DAY_SETS) {
    if (!days.every((d) => open.has(d))) continue;
    const key = periodsKey(byDay.get(days[0]!)!);
    if (!days.every((d) => periodsKey(byDay.get(d)!) === key)) continue;
    openingTimes.push({ Period: byDay.get(days[0]!)!, on });
    days.forEach((d) => open.delete(d));
  }
  return log.result({ IsOpen24Hours: false, OpeningTimes: openingTimes });
}

/** OICP midnight as a closing time (`24:00` or `00:00`) is OCPI's last minute of the day. */
const END_OF_DAY = new Set(['24:00', '00:00']);

export function oicpOpeningToOcpi(opening: OicpOpening, path = ''): Mapped<Hours | undefined> {
  const log = new FindingLog();
  if (opening.IsOpen24Hours) return log.result({ twentyfourseven: true });
  const times = opening.OpeningTimes ?? [];
  if (times.length === 0) {
    log.loss(childPath(path, 'IsOpen24Hours'), 'not open around the clock, but no OpeningTimes given; OCPI opening_times left out');
    return log.result(undefined);
  }
  const regular: Hours['regular_hours'] & object = [];
  times.forEach((entry, i) => {
    const days = WEEKDAYS_OF.get(entry.on)!;
    entry.Period.forEach((period, j) => {
      const at = childPath(childPath(childPath(path, 'OpeningTimes'), i), 'Period');
      let end = period.end;
      if (END_OF_DAY.has(end)) {
        end = '23:59';
        log.loss(childPath(childPath(at, j), 'end'), 'midnight closing written as 23:59 (OCPI has no 24:00)');
      }
      if (end <= period.begin) {
        // Past midnight: OCPI periods do not wrap, so the night is split over two days.
        log.loss(childPath(childPath(at, j), 'end'), `period ${period.begin}-${period.end} crosses midnight; split at 23:59/00:00`);
        for (const d of days) {
          regular.push({ weekday: d, period_begin: period.begin, period_end: '23:59' });
          regular.push({ weekday: (d % 7) + 1, period_begin: '00:00', period_end: end });
        }
        return;
      }
      for (const d of days) regular.push({ weekday: d, period_begin: period.begin, period_end: end });
    });
  });
  regular.sort((a, b) => a.weekday - b.weekday || a.period_begin.localeCompare(b.period_begin));
  return log.result({ twentyfourseven: false, regular_hours: regular });
}
