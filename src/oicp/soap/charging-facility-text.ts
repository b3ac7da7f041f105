/**
 * OICP 2.0 and 2.1 described a charging facility in words (`380 - 480V, 3-Phase ≤32A`); 2.2 made it
 * an object (power type, voltage, amperage, power), which 2.3 keeps. This module reads the words
 * into the object and writes the object as the closest words. The table holds Hubject's values (the
 * `ChargingFacilityType` enumeration of the official 2.0 XSD, unchanged in 2.1); other text is read
 * for what it says (a phase count, volts, amperes, kilowatts). What the text leaves open (a voltage
 * range, a power never stated) is assumed and said (`default`); text that names no power type or
 * power is dropped and said (`loss`). One facility never refuses the record it belongs to.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-free-text-charging-facility (src/oicp/errata.ts).
import { check } from '../../core/typebox';
import { ChargingFacility, type OicpPowerType } from '../wire/schemas';

interface Reading {
  PowerType: OicpPowerType;
  Voltage?: number;
  Amperage?: number;
  Power?: number;
}

/** Hubject's 2.0/2.1 values, in the order of the XSD enumeration. Voltages are the text's range, amperage and power its limit. */
export const FACILITY_TEXTS: Readonly<Record<string, (Reading & { volts?: [number, number]; above?: boolean }) | null>> = {
  '100 - 120V, 1-Phase ≤10A': { PowerType: 'AC_1_PHASE', volts: [100, 120], Amperage: 10 },
  '100 - 120V, 1-Phase ≤16A': { PowerType: 'AC_1_PHASE', volts: [100, 120], Amperage: 16 },
  '100 - 120V, 1-Phase ≤32A': { PowerType: 'AC_1_PHASE', volts: [100, 120], Amperage: 32 },
  '200 - 240V, 1-Phase ≤10A': { PowerType: 'AC_1_PHASE', volts: [200, 240], Amperage: 10 },
  '200 - 240V, 1-Phase ≤16A': { PowerType: 'AC_1_PHASE', volts: [200, 240], Amperage: 16 },
  '200 - 240V, 1-Phase ≤32A': { PowerType: 'AC_1_PHASE', volts: [200, 240], Amperage: 32 },
  '200 - 240V, 1-Phase >32A': { PowerType: 'AC_1_PHASE', volts: [200, 240], Amperage: 32, above: true },
  '380 - 480V, 3-Phase ≤16A': { PowerType: 'AC_3_PHASE', volts: [380, 480], Amperage: 16 },
  '380 - 480V, 3-Phase ≤32A': { PowerType: 'AC_3_PHASE', volts: [380, 480], Amperage: 32 },
  '380 - 480V, 3-Phase ≤63A': { PowerType: 'AC_3_PHASE', volts: [380, 480], Amperage: 63 },
  'Battery exchange': null,
  'DC Charging ≤20kW': { PowerType: 'DC', Power: 20 },
  'DC Charging ≤50kW': { PowerType: 'DC', Power: 50 },
  'DC Charging >50kW': { PowerType: 'DC', Power: 50, above: true },
  Unspecified: null,
};

/** The nominal voltage of a range the text gives: the grid voltage the range was written around. */
const NOMINAL_VOLTS: readonly number[] = [120, 230, 400];

function nominal([low, high]: [number, number]): number {
  return NOMINAL_VOLTS.find((v) => v >= low && v <= high) ?? Math.round((low + high) / 2);
}

/** kW from volts and amperes: one phase, or three at line voltage (√3), rounded to 0.1 kW. */
function powerOf(type: OicpPowerType, volts: number, amperes: number): number {
  const watts = type === 'AC_3_PHASE' ? Math.sqrt(3) * volts * amperes : volts * amperes;
  return Math.round(watts / 100) / 10;
}

type FacilityFromText = { facility: ChargingFacility; assumed?: string } | { facility?: undefined; lost: string };

/** The facility a 2.0/2.1 text describes, with what had to be assumed; or why none could be read. */
export function facilityFromText(text: string): FacilityFromText {
  const trimmed = text.trim();
  const known = FACILITY_TEXTS[trimmed];
  if (known === null) return { lost: `"${trimmed}" names no power type and power` };
  const reading = known ?? parseText(trimmed);
  if (reading === undefined) return { lost: `"${trimmed}" names no power type and power that can be read` };
  const assumed: string[] = [];
  const volts = known?.volts ?? (reading as { volts?: [number, number] }).volts;
  let Voltage = reading.Voltage;
  if (Voltage === undefined && volts !== undefined) {
    Voltage = volts[0] === volts[1] ? volts[0] : nominal(volts);
    if (volts[0] !== volts[1]) assumed.push(`${Voltage} V (nominal of ${volts[0]}–${volts[1]} V)`);
  }
  let Power = reading.Power;
  if (Power === undefined) {
    if (Voltage === undefined || reading.Amperage === undefined || reading.PowerType === 'DC') return { lost: `"${trimmed}" gives no power and not enough to compute it` };
    Power = powerOf(reading.PowerType, Voltage, reading.Amperage);
    assumed.push(`${Power} kW (computed from ${Voltage} V and ${reading.Amperage} A)`);
  }
  if (known?.above) assumed.push(`${reading.Amperage !== undefined ? `${reading.Amperage} A` : `${Power} kW`} (the text says only "more than")`);
  const facility: ChargingFacility = { PowerType: reading.PowerType, ...(Voltage !== undefined ? { Voltage } : {}), ...(reading.Amperage !== undefined ? { Amperage: reading.Amperage } : {}), Power };
  // Free text can state what no facility has (500 A): such a reading is not believed.
  if (check(ChargingFacility, facility).findings.length > 0) return { lost: `"${trimmed}" reads as values outside OICP's ranges` };
  return assumed.length > 0 ? { facility, assumed: `OICP 2.1 ChargingFacility "${trimmed}" read as ${facility.PowerType}; assumed ${assumed.join(', ')}` } : { facility };
}

/** Free text outside Hubject's table, read for the quantities it states. */
function parseText(text: string): (Reading & { volts?: [number, number] }) | undefined {
  const dc = /\bDC\b/i.test(text);
  const three = /\b3\s*-?\s*(phase|ph)(?![a-z])|three[\s-]?phase|\btri/i.test(text);
  const one = /\b1\s*-?\s*(phase|ph)(?![a-z])|single[\s-]?phase|\bmono/i.test(text);
  const voltMatch = /(\d{2,3})\s*(?:V\s*)?(?:-|–|to)\s*(\d{2,3})\s*V\b|(\d{2,3})\s*V\b/i.exec(text);
  const volts: [number, number] | undefined = voltMatch ? (voltMatch[3] !== undefined ? [Number(voltMatch[3]), Number(voltMatch[3])] : [Number(voltMatch[1]), Number(voltMatch[2])]) : undefined;
  const ampMatch = /(\d{1,3})\s*A\b/.exec(text);
  const powerMatch = /(\d{1,3}(?:[.,]\d+)?)\s*kW\b/i.exec(text);
  const Power = powerMatch ? Number(powerMatch[1]!.replace(',', '.')) : undefined;
  const PowerType: OicpPowerType | undefined = dc ? 'DC' : three ? 'AC_3_PHASE' : one ? 'AC_1_PHASE' : volts && volts[0] >= 380 ? 'AC_3_PHASE' : undefined;
  if (PowerType === undefined) return undefined;
  return { PowerType, volts, Amperage: ampMatch ? Number(ampMatch[1]) : undefined, Power };
}

/**
 * The 2.0/2.1 text closest to a facility: the smallest of Hubject's classes that holds it. `exact`
 * is false when reading the text back gives other numbers than the facility's (always, but for the
 * few facilities that are exactly a class), so the writer can say what the text does not carry.
 */
export function textOfFacility(facility: ChargingFacility): { text: string; exact: boolean } {
  const text = classOf(facility);
  const back = facilityFromText(text).facility;
  const exact = back !== undefined && back.PowerType === facility.PowerType && back.Power === facility.Power && back.Voltage === facility.Voltage && back.Amperage === facility.Amperage;
  return { text, exact };
}

function classOf({ PowerType, Voltage, Amperage, Power }: ChargingFacility): string {
  if (PowerType === 'DC') return Power <= 20 ? 'DC Charging ≤20kW' : Power <= 50 ? 'DC Charging ≤50kW' : 'DC Charging >50kW';
  const volts = Voltage ?? (PowerType === 'AC_3_PHASE' ? 400 : 230);
  const amperes = Amperage ?? (PowerType === 'AC_3_PHASE' ? (Power * 1000) / (Math.sqrt(3) * volts) : (Power * 1000) / volts);
  if (PowerType === 'AC_3_PHASE') return `380 - 480V, 3-Phase ${amperes <= 16 ? '≤16A' : amperes <= 32 ? '≤32A' : '≤63A'}`;
  const range = volts < 180 ? '100 - 120V' : '200 - 240V';
  const limit = amperes <= 10 ? '≤10A' : amperes <= 16 ? '≤16A' : amperes <= 32 || range === '100 - 120V' ? '≤32A' : '>32A';
  return `${range}, 1-Phase ${limit}`;
}
