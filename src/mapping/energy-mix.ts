/**
 * Energy mix, OCPI `energy_mix` <-> OICP RenewableEnergy, EnergySource and EnvironmentalImpact. Both
 * sides use g/kWh for the impact; OICP names fewer generic categories and holds whole percentages.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: energy-source-percentage-100 (src/oicp/errata.ts).
import type { EnergyMix } from '../ocpi/wire/schemas';
import type { OicpEnergySource } from '../oicp/wire/schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';

type OcpiSource = NonNullable<EnergyMix['energy_sources']>[number]['source'];

const TO_OICP: Record<OcpiSource, OicpEnergySource | null> = {
  SOLAR: 'Solar',
  WIND: 'Wind',
  WATER: 'HydroPower',
  NUCLEAR: 'NuclearEnergy',
  COAL: 'Coal',
  GAS: 'NaturalGas',
  GENERAL_GREEN: null,
  GENERAL_FOSSIL: null,
};

const TO_OCPI: Record<OicpEnergySource, { source: OcpiSource; loss?: string }> = {
  Solar: { source: 'SOLAR' },
  Wind: { source: 'WIND' },
  HydroPower: { source: 'WATER' },
  NuclearEnergy: { source: 'NUCLEAR' },
  Coal: { source: 'COAL' },
  NaturalGas: { source: 'GAS' },
  GeothermalEnergy: { source: 'GENERAL_GREEN', loss: 'OCPI has no geothermal category; GENERAL_GREEN' },
  Biomass: { source: 'GENERAL_GREEN', loss: 'OCPI has no biomass category; GENERAL_GREEN' },
  Petroleum: { source: 'GENERAL_FOSSIL', loss: 'OCPI has no petroleum category; GENERAL_FOSSIL' },
};

/** The OpenAPI caps Percentage at 99 (a whole number). */
const MAX_PERCENTAGE = 99;

interface OicpEnergyFacts {
  RenewableEnergy: boolean;
  EnergySource?: { Energy: OicpEnergySource; Percentage: number }[];
  EnvironmentalImpact?: { CO2Emission?: number; NuclearWaste?: number };
}

export function ocpiEnergyMixToOicp(mix: EnergyMix | undefined, renewableDefault: boolean | undefined, path = 'energy_mix'): Mapped<OicpEnergyFacts> {
  const log = new FindingLog();
  if (mix === undefined) {
    log.defaulted(path, renewableDefault === undefined ? 'no energy_mix; RenewableEnergy=false assumed' : `no energy_mix; the operator default RenewableEnergy=${renewableDefault} applies`);
    return log.result({ RenewableEnergy: renewableDefault ?? false });
  }
  const facts: OicpEnergyFacts = { RenewableEnergy: mix.is_green_energy };
  const sources: NonNullable<OicpEnergyFacts['EnergySource']> = [];
  (mix.energy_sources ?? []).forEach((entry, i) => {
    const at = childPath(childPath(path, 'energy_sources'), i);
    const energy = TO_OICP[entry.source];
    if (energy === null) return log.loss(at, `OICP has no generic category for ${entry.source}`);
    let percentage = Math.round(entry.percentage);
    if (percentage !== entry.percentage) log.loss(childPath(at, 'percentage'), `OICP holds whole percentages; ${entry.percentage} sent as ${percentage}`);
    if (percentage > MAX_PERCENTAGE) {
      log.loss(childPath(at, 'percentage'), `the OICP schema caps Percentage at ${MAX_PERCENTAGE}`);
      percentage = MAX_PERCENTAGE;
    }
    sources.push({ Energy: energy, Percentage: percentage });
  });
  if (sources.length > 0) facts.EnergySource = sources;
  const impact: NonNullable<OicpEnergyFacts['EnvironmentalImpact']> = {};
  for (const entry of mix.environ_impact ?? []) {
    if (entry.category === 'CARBON_DIOXIDE') impact.CO2Emission = entry.amount;
    else impact.NuclearWaste = entry.amount;
  }
  if (Object.keys(impact).length > 0) facts.EnvironmentalImpact = impact;
  if (mix.supplier_name !== undefined) log.loss(childPath(path, 'supplier_name'), 'OICP has no energy supplier name');
  if (mix.energy_product_name !== undefined) log.loss(childPath(path, 'energy_product_name'), 'OICP has no energy product name');
  return log.result(facts);
}

export function oicpEnergyToOcpi(
  facts: { RenewableEnergy: boolean; EnergySource?: { Energy?: OicpEnergySource; Percentage?: number }[]; EnvironmentalImpact?: { CO2Emission?: number; NuclearWaste?: number } },
  path = '',
): Mapped<EnergyMix> {
  const log = new FindingLog();
  const mix: EnergyMix = { is_green_energy: facts.RenewableEnergy };
  const sources: NonNullable<EnergyMix['energy_sources']> = [];
  (facts.EnergySource ?? []).forEach((entry, i) => {
    const at = childPath(childPath(path, 'EnergySource'), i);
    if (entry.Energy === undefined || entry.Percentage === undefined) return log.loss(at, 'an energy source needs both Energy and Percentage in OCPI');
    const mapped = TO_OCPI[entry.Energy];
    if (mapped.loss) log.loss(childPath(at, 'Energy'), mapped.loss);
    sources.push({ source: mapped.source, percentage: entry.Percentage });
  });
  if (sources.length > 0) mix.energy_sources = sources;
  const impact: NonNullable<EnergyMix['environ_impact']> = [];
  if (facts.EnvironmentalImpact?.NuclearWaste !== undefined) impact.push({ category: 'NUCLEAR_WASTE', amount: facts.EnvironmentalImpact.NuclearWaste });
  if (facts.EnvironmentalImpact?.CO2Emission !== undefined) impact.push({ category: 'CARBON_DIOXIDE', amount: facts.EnvironmentalImpact.CO2Emission });
  if (impact.length > 0) mix.environ_impact = impact;
  return log.result(mix);
}
