/**
 * The cost of a charging session under an OCPI 2.2.1 tariff. OICP CDRs carry no price, so an OCPI CDR
 * built from one needs its totals computed from the tariff that applied (../shared/spec/ocpi.md §4.4).
 *
 * The session is cut into slices where nothing relevant to the tariff changes: a restriction's local
 * time of day, a new local day, a duration or energy threshold, a new charging period. Energy inside a
 * period is spread evenly over its charging time (OCPI allows the CPO to interpolate; OICP gives no
 * timestamps at all). For each slice and each dimension the first element with a component of that
 * dimension whose restrictions hold is used (2.2.1 per-dimension selection); no such element makes the
 * dimension free. `step_size` then rounds up the session totals: ENERGY, and the time dimension used
 * last (TIME followed by PARKING_TIME rounds the parking only), with the surplus billed at the price of
 * the last slice of that dimension. Reservation time is priced by the `reservation` elements and
 * rounded on its own. Finally min_price and max_price bound the totals, excl. and incl. VAT separately.
 */
import type { DayOfWeek, PriceComponent, Tariff, TariffElement, TariffRestrictions } from '../ocpi/wire/schemas';
import type { CdrDimensionType, ChargingPeriod, Price } from '../ocpi/wire/transaction-schemas';
import { FindingLog, type Mapped } from '../core/findings';
import { utcOffset } from './time-zone';
import { sixDecimals } from './decimals';

type Phase = 'reservation' | 'charging' | 'parking';

interface Slice {
  start: number;
  end: number;
  phase: Phase;
  /** kWh charged within the slice. */
  energy: number;
  power?: number;
  current?: number;
}

export interface CostInput {
  tariff: Tariff;
  /** Session (or reservation) start and end. */
  start: Date;
  end: Date;
  periods: readonly ChargingPeriod[];
  /** IANA zone of the location: restrictions are in local time. */
  timeZone: string;
}

interface SessionCost {
  total_cost: Price;
  total_fixed_cost?: Price;
  total_energy_cost?: Price;
  total_time_cost?: Price;
  total_parking_cost?: Price;
  total_reservation_cost?: Price;
  total_energy: number;
  /** Hours, charging and not charging (reservation excluded). */
  total_time: number;
  total_parking_time: number;
}

const HOUR = 3_600_000;
const DAYS: readonly DayOfWeek[] = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function offsetMinutes(zone: string, at: number): number {
  const match = /^UTC([+-])(\d{2}):(\d{2})$/.exec(utcOffset(zone, new Date(at)) ?? 'UTC+00:00')!;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

interface Local {
  date: string;
  minutes: number;
  day: DayOfWeek;
}

/** Wall-clock date, minute of day and weekday of an instant in a zone. */
function localAt(zone: string, at: number): Local {
  const shifted = new Date(at + offsetMinutes(zone, at) * 60_000);
  return { date: shifted.toISOString().slice(0, 10), minutes: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(), day: DAYS[shifted.getUTCDay()]! };
}

/** The instant a wall-clock time occurs on a local date (the later offset wins across a DST jump). */
function instantOf(zone: string, date: string, minutes: number): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  const first = wall - offsetMinutes(zone, wall) * 60_000;
  return wall - offsetMinutes(zone, first) * 60_000;
}

const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

interface Context {
  local: Local;
  /** Seconds since the session started. */
  duration: number;
  /** kWh charged before this slice. */
  energyBefore: number;
  power?: number;
  current?: number;
}

function withinTimes(r: TariffRestrictions, minutes: number): boolean {
  if (r.start_time === undefined && r.end_time === undefined) return true;
  const from = r.start_time === undefined ? 0 : minuteOfDay(r.start_time);
  const to = r.end_time === undefined || r.end_time === '00:00' ? 24 * 60 : minuteOfDay(r.end_time);
  // end before start wraps past midnight
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

function holds(r: TariffRestrictions | undefined, at: Context): boolean {
  if (r === undefined) return true;
  const { local } = at;
  return (
    withinTimes(r, local.minutes) &&
    (r.start_date === undefined || local.date >= r.start_date) &&
    (r.end_date === undefined || local.date < r.end_date) &&
    (r.day_of_week === undefined || r.day_of_week.length === 0 || r.day_of_week.includes(local.day)) &&
    (r.min_kwh === undefined || at.energyBefore >= r.min_kwh) &&
    (r.max_kwh === undefined || at.energyBefore < r.max_kwh) &&
    (r.min_duration === undefined || at.duration >= r.min_duration) &&
    (r.max_duration === undefined || at.duration < r.max_duration) &&
    (r.min_power === undefined || (at.power !== undefined && at.power >= r.min_power)) &&
    (r.max_power === undefined || (at.power !== undefined && at.power < r.max_power)) &&
    (r.min_current === undefined || (at.current !== undefined && at.current >= r.min_current)) &&
    (r.max_current === undefined || (at.current !== undefined && at.current < r.max_current))
  );
}

/** The charging periods as consecutive slices of one phase each: reservation, then charging, then parking. */
function slicesOf(periods: readonly ChargingPeriod[], sessionEnd: number): Slice[] {
  const sorted = [...periods].sort((a, b) => Date.parse(a.start_date_time) - Date.parse(b.start_date_time));
  return sorted.flatMap((period, i) => {
    const start = Date.parse(period.start_date_time);
    const end = Math.max(start, i + 1 < sorted.length ? Date.parse(sorted[i + 1]!.start_date_time) : sessionEnd);
    const volume = (type: CdrDimensionType) => period.dimensions.find((d) => d.type === type)?.volume;
    const energy = volume('ENERGY') ?? 0;
    const current = volume('CURRENT') ?? volume('MAX_CURRENT') ?? volume('MIN_CURRENT');
    const power = volume('POWER') ?? volume('MAX_POWER') ?? volume('MIN_POWER');
    const given = (['reservation', 'charging', 'parking'] as const)
      .map((phase) => ({ phase, hours: volume(phase === 'reservation' ? 'RESERVATION_TIME' : phase === 'charging' ? 'TIME' : 'PARKING_TIME') ?? 0 }))
      .filter((part) => part.hours > 0);
    // Without time dimensions the period's own length counts: charging if energy flowed, else parking.
    const parts = given.length > 0 ? given : [{ phase: energy > 0 ? ('charging' as const) : ('parking' as const), hours: (end - start) / HOUR }];
    let at = start;
    return parts.map(({ phase, hours }) => {
      // Without a power dimension, a charging slice's average power.
      const slice: Slice = { start: at, end: at + hours * HOUR, phase, energy: phase === 'charging' ? energy : 0, current, power: power ?? (phase === 'charging' && hours > 0 ? energy / hours : undefined) };
      at = slice.end;
      return slice;
    });
  });
}

/** Instants inside a slice where some restriction may change its answer. */
function cutsWithin(slice: Slice, elements: readonly TariffElement[], sessionStart: number, energyBefore: number, zone: string): number[] {
  const cuts = new Set<number>();
  const times = new Set<number>([0]);
  for (const { restrictions: r } of elements) {
    if (r?.start_time !== undefined) times.add(minuteOfDay(r.start_time));
    if (r?.end_time !== undefined) times.add(minuteOfDay(r.end_time));
    for (const seconds of [r?.min_duration, r?.max_duration]) if (seconds !== undefined) cuts.add(sessionStart + seconds * 1000);
    for (const kwh of [r?.min_kwh, r?.max_kwh]) {
      if (kwh !== undefined && slice.energy > 0 && kwh > energyBefore && kwh < energyBefore + slice.energy) {
        cuts.add(slice.start + ((kwh - energyBefore) / slice.energy) * (slice.end - slice.start));
      }
    }
  }
  for (let day = localAt(zone, slice.start).date; day <= localAt(zone, slice.end).date; day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
    for (const minutes of times) cuts.add(instantOf(zone, day, minutes));
  }
  return [...cuts].filter((t) => t > slice.start && t < slice.end).sort((a, b) => a - b);
}

function cut(slice: Slice, at: readonly number[]): Slice[] {
  const bounds = [slice.start, ...at, slice.end];
  const length = slice.end - slice.start;
  return bounds.slice(1).map((end, i) => ({ ...slice, start: bounds[i]!, end, energy: length > 0 ? (slice.energy * (end - bounds[i]!)) / length : slice.energy }));
}

type Category = 'fixed' | 'energy' | 'time' | 'parking' | 'reservation';

interface Segment {
  category: Category;
  component: PriceComponent;
  /** kWh, hours, or 1 for a flat fee. */
  quantity: number;
}

/** Rounds `quantity` (kWh or hours) up to whole steps of `step` Wh or seconds; tolerant of float noise. */
function roundUp(quantity: number, step: number, unitsPerQuantity: number): number {
  if (step <= 0) return quantity;
  const units = quantity * unitsPerQuantity;
  return (Math.ceil(units / step - 1e-9) * step) / unitsPerQuantity;
}

/** Adds the step_size surplus of one dimension to its last segment. */
function quantise(segments: Segment[], category: Category, unitsPerQuantity: number): void {
  const own = segments.filter((s) => s.category === category);
  const last = own.at(-1);
  if (last === undefined) return;
  const total = own.reduce((sum, s) => sum + s.quantity, 0);
  last.quantity += roundUp(total, last.component.step_size, unitsPerQuantity) - total;
}

export function sessionCost(input: CostInput): Mapped<SessionCost> {
  const log = new FindingLog();
  const { tariff } = input;
  const sessionStart = input.start.getTime();
  let zone = input.timeZone;
  if (utcOffset(zone, input.start) === undefined) {
    log.invalid('time_zone', `${JSON.stringify(zone)} is not an IANA time zone; tariff restrictions evaluated in UTC`);
    zone = 'Etc/UTC';
  }

  let energyBefore = 0;
  const slices = slicesOf(input.periods, input.end.getTime()).flatMap((slice) => {
    const pieces = cut(slice, cutsWithin(slice, tariff.elements, sessionStart, energyBefore, zone));
    energyBefore += slice.energy;
    return pieces;
  });

  const charged = slices.some((s) => s.phase === 'charging');
  // An expired reservation (no charging followed) is priced by RESERVATION_EXPIRES elements first.
  const reservationElements = [
    ...(charged ? [] : tariff.elements.filter((e) => e.restrictions?.reservation === 'RESERVATION_EXPIRES')),
    ...tariff.elements.filter((e) => e.restrictions?.reservation === 'RESERVATION'),
  ];
  const sessionElements = tariff.elements.filter((e) => e.restrictions?.reservation === undefined);

  const segments: Segment[] = [];
  const add = (category: Category, component: PriceComponent, quantity: number) => {
    const last = segments.at(-1);
    if (last && last.category === category && last.component === component && component.type !== 'FLAT') last.quantity += quantity;
    else segments.push({ category, component, quantity });
  };
  const pick = (elements: readonly TariffElement[], type: PriceComponent['type'], at: Context) =>
    elements.find((e) => e.price_components.some((c) => c.type === type) && holds(e.restrictions, at))?.price_components.find((c) => c.type === type);

  const flatBilled = new Set<'reservation' | 'session'>();
  let energySoFar = 0;
  for (const slice of slices) {
    const at: Context = { local: localAt(zone, slice.start), duration: (slice.start - sessionStart) / 1000, energyBefore: energySoFar, power: slice.power, current: slice.current };
    const hours = (slice.end - slice.start) / HOUR;
    const group = slice.phase === 'reservation' ? 'reservation' : 'session';
    const elements = group === 'reservation' ? reservationElements : sessionElements;
    if (!flatBilled.has(group)) {
      flatBilled.add(group);
      const flat = pick(elements, 'FLAT', at);
      if (flat) add(group === 'reservation' ? 'reservation' : 'fixed', flat, 1);
    }
    if (slice.phase === 'reservation') {
      const time = pick(elements, 'TIME', at);
      if (time) add('reservation', time, hours);
    } else if (slice.phase === 'charging') {
      const time = pick(elements, 'TIME', at);
      if (time) add('time', time, hours);
      const energy = pick(elements, 'ENERGY', at);
      if (energy && slice.energy !== 0) add('energy', energy, slice.energy);
    } else {
      const parking = pick(elements, 'PARKING_TIME', at);
      if (parking) add('parking', parking, hours);
    }
    energySoFar += slice.energy;
  }

  quantise(segments, 'energy', 1000);
  const lastTime = segments.filter((s) => s.category === 'time' || s.category === 'parking').at(-1);
  if (lastTime) quantise(segments, lastTime.category, 3600);
  quantise(
    segments.filter((s) => s.category !== 'reservation' || s.component.type === 'TIME'),
    'reservation',
    3600,
  );

  const withVat = segments.some((s) => s.component.vat !== undefined);
  const sum = (of: Segment[]): Price => {
    const excl = of.reduce((total, s) => total + s.quantity * s.component.price, 0);
    const incl = of.reduce((total, s) => total + s.quantity * s.component.price * (1 + (s.component.vat ?? 0) / 100), 0);
    return withVat ? { excl_vat: sixDecimals(excl), incl_vat: sixDecimals(incl) } : { excl_vat: sixDecimals(excl) };
  };
  const category = (name: Category) => {
    const of = segments.filter((s) => s.category === name);
    return of.length > 0 ? sum(of) : undefined;
  };

  const total = sum(segments);
  const bound = (price: Price, limit: Price | undefined, pickValue: (a: number, b: number) => number): Price => {
    if (limit === undefined) return price;
    const excl = pickValue(price.excl_vat, limit.excl_vat);
    const incl = price.incl_vat !== undefined && limit.incl_vat !== undefined ? pickValue(price.incl_vat, limit.incl_vat) : price.incl_vat;
    return incl === undefined ? { excl_vat: excl } : { excl_vat: excl, incl_vat: incl };
  };
  const total_cost = bound(bound(total, tariff.min_price, Math.max), tariff.max_price, Math.min);
  if (total_cost.excl_vat !== total.excl_vat) {
    log.defaulted('total_cost', `the tariff's ${total_cost.excl_vat > total.excl_vat ? 'min_price' : 'max_price'} applies: the cost parts add up to ${total.excl_vat} excl. VAT`);
  }

  const hoursOf = (phases: readonly Phase[]) => slices.filter((s) => phases.includes(s.phase)).reduce((t, s) => t + (s.end - s.start) / HOUR, 0);
  const result: SessionCost = {
    total_cost,
    total_energy: sixDecimals(slices.reduce((t, s) => t + s.energy, 0)),
    total_time: sixDecimals(hoursOf(['charging', 'parking'])),
    total_parking_time: sixDecimals(hoursOf(['parking'])),
  };
  const parts: [keyof SessionCost, Category][] = [
    ['total_fixed_cost', 'fixed'],
    ['total_energy_cost', 'energy'],
    ['total_time_cost', 'time'],
    ['total_parking_cost', 'parking'],
    ['total_reservation_cost', 'reservation'],
  ];
  for (const [field, name] of parts) {
    const price = category(name);
    if (price) Object.assign(result, { [field]: price });
  }
  return log.result(result);
}
