/**
 * Connector type, OCPI (`standard` + `format`) <-> OICP Plug. OICP folds the socket/cable distinction
 * into the plug name (a Type 2 socket is `Type 2 Outlet`, a tethered Type 2 is `Type 2 Connector
 * (Cable Attached)`), so the OCPI format decides the plug, and the way back restores the format.
 * Choices: ../shared/spec/mapping.md §4.2.
 */
import { isKeyOf } from './table';
import type { OICP_PLUGS } from '../oicp/wire/vocabulary';

export type OicpPlug = (typeof OICP_PLUGS)[number];

export type ConnectorFormat = 'SOCKET' | 'CABLE';

/** One plug whatever the format, or the plug for each format. */
type PlugChoice = OicpPlug | Record<ConnectorFormat, OicpPlug>;

/** OCPI standards (2.1.1 and 2.2.1) that OICP can name. Absent standards have no OICP plug. */
const OCPI_TO_OICP = {
  CHADEMO: 'CHAdeMO',
  DOMESTIC_E: 'Type E French Standard',
  DOMESTIC_F: 'Type F Schuko',
  DOMESTIC_G: 'Type G British Standard',
  DOMESTIC_J: 'Type J Swiss Standard',
  IEC_60309_2_single_16: 'IEC 60309 Single Phase',
  IEC_60309_2_three_16: 'IEC 60309 Three Phase',
  IEC_60309_2_three_32: 'IEC 60309 Three Phase',
  IEC_60309_2_three_64: 'IEC 60309 Three Phase',
  IEC_62196_T1: 'Type 1 Connector (Cable Attached)',
  IEC_62196_T1_COMBO: 'CCS Combo 1 Plug (Cable Attached)',
  IEC_62196_T2: { SOCKET: 'Type 2 Outlet', CABLE: 'Type 2 Connector (Cable Attached)' },
  IEC_62196_T2_COMBO: 'CCS Combo 2 Plug (Cable Attached)',
  IEC_62196_T3A: 'Type 3 Outlet',
  IEC_62196_T3C: 'Type 3 Outlet',
  NEMA_5_20: 'NEMA 5-20',
  TESLA_R: 'Tesla Connector',
  TESLA_S: 'Tesla Connector',
} satisfies Record<string, PlugChoice>;

interface OcpiConnectorType {
  standard: string;
  format: ConnectorFormat;
  /** Set when OICP does not say and the value is this table's documented choice. */
  assumed?: string;
}

const OICP_TO_OCPI: Record<OicpPlug, OcpiConnectorType | null> = {
  'Small Paddle Inductive': null,
  'Large Paddle Inductive': null,
  'AVCON Connector': null,
  'Tesla Connector': { standard: 'TESLA_R', format: 'CABLE', assumed: 'OICP does not tell Tesla Roadster from Model S connectors; TESLA_R assumed' },
  'NEMA 5-20': { standard: 'NEMA_5_20', format: 'SOCKET' },
  'Type E French Standard': { standard: 'DOMESTIC_E', format: 'SOCKET' },
  'Type F Schuko': { standard: 'DOMESTIC_F', format: 'SOCKET' },
  'Type G British Standard': { standard: 'DOMESTIC_G', format: 'SOCKET' },
  'Type J Swiss Standard': { standard: 'DOMESTIC_J', format: 'SOCKET' },
  'Type 1 Connector (Cable Attached)': { standard: 'IEC_62196_T1', format: 'CABLE' },
  'Type 2 Outlet': { standard: 'IEC_62196_T2', format: 'SOCKET' },
  'Type 2 Connector (Cable Attached)': { standard: 'IEC_62196_T2', format: 'CABLE' },
  'Type 3 Outlet': { standard: 'IEC_62196_T3C', format: 'SOCKET', assumed: 'OICP does not tell Type 3A from 3C; IEC_62196_T3C assumed' },
  'IEC 60309 Single Phase': { standard: 'IEC_60309_2_single_16', format: 'SOCKET' },
  'IEC 60309 Three Phase': { standard: 'IEC_60309_2_three_16', format: 'SOCKET', assumed: 'OICP does not give the IEC 60309 current rating; 16 A assumed' },
  'CCS Combo 2 Plug (Cable Attached)': { standard: 'IEC_62196_T2_COMBO', format: 'CABLE' },
  'CCS Combo 1 Plug (Cable Attached)': { standard: 'IEC_62196_T1_COMBO', format: 'CABLE' },
  CHAdeMO: { standard: 'CHADEMO', format: 'CABLE' },
};

/** Plug names that say how the connector is attached; the OCPI format must agree or is lost. */
const IMPLIED_FORMAT: Partial<Record<OicpPlug, ConnectorFormat>> = {
  'Type 1 Connector (Cable Attached)': 'CABLE',
  'Type 2 Outlet': 'SOCKET',
  'Type 2 Connector (Cable Attached)': 'CABLE',
  'Type 3 Outlet': 'SOCKET',
  'CCS Combo 2 Plug (Cable Attached)': 'CABLE',
  'CCS Combo 1 Plug (Cable Attached)': 'CABLE',
};

/** The current a plug carries: which ChargingFacilities of an EVSE can belong to it. */
export type PlugCurrent = 'AC' | 'DC' | 'any';

/** DC-only plugs; every other plug OCPI can name is AC-only, except the Tesla connector (AC and DC). */
const DC_PLUGS: ReadonlySet<string> = new Set<OicpPlug>(['CCS Combo 2 Plug (Cable Attached)', 'CCS Combo 1 Plug (Cable Attached)', 'CHAdeMO']);
const EITHER_PLUGS: ReadonlySet<string> = new Set<OicpPlug>(['Tesla Connector', 'AVCON Connector', 'Small Paddle Inductive', 'Large Paddle Inductive']);

export function plugCurrent(plug: string): PlugCurrent {
  return DC_PLUGS.has(plug) ? 'DC' : EITHER_PLUGS.has(plug) ? 'any' : 'AC';
}

/** The current of an OICP PowerType. */
export const currentOf = (powerType: string): 'AC' | 'DC' => (powerType === 'DC' ? 'DC' : 'AC');

type ToOicpPlug = { outcome: 'plug'; plug: OicpPlug; loss?: string } | { outcome: 'unmapped'; reason: string };
type ToOcpiConnector = { outcome: 'connector'; standard: string; format: ConnectorFormat; current: PlugCurrent; assumed?: string } | { outcome: 'unmapped'; reason: string };

export function ocpiToOicpPlug(standard: string, format: string): ToOicpPlug {
  if (format !== 'SOCKET' && format !== 'CABLE') return { outcome: 'unmapped', reason: `${JSON.stringify(format)} is not an OCPI connector format` };
  if (!isKeyOf(OCPI_TO_OICP, standard)) return { outcome: 'unmapped', reason: `OICP has no plug for OCPI connector standard ${standard}` };
  const choice = OCPI_TO_OICP[standard];
  const plug = typeof choice === 'string' ? choice : choice[format];
  const implied = IMPLIED_FORMAT[plug];
  return implied && implied !== format
    ? { outcome: 'plug', plug, loss: `OICP knows ${standard} only as "${plug}"; format ${format} is not carried` }
    : { outcome: 'plug', plug };
}

export function oicpToOcpiConnector(plug: string): ToOcpiConnector {
  if (!isKeyOf(OICP_TO_OCPI, plug)) return { outcome: 'unmapped', reason: `${JSON.stringify(plug)} is not an OICP Plug` };
  const connector = OICP_TO_OCPI[plug];
  return connector ? { outcome: 'connector', ...connector, current: plugCurrent(plug) } : { outcome: 'unmapped', reason: `OCPI has no connector standard for the OICP plug "${plug}"` };
}
