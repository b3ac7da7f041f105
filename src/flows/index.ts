/**
 * The flows the configuration calls for: the CPO side (`cpo/`) when the bridge is an OICP CPO, the
 * EMP side (`emp/`) when it is an OICP EMP; each gives the OCPI modules it serves the backend, what it
 * answers Hubject, the outbox deliverers and the scheduled jobs.
 */
import type { BridgeConfig } from '../config/schema';
import { cpoFlows } from './cpo';
import { empFlows } from './emp';
import type { FlowPorts, Flows } from './ports';

export function flowsFromConfig(config: BridgeConfig, ports: FlowPorts): Flows {
  if (config.oicp.role === 'EMP' && config.oicp.providerId !== undefined) return empFlows(config, config.oicp.providerId, ports);
  if (config.oicp.role === 'CPO' && config.oicp.operatorId !== undefined) return cpoFlows(config, config.oicp.operatorId, ports);
  return { modules: [], deliverers: {}, oicpHandlers: {}, jobs: [] };
}
