import fc from 'fast-check';
import { ocpiToOicpFacility, oicpFacilityToOcpi, threePhaseVoltage } from '../../src/mapping/charging-facility';
import { oicpErrors } from '../support/oicp-schema';

describe('connector power -> OICP ChargingFacility', () => {
  it.each([
    [{ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32 }, { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22 }, ['max_electric_power']],
    [{ power_type: 'AC_3_PHASE', max_voltage: 277, max_amperage: 40, max_electric_power: 33000 }, { PowerType: 'AC_3_PHASE', Voltage: 480, Amperage: 40, Power: 33 }, []],
    [{ power_type: 'AC_3_PHASE', max_voltage: 400, max_amperage: 16, max_electric_power: 11000 }, { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 16, Power: 11 }, ['max_voltage']],
    [{ power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 16, max_electric_power: 3700 }, { PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 16, Power: 3 }, ['max_electric_power']],
    [{ power_type: 'DC', max_voltage: 920, max_amperage: 500, max_electric_power: 350000 }, { PowerType: 'DC', Voltage: 920, Power: 350 }, ['max_amperage']],
    [{ power_type: 'AC_2_PHASE', max_voltage: 230, max_amperage: 10, max_electric_power: 4000 }, { PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 10, Power: 4 }, ['power_type']],
    [{ power_type: 'AC_2_PHASE_SPLIT', max_voltage: 120, max_amperage: 40, max_electric_power: 9000 }, { PowerType: 'AC_1_PHASE', Voltage: 120, Amperage: 40, Power: 9 }, ['power_type']],
  ] as const)('%j', (connector, facility, lossPaths) => {
    const { value, findings } = ocpiToOicpFacility(connector);
    expect(value).toEqual(facility);
    expect(findings.map((f) => f.path)).toEqual(lossPaths);
    expect(oicpErrors('cpo', 'ChargingFacility', value)).toEqual([]);
  });
});

describe('OICP ChargingFacility -> connector power', () => {
  it('keeps given values and sets max_electric_power only below V x A x phases', () => {
    expect(oicpFacilityToOcpi({ PowerType: 'AC_1_PHASE', Voltage: 230, Amperage: 16, Power: 3 }).value).toEqual({ power_type: 'AC_1_PHASE', max_voltage: 230, max_amperage: 16, max_electric_power: 3000 });
    expect(oicpFacilityToOcpi({ PowerType: 'DC', Voltage: 920, Amperage: 99, Power: 350 }).value).toEqual({ power_type: 'DC', max_voltage: 920, max_amperage: 99 });
  });

  it('writes three-phase voltage line to neutral: 400 V -> 230 V, 480 V -> 277 V (the 43 kW AC facility of a triple charger)', () => {
    const ac = oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 63, Power: 43 });
    expect(ac.value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 63, max_electric_power: 43000 });
    expect(ac.findings).toEqual([]);
    expect(oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Voltage: 480, Amperage: 32, Power: 26 }).value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 277, max_amperage: 32, max_electric_power: 26000 });
  });

  it('keeps a three-phase voltage that is line to neutral already (230 V in OICP), saying so', () => {
    const { value, findings } = oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Voltage: 230, Amperage: 32, Power: 22 });
    expect(value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22000 });
    expect(findings.map((f) => [f.kind, f.path])).toEqual([['default', 'Voltage']]);
  });

  it('derives three-phase amperage from power with the line-to-neutral voltage, to the nearest ampere (22 kW is 32 A)', () => {
    expect(oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Voltage: 400, Power: 11 }).value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, max_electric_power: 11000 });
    expect(oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Power: 22 }).value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22000 });
  });

  it('derives amperage from power and defaults voltage, reporting both', () => {
    const { value, findings } = oicpFacilityToOcpi({ PowerType: 'DC', Power: 50, ChargingModes: ['Mode_4'] });
    expect(value).toEqual({ power_type: 'DC', max_voltage: 400, max_amperage: 125 });
    expect(findings.map((f) => [f.kind, f.path])).toEqual([
      ['default', 'Voltage'],
      ['default', 'Amperage'],
      ['loss', 'ChargingModes'],
    ]);
  });
});

describe('three-phase voltage, one rule both ways', () => {
  it.each([
    [230, 400],
    [277, 480],
    [220, 380],
    [240, 415],
    [120, 208],
  ])('%i V line to neutral is %i V line to line', (neutral, line) => {
    expect(threePhaseVoltage(neutral, 'neutral').volts).toBe(line);
    expect(threePhaseVoltage(line, 'line').volts).toBe(neutral);
  });

  it('rounds a measured voltage to its nominal system', () => {
    expect(threePhaseVoltage(398, 'line').volts).toBe(230);
    expect(threePhaseVoltage(231, 'neutral').volts).toBe(400);
  });

  // Snapping to a nominal value moves a voltage by at most the 2 % tolerance, and nominal pairs are √3 apart within 0.5 %.
  it('a voltage that goes OCPI -> OICP -> OCPI comes back within 2.5 % and a volt, or a leg says it was read as written', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 999 }), (volts) => {
        const there = threePhaseVoltage(volts, 'neutral');
        const back = threePhaseVoltage(there.volts, 'line');
        if (there.note === undefined && back.note === undefined) expect(Math.abs(back.volts - volts)).toBeLessThanOrEqual(volts * 0.025 + 1);
      }),
    );
  });
});
