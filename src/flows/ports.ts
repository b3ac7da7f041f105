/**
 * What the flows need of the world, passed in: the store, a caller of Hubject, the registered OCPI
 * backend, the clock, logging. The runtime builds the real ones; tests may pass their own (a fixed
 * clock, a recording OICP caller). And what the flows give back to the runtime: OCPI modules, OICP
 * handlers, outbox deliverers, scheduled jobs.
 */
import type { Logger } from '../observability/logger';
import type { OicpCaller } from '../oicp/client';
import type { OicpHandlers } from '../oicp/calls';
import type { OcpiPeer } from '../ocpi/peer';
import type { OcpiModule } from '../ocpi/endpoints';
import type { OcpiPartyRole } from '../ocpi/wire/credentials';
import type { Store } from '../store';
import type { StaleReporter } from './freshness';
import type { Deliverer } from './outbox-worker';

export interface FlowPorts {
  store: Store;
  /** Hubject (or, in tests, a simulator): the OICP operations the role calls. */
  oicp: OicpCaller;
  /** The registered OCPI backend as a module client; undefined until it registers. */
  backend: () => Promise<OcpiPeer | undefined>;
  /** Our OCPI party toward the backend (role EMSP in front of a CPO backend, CPO in front of an eMSP backend). */
  us: OcpiPartyRole;
  /** Where the backend reaches the bridge (for the URLs in OCPI documents and response_urls). */
  publicUrl: () => string;
  logger: Logger;
  /** Reports a push older than what the bridge holds (acknowledged, not applied). */
  stale: StaleReporter;
  now: () => Date;
}

/** Work the bridge does on a schedule: once at start, then every `everyMs` (0: only when asked). */
export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface Flows {
  modules: OcpiModule[];
  deliverers: Record<string, Deliverer>;
  /** What the bridge answers when Hubject calls it. */
  oicpHandlers: OicpHandlers;
  jobs: Job[];
}
