/**
 * The CPO side's flows (issue 7), assembled: the bridge is the eMSP of an OCPI CPO backend and an OICP
 * CPO toward Hubject. The OCPI modules it serves the backend (the handlers behind them), what it
 * answers Hubject (remote start/stop, reservations), the deliverers toward Hubject and the jobs.
 */
import type { BridgeConfig } from '../../config/schema';
import { partyToOperatorId } from '../../mapping/identifiers';
import { evseDefaults } from '../../mapping/rules';
import { storedLocation } from '../../ocpi';
import { cdrReceiverRoutes } from '../../ocpi/cdrs';
import { commandResultRoutes } from '../../ocpi/commands';
import { RECEIVER_MODULES, receiverRoutes } from '../../ocpi/receiver';
import { SENDER_MODULES, senderRoutes } from '../../ocpi/sender';
import { callDeliverer } from '../outbox-worker';
import type { FlowPorts, Flows } from '../ports';
import { authorizedToken } from './authorization-index';
import { CDR_TOPIC, cdrDeliverer, cpoCdrs } from './cdrs';
import { cpoFullSync } from './full-sync';
import { EVSE_DATA_TOPIC, EVSE_STATUS_TOPIC, evseDataDeliverer, evseStatusDeliverer } from './location-publication';
import { cpoLocations } from './locations';
import { cpoTokens } from './realtime-authorization';
import { cpoRemote } from './remote';
import { NOTIFICATION_TOPIC, cpoSessions, notificationDeliverer } from './sessions';
import { EVSE_PRICING_TOPIC, PRICING_PRODUCTS_TOPIC, cpoTariffs } from './tariffs';

export function cpoFlows(config: BridgeConfig, operatorId: string, ports: FlowPorts): Flows {
  const { store, oicp, logger, stale, publicUrl, now } = ports;
  const rules = config.mapping;
  const remote = cpoRemote({ store, backend: ports.backend, operatorId, publicUrl, logger, now });
  const tariffs = cpoTariffs({ store, rules, operatorId, logger, stale });
  const locations = cpoLocations({ store, rules, operatorId, logger, stale, now, announceEvsePricing: tariffs.announceEvsePricing });
  const locationOf = storedLocation(store);
  // A 2.1.1 session or CDR names its token by auth_id only: the token Hubject authorized under that name.
  const tokenOf = (authId: string) => authorizedToken(store, authId);
  const timeZoneOf = (party: { countryCode: string; partyId: string }) => evseDefaults(rules, partyToOperatorId(party)).timeZone;
  const versions = config.ocpi.versions;
  return {
    modules: [
      { identifier: 'locations', role: 'RECEIVER', versions, router: receiverRoutes(RECEIVER_MODULES.locations, locations.receiver, { timeZoneOf }) },
      { identifier: 'tariffs', role: 'RECEIVER', versions, router: receiverRoutes(RECEIVER_MODULES.tariffs, tariffs.receiver) },
      { identifier: 'sessions', role: 'RECEIVER', versions, router: receiverRoutes(RECEIVER_MODULES.sessions, cpoSessions({ store, rules, operatorId, logger, stale, now }), { locationOf, tokenOf }) },
      { identifier: 'cdrs', role: 'RECEIVER', versions, router: cdrReceiverRoutes(cpoCdrs({ store, rules, logger }), { publicUrl, locationOf, tokenOf }) },
      { identifier: 'commands', role: 'SENDER', versions, router: commandResultRoutes(remote.results) },
      { identifier: 'tokens', role: 'SENDER', versions, router: senderRoutes(SENDER_MODULES.tokens, cpoTokens({ store, oicp, operatorId, ownParty: { countryCode: config.ocpi.countryCode, partyId: config.ocpi.partyId }, logger, now }), { publicUrl, logger }) },
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
      { name: 'full sync', everyMs: config.oicp.fullLoadMinutes * 60_000, run: cpoFullSync({ backend: ports.backend, locations, tariffs, logger, now }) },
      // A DST switch changes the UTC offset OICP carries: the network goes again within 15 minutes of it.
      { name: 'UTC offsets', everyMs: 15 * 60_000, run: async () => ({ changed: await locations.resendOnOffsetChange() }) },
    ],
  };
}
