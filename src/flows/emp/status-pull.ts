/**
 * EMP side, EVSE statuses: PullEvseStatus (all, or some EVSEs after their notifications) changes only
 * the statuses of stored EVSEs, each change announced and sent to the backend as an EVSE PATCH.
 */
import { oicpStatusRecordToOcpi } from '../../mapping/evse-status';
import { OicpCallError } from '../../oicp/client';
import type { EvseStatusRecord } from '../../oicp/wire/schemas';
import type { Location } from '../../ocpi/wire/schemas';
import type { Deliverer, Delivery } from '../outbox-worker';
import { backendDeliverer, peerDelivery } from '../ocpi-delivery';
import { announcing, ourKey, type EmpContext } from './context';
import { EVSE_KIND, type EvseIndex, type EvseIndexEntry } from './evse-index';

export const EVSE_STATUS_TOPIC = 'ocpi:evse-status';

const STATUS_BATCH = 500;

/**
 * A status pull began at `asOf`: a status it finds changed is applied unless a pull that began later
 * already changed that EVSE (a by-id pull after a notification overtaking the periodic one, or
 * another instance's pull) — the later observation stands. Returns how many changed.
 */
export function statusPull(context: EmpContext, evses: EvseIndex): (evseIds?: string[]) => Promise<number> {
  const { store, logger } = context;
  const owner = ourKey(context);
  return async (evseIds) => {
    const asOf = context.now().getTime();
    const result = await context.oicp.call('PullEvseStatus', { ProviderID: context.providerId, ...(evseIds && { EvseID: evseIds }) });
    if (!result.ok) throw new OicpCallError(result.error);
    const records: EvseStatusRecord[] = result.value.EvseStatuses?.OperatorEvseStatus.flatMap((o) => o.EvseStatusRecord) ?? result.value.EVSEStatusRecords?.EvseStatusRecord ?? [];
    let changed = 0;
    for (let i = 0; i < records.length; i += STATUS_BATCH) {
      const batch = records.slice(i, i + STATUS_BATCH);
      changed += await store.transaction(async (tx) => {
        let n = 0;
        for (const record of batch) {
          const status = oicpStatusRecordToOcpi(record, '', context.rules.status).value?.status;
          const place = status && (await evses.placeOf(tx, record.EvseID));
          if (!status || !place || place.evse.status === status || place.evse.status === 'REMOVED') continue;
          const { location, evse, entry } = place;
          const statusAt = (entry.attrs as Partial<EvseIndexEntry>).statusAt;
          if (statusAt !== undefined && statusAt > asOf) {
            context.stale({ module: 'emp:evse-status', ref: record.EvseID, incoming: { last_updated: new Date(asOf).toISOString() }, held: { last_updated: new Date(statusAt).toISOString() } });
            continue;
          }
          const now = context.now().toISOString();
          Object.assign(evse, { status, last_updated: now });
          location.last_updated = now;
          await tx.objects.put('locations', owner, location.id, location);
          await tx.correlations.updateAttrs(EVSE_KIND, entry.ocpiId, { ...entry.attrs, statusAt: asOf });
          await tx.outbox.enqueue({ topic: EVSE_STATUS_TOPIC, payload: { locationId: location.id, uid: evse.uid }, ...announcing(`location:${location.id}`, `evse:${location.id}/${evse.uid}`) });
          n++;
        }
        return n;
      });
    }
    if (changed > 0) logger.info('EVSE statuses changed', { pulled: records.length, changed });
    return changed;
  };
}

/** PATCHes an EVSE's current status; an EVSE the backend does not know yet gets its whole location. */
export function evseStatusDeliverer(context: EmpContext): Deliverer {
  const owner = ourKey(context);
  return backendDeliverer(context.backend, async (peer, item): Promise<Delivery> => {
    const { locationId, uid } = item.payload as { locationId: string; uid: string };
    const location = (await context.store.objects.get<Location>('locations', owner, locationId))?.body;
    const evse = location?.evses?.find((e) => e.uid === uid);
    if (!location || !evse) return { outcome: 'delivered' };
    const patched = peerDelivery(await peer.patch('locations', context.us, [locationId, uid], { status: evse.status, last_updated: evse.last_updated }));
    return patched.outcome === 'refused' ? peerDelivery(await peer.put('locations', context.us, [locationId], location)) : patched;
  });
}
