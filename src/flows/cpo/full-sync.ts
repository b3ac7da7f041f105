/**
 * CPO side, the scheduled full sync (issue 7): pushes can be lost before they reach the bridge (a
 * backend that gave up retrying, a backend that registered and never pushed what it already had),
 * so the bridge periodically pulls the backend's whole network — every page of its locations and
 * tariffs — and sends Hubject the EVSE data as `fullLoad`. Each pulled object is applied like a
 * push (newest wins: one pushed while the pull ran is kept). Tariffs go through the tariffs flow,
 * which pushes only what changed. A pull that fails part-way changes nothing: a partial `fullLoad`
 * would delete the rest of the network at Hubject.
 */
import type { Logger } from '../../observability/logger';
import type { Finding } from '../../core/findings';
import { BACKEND_PARTY } from '../../ocpi';
import type { OcpiPeer } from '../../ocpi/peer';
import type { Location, Tariff } from '../../ocpi/wire/schemas';
import { ownerOf } from '../../store';
import type { CpoLocations } from './locations';
import type { CpoTariffs } from './tariffs';

interface CpoFullSyncOptions {
  /** The registered CPO backend; undefined until it registers. */
  backend: () => Promise<OcpiPeer | undefined>;
  locations: CpoLocations;
  tariffs: CpoTariffs;
  logger: Logger;
  now: () => Date;
}

type FullSyncReport = { done: true; locations: number; evses: number; tariffs: number; skipped: number } | { done: false; reason: string };

export function cpoFullSync(options: CpoFullSyncOptions): () => Promise<FullSyncReport> {
  const { logger } = options;
  return async () => {
    const peer = await options.backend();
    if (!peer) return { done: false, reason: 'the OCPI backend is not registered with the bridge' };
    let skipped = 0;
    const skip = (findings: Finding[]) => {
      skipped++;
      logger.warn('full sync: an object of the backend cannot be read; it is left out', { findings });
    };
    const startedAt = options.now().getTime();
    try {
      const network: { owner: string; location: Location }[] = [];
      for await (const location of peer.pull('locations', {}, skip)) network.push({ owner: ownerOf(location as Location), location: location as Location });
      const tariffs: Tariff[] = [];
      if (peer.endpoint('tariffs', 'SENDER') !== undefined) for await (const tariff of peer.pull('tariffs', {}, skip)) tariffs.push(tariff as Tariff);
      // Tariffs first: the EVSE pricing the locations announce names their products.
      const context = { party: BACKEND_PARTY, version: peer.version, findings: [] };
      for (const tariff of tariffs) await options.tariffs.receiver.put('tariff', { countryCode: tariff.country_code, partyId: tariff.party_id, ids: [tariff.id] }, tariff, context);
      const sent = await options.locations.fullLoad(network, startedAt);
      const report = { done: true as const, ...sent, tariffs: tariffs.length, skipped };
      logger.info('full sync: the whole network goes to Hubject as fullLoad', report);
      return report;
    } catch (err) {
      logger.warn('full sync failed; nothing was replaced', { error: (err as Error).message });
      return { done: false, reason: (err as Error).message };
    }
  };
}
