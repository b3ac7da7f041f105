import { ocpiEnergyMixToOicp, oicpEnergyToOcpi } from '../../src/mapping/energy-mix';

describe('energy mix', () => {
  it.each([
    ['SOLAR', 'Solar'],
    ['WIND', 'Wind'],
    ['WATER', 'HydroPower'],
    ['NUCLEAR', 'NuclearEnergy'],
    ['COAL', 'Coal'],
    ['GAS', 'NaturalGas'],
  ] as const)('%s <-> %s', (source, energy) => {
    expect(ocpiEnergyMixToOicp({ is_green_energy: false, energy_sources: [{ source, percentage: 40 }] }, undefined).value.EnergySource).toEqual([{ Energy: energy, Percentage: 40 }]);
    expect(oicpEnergyToOcpi({ RenewableEnergy: false, EnergySource: [{ Energy: energy, Percentage: 40 }] }).value.energy_sources).toEqual([{ source, percentage: 40 }]);
  });

  it.each(['GENERAL_GREEN', 'GENERAL_FOSSIL'] as const)('%s has no OICP category (loss)', (source) => {
    const { value, findings } = ocpiEnergyMixToOicp({ is_green_energy: true, energy_sources: [{ source, percentage: 50 }] }, undefined);
    expect(value.EnergySource).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ kind: 'loss', path: 'energy_mix.energy_sources[0]' })]);
  });

  it.each([
    ['GeothermalEnergy', 'GENERAL_GREEN'],
    ['Biomass', 'GENERAL_GREEN'],
    ['Petroleum', 'GENERAL_FOSSIL'],
  ] as const)('OICP %s is OCPI %s (loss)', (energy, source) => {
    const { value, findings } = oicpEnergyToOcpi({ RenewableEnergy: true, EnergySource: [{ Energy: energy, Percentage: 30 }] });
    expect(value.energy_sources).toEqual([{ source, percentage: 30 }]);
    expect(findings.map((f) => f.kind)).toEqual(['loss']);
  });

  it('rounds to whole percentages and caps at the schema maximum of 99, reporting both', () => {
    const { value, findings } = ocpiEnergyMixToOicp({ is_green_energy: true, energy_sources: [{ source: 'SOLAR', percentage: 100 }, { source: 'WIND', percentage: 0.4 }] }, undefined);
    expect(value.EnergySource).toEqual([
      { Energy: 'Solar', Percentage: 99 },
      { Energy: 'Wind', Percentage: 0 },
    ]);
    expect(findings).toHaveLength(2);
  });

  it('uses the operator default without an energy mix', () => {
    expect(ocpiEnergyMixToOicp(undefined, true)).toEqual({ value: { RenewableEnergy: true }, findings: [expect.objectContaining({ kind: 'default' })] });
  });
});
