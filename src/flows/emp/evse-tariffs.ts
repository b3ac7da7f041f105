/**
 * EMP side: which tariffs the connectors of Hubject's EVSEs have, from the pricing pull. Kept by
 * EvseID, so an EVSE that arrives after the pricing gets its tariff ids too; an EVSE whose pricing
 * was withdrawn loses them.
 */
import type { Location } from '../../ocpi/wire/schemas';
import type { StoreRepositories } from '../../store';
import { ourKey, type EmpContext } from './context';
import { EVSE_KIND, splitKey, type EvseIndex } from './evse-index';

/** Connector tariff_ids by EvseID, from the pricing pull, for EVSEs that arrive after it. */
export const EVSE_TARIFFS_MODULE = 'emp:evse-tariffs';

/** Gives the connectors of the EVSEs their tariff ids, announcing the locations that changed; returns how many. */
export function tariffAssignment(context: EmpContext, evses: EvseIndex): (tx: StoreRepositories, evseTariffs: ReadonlyMap<string, string[]>) => Promise<number> {
  const owner = ourKey(context);
  return async (tx, evseTariffs) => {
    // The pull is complete: an EVSE priced before and absent now had its pricing withdrawn.
    const changes = new Map(evseTariffs);
    for (const known of await tx.objects.list(EVSE_TARIFFS_MODULE)) {
      if (known.owner === owner && !changes.has(known.id)) changes.set(known.id, []);
    }
    const touched = new Map<string, Location>();
    for (const [evseId, ids] of changes) {
      if (evseTariffs.has(evseId)) await tx.objects.put(EVSE_TARIFFS_MODULE, owner, evseId, ids);
      else await tx.objects.delete(EVSE_TARIFFS_MODULE, owner, evseId);
      const entry = await tx.correlations.byOicp(EVSE_KIND, evseId);
      if (!entry) continue;
      const [locationId, uid] = splitKey(entry.ocpiId);
      const location = touched.get(locationId) ?? (await tx.objects.get<Location>('locations', owner, locationId))?.body;
      const evse = location?.evses?.find((e) => e.uid === uid);
      if (!location || !evse) continue;
      const before = JSON.stringify(evse.connectors);
      evse.connectors = evse.connectors.map(({ tariff_ids: _old, ...connector }) => (ids.length > 0 ? { ...connector, tariff_ids: ids } : connector));
      if (JSON.stringify(evse.connectors) === before) continue;
      const now = context.now().toISOString();
      for (const connector of evse.connectors) connector.last_updated = now;
      evse.last_updated = now;
      location.last_updated = now;
      touched.set(locationId, location);
    }
    for (const location of touched.values()) await evses.announce(tx, location);
    return touched.size;
  };
}
