/**
 * The cost engine against the worked examples of the OCPI 2.2.1 Tariffs chapter, in the corrected text
 * of the bugfix branch (issues #396, #546), with the example tariffs of the corpus. Every expected
 * amount is the one the chapter states, compared to the cent.
 */
import { sessionCost, type CostInput } from '../../src/mapping/cost';
import type { Tariff } from '../../src/ocpi/wire/schemas';
import type { ChargingPeriod } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';

const tariff = (file: string) => corpusJson('2.2.1', `${file}.json`) as Tariff;
const MINUTE = 60_000;

type Part = { reserve: number } | { charge: number; kwh?: number; dims?: ChargingPeriod['dimensions'] } | { park: number };

/** A session as consecutive charging periods: minutes reserved, charged (with kWh) or parked. */
function session(startIso: string, parts: Part[], zone = 'Europe/Amsterdam'): Omit<CostInput, 'tariff'> {
  let at = Date.parse(startIso);
  const periods = parts.map((part): ChargingPeriod => {
    const start = new Date(at).toISOString();
    if ('reserve' in part) {
      at += part.reserve * MINUTE;
      return { start_date_time: start, dimensions: [{ type: 'RESERVATION_TIME', volume: part.reserve / 60 }] };
    }
    if ('park' in part) {
      at += part.park * MINUTE;
      return { start_date_time: start, dimensions: [{ type: 'PARKING_TIME', volume: part.park / 60 }] };
    }
    at += part.charge * MINUTE;
    return { start_date_time: start, dimensions: [{ type: 'ENERGY', volume: part.kwh ?? 0 }, { type: 'TIME', volume: part.charge / 60 }, ...(part.dims ?? [])] };
  });
  return { start: new Date(startIso), end: new Date(at), periods, timeZone: zone };
}

/** Rounded half up to the cent, the way the chapter states its amounts. */
const cents = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 100 + 1e-7) / 100);
const costOf = (file: string, s: Omit<CostInput, 'tariff'>) => {
  const { value } = sessionCost({ tariff: tariff(file), ...s });
  return { excl: cents(value.total_cost.excl_vat), incl: cents(value.total_cost.incl_vat), value };
};

describe('sessionCost: worked examples of the OCPI 2.2.1 Tariffs chapter', () => {
  it.each([
    ['tariff_8_simple_025kwh', 20, 5.0, 5.5],
    ['tariff_9_025kwh_start', 20, 5.5, 6.1],
    ['tariff_12_025kwh_min_price', 20, 5.0, 5.5],
    ['tariff_12_025kwh_min_price', 1, 0.5, 0.55],
    ['tariff_6_025kwh_start_max_price', 50, 10.0, 11.0],
    ['tariff_6_025kwh_start_max_price', 30, 8.0, 8.85],
    ['tariff_3_alt_url', 20.45, 5.63, 6.24],
  ])('%s: %d kWh cost %d excl. / %d incl. VAT', (file, kwh, excl, incl) => {
    expect(costOf(file, session('2019-05-06T10:00:00Z', [{ charge: 90, kwh }]))).toMatchObject({ excl, incl });
  });

  it('tariff 3: energy is billed per 100 Wh, so 20.45 kWh are billed as 20.5', () => {
    const { value } = costOf('tariff_3_alt_url', session('2019-05-06T10:00:00Z', [{ charge: 90, kwh: 20.45 }]));
    expect(cents(value.total_energy_cost?.excl_vat)).toBe(5.13);
    expect(cents(value.total_fixed_cost?.excl_vat)).toBe(0.5);
    expect(value.total_energy).toBe(20.45);
  });

  it('tariff 10: 20 kWh and 40 minutes parking billed as 45 minutes -> 7.00 / 7.90', () => {
    const { excl, incl, value } = costOf('tariff_10_025kwh_parking_start', session('2019-05-06T10:00:00Z', [{ charge: 60, kwh: 20 }, { park: 40 }]));
    expect([excl, incl]).toEqual([7.0, 7.9]);
    expect(value.total_parking_cost).toEqual({ excl_vat: 1.5, incl_vat: 1.8 });
    expect(value.total_parking_time).toBeCloseTo(40 / 60, 6);
  });

  it('tariff 1: 2.5 hours charging -> 5.00 / 5.50', () => {
    expect(costOf('tariff_1_simple_2hour', session('2019-05-06T10:00:00Z', [{ charge: 150 }]))).toMatchObject({ excl: 5.0, incl: 5.5 });
  });

  it('tariff 2: 2.5 hours at 1.90 with 5.2% VAT -> 4.75 / 5.00', () => {
    expect(costOf('tariff_2_alt_text', session('2019-05-06T10:00:00Z', [{ charge: 150 }]))).toMatchObject({ excl: 4.75, incl: 5.0 });
  });

  it('tariff 13: 150 minutes charging, 42 parking billed as 45 -> 11.25 / 12.75', () => {
    const { excl, incl, value } = costOf('tariff_13_simple_3hour_5parking', session('2019-05-06T10:00:00Z', [{ charge: 150 }, { park: 42 }]));
    expect([excl, incl]).toEqual([11.25, 12.75]);
    expect(value.total_time_cost?.excl_vat).toBeCloseTo(7.5, 6);
    expect(value.total_parking_cost?.excl_vat).toBeCloseTo(3.75, 6);
  });

  it('tariff 4, Monday 09:30: 165 minutes at 16 A, 42 parking -> 9.00 / 10.30 (charging not rounded, parking to 45)', () => {
    // 2024-01-15 is a Monday; 08:30Z is 09:30 in Amsterdam.
    const s = session('2024-01-15T08:30:00Z', [{ charge: 165, dims: [{ type: 'MAX_CURRENT', volume: 16 }] }, { park: 42 }]);
    expect(costOf('tariff_4_complex', s)).toMatchObject({ excl: 9.0, incl: 10.3 });
  });

  it('tariff 4, Saturday 13:30: 114 minutes at 43 A, 71 parking billed as 75', () => {
    // The chapter prints 12.28 / 13.861, but its own table (114 minutes at 1.25 per hour) is 2.375,
    // not 2.28: 2.50 + 2.375 + 7.50 = 12.375 excl., 2.875 + 2.85 + 8.25 = 13.975 incl. VAT.
    const s = session('2024-01-20T12:30:00Z', [{ charge: 114, dims: [{ type: 'MIN_CURRENT', volume: 43 }] }, { park: 71 }]);
    const { value } = costOf('tariff_4_complex', s);
    expect(value.total_cost.excl_vat).toBeCloseTo(12.375, 6);
    expect(value.total_cost.incl_vat).toBeCloseTo(13.975, 6);
    expect(value.total_parking_cost?.excl_vat).toBeCloseTo(7.5, 6);
  });

  it('tariff 14, switching element #1: 16:55, 10 minutes charging, 2 parking -> 0.55', () => {
    const { value } = costOf('tariff_14_step_size', session('2018-12-18T15:55:00Z', [{ charge: 10 }, { park: 2 }]));
    expect(cents(value.total_time_cost?.excl_vat)).toBe(0.3);
    expect(cents(value.total_parking_cost?.excl_vat)).toBe(0.25);
    expect(cents(value.total_cost.excl_vat)).toBe(0.55);
    expect(value.total_cost.incl_vat).toBeUndefined();
  });

  it('tariff 14, switching element #2: 16:35, 35 minutes charging rounded to 45 -> 1.30', () => {
    expect(costOf('tariff_14_step_size', session('2018-12-18T15:35:00Z', [{ charge: 35 }])).excl).toBe(1.3);
  });

  it('max_power bands: 1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW -> 20.30', () => {
    const s = session('2019-05-06T10:00:00Z', [
      { charge: 10, kwh: 1, dims: [{ type: 'MAX_POWER', volume: 6 }] },
      { charge: 50, kwh: 40, dims: [{ type: 'MAX_POWER', volume: 48 }] },
      { charge: 7.5, kwh: 0.5, dims: [{ type: 'MAX_POWER', volume: 4 }] },
    ]);
    expect(costOf('tariffrestriction_example_max_power', s)).toMatchObject({ excl: 20.3, incl: 24.36 });
  });

  it('max_duration: first 30 minutes free, 5 kWh then 1.2 kWh -> 0.30', () => {
    const s = session('2019-05-06T10:00:00Z', [{ charge: 30, kwh: 5 }, { charge: 10, kwh: 1.2 }]);
    expect(costOf('tariffrestriction_example_max_duration', s)).toMatchObject({ excl: 0.3, incl: 0.36 });
  });

  it('a period crossing a duration threshold is cut there, its energy spread over time', () => {
    // 6.2 kWh over 40 minutes: 4.65 kWh in the free half hour, 1.55 kWh at 0.25.
    const { value } = costOf('tariffrestriction_example_max_duration', session('2019-05-06T10:00:00Z', [{ charge: 40, kwh: 6.2 }]));
    expect(value.total_cost.excl_vat).toBeCloseTo(0.3875, 6);
  });

  it('tariff 15: reservation of 15 minutes, then 20 kWh -> 6.75 / 7.60', () => {
    const { excl, incl, value } = costOf('tariff_15_reservation_5_euro_per_hour', session('2019-05-06T10:00:00Z', [{ reserve: 15 }, { charge: 60, kwh: 20 }]));
    expect([excl, incl]).toEqual([6.75, 7.6]);
    expect(value.total_reservation_cost?.excl_vat).toBeCloseTo(1.25, 6);
    expect(value.total_time).toBe(1);
  });

  it('tariff 16: reservation fee plus 13 minutes billed as 15 -> 8.75 / 10.00', () => {
    expect(costOf('tariff_16_reservation_2_euro_fee_5_euro_per_hour', session('2019-05-06T10:00:00Z', [{ reserve: 13 }, { charge: 60, kwh: 20 }]))).toMatchObject({
      excl: 8.75,
      incl: 10.0,
    });
  });

  it.each([
    ['tariff_17_reservation_with_expire_fee', 6.5, 7.3, 60, 6.0, 7.2],
    ['tariff_18_reservation_with_expire_time', 7.0, 7.9, 90, 9.0, 10.8],
  ])('%s: used after 22 minutes -> %d / %d; expired after %d minutes -> %d / %d', (file, usedExcl, usedIncl, reserved, expiredExcl, expiredIncl) => {
    expect(costOf(file, session('2019-05-06T10:00:00Z', [{ reserve: 22 }, { charge: 60, kwh: 20 }]))).toMatchObject({ excl: usedExcl, incl: usedIncl });
    expect(costOf(file, session('2019-05-06T10:00:00Z', [{ reserve: reserved }]))).toMatchObject({ excl: expiredExcl, incl: expiredIncl });
  });

  it('tariff 5: free of charge', () => {
    expect(costOf('tariff_5_free_of_charge', session('2019-05-06T10:00:00Z', [{ charge: 60, kwh: 20 }])).value.total_cost).toEqual({ excl_vat: 0 });
  });

  it.each([
    [1, 0.029],
    [25, 0.03125],
    [500, 0.125],
  ])('ENERGY step_size %d Wh: 115.2 Wh at 0.25 per kWh cost %d (PriceComponent note)', (step, cost) => {
    const energyOnly: Tariff = { ...tariff('tariff_8_simple_025kwh'), elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: step }] }] };
    const { value } = sessionCost({ tariff: energyOnly, ...session('2019-05-06T10:00:00Z', [{ charge: 10, kwh: 0.1152 }]) });
    expect(value.total_cost.excl_vat).toBeCloseTo(cost, 6);
  });

  it('min_price is reported when it replaces the sum of the parts', () => {
    const { findings } = sessionCost({ tariff: tariff('tariff_12_025kwh_min_price'), ...session('2019-05-06T10:00:00Z', [{ charge: 10, kwh: 1 }]) });
    expect(findings).toEqual([expect.objectContaining({ kind: 'default', path: 'total_cost', message: expect.stringContaining('min_price') as string })]);
  });

  it('an unknown time zone is an invalid finding, and restrictions fall back to UTC', () => {
    const { findings } = sessionCost({ tariff: tariff('tariff_14_step_size'), ...session('2018-12-18T16:55:00Z', [{ charge: 10 }], 'Mars/Olympus') });
    expect(findings).toEqual([expect.objectContaining({ kind: 'invalid', path: 'time_zone' })]);
  });
});
