import { join } from 'node:path';
import type { OcpiCpoApi, OcpiCpoDouble, OcpiCpoDoubleOptions } from './ocpi-cpo';
import { controlClient, spawnDouble, type SpawnedDouble } from './process';

const ENTRY = join(__dirname, 'ocpi-cpo-main.ts');

export interface RemoteOcpiCpoDouble extends OcpiCpoDouble {
  child: SpawnedDouble['child'];
}

/** The OCPI CPO backend double in a child process, driven through its control API with the same methods as in-process. */
export async function spawnOcpiCpoDouble(options: OcpiCpoDoubleOptions = {}): Promise<RemoteOcpiCpoDouble> {
  const spawned = await spawnDouble(ENTRY, options);
  return {
    ...ocpiCpoControl(spawned.controlUrl),
    url: spawned.url,
    versionsUrl: `${spawned.url}/ocpi/versions`,
    controlUrl: spawned.controlUrl,
    party: { countryCode: options.countryCode ?? 'DE', partyId: options.partyId ?? 'ABC' },
    child: spawned.child,
    close: () => spawned.stop(),
  };
}

/** An OcpiCpoApi over the control API of a double running elsewhere (its `close` only stops using it). */
export function ocpiCpoControl(controlUrl: string): OcpiCpoApi {
  const call = controlClient(controlUrl);
  return {
    registration: () => call('GET', '/registration'),
    newTokenA: async () => (await call<{ tokenA: string }>('POST', '/token-a')).tokenA,
    registerWith: (peer) => call('POST', '/register', peer),
    counters: () => call('GET', '/counters'),
    requests: () => call('GET', '/requests'),
    pushes: (filter = {}) => {
      const params = new URLSearchParams();
      if (filter.op) params.set('op', filter.op);
      if (filter.sinceSeq !== undefined) params.set('since', String(filter.sinceSeq));
      return call('GET', `/pushes${params.size > 0 ? `?${params.toString()}` : ''}`);
    },
    data: () => call('GET', '/data'),
    setData: async (data) => void (await call('PUT', '/data', data)),
    push: (item) => call('POST', '/push', item),
    stream: (items, options) => call('POST', '/stream', { items, ...options }),
    clearRecords: async () => void (await call('POST', '/clear')),
    close: () => Promise.resolve(),
  };
}
