import { ocpiToOicpFacility, oicpFacilityToOcpi } from '../../src/mapping/charging-facility';
import { oicpErrors } from '../support/oicp-schema';

describe('connector power -> OICP ChargingFacility', () => {
  it.each([
    [{ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32 }, { PowerType: 'AC_3_PHASE', Voltage: 230, Amperage: 32, Power: 22 }, ['max_electric_power']],
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
    expect(oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Voltage: 230, Amperage: 16, Power: 11 }).value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, max_electric_power: 11000 });
    expect(oicpFacilityToOcpi({ PowerType: 'AC_3_PHASE', Voltage: 230, Amperage: 32, Power: 22 }).value).toEqual({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22000 });
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
