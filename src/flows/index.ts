/**
 * The flows the configuration calls for: the OCPI modules the bridge serves to its backend (the
 * handlers behind them), what it answers Hubject, the deliverers of what they put in the outbox and
 * the scheduled jobs. The CPO side (issue 7) is assembled here; the EMP side (issue 8) in `emp/`.
 */
import type { BridgeConfig } from '../config/schema';
import { evseDefaults } from '../mapping/rules';
import { partyToOperatorId } from '../mapping/identifiers';
import type { Logger } from '../observability/logger';
import type { OicpClient } from '../oicp/client';
import { RECEIVER_MODULES, receiverRoutes } from '../ocpi/receiver';
import type { OcpiModule } from '../ocpi/router';
import type { Store } from '../store';
import { SENDER_MODULES, senderRoutes } from '../ocpi/sender';
import { cdrReceiverRoutes } from '../ocpi/cdrs';
import { storedLocation } from '../ocpi';
import { OcpiClient } from '../ocpi/client';
import { commandResultRoutes } from '../ocpi/commands';
import type { OicpHandlers } from '../oicp/calls';
import { cpoRemote } from './cpo/remote';
import { cpoTokens } from './cpo/authorization';
import { authorizedToken } from './cpo/authorizations';
import { CDR_TOPIC, cdrDeliverer, cpoCdrs } from './cpo/cdrs';
import { NOTIFICATION_TOPIC, cpoSessions, notificationDeliverer } from './cpo/sessions';
import { EVSE_DATA_TOPIC, EVSE_STATUS_TOPIC, cpoLocations, evseDataDeliverer, evseStatusDeliverer } from './cpo/locations';
import { callDeliverer, type Deliverer } from './outbox-worker';
import { EVSE_PRICING_TOPIC, PRICING_PRODUCTS_TOPIC, cpoTariffs } from './cpo/tariffs';
import { cpoFullSync } from './cpo/full-sync';
import { empFlows } from './emp';
import { staleReporter, type StaleReporter } from './freshness';

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

export function flowsFromConfig(config: BridgeConfig, store: Store, oicp: OicpClient, logger: Logger, publicUrl: () => string, stale: StaleReporter = staleReporter(logger)): Flows {
  const { mapping: rules } = config;
  if (config.oicp.role === 'EMP' && config.oicp.providerId !== undefined) return empFlows(config, store, oicp, logger, publicUrl, stale);
  if (config.oicp.role !== 'CPO' || config.oicp.operatorId === undefined) return { modules: [], deliverers: {}, oicpHandlers: {}, jobs: [] };
  const operatorId = config.oicp.operatorId;
  const us = { role: config.ocpi.roles[0] ?? 'EMSP', countryCode: config.ocpi.countryCode, partyId: config.ocpi.partyId };
  const client = new OcpiClient({ logger });
  const remote = cpoRemote({ store, client, us, operatorId, publicUrl, logger });
  const tariffs = cpoTariffs({ store, rules, operatorId, logger, stale });
  const locations = cpoLocations({ store, rules, operatorId, logger, stale, announceEvsePricing: tariffs.announceEvsePricing });
  const locationOf = storedLocation(store);
  // A 2.1.1 session or CDR names its token by auth_id only: the token Hubject authorized under that name.
  const tokenOf = (authId: string) => authorizedToken(store, authId);
  const timeZoneOf = (party: { countryCode: string; partyId: string }) => evseDefaults(rules, partyToOperatorId(party)).timeZone;
  return {
    modules: [
      { identifier: 'locations', role: 'RECEIVER', versions: config.ocpi.versions, router: receiverRoutes(RECEIVER_MODULES.locations, locations.receiver, { timeZoneOf }) },
      { identifier: 'tariffs', role: 'RECEIVER', versions: config.ocpi.versions, router: receiverRoutes(RECEIVER_MODULES.tariffs, tariffs.receiver) },
      { identifier: 'sessions', role: 'RECEIVER', versions: config.ocpi.versions, router: receiverRoutes(RECEIVER_MODULES.sessions, cpoSessions({ store, rules, operatorId, logger, stale }), { locationOf, tokenOf }) },
      { identifier: 'cdrs', role: 'RECEIVER', versions: config.ocpi.versions, router: cdrReceiverRoutes(cpoCdrs({ store, rules, logger }), { publicUrl, locationOf, tokenOf }) },
      { identifier: 'commands', role: 'SENDER', versions: config.ocpi.versions, router: commandResultRoutes(remote.results) },
      { identifier: 'tokens', role: 'SENDER', versions: config.ocpi.versions, router: senderRoutes(SENDER_MODULES.tokens, cpoTokens({ store, oicp, operatorId, ownParty: { countryCode: config.ocpi.countryCode, partyId: config.ocpi.partyId }, logger }), { publicUrl, logger }) },
    ],
    deliverers: {
      [EVSE_DATA_TOPIC]: evseDataDeliverer(oicp, locations.currentNetwork),
      [EVSE_STATUS_TOPIC]: evseStatusDeliverer(oicp, operatorId, locations.currentNetwork),
      [CDR_TOPIC]: cdrDeliverer(oicp),
      [NOTIFICATION_TOPIC]: notificationDeliverer(oicp),
      [PRICING_PRODUCTS_TOPIC]: callDeliverer(oicp, 'PushPricingProductData'),
      [EVSE_PRICING_TOPIC]: callDeliverer(oicp, 'PushEvsePricing'),
    },
    oicpHandlers: remote.oicp,
    jobs: [
      { name: 'full sync', everyMs: config.oicp.fullLoadMinutes * 60_000, run: cpoFullSync({ store, client, us, locations, tariffs, logger }) },
      // A DST switch changes the UTC offset OICP carries: the network goes again within 15 minutes of it.
      { name: 'UTC offsets', everyMs: 15 * 60_000, run: async () => ({ changed: await locations.resendOnOffsetChange() }) },
    ],
  };
}
