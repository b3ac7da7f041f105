/**
 * OICP 2.0/2.1 charging facilities in words: Hubject's table (the 2.0 XSD's enumeration, which is
 * checked against the published XSD here), free text read for what it says, and the way back from
 * a 2.3 facility to the closest words. Property tests: no text refuses, every facility has words.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FACILITY_TEXTS, facilityFromText, textOfFacility } from '../../src/oicp/soap/charging-facility-text';
import { ENUMS_2_0 } from '../../src/oicp/soap/dialects';
import { OICP_PLUGS } from '../../src/oicp/wire/vocabulary';
import { ChargingFacility, POWER_TYPES } from '../../src/oicp/wire/schemas';
import { check } from '../../src/core/typebox';
import { OFFICIAL_DIR } from '../support/xsd';

const evseXsd = readFileSync(join(OFFICIAL_DIR, 'RelatedSchemas', 'eRoamingEvseData_V2.0.xsd'), 'utf8');
/** The values of a simple type of the official 2.0 XSD. */
const enumeration = (type: string) => [...(new RegExp(`<xs:simpleType name="${type}">([\\s\\S]*?)</xs:simpleType>`).exec(evseXsd)?.[1] ?? '').matchAll(/value="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&gt;', '>'));

it("the table holds exactly Hubject's 2.0 ChargingFacilityType values, and the 2.0 enumerations are the XSD's", () => {
  expect(Object.keys(FACILITY_TEXTS)).toEqual(enumeration('ChargingFacilityType'));
  // No narrowing needed for plugs: 2.0 had every 2.3 plug, and Unspecified besides (read as no plug).
  expect(enumeration('PlugType')).toEqual([...OICP_PLUGS, 'Unspecified']);
  expect(ENUMS_2_0['*/Accessibility']!.values).toEqual(enumeration('AccessibilityType'));
  expect(ENUMS_2_0['*/AuthenticationModes']!.values).toEqual(enumeration('AuthenticationModeType'));
});

describe("Hubject's 2.1 values", () => {
  it.each([
    ['100 - 120V, 1-Phase ≤10A', { PowerType: 'AC_1_PHASE', Voltage: 120, Amperage: 10, Power: 1.2 }],
    ['100 - 120V, 1-Phase ≤32A', { PowerType: 'AC_1_PHASE', Voltage: 120, Amperage: 32, Power: 3.8 }],
    ['200 - 240V, 1-Phase ≤16A', { PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 16, Power: 3.7 }],
    ['200 - 240V, 1-Phase ≤32A', { PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 32, Power: 7.4 }],
    ['200 - 240V, 1-Phase >32A', { PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 32, Power: 7.4 }],
    ['380 - 480V, 3-Phase ≤16A', { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 16, Power: 11.1 }],
    ['380 - 480V, 3-Phase ≤32A', { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22.2 }],
    ['380 - 480V, 3-Phase ≤63A', { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 63, Power: 43.6 }],
    ['DC Charging ≤20kW', { PowerType: 'DC', Power: 20 }],
    ['DC Charging ≤50kW', { PowerType: 'DC', Power: 50 }],
    ['DC Charging >50kW', { PowerType: 'DC', Power: 50 }],
  ])('"%s" is read as %j', (text, facility) => {
    const read = facilityFromText(text);
    expect(read.facility).toEqual(facility);
    expect(check(ChargingFacility, read.facility).findings).toEqual([]);
  });

  it('says what it assumed: the nominal voltage of a range, a computed power, a lower bound', () => {
    expect(facilityFromText('380 - 480V, 3-Phase ≤32A')).toMatchObject({ assumed: expect.stringMatching(/400 V \(nominal of 380–480 V\), 22\.2 kW \(computed from 400 V and 32 A\)/) as unknown });
    expect(facilityFromText('DC Charging >50kW')).toMatchObject({ assumed: expect.stringContaining('50 kW (the text says only "more than")') as unknown });
    expect(facilityFromText('DC Charging ≤20kW')).toEqual({ facility: { PowerType: 'DC', Power: 20 } });
  });

  it('drops what names no facility, saying why', () => {
    expect(facilityFromText('Battery exchange')).toEqual({ lost: '"Battery exchange" names no power type and power' });
    expect(facilityFromText('Unspecified')).toMatchObject({ lost: expect.any(String) as unknown });
  });
});

describe('free text', () => {
  it.each([
    ['22 kW Typ 2, 400V 3-phase', { PowerType: 'AC_3_PHASE', Voltage: 400, Power: 22 }],
    ['AC 3ph 400 V 16 A', { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 16, Power: 11.1 }],
    ['single phase 230V 32A', { PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 32, Power: 7.4 }],
    ['DC 150 kW CCS', { PowerType: 'DC', Power: 150 }],
    ['DC 22,5 kW', { PowerType: 'DC', Power: 22.5 }],
    ['400V 32A', { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22.2 }],
  ])('"%s" is read as %j', (text, facility) => {
    expect(facilityFromText(text).facility).toEqual(facility);
  });

  it.each(['', 'Schnellladen', '3-Phase', 'DC', 'AC 16A', '3-phase 400V 500A'])('"%s" says too little or too much: dropped with its reason', (text) => {
    expect(facilityFromText(text)).toEqual({ lost: expect.stringContaining(`"${text}"`) as unknown });
  });
});

describe('the way back to words', () => {
  it.each([
    [{ PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22 }, '380 - 480V, 3-Phase ≤32A'],
    [{ PowerType: 'AC_3_PHASE', Power: 11 }, '380 - 480V, 3-Phase ≤16A'],
    [{ PowerType: 'AC_3_PHASE', Power: 43 }, '380 - 480V, 3-Phase ≤63A'],
    [{ PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 16, Power: 3.7 }, '200 - 240V, 1-Phase ≤16A'],
    [{ PowerType: 'AC_1_PHASE', Voltage: 120, Amperage: 16, Power: 1.9 }, '100 - 120V, 1-Phase ≤16A'],
    [{ PowerType: 'AC_1_PHASE', Power: 11 }, '200 - 240V, 1-Phase >32A'],
    [{ PowerType: 'DC', Power: 50 }, 'DC Charging ≤50kW'],
    [{ PowerType: 'DC', Power: 350 }, 'DC Charging >50kW'],
  ] as const)('%j is written as "%s"', (facility, text) => {
    expect(textOfFacility(facility).text).toBe(text);
  });

  it('is exact only where the words give back the same numbers', () => {
    expect(textOfFacility({ PowerType: 'DC', Power: 20 })).toEqual({ text: 'DC Charging ≤20kW', exact: true });
    expect(textOfFacility({ PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22.2 }).exact).toBe(true);
    expect(textOfFacility({ PowerType: 'AC_3_PHASE', Voltage: 480, Amperage: 32, Power: 22 }).exact).toBe(false);
  });
});

describe('properties', () => {
  const facility = fc.record(
    {
      PowerType: fc.constantFrom(...POWER_TYPES),
      Voltage: fc.integer({ min: 0, max: 999 }),
      Amperage: fc.integer({ min: 0, max: 99 }),
      Power: fc.double({ min: 0, max: 999, noNaN: true }),
    },
    { requiredKeys: ['PowerType', 'Power'] },
  );

  it('every 2.3 facility has one of Hubject’s values, and reading it back keeps its power type', () => {
    fc.assert(
      fc.property(facility, (f) => {
        const { text } = textOfFacility(f);
        expect(Object.keys(FACILITY_TEXTS)).toContain(text);
        const back = facilityFromText(text).facility;
        expect(back?.PowerType).toBe(f.PowerType);
        expect(check(ChargingFacility, back).findings).toEqual([]);
      }),
    );
  });

  it('no text ever throws or yields an invalid facility: a facility or a reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...Object.keys(FACILITY_TEXTS)).map((t) => `  ${t} `), fc.stringMatching(/^(AC|DC|3-Phase|1-phase)? ?[0-9]{1,3}( - [0-9]{1,3})? ?(V|A|kW)( [0-9]{1,3}(,[0-9])? ?(V|A|kW)){0,2}$/)), (text) => {
        const read = facilityFromText(text);
        if (read.facility) expect(check(ChargingFacility, read.facility).findings).toEqual([]);
        else expect(read.lost).toContain('"');
      }),
    );
  });
});
