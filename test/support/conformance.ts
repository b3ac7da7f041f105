/**
 * Everything a flow test's bridge put on the wire, checked against sources that are not ours: every
 * OICP request and answer the Hubject simulator saw against Hubject's official OpenAPI, every OCPI
 * object the OCPI backend simulator received against the specification's field types, lengths and
 * enums (and, for 2.1.1, the official JSON Schemas). The CPO and EMP scenes run both when they close,
 * so no flow test can pass while the bridge writes what a strict partner would refuse.
 */
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { OPERATIONS, operationPath, type OicpOperation } from '../../src/oicp/wire/operations';
import type { TrafficEntry } from '../../src/simulator/hubject';
import type { WireRequest } from '../../src/simulator/ocpi-backend';
import { ocpiOutboundErrors, type OutboundKind } from './ocpi-outbound';
import { oicpOperationErrors } from './oicp-schema';

/** Problems of the OICP traffic: requests in both directions, and the 200 answers. */
export function oicpTrafficProblems(traffic: readonly TrafficEntry[]): string[] {
  const problems: string[] = [];
  for (const entry of traffic) {
    if (entry.httpStatus !== 200) continue;
    const operation: OicpOperation = OPERATIONS[entry.operation];
    const path = operationPath(entry.operation, { param: 'partyId' });
    // Sent to the hub: the caller's document; forwarded by the hub: the serving partner's.
    const api = (entry.direction === 'in' ? operation.caller : operation.servedBy!).toLowerCase() as 'cpo' | 'emp';
    const request = oicpOperationErrors(api, path, 'request', entry.request);
    if (request.length > 0) problems.push(`OICP ${entry.direction} ${entry.operation} request: ${request.join('; ')}`);
    // A partner's refusal is recorded as the client's failure, not as the body on the wire; a bulk page is logged without its records.
    if (isFailure(entry.response) || entry.summarised !== undefined) continue;
    const response = oicpOperationErrors(api, path, 'response', entry.response);
    if (response.length > 0) problems.push(`OICP ${entry.direction} ${entry.operation} answer: ${response.join('; ')}`);
  }
  return problems;
}

const isFailure = (response: unknown) => typeof (response as { kind?: unknown } | null)?.kind === 'string' && typeof (response as { message?: unknown }).message === 'string';

const COMMANDS: Record<string, OutboundKind> = {
  START_SESSION: 'start-session',
  STOP_SESSION: 'stop-session',
  RESERVE_NOW: 'reserve-now',
  CANCEL_RESERVATION: 'cancel-reservation',
  UNLOCK_CONNECTOR: 'unlock-connector',
};
const LEVELS = ['location', 'evse', 'connector'] as const;

/** What a request to an OCPI module carries, by its method and path; undefined for requests without an object (GET, DELETE). */
export function kindOf(method: string, path: string): { version: OcpiVersion; kind: OutboundKind } | undefined {
  const match = /^\/ocpi\/(2\.1\.1|2\.2\.1)\/(\w+)\/?([^?]*)/.exec(path);
  if (!match) return undefined;
  const version = match[1] as OcpiVersion;
  const segments = match[3] ? match[3].split('/') : [];
  const kind = ((): OutboundKind | undefined => {
    switch (`${match[2]} ${method}`) {
      case 'locations PUT':
      case 'locations PATCH': {
        const level = LEVELS[segments.length - 3];
        return level && ((method === 'PUT' ? level : `${level}-patch`));
      }
      case 'sessions PUT':
        return segments.length === 3 ? 'session' : undefined;
      case 'sessions PATCH':
        return 'session-patch';
      case 'tariffs PUT':
        return 'tariff';
      case 'cdrs POST':
        return 'cdr';
      case 'tokens POST':
        return segments.at(-1) === 'authorize' ? 'location-references' : undefined;
      case 'commands POST':
        return segments.length === 1 ? COMMANDS[segments[0]!] : 'command-result';
      default:
        return undefined;
    }
  })();
  return kind && { version, kind };
}

/** Problems of the OCPI requests the backend received (bodies as they came over the wire). */
export function ocpiWireProblems(wire: readonly WireRequest[]): string[] {
  const problems: string[] = [];
  for (const request of wire) {
    const what = kindOf(request.method, request.path);
    // A real-time authorization without a body (no location named) carries nothing to check.
    if (!what || request.body === undefined || (what.kind === 'location-references' && Object.keys(request.body as object).length === 0)) continue;
    const errors = ocpiOutboundErrors(what.version, what.kind, request.body);
    if (errors.length > 0) problems.push(`OCPI ${request.method} ${request.path} (${what.version} ${what.kind}): ${errors.join('; ')}`);
  }
  return problems;
}

/** Throws with every problem of a scene's traffic; called when a scene closes. */
export function assertConformance(traffic: readonly TrafficEntry[], wire: readonly WireRequest[]): void {
  const problems = [...oicpTrafficProblems(traffic), ...ocpiWireProblems(wire)];
  if (problems.length > 0) throw new Error(`the bridge put on the wire what the specifications do not allow (${problems.length}):\n${[...new Set(problems)].slice(0, 30).join('\n')}`);
}
