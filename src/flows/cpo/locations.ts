/**
 * CPO side, EVSE data and status (issue 7): the backend's Locations pushes become Hubject's EVSE
 * data and status. Each push is applied to the cached location (a PATCH carries only what changed)
 * and, in the same transaction, announced in the outbox: the location's EVSE records for
 * PushEvseData, and the statuses of the EVSEs it touched for PushEvseStatus. An EVSE status PATCH,
 * the most frequent message, announces its status only. The deliverers send the records as
 * `update` (Hubject inserts what it does not know) and coalesce statuses: within a batch the latest
 * status of each EVSE is the one sent, in one call.
 */
import type { Logger } from '../../observability/logger';
import type { Finding } from '../../mapping/findings';
import { ocpiEvseToStatusRecord, type OicpEvseStatusRecord } from '../../mapping/evse-status';
import { ocpiLocationToOicp, type OicpEvseData } from '../../mapping/location';
import { evseDefaults, type MappingRules } from '../../mapping/rules';
import { isEvseOf } from '../../mapping/identifiers';
import type { OicpClient } from '../../oicp/client';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import type { Connector, Evse, Location } from '../../ocpi/schemas';
import { objectAt, placeAt } from '../../ocpi/location-tree';
import { OcpiError } from '../../ocpi/transport';
import { ownerKey, type Store, type StoreRepositories } from '../../store';
import { deliveryOf, type Deliverer } from '../outbox-worker';

export const EVSE_DATA_TOPIC = 'oicp:PushEvseData';
export const EVSE_STATUS_TOPIC = 'oicp:PushEvseStatus';

export interface CpoLocationsOptions {
  store: Store;
  rules: MappingRules;
  /** Our OperatorID toward Hubject. */
  operatorId: string;
  logger: Logger;
  /** Announces a stored location's EVSE pricing (the tariffs flow) in the same transaction. */
  announceEvsePricing?: (tx: StoreRepositories, owner: string, location: Location) => Promise<void>;
}

/** An announced location's EVSE data: records to send as update, and the records of REMOVED EVSEs to send as delete; or a full sync's whole network. */
interface EvseDataPayload {
  operator: { OperatorID: string; OperatorName: string };
  records: OicpEvseData['records'];
  removed: OicpEvseData['records'];
  fullLoad?: true;
}

/** A full sync's statuses (other status items are single records). */
interface StatusFullLoad {
  fullLoad: true;
  records: OicpEvseStatusRecord[];
}

/** What one location contributes to the outbox. */
interface Announcement {
  data: boolean;
  /** EVSE uids whose status to push. */
  statuses: string[];
}

const STATUS_MEMBERS = new Set(['status', 'last_updated']);

/** Places a pushed EVSE or connector in its location; the parents take its last_updated (2.2.1 §4.1). */
function placeInto(location: Location, level: 'evse' | 'connector', ref: ObjectRef, object: Evse | Connector): boolean {
  if (!placeAt(location, level, ref.ids, object)) return false;
  if (level === 'connector') (objectAt(location, 'evse', ref.ids) as Evse).last_updated = object.last_updated;
  location.last_updated = object.last_updated;
  return true;
}

/** Where each EvseID is: Hubject names EVSEs by EvseID, OCPI by location and uid. An EvseID that moves takes its entry along. */
const EVSE_KIND = 'evse';

async function indexEvses(tx: StoreRepositories, owner: string, location: Location): Promise<void> {
  for (const evse of location.evses ?? []) {
    if (evse.evse_id === undefined) continue;
    const key = `${owner}/${location.id}/${evse.uid}`;
    const known = await tx.correlations.byOicp(EVSE_KIND, evse.evse_id);
    if (known?.ocpiId === key) continue;
    if (known) await tx.correlations.delete(EVSE_KIND, known.ocpiId);
    await tx.correlations.put({ kind: EVSE_KIND, ocpiId: key, oicpId: evse.evse_id, attrs: { owner, locationId: location.id } });
  }
}

/** The cached location holding an EvseID. */
export async function locationOfEvse(store: Store, evseId: string): Promise<Location | undefined> {
  const entry = await store.correlations.byOicp(EVSE_KIND, evseId);
  if (!entry) return undefined;
  const { owner, locationId } = entry.attrs as { owner: string; locationId: string };
  return (await store.objects.get<Location>('locations', owner, locationId))?.body;
}

export interface CpoLocations {
  receiver: ObjectReceiver;
  /** An EVSE's status as the cache holds it now (for the status deliverer). */
  currentStatus: (evseId: string) => Promise<OicpEvseStatusRecord | undefined>;
  fullLoad: (network: readonly { owner: string; location: Location }[]) => Promise<{ locations: number; evses: number }>;
}

export function cpoLocations(options: CpoLocationsOptions): CpoLocations {
  const { store, logger } = options;
  const log = (what: string, findings: readonly Finding[]) => {
    if (findings.length > 0) logger.info(what, { findings });
  };

  const mapping = { rules: options.rules, operatorId: options.operatorId };

  /** A location's EVSE records, and the records of its REMOVED EVSEs (OICP deletes by whole record, so a REMOVED EVSE is mapped as it was). */
  function dataOf(location: Location): EvseDataPayload | undefined {
    const mapped = ocpiLocationToOicp(location, mapping);
    log('location mapped to EVSE data', mapped.findings);
    if (!mapped.value) return undefined;
    const removedEvses = (location.evses ?? []).filter((e) => e.evse_id !== undefined && mapped.value!.deleted.includes(e.evse_id));
    const removed = removedEvses.length === 0 ? [] : (ocpiLocationToOicp({ ...location, evses: removedEvses.map((e) => ({ ...e, status: 'UNKNOWN' })) }, mapping).value?.records ?? []);
    return { operator: { OperatorID: mapped.value.OperatorID, OperatorName: mapped.value.OperatorName }, records: mapped.value.records, removed };
  }

  /** An EVSE's status record, when it is ours: one foreign EvseID would make Hubject refuse a whole coalesced push (018). */
  function statusOf(location: Location, uid: string): OicpEvseStatusRecord | undefined {
    const evse = objectAt(location, 'evse', [location.id, uid]) as Evse | undefined;
    if (!evse) return undefined;
    const record = ocpiEvseToStatusRecord(evse, '', { overrides: options.rules.status });
    log('EVSE status mapped', record.findings);
    if (!record.value) return undefined;
    if (isEvseOf(record.value.EvseID, options.operatorId)) return record.value;
    logger.warn('EVSE status not sent: the EvseID belongs to another operator (Hubject would refuse it, 018)', { evseId: record.value.EvseID, operatorId: options.operatorId });
    return undefined;
  }

  /** Stores a location with its EvseID index and announces its EVSE pricing. */
  async function keep(tx: StoreRepositories, owner: string, location: Location, structure: boolean): Promise<void> {
    await tx.objects.put('locations', owner, location.id, location);
    if (!structure) return;
    await indexEvses(tx, owner, location);
    await options.announceEvsePricing?.(tx, owner, location);
  }

  /** Stores the location and announces what changed, in one transaction: both or neither. */
  const announce = (owner: string, location: Location, what: Announcement) =>
    store.transaction(async (tx: StoreRepositories) => {
      await keep(tx, owner, location, what.data);
      const data = what.data ? dataOf(location) : undefined;
      if (data && (data.records.length > 0 || data.removed.length > 0)) await tx.outbox.enqueue({ topic: EVSE_DATA_TOPIC, payload: data });
      for (const uid of what.statuses) {
        const record = statusOf(location, uid);
        if (record) await tx.outbox.enqueue({ topic: EVSE_STATUS_TOPIC, payload: record });
      }
    });

  /**
   * The backend's whole network, as a full sync pulled it: the cache becomes exactly these locations
   * and Hubject is sent all their EVSE records and statuses as `fullLoad`, which replaces what it
   * holds for us (repairing anything a lost push left behind).
   */
  const fullLoad = (network: readonly { owner: string; location: Location }[]) =>
    store.transaction(async (tx: StoreRepositories) => {
      const listed = new Set(network.map(({ owner, location }) => `${owner}/${location.id}`));
      for (const known of await tx.objects.list<Location>('locations')) {
        if (!listed.has(`${known.owner}/${known.id}`)) await tx.objects.delete('locations', known.owner, known.id);
      }
      const records: OicpEvseData['records'] = [];
      const statuses: OicpEvseStatusRecord[] = [];
      let operatorName: string | undefined;
      for (const { owner, location } of network) {
        await keep(tx, owner, location, true);
        const data = dataOf(location);
        operatorName ??= data?.operator.OperatorName;
        records.push(...(data?.records ?? []));
        for (const evse of location.evses ?? []) {
          const record = evse.status === 'REMOVED' ? undefined : statusOf(location, evse.uid);
          if (record) statuses.push(record);
        }
      }
      const operator = { OperatorID: options.operatorId, OperatorName: operatorName ?? evseDefaults(options.rules, options.operatorId).operatorName ?? options.operatorId };
      await tx.outbox.enqueue({ topic: EVSE_DATA_TOPIC, payload: { operator, records, removed: [], fullLoad: true } satisfies EvseDataPayload });
      await tx.outbox.enqueue({ topic: EVSE_STATUS_TOPIC, payload: { fullLoad: true, records: statuses } satisfies StatusFullLoad });
      return { locations: network.length, evses: records.length };
    });

  const cached = async (ref: ObjectRef) => (await store.objects.get<Location>('locations', ownerKey(ref), ref.ids[0]!))?.body;

  const receiver: ObjectReceiver = {
    async put(level, ref, object) {
      if (level === 'location') {
        const location = object as Location;
        return announce(ownerKey(ref), location, { data: true, statuses: (location.evses ?? []).map((e) => e.uid) });
      }
      const location = await cached(ref);
      if (!location || !placeInto(location, level as 'evse' | 'connector', ref, object as Evse | Connector)) throw new OcpiError(2003, `unknown ${level === 'evse' ? 'location' : 'EVSE'} for this ${level}: PUT it first`, 404);
      return announce(ownerKey(ref), location, { data: true, statuses: [ref.ids[1]!] });
    },

    async patch(level, ref, changes) {
      const location = await cached(ref);
      const target = objectAt(location, level, ref.ids);
      if (!location || !target) return false;
      Object.assign(target, changes);
      if (typeof changes.last_updated === 'string') location.last_updated = changes.last_updated;
      const statusOnly = level === 'evse' && Object.keys(changes).every((key) => STATUS_MEMBERS.has(key));
      const touched = level === 'location' ? (location.evses ?? []).map((e) => e.uid) : [ref.ids[1]!];
      await announce(ownerKey(ref), location, { data: !statusOnly, statuses: 'status' in changes || level === 'location' ? touched : [] });
      return true;
    },

    get: async (level, ref) => objectAt(await cached(ref), level, ref.ids),
  };
  const currentStatus = async (evseId: string) => {
    const location = await locationOfEvse(store, evseId);
    const evse = location?.evses?.find((e) => e.evse_id === evseId);
    return location && evse && statusOf(location, evse.uid);
  };
  return { receiver, fullLoad, currentStatus };
}

/** Sends EVSE data: a full sync as one `fullLoad`; else one PushEvseData `update` per announced location, then its REMOVED EVSEs as `delete`. */
export function evseDataDeliverer(client: OicpClient): Deliverer {
  return async (items) => {
    const deliveries = [];
    for (const item of items) {
      const { operator, records, removed, fullLoad } = item.payload as EvseDataPayload;
      const push = (ActionType: 'fullLoad' | 'update' | 'delete', list: OicpEvseData['records']) => client.call('PushEvseData', { ActionType, OperatorEvseData: { ...operator, EvseDataRecord: list } });
      // A fullLoad goes even when empty: it is what clears a network the backend no longer lists.
      let result = fullLoad || records.length > 0 ? await push(fullLoad ? 'fullLoad' : 'update', records) : undefined;
      if ((result === undefined || result.ok) && removed.length > 0) result = await push('delete', removed);
      deliveries.push(result === undefined ? ({ outcome: 'delivered' } as const) : deliveryOf(result));
    }
    return deliveries;
  };
}

/**
 * Sends statuses coalesced: the latest status per EVSE of the batch in one PushEvseStatus `update`.
 * A full sync's `fullLoad` in the batch replaces everything before it, so the items before it are
 * settled with it and only the ones after it follow as an update. Each status is read again from
 * the cache (`current`) when sent: an item retried after a newer one was delivered must not put the
 * older status back at Hubject, so whatever the order of delivery, Hubject ends with the latest.
 */
export function evseStatusDeliverer(client: OicpClient, operatorId: string, current: (evseId: string) => Promise<OicpEvseStatusRecord | undefined>): Deliverer {
  const push = (ActionType: 'fullLoad' | 'update', records: readonly OicpEvseStatusRecord[]) => client.call('PushEvseStatus', { ActionType, OperatorEvseStatus: { OperatorID: operatorId, EvseStatusRecord: [...records] } });
  const now = async (records: readonly OicpEvseStatusRecord[]) => Promise.all(records.map(async (record) => (await current(record.EvseID)) ?? record));
  return async (items) => {
    let last = -1;
    items.forEach((item, i) => {
      if ('fullLoad' in (item.payload as object)) last = i;
    });
    const full = last < 0 ? undefined : deliveryOf(await push('fullLoad', await now((items[last]!.payload as StatusFullLoad).records)));
    const latest = new Map<string, OicpEvseStatusRecord>();
    for (const item of items.slice(last + 1)) {
      const record = item.payload as OicpEvseStatusRecord;
      latest.delete(record.EvseID);
      latest.set(record.EvseID, record);
    }
    const update = latest.size === 0 ? undefined : deliveryOf(await push('update', await now([...latest.values()])));
    return items.map((_, i) => (i <= last ? full! : update!));
  };
}
