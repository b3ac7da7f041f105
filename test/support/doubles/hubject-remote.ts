import { join } from 'node:path';
import type { FaultKnobs, HubjectApi, HubjectDouble, HubjectDoubleOptions } from './hubject';
import { controlClient, spawnDouble, type SpawnedDouble } from './process';

const ENTRY = join(__dirname, 'hubject-main.ts');

export interface RemoteHubjectDouble extends HubjectDouble {
  /** The child process (for SIGKILL tests, its output on failure). */
  child: SpawnedDouble['child'];
}

/** The Hubject double in a child process, driven through its control API with the same methods as in-process. */
export async function spawnHubjectDouble(options: HubjectDoubleOptions = {}): Promise<RemoteHubjectDouble> {
  const spawned = await spawnDouble(ENTRY, options);
  return { ...hubjectControl(spawned.controlUrl), url: spawned.url, port: Number(new URL(spawned.url).port), controlUrl: spawned.controlUrl, child: spawned.child, close: () => spawned.stop() };
}

/** A HubjectApi over the control API of a double running elsewhere (its `close` only stops using it). */
export function hubjectControl(controlUrl: string): HubjectApi {
  const call = controlClient(controlUrl);
  const query = (filter: { operation?: string; sinceSeq?: number; withBodies?: boolean } = {}) => {
    const params = new URLSearchParams();
    if (filter.operation) params.set('operation', filter.operation);
    if (filter.sinceSeq !== undefined) params.set('since', String(filter.sinceSeq));
    if (filter.withBodies) params.set('bodies', 'true');
    return params.size > 0 ? `?${params.toString()}` : '';
  };
  return {
    counters: () => call('GET', '/counters'),
    faults: () => call('GET', '/faults'),
    setFaults: (patch: Partial<FaultKnobs>) => call('PATCH', '/faults', patch),
    down: async (ms, mode = 'refuse') => void (await call('POST', '/down', { ms, mode })),
    up: async () => void (await call('POST', '/up')),
    requests: (filter) => call('GET', `/requests${query(filter)}`),
    violations: () => call('GET', '/violations'),
    evseStatuses: () => call('GET', '/evse-statuses'),
    evseData: (operatorId) => call('GET', `/evse-data${operatorId ? `?operator=${encodeURIComponent(operatorId)}` : ''}`),
    cdrs: () => call('GET', '/cdrs'),
    cdrStats: () => call('GET', '/cdr-stats'),
    notifications: () => call('GET', '/notifications'),
    sessions: () => call('GET', '/sessions'),
    issueSession: (init = {}) => call('POST', '/sessions', init),
    authorization: () => call('GET', '/authorization'),
    setAuthorization: (patch) => call('PATCH', '/authorization', patch),
    seedEvseData: async (records) => void (await call('POST', '/evse-data', { records })),
    seedStatuses: async (records) => void (await call('POST', '/evse-statuses', { records })),
    seedCdrs: async (records, providerId) => void (await call('POST', '/cdrs', { records, providerId })),
    seedPricing: async (pricing) => void (await call('POST', '/pricing', pricing)),
    pricing: () => call('GET', '/pricing'),
    clearRecords: async () => void (await call('POST', '/clear')),
    close: () => Promise.resolve(),
  };
}
