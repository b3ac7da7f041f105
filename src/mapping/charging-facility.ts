/**
 * A connector's electrical rating, OCPI (`power_type`, `max_voltage`, `max_amperage`,
 * `max_electric_power` in W) <-> OICP ChargingFacility (PowerType, Voltage, Amperage, Power in kW).
 * Choices: ../shared/spec/mapping.md §4.3 and §5 — power rounded down to whole kW, voltages never
 * invented on the way to OICP; on the way back OCPI's mandatory voltage and amperage are derived or
 * defaulted, and reported. Three-phase voltage is line-to-neutral in OCPI and line-to-line in OICP:
 * one rule (×√3 / ÷√3 to the nominal pair) serves both ways.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: charging-facility-power-decimal (src/oicp/errata.ts).
import type { Connector } from '../ocpi/wire/schemas';
import type { ChargingFacility, OicpPowerType } from '../oicp/wire/schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';
import { recurringPath, recurringText } from './recurring-text';

type OcpiPowerType = Connector['power_type'];
type ConnectorPower = Pick<Connector, 'power_type' | 'max_voltage' | 'max_amperage' | 'max_electric_power'>;

const TO_OICP: Record<OcpiPowerType, { type: OicpPowerType; loss?: string }> = {
  AC_1_PHASE: { type: 'AC_1_PHASE' },
  AC_3_PHASE: { type: 'AC_3_PHASE' },
  DC: { type: 'DC' },
  AC_2_PHASE: { type: 'AC_1_PHASE', loss: 'OICP has no two-phase AC; sent as AC_1_PHASE' },
  AC_2_PHASE_SPLIT: { type: 'AC_1_PHASE', loss: 'OICP has no split-phase AC; sent as AC_1_PHASE' },
};

const PHASES: Record<OcpiPowerType, number> = { AC_1_PHASE: 1, AC_2_PHASE: 2, AC_2_PHASE_SPLIT: 2, AC_3_PHASE: 3, DC: 1 };
/** OCPI max_voltage when OICP gives none (line to neutral for AC_3_PHASE); what WWCP assumes too. */
const DEFAULT_VOLTAGE: Record<OicpPowerType, number> = { AC_1_PHASE: 230, AC_3_PHASE: 230, DC: 400 };
const LIMIT = { Voltage: 999, Amperage: 99, Power: 999 } as const;

/** Nominal three-phase systems, line-to-neutral / line-to-line (IEC 60038 and North America). */
const NOMINAL_THREE_PHASE: readonly (readonly [number, number])[] = [
  [120, 208],
  [127, 220],
  [220, 380],
  [230, 400],
  [240, 415],
  [277, 480],
  [347, 600],
];
/** Within this share of a nominal value a voltage is that nominal value (398 V is a 400 V system). */
const NOMINAL_TOLERANCE = 0.02;

type Side = 'neutral' | 'line';
const nominalOf = (volts: number, side: Side): readonly [number, number] | undefined =>
  NOMINAL_THREE_PHASE.find((pair) => Math.abs(volts - pair[side === 'neutral' ? 0 : 1]) <= pair[side === 'neutral' ? 0 : 1] * NOMINAL_TOLERANCE);

/**
 * A three-phase voltage given on side `from` (OCPI: line-to-neutral, OICP: line-to-line) on the other
 * side: the nominal partner when the value is a nominal voltage, else ×√3 or ÷√3 rounded. A value that
 * is a nominal voltage of the other side only (400 V in OCPI, 230 V in OICP) was written on that side
 * already and is kept, with `note` saying so.
 */
export function threePhaseVoltage(volts: number, from: Side): { volts: number; note?: string } {
  const to: Side = from === 'neutral' ? 'line' : 'neutral';
  const index = to === 'neutral' ? 0 : 1;
  const nominal = nominalOf(volts, from);
  if (nominal) return { volts: nominal[index] };
  if (nominalOf(volts, to)) return { volts, note: `${volts} V is a ${to === 'line' ? 'line-to-line' : 'line-to-neutral'} voltage already; kept` };
  return { volts: Math.round(from === 'neutral' ? volts * Math.sqrt(3) : volts / Math.sqrt(3)) };
}

/** What the connector can deliver, in W: its own limit, else voltage x current x phases. */
function connectorWatts(connector: ConnectorPower): number {
  return connector.max_electric_power ?? connector.max_voltage * connector.max_amperage * PHASES[connector.power_type];
}

const leftOut = (field: keyof typeof LIMIT) => recurringText((value: number) => `the OICP schema caps ${field} at ${LIMIT[field]}; ${value} is left out`);
const voltageLeftOut = leftOut('Voltage');
const amperageLeftOut = leftOut('Amperage');
const wholeKilowatts = recurringText((watts: number) => `OICP holds whole kW; ${watts} W sent as ${Math.floor(watts / 1000)} kW`);

export function ocpiToOicpFacility(connector: ConnectorPower, path = ''): Mapped<ChargingFacility> {
  const log = new FindingLog();
  const type = TO_OICP[connector.power_type];
  if (type.loss) log.loss(recurringPath(path, 'power_type'), type.loss);
  const facility: ChargingFacility = { PowerType: type.type, Power: 0 };
  let voltage = connector.max_voltage;
  if (connector.power_type === 'AC_3_PHASE') {
    const lineToLine = threePhaseVoltage(voltage, 'neutral');
    if (lineToLine.note) log.defaulted(recurringPath(path, 'max_voltage'), `OCPI gives AC_3_PHASE voltage line to neutral, OICP line to line: ${lineToLine.note}`);
    voltage = lineToLine.volts;
  }
  if (voltage <= LIMIT.Voltage) facility.Voltage = voltage;
  else log.loss(recurringPath(path, 'max_voltage'), voltageLeftOut(voltage));
  if (connector.max_amperage <= LIMIT.Amperage) facility.Amperage = connector.max_amperage;
  else log.loss(recurringPath(path, 'max_amperage'), amperageLeftOut(connector.max_amperage));
  const watts = connectorWatts(connector);
  const kilowatts = Math.floor(watts / 1000);
  if (kilowatts * 1000 !== watts) log.loss(recurringPath(path, 'max_electric_power'), wholeKilowatts(watts));
  if (kilowatts > LIMIT.Power) log.loss(recurringPath(path, 'max_electric_power'), `the OICP schema caps Power at ${LIMIT.Power} kW`);
  facility.Power = Math.min(kilowatts, LIMIT.Power);
  return log.result(facility);
}

export function oicpFacilityToOcpi(facility: ChargingFacility, path = ''): Mapped<ConnectorPower> {
  const log = new FindingLog();
  const phases = facility.PowerType === 'AC_3_PHASE' ? 3 : 1;
  const watts = Math.round(facility.Power * 1000);
  let voltage = facility.Voltage;
  if (voltage === undefined || voltage === 0) {
    voltage = DEFAULT_VOLTAGE[facility.PowerType];
    log.defaulted(childPath(path, 'Voltage'), `no Voltage; OCPI needs max_voltage, ${voltage} V assumed for ${facility.PowerType}`);
  } else if (facility.PowerType === 'AC_3_PHASE') {
    const lineToNeutral = threePhaseVoltage(voltage, 'line');
    if (lineToNeutral.note) log.defaulted(childPath(path, 'Voltage'), `OICP gives AC_3_PHASE voltage line to line, OCPI line to neutral: ${lineToNeutral.note}`);
    voltage = lineToNeutral.volts;
  }
  let amperage = facility.Amperage;
  if (amperage === undefined) {
    // Nearest whole ampere: flooring put a 22 kW three-phase point at 31 A (21.4 kW); max_electric_power keeps the exact power.
    amperage = Math.round(watts / (voltage * phases));
    log.defaulted(childPath(path, 'Amperage'), `no Amperage; OCPI needs max_amperage, ${amperage} A derived from ${facility.Power} kW`);
  }
  const power: ConnectorPower = { power_type: facility.PowerType, max_voltage: voltage, max_amperage: amperage };
  // OCPI sets max_electric_power only when it is below voltage x current x phases.
  if (watts < voltage * amperage * phases) power.max_electric_power = watts;
  if (facility.ChargingModes !== undefined) log.loss(childPath(path, 'ChargingModes'), 'OCPI has no charging modes (IEC 61851)');
  return log.result(power);
}
