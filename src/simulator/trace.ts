/**
 * The sandbox's readable trace: one line per exchange the simulators see — the OCPI backend's
 * pushes to the bridge and the OICP calls between the bridge and the hub — so a newcomer watches a
 * location become EVSE data, statuses and pricing without reading JSON.
 */
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

export function oicpTraceLine(entry: TrafficEntry): string {
  const action = (entry.request as { ActionType?: string } | undefined)?.ActionType;
  const arrow = entry.direction === 'in' ? `bridge -> Hubject` : `Hubject -> ${entry.partyId === undefined ? 'partner' : `partner (for ${entry.partyId})`}`;
  return `OICP ${entry.wire.toUpperCase()}  ${arrow}: ${entry.operation}${action ? ` ${action}` : ''}${size(entry.request)} => ${outcome(entry.response, entry.httpStatus)}`;
}

export function ocpiTraceLine(push: { module: string; id: string; ok: boolean; detail?: string }): string {
  return `OCPI       backend -> bridge: PUT ${push.module}/${push.id} => ${push.ok ? 'accepted' : `refused: ${push.detail ?? ''}`}`;
}
