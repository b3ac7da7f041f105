import { consoleBanner } from '../admin/app';
import type { TenantConfig } from '../config/load';
import { tenantPrefix } from '../core/tenant';
import { oicpIdentity, type BridgeConfig } from '../config/schema';
import { BACKEND_PARTY } from '../ocpi';
import type { Logger } from '../observability/logger';
import { startBridge, type RunningTenant } from '../runtime';
import { startServer } from '../server';
import { startHubjectSimulator, type RunningHubjectSimulator } from '../simulator/hubject';
import { startOcpiBackend, type RunningOcpiBackend } from '../simulator/ocpi-backend';
import { SIMULATED_OPERATOR, createOicpCpoSimulator, type OicpCpoSimulator } from '../simulator/oicp-cpo';
import { ocpiTraceLine, oicpTraceLine } from '../simulator/trace';
import type { TrafficEntry } from '../simulator/hubject';
import { isEvseOf } from '../mapping/identifiers';
import type { OcpiParty } from '../store/credentials';
import { describeParty, version } from './common';

/**
 * The sandbox that `serve` runs when there is no configuration file: the bridge between the Hubject
 * simulator and an OCPI backend simulator (and, for the EMP scenario, a simulated OICP CPO behind the hub),
 * wired to each other, with the trace of every exchange. No option parsing here: `serve` decides.
 */

/** Who the OCPI backend simulators are: the counterpart of a bridge in front of them. */
export const SIMULATED_BACKENDS = {
  CPO: { role: 'CPO', countryCode: 'NL', partyId: 'SIM', name: 'Simulated CPO backend' },
  EMSP: { role: 'EMSP', countryCode: 'NL', partyId: 'SIM', name: 'Simulated eMSP backend' },
} as const;

/** The RFID card among the simulated eMSP's seed tokens (fixtures/ocpi-seed/tokens.json). */
const SANDBOX_CARD = '12345678905880';

interface Closable {
  close(): Promise<void>;
}

/**
 * Starts the sandbox on the sandbox configuration (its hub URL is set to the simulator's): prints the
 * banner and then the trace through `print`. Resolves once the backend has pushed its objects; on a
 * failure, closes what it started and rethrows. With several tenants (`--tenants 2`), each has its own
 * backend simulator and scenario; they share the Hubject simulator, the store and the console.
 */
export async function startSandbox(tenants: TenantConfig[], options: { logger: Logger; hubPort: number; print: (text: string) => void }): Promise<Closable> {
  const { logger, print } = options;
  // Newest first: the backend stops before the bridge, the bridge before the simulators it calls.
  const stack: Closable[] = [];
  const close = async () => {
    for (const item of stack) await item.close();
  };
  const bridgeSide = tenants.length === 1 ? tenants[0]!.config.oicp.role : (role: 'CPO' | 'EMP', entry: TrafficEntry) => isTenantsCall(tenants, role, entry);
  try {
    // The trace: every exchange the simulators see, one line each, beside the bridge's log.
    const hub = await startHubjectSimulator({ logger, host: '127.0.0.1', port: options.hubPort, onTraffic: (entry) => print(`${oicpTraceLine(entry, bridgeSide)}\n`) });
    stack.unshift(hub);
    for (const { config } of tenants) config.oicp.baseUrl = hub.url;
    // EMP: a CPO behind the hub with a small network (the official example, re-keyed), published before the bridge's first pull.
    const cpo = tenants.some(({ config }) => config.oicp.role === 'EMP') ? await startSandboxCpo(hub, logger) : undefined;
    if (cpo) stack.unshift(cpo);
    const bridge = await startBridge(tenants, logger);
    stack.unshift({ close: () => bridge.stop() });
    const admin = tenants[0]!.config.admin;
    for (const { id, config } of tenants) {
      const tenant = bridge.tenants.get(id)!;
      // The hub learns where its partner listens once the bridge has a port.
      hub.simulator.partners.push({ role: config.oicp.role, id: oicpIdentity(config.oicp), url: tenant.url });
      const backend = await startOcpiBackend({ ...SIMULATED_BACKENDS[config.ocpi.roles.includes('CPO') ? 'EMSP' : 'CPO'], logger, host: '127.0.0.1', port: 0 });
      stack.unshift(backend);
      const registered = await registerSandboxBackend(tenant, backend);
      print(sandboxBanner(config, { url: tenant.url, root: bridge.url }, bridge.store.location, hub.url, registered, tenants.length > 1 ? id : undefined));
      if (bridge.adminUrl && admin.token) print(consoleBanner(`${bridge.adminUrl}${tenantPrefix(id)}`, admin.token));
      // Something for the console to show: Hubject refuses the first status push, which becomes a dead letter to requeue.
      if (config.oicp.role === 'CPO') {
        hub.simulator.failNext('PushEvseStatus', '022', 200, config.oicp.operatorId);
        print('  The simulated Hubject refuses the first status push once, on purpose (022): its EVSE statuses become dead letters to requeue in the console.\n');
      }
      // As a backend does after registering: it pushes its own objects (a CPO its locations and tariffs, an eMSP its tokens), and the flows run.
      await backend.backend.pushAll('bridge', (push) => print(`${ocpiTraceLine(push)}\n`));
      // In the background: Ctrl+C must stop the sandbox even while the scenario runs.
      if (cpo && config.oicp.role === 'EMP') void empSandboxDrive(tenant, cpo).catch((err: unknown) => logger.error('sandbox EMP scenario failed', { error: err }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}

/**
 * Whether the party of `role` in a call the hub saw is one of the tenants: a call to the hub names its
 * caller in its path; a call from the hub goes to a CPO by the EvseID it names, to the one eMSP of the
 * sandbox otherwise.
 */
function isTenantsCall(tenants: readonly TenantConfig[], role: 'CPO' | 'EMP', entry: TrafficEntry): boolean {
  const ofRole = tenants.filter(({ config }) => config.oicp.role === role).map(({ config }) => oicpIdentity(config.oicp));
  if (entry.direction === 'in') return entry.partyId !== undefined && ofRole.includes(entry.partyId);
  const evseId = (entry.request as { EvseID?: unknown } | undefined)?.EvseID;
  return role === 'CPO' ? typeof evseId === 'string' && ofRole.some((operator) => isEvseOf(evseId, operator)) : ofRole.length > 0;
}

/**
 * The sandbox's backend simulator starts empty each time, so the bridge registers with it afresh,
 * first forgetting a registration its store kept from an earlier run.
 */
async function registerSandboxBackend(bridge: RunningTenant, sim: RunningOcpiBackend): Promise<OcpiParty> {
  if ((await bridge.store.parties.get(BACKEND_PARTY))?.state === 'registered') await bridge.ocpi.registration.forget(BACKEND_PARTY);
  return bridge.ocpi.registration.register(BACKEND_PARTY, sim.backend.versionsUrl(), await sim.backend.registration.offer('bridge'));
}

/** A CPO behind the hub (DE*XYZ, four EVSEs from the official example) that has published its network, statuses and pricing. */
export async function startSandboxCpo(hub: RunningHubjectSimulator, logger: Logger): Promise<Omit<OicpCpoSimulator, 'close'> & Closable> {
  const cpo = createOicpCpoSimulator({ hubUrl: hub.url, logger, evses: 4 });
  const server = await startServer(cpo.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 });
  hub.simulator.partners.push({ role: 'CPO', id: SIMULATED_OPERATOR.OperatorID, url: server.url });
  await cpo.publish();
  return { ...cpo, close: () => (cpo.close(), server.close()) };
}

/** The EMP scenario, once the bridge has the network and its pricing: a driver charges with the backend's card. */
async function empSandboxDrive(bridge: RunningTenant, cpo: OicpCpoSimulator): Promise<void> {
  for (const job of ['EVSE data', 'pricing', 'EVSE status']) await bridge.runJob(job);
  await cpo.charge(cpo.evseIds[0]!, { RFIDMifareFamilyIdentification: { UID: SANDBOX_CARD } }, 11);
}

function sandboxBanner(config: BridgeConfig, { url, root }: { url: string; root: string }, store: string, hubUrl: string, backend: OcpiParty, tenant: string | undefined): string {
  return [
    '',
    `ocpi-oicp-bridge ${version()} — sandbox mode${tenant ? `, tenant ${tenant} (its routes under ${url})` : ''}`,
    `  listening    ${url}   (try ${root}/healthz, ${root}/readyz, ${root}/metrics)`,
    `  store        ${store}`,
    `  OCPI party   ${config.ocpi.countryCode}*${config.ocpi.partyId} as ${config.ocpi.roles.join('+')}, versions ${config.ocpi.versions.join(', ')}`,
    `  OICP         ${config.oicp.role} ${oicpIdentity(config.oicp)} toward the Hubject simulator at ${hubUrl}`,
    `               (its traffic: ${hubUrl}/simulator/traffic)`,
    `  OCPI backend ${describeParty(backend).replace('\n  ', '\n               ')}`,
    // The command line reads the single-scenario sandbox's store; the two-tenant one shows its parties in each console.
    `               registered with the bridge (token A, B, C handshake)${tenant ? '; its console shows it' : '; see `ocpi-oicp-bridge ocpi parties`'}`,
    ...(config.oicp.role === 'CPO'
      ? [
          '  flows        CPO: the simulated CPO pushes its locations and tariffs now; the trace below shows each',
          '               OCPI push and the OICP calls it became (EVSE data, statuses, pricing).',
          '               docs/cpo-walkthrough.md explains each flow; docs/operations.md sends a remote start.',
        ]
      : [
          '  flows        EMP: the simulated eMSP pushes its tokens; the bridge pulls the network of the CPO DE*XYZ',
          `               behind Hubject, its pricing and statuses; then a driver charges with card ${SANDBOX_CARD}: the`,
          '               trace shows the authorization, notifications and CDR.',
          '               docs/emp-walkthrough.md explains each flow.',
        ]),
    '  Stop with Ctrl+C. Write a bridge.yaml (see bridge.example.yaml) to leave sandbox mode.',
    '',
  ].join('\n');
}
