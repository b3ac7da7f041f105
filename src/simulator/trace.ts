/**
 * The sandbox's readable trace: one line per exchange the simulators see — the OCPI backend's
 * pushes to the bridge and the OICP calls between the bridge and the hub — so a newcomer watches a
 * location become EVSE data, statuses and pricing without reading JSON.
 */
import { OPERATIONS, type OicpOperation, type OicpRole } from '../oicp/wire/operations';
import type { TrafficEntry } from './hubject';

/** How many records a request carries, where it carries a list. */
function size(request: unknown): string {
  const lists = ['EvseDataRecord', 'EvseStatusRecord', 'PricingProductDataRecords', 'EVSEPricing', 'AuthenticationDataRecord'];
  const found = (node: unknown): number | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    for (const [key, value] of Object.entries(node)) {
      if (lists.includes(key) && Array.isArray(value)) return value.length;
      const inner = found(value);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  const count = found(request);
  return count === undefined ? '' : ` (${count} record${count === 1 ? '' : 's'})`;
}

/** The StatusCode of an answer or refusal, as `000 Success`. */
function outcome(response: unknown, httpStatus: number): string {
  const node = response as { StatusCode?: { Code?: string; Description?: string }; statusCode?: { Code?: string; Description?: string }; Result?: boolean; AuthorizationStatus?: string } | undefined;
  const status = node?.StatusCode ?? node?.statusCode;
  const words = [node?.AuthorizationStatus, status?.Code, status?.Description].filter((w) => w !== undefined).join(' ');
  return words === '' ? `HTTP ${httpStatus}` : words;
}

/**
 * `bridge` says which side of a call is the sandbox bridge: its OICP role (calls of that role are the
 * bridge's, the others the simulated partner's), or, when it speaks in both roles (two tenants), a
 * test of the party of that role in this call.
 */
export function oicpTraceLine(entry: TrafficEntry, bridge: OicpRole | ((role: OicpRole, entry: TrafficEntry) => boolean) = 'CPO'): string {
  const action = (entry.request as { ActionType?: string } | undefined)?.ActionType;
  const operation: OicpOperation = OPERATIONS[entry.operation];
  const ours = (role: OicpRole | undefined) => role !== undefined && (typeof bridge === 'function' ? bridge(role, entry) : role === bridge);
  const who = (role: OicpRole | undefined) => (ours(role) ? 'bridge' : `${role ?? ''} partner`);
  const arrow = entry.direction === 'in' ? `${who(operation.caller)} -> Hubject` : `Hubject -> ${who(operation.servedBy)}${entry.partyId === undefined ? '' : ` (for ${entry.partyId})`}`;
  return `OICP ${entry.wire.toUpperCase()}  ${arrow}: ${entry.operation}${action ? ` ${action}` : ''}${size(entry.request)} => ${outcome(entry.response, entry.httpStatus)}`;
}

export function ocpiTraceLine(push: { module: string; id: string; ok: boolean; detail?: string }): string {
  return `OCPI       backend -> bridge: PUT ${push.module}/${push.id} => ${push.ok ? 'accepted' : `refused: ${push.detail ?? ''}`}`;
}
