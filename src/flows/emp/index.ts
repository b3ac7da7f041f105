/**
 * The EMP side's flows (issue 8), assembled: the OCPI modules the bridge serves its eMSP backend as
 * a CPO, what it answers Hubject, the outbox deliverers toward the backend and Hubject, and the
 * scheduled pulls (first run in this order at start: network, pricing, statuses, CDRs).
 */
import type { BridgeConfig } from '../../config/schema';
import { storedLocation } from '../../ocpi';
import { commandReceiverRoutes } from '../../ocpi/commands';
import { RECEIVER_MODULES, receiverRoutes } from '../../ocpi/receiver';
import { SENDER_MODULES, senderRoutes } from '../../ocpi/sender';
import type { FlowPorts, Flows } from '../ports';
import { currentStateDeliverer, type EmpContext } from './context';
import { CDR_TOPIC, cdrDeliverer, empCdrs } from './cdrs';
import { LOCATION_TOPIC } from './evse-index';
import { STATE_MODULE, empNetwork, storeSender } from './network';
import { EVSE_STATUS_TOPIC, evseStatusDeliverer } from './status-pull';
import { TARIFF_TOPIC, empPricing } from './pricing';
import { COMMAND_RESULT_TOPIC, commandResultDeliverer, empRemote } from './remote';
import { SESSION_TOPIC, empSessions } from './sessions';
import { AUTHENTICATION_DATA_TOPIC, authenticationDataDeliverer, empTokens } from './tokens';

const MINUTE = 60_000;

/** A job that then does `next` too (held CDRs are tried again once a pull brought EVSEs or pricing). */
const afterwards =
  <T>(run: () => Promise<T>, next: () => Promise<unknown>) =>
  async (): Promise<T> => {
    const result = await run();
    await next();
    return result;
  };

export function empFlows(config: BridgeConfig, providerId: string, ports: FlowPorts): Flows {
  const settings = config.oicp;
  const { store, logger, publicUrl, us } = ports;
  const locationOf = storedLocation(store);
  const context: EmpContext = { store, rules: config.mapping, oicp: ports.oicp, us, providerId, logger, stale: ports.stale, backend: ports.backend, now: ports.now };
  const network = empNetwork(context);
  const tokens = empTokens({ ...context, pushAuthenticationData: settings.pushAuthenticationData, authorizeTimeoutMs: settings.authorizeTimeoutMs }, network);
  const cdrs = empCdrs(context, network, tokens);
  const sender = storeSender(context);
  const versions = config.ocpi.versions;
  const serve = (id: 'locations' | 'tariffs' | 'sessions' | 'cdrs') => ({ identifier: id, role: 'SENDER' as const, versions, router: senderRoutes(SENDER_MODULES[id], sender, { publicUrl, logger, locationOf }) });

  /** A full pull when none was made yet or the last is older than fullLoadMinutes; else the changes. */
  const pullEvseData = async () => {
    const last = (await store.objects.get<{ at: string }>(STATE_MODULE, `${us.countryCode}*${us.partyId}`, 'full-pull'))?.body.at;
    const full = last === undefined || (settings.fullLoadMinutes > 0 && ports.now().getTime() - Date.parse(last) >= settings.fullLoadMinutes * MINUTE);
    const summary = await network.pull(full);
    if (full) await store.objects.put(STATE_MODULE, `${us.countryCode}*${us.partyId}`, 'full-pull', { at: ports.now().toISOString() });
    return summary;
  };

  return {
    modules: [serve('locations'), serve('tariffs'), serve('sessions'), serve('cdrs'),
      { identifier: 'tokens', role: 'RECEIVER', versions, router: receiverRoutes(RECEIVER_MODULES.tokens, tokens.receiver) },
      { identifier: 'commands', role: 'RECEIVER', versions, router: commandReceiverRoutes(empRemote(context, network)) },
    ],
    deliverers: {
      [LOCATION_TOPIC]: currentStateDeliverer(context, 'locations'),
      [EVSE_STATUS_TOPIC]: evseStatusDeliverer(context),
      [TARIFF_TOPIC]: currentStateDeliverer(context, 'tariffs'),
      [SESSION_TOPIC]: currentStateDeliverer(context, 'sessions'),
      [CDR_TOPIC]: cdrDeliverer(context),
      [COMMAND_RESULT_TOPIC]: commandResultDeliverer(context),
      [AUTHENTICATION_DATA_TOPIC]: authenticationDataDeliverer(context),
    },
    oicpHandlers: {
      AuthorizeStart: (request) => tokens.authorizeStart(request),
      AuthorizeStop: (request) => tokens.authorizeStop(request),
      ChargingNotification: empSessions(context, network, tokens),
      ChargeDetailRecord: (record) => cdrs.receive(record),
    },
    jobs: [
      { name: 'EVSE data', everyMs: (settings.evseDataPullMinutes || settings.fullLoadMinutes) * MINUTE, run: afterwards(pullEvseData, () => cdrs.retryHeld()) },
      { name: 'pricing', everyMs: settings.pricingPullMinutes * MINUTE, run: afterwards(empPricing(context, network), () => cdrs.retryHeld()) },
      { name: 'EVSE status', everyMs: settings.evseStatusPullSeconds * 1000, run: () => network.pullStatuses() },
      { name: 'CDR reconciliation', everyMs: settings.cdrReconcileMinutes * MINUTE, run: () => cdrs.reconcile() },
    ],
  };
}
