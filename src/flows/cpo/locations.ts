/**
 * CPO side, EVSE data and status (issue 7): the backend's Locations pushes become Hubject's EVSE
 * data and status. Each push is applied to the cached location in one transaction that holds the
 * location (several instances may take pushes for it at once) and compares `last_updated`: an update
 * older than the cached object is acknowledged but not applied (newest wins). In the same transaction
 * the change is announced in the outbox: the location's EVSE records for PushEvseData, and the
 * statuses of the EVSEs it touched for PushEvseStatus. An EVSE status PATCH, the most frequent
 * message, announces its status only. Announcements of one EVSE (or one location's data) are
 * delivered one at a time in the order they were made, and a newer status replaces one still
 * waiting, so Hubject always ends with the newest state. What is valid OCPI but cannot go to Hubject
 * (an unpublished location, another operator's EvseID, an EVSE without EvseID or plug) is accepted
 * and listed as held, with the reason.
 */
import type { Logger } from '../../observability/logger';
import type { Finding } from '../../core/findings';
import { ocpiEvseToStatusRecord, type OicpEvseStatusRecord } from '../../mapping/evse-status';
import { ocpiLocationToOicp, type OicpEvseData } from '../../mapping/location/to-oicp';
import { utcOffset } from '../../mapping/time-zone';
import { evseDefaults, type MappingRules } from '../../mapping/rules';
import { isEvseOf } from '../../mapping/identifiers';
import type { OicpCaller } from '../../oicp/client';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import type { Connector, Evse, Location } from '../../ocpi/wire/schemas';
import { objectAt, placeAt } from '../../ocpi/wire/location-tree';
import { OcpiError } from '../../ocpi/wire/transport';
import { ownerKey, type Store, type StoreRepositories } from '../../store';
import { deliveryOf, eachItem, type Deliverer, type Delivery } from '../outbox-worker';
import { isStale, laterStamp, type StaleReporter } from '../freshness';

export const EVSE_DATA_TOPIC = 'oicp:PushEvseData';
export const EVSE_STATUS_TOPIC = 'oicp:PushEvseStatus';
/** Held-item kinds: a whole location, or one EVSE of it. */
const HELD_LOCATION = 'location';
const HELD_EVSE = 'evse';
/** Statuses per PushEvseStatus call. */
const STATUS_BATCH = 500;

interface CpoLocationsOptions {
  store: Store;
  rules: MappingRules;
  /** Our OperatorID toward Hubject. */
  operatorId: string;
  logger: Logger;
  /** Announces a stored location's EVSE pricing (the tariffs flow) in the same transaction. */
  announceEvsePricing?: (tx: StoreRepositories, owner: string, location: Location) => Promise<void>;
  stale: StaleReporter;
  now: () => Date;
}

/** An announced location's EVSE data: records to send as update, and the records of REMOVED (or no longer published) EVSEs to send as delete. */
interface EvseDataPayload {
  operator: { OperatorID: string; OperatorName: string };
  records: OicpEvseData['records'];
  removed: OicpEvseData['records'];
}

/** A full sync's announcement: the whole cached network goes as `fullLoad`, read when it is sent. */
interface FullLoadPayload {
  fullLoad: true;
}

const isFullLoad = (payload: unknown): payload is FullLoadPayload => (payload as Partial<FullLoadPayload>).fullLoad === true;

/** What one change of a location contributes to the outbox. */
interface Announcement {
  data: boolean;
  /** EVSE uids whose status to push. */
  statuses: string[];
}

const STATUS_MEMBERS = new Set(['status', 'last_updated']);

/** Places a pushed EVSE or connector in its location; the parents take its last_updated when it is later (2.2.1 §4.1). */
function placeInto(location: Location, level: 'evse' | 'connector', ref: ObjectRef, object: Evse | Connector): boolean {
  if (!placeAt(location, level, ref.ids, object)) return false;
  if (level === 'connector') {
    const evse = objectAt(location, 'evse', ref.ids) as Evse;
    evse.last_updated = laterStamp(evse.last_updated, object.last_updated);
  }
  location.last_updated = laterStamp(location.last_updated, object.last_updated);
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
export async function locationOfEvse(store: Pick<StoreRepositories, 'correlations' | 'objects'>, evseId: string): Promise<Location | undefined> {
  const entry = await store.correlations.byOicp(EVSE_KIND, evseId);
  if (!entry) return undefined;
  const { owner, locationId } = entry.attrs as { owner: string; locationId: string };
  return (await store.objects.get<Location>('locations', owner, locationId))?.body;
}

interface CpoNetwork {
  operator: { OperatorID: string; OperatorName: string };
  records: OicpEvseData['records'];
  statuses: OicpEvseStatusRecord[];
}

export interface CpoLocations {
  receiver: ObjectReceiver;
  /**
   * A full sync's pulled network: each location applied (newest wins), the cached ones the backend
   * no longer lists (and not pushed since `pulledSince`) dropped, then the whole network announced
   * as `fullLoad`.
   */
  fullLoad: (network: readonly { owner: string; location: Location }[], pulledSince: number) => Promise<{ locations: number; evses: number }>;
  /** The whole cached network as Hubject gets it in a fullLoad, mapped now. */
  currentNetwork: () => Promise<CpoNetwork>;
  /**
   * OICP carries a UTC offset, not a zone: when the offset of a zone of the cached network changed
   * since the last look (a DST switch), the cached network goes to Hubject again as `fullLoad`.
   * Returns the zones whose offset changed.
   */
  resendOnOffsetChange: () => Promise<string[]>;
}

/** Where the offsets last sent per zone are kept. */
const OFFSETS_MODULE = 'announced:utc-offsets';

export function cpoLocations(options: CpoLocationsOptions): CpoLocations {
  const { store, logger } = options;
  const { now } = options;
  const log = (what: string, findings: readonly Finding[]) => {
    if (findings.length > 0) logger.info(what, { findings });
  };
  const mappingAt = (at: Date) => ({ rules: options.rules, operatorId: options.operatorId, at });

  /**
   * A location's EVSE records and the records of its REMOVED EVSEs (OICP deletes by whole record, so
   * a REMOVED EVSE is mapped as it was), with what is held back and why. An unpublished location is
   * held whole; its EVSEs published before (`before`) are deleted at Hubject.
   */
  function dataOf(owner: string, location: Location, before: Location | undefined, at: Date) {
    const held: { kind: string; ref: string; reason: string; details: Finding[] }[] = [];
    const locationRef = `${owner}/${location.id}`;
    const evseRef = (uid: string) => `${locationRef}/${uid}`;
    if (location.publish === false) {
      held.push({ kind: HELD_LOCATION, ref: locationRef, reason: 'publish is false: the location is not for the public, so not for Hubject', details: [] });
      const wasPublished = before !== undefined && before.publish !== false;
      const removed = wasPublished ? (ocpiLocationToOicp({ ...before, evses: (before.evses ?? []).filter((e) => e.status !== 'REMOVED') }, mappingAt(at)).value?.records ?? []) : [];
      return { payload: removed.length > 0 ? { operator: operatorOf(undefined), records: [], removed } : undefined, held };
    }
    const mapped = ocpiLocationToOicp(location, mappingAt(at));
    log('location mapped to EVSE data', mapped.findings);
    if (!mapped.value) {
      held.push({ kind: HELD_LOCATION, ref: locationRef, reason: `cannot be written as OICP EVSE data: ${invalidOf(mapped.findings) || 'see details'}`, details: mapped.findings });
      return { payload: undefined, held };
    }
    const sent = new Set([...mapped.value.records.map((r) => r.EvseID), ...mapped.value.deleted]);
    (location.evses ?? []).forEach((evse, i) => {
      if (evse.evse_id !== undefined && sent.has(evse.evse_id)) return;
      const details = mapped.findings.filter((f) => f.path === `evses[${i}]` || f.path.startsWith(`evses[${i}].`) || f.path.startsWith(`evses[${i}][`));
      const reason = evse.status === 'PLANNED' ? 'PLANNED: sent once it is live' : invalidOf(details) || lossOf(details) || 'not carried into OICP EVSE data';
      held.push({ kind: HELD_EVSE, ref: evseRef(evse.uid), reason, details });
    });
    const removedEvses = (location.evses ?? []).filter((e) => e.evse_id !== undefined && mapped.value!.deleted.includes(e.evse_id));
    const removed = removedEvses.length === 0 ? [] : (ocpiLocationToOicp({ ...location, evses: removedEvses.map((e) => ({ ...e, status: 'UNKNOWN' })) }, mappingAt(at)).value?.records ?? []);
    const payload: EvseDataPayload | undefined =
      mapped.value.records.length > 0 || removed.length > 0 ? { operator: { OperatorID: mapped.value.OperatorID, OperatorName: mapped.value.OperatorName }, records: mapped.value.records, removed } : undefined;
    return { payload, held };
  }

  const operatorOf = (name: string | undefined) => ({ OperatorID: options.operatorId, OperatorName: name ?? evseDefaults(options.rules, options.operatorId).operatorName ?? options.operatorId });

  /** An EVSE's status record, when it is ours: one foreign EvseID would make Hubject refuse a whole coalesced push (018). */
  function statusOf(location: Location, uid: string): OicpEvseStatusRecord | undefined {
    const evse = objectAt(location, 'evse', [location.id, uid]) as Evse | undefined;
    if (!evse || location.publish === false) return undefined;
    const record = ocpiEvseToStatusRecord(evse, '', { overrides: options.rules.status });
    log('EVSE status mapped', record.findings);
    if (!record.value || !isEvseOf(record.value.EvseID, options.operatorId)) return undefined;
    return record.value;
  }

  /** Brings the held list in line with what this version of the location forwards: holds what it holds back, releases the rest. */
  async function recordHeld(tx: StoreRepositories, owner: string, location: Location, before: Location | undefined, held: ReturnType<typeof dataOf>['held']): Promise<void> {
    const locationRef = `${owner}/${location.id}`;
    const heldNow = new Set(held.map((h) => `${h.kind} ${h.ref}`));
    for (const entry of held) await tx.held.hold(entry);
    if (!heldNow.has(`${HELD_LOCATION} ${locationRef}`)) await tx.held.release(HELD_LOCATION, locationRef);
    const uids = new Set([...(location.evses ?? []), ...(before?.evses ?? [])].map((e) => e.uid));
    for (const uid of uids) if (!heldNow.has(`${HELD_EVSE} ${locationRef}/${uid}`)) await tx.held.release(HELD_EVSE, `${locationRef}/${uid}`);
    if (held.length > 0) logger.info('location accepted; part of it is held back from Hubject', { location: locationRef, held: held.map((h) => ({ ref: h.ref, reason: h.reason })) });
  }

  /** Stores the location, indexes it, and announces what changed: all in the caller's transaction, which holds the location. */
  /** Returns how many EVSE records of the location go to Hubject. */
  async function apply(tx: StoreRepositories, owner: string, location: Location, before: Location | undefined, what: Announcement, options_: { enqueue: boolean } = { enqueue: true }): Promise<number> {
    await tx.objects.put('locations', owner, location.id, location);
    const order = `location:${owner}/${location.id}`;
    let records = 0;
    if (what.data) {
      await indexEvses(tx, owner, location);
      await options.announceEvsePricing?.(tx, owner, location);
      const data = dataOf(owner, location, before, now());
      await recordHeld(tx, owner, location, before, data.held);
      records = location.publish === false ? 0 : (data.payload?.records.length ?? 0);
      if (data.payload && options_.enqueue) await tx.outbox.enqueue({ topic: EVSE_DATA_TOPIC, payload: data.payload, order, replaces: order });
    }
    if (!options_.enqueue) return records;
    for (const uid of what.statuses) {
      const record = statusOf(location, uid);
      const evseOrder = record && `evse:${record.EvseID}`;
      if (record) await tx.outbox.enqueue({ topic: EVSE_STATUS_TOPIC, payload: record, order: evseOrder, replaces: evseOrder });
    }
    return records;
  }

  /** Runs `change` on the cached location (undefined when unknown) inside a transaction holding it. */
  const withLocation = <T>(owner: string, id: string, change: (tx: StoreRepositories, stored: Location | undefined) => Promise<T>) =>
    store.transaction(async (tx) => {
      await tx.objects.lock('locations', owner, id);
      return change(tx, (await tx.objects.get<Location>('locations', owner, id))?.body);
    });

  const refOf = (ref: ObjectRef) => `${ownerKey(ref)}/${ref.ids.join('/')}`;

  async function fullLoad(network: readonly { owner: string; location: Location }[], pulledSince: number): Promise<{ locations: number; evses: number }> {
    const listed = new Set(network.map(({ owner, location }) => `${owner}/${location.id}`));
    for (const known of await store.objects.list<Location>('locations')) {
      if (listed.has(`${known.owner}/${known.id}`)) continue;
      // A location pushed while the pull ran is newer than the pull's picture of the network.
      await withLocation(known.owner, known.id, async (tx, stored) => {
        const current = await tx.objects.get<Location>('locations', known.owner, known.id);
        if (!stored || !current || current.updatedAt >= pulledSince) return;
        await tx.objects.delete('locations', known.owner, known.id);
        await tx.held.release(HELD_LOCATION, `${known.owner}/${known.id}`);
        for (const evse of stored.evses ?? []) {
          await tx.held.release(HELD_EVSE, `${known.owner}/${known.id}/${evse.uid}`);
          await tx.correlations.delete(EVSE_KIND, `${known.owner}/${known.id}/${evse.uid}`);
        }
      });
    }
    let evses = 0;
    for (const { owner, location } of network) {
      evses += await withLocation(owner, location.id, async (tx, stored) => {
        if (isStale(location, stored)) {
          options.stale({ module: 'locations', ref: `${owner}/${location.id}`, incoming: location, held: stored });
          return 0;
        }
        return apply(tx, owner, location, stored, { data: true, statuses: [] }, { enqueue: false });
      });
    }
    await announceFullLoad();
    return { locations: network.length, evses };
  }

  async function currentNetwork(): Promise<CpoNetwork> {
    const at = now();
    const records: OicpEvseData['records'] = [];
    const statuses: OicpEvseStatusRecord[] = [];
    let operatorName: string | undefined;
    for (const { owner, body: location } of await store.objects.list<Location>('locations')) {
      const { payload } = dataOf(owner, location, undefined, at);
      if (payload && location.publish !== false) {
        operatorName ??= payload.operator.OperatorName;
        records.push(...payload.records);
      }
      for (const evse of location.evses ?? []) {
        const record = evse.status === 'REMOVED' ? undefined : statusOf(location, evse.uid);
        if (record) statuses.push(record);
      }
    }
    return { operator: operatorOf(operatorName), records, statuses };
  }

  /** Barriers: sent after everything announced before them and before everything after, read from the cache when sent. */
  const announceFullLoad = () =>
    store.transaction(async (tx) => {
      await tx.outbox.enqueue({ topic: EVSE_DATA_TOPIC, payload: { fullLoad: true } satisfies FullLoadPayload, barrier: true });
      await tx.outbox.enqueue({ topic: EVSE_STATUS_TOPIC, payload: { fullLoad: true } satisfies FullLoadPayload, barrier: true });
    });

  async function resendOnOffsetChange(): Promise<string[]> {
    const at = now();
    const zones = new Set((await store.objects.list<Location>('locations')).map((l) => l.body.time_zone));
    const offsets = Object.fromEntries([...zones].map((zone) => [zone, utcOffset(zone, at) ?? '']));
    const before = (await store.objects.get<Record<string, string>>(OFFSETS_MODULE, 'bridge', 'zones'))?.body;
    const changed = before === undefined ? [] : [...zones].filter((zone) => before[zone] !== undefined && before[zone] !== offsets[zone]);
    if (changed.length > 0) {
      logger.info('UTC offsets changed (daylight saving): the network goes to Hubject again', { zones: changed });
      await announceFullLoad();
    }
    await store.objects.put(OFFSETS_MODULE, 'bridge', 'zones', offsets);
    return changed;
  }

  const cached = async (ref: ObjectRef) => (await store.objects.get<Location>('locations', ownerKey(ref), ref.ids[0]!))?.body;

  const receiver: ObjectReceiver = {
    put: (level, ref, object) =>
      withLocation(ownerKey(ref), ref.ids[0]!, async (tx, stored) => {
        if (level === 'location') {
          const location = object as Location;
          if (isStale(location, stored)) return options.stale({ module: 'locations', ref: refOf(ref), incoming: location, held: stored });
          await apply(tx, ownerKey(ref), location, stored, { data: true, statuses: (location.evses ?? []).map((e) => e.uid) });
          return;
        }
        const before = stored && structuredClone<Location>(stored);
        if (stored && isStale(object, objectAt(stored, level, ref.ids))) return options.stale({ module: 'locations', ref: refOf(ref), incoming: object, held: objectAt(stored, level, ref.ids) });
        if (!stored || !placeInto(stored, level as 'evse' | 'connector', ref, object as Evse | Connector)) throw new OcpiError(2003, `unknown ${level === 'evse' ? 'location' : 'EVSE'} for this ${level}: PUT it first`, 404);
        await apply(tx, ownerKey(ref), stored, before, { data: true, statuses: [ref.ids[1]!] });
      }),

    patch: (level, ref, changes) =>
      withLocation(ownerKey(ref), ref.ids[0]!, async (tx, location) => {
        const target = objectAt(location, level, ref.ids);
        if (!location || !target) return false;
        if (isStale(changes, target)) {
          options.stale({ module: 'locations', ref: refOf(ref), incoming: changes, held: target });
          return true;
        }
        const statusOnly = level === 'evse' && Object.keys(changes).every((key) => STATUS_MEMBERS.has(key));
        const before = statusOnly ? location : structuredClone<Location>(location);
        Object.assign(target, changes);
        if (typeof changes.last_updated === 'string') {
          if (level === 'connector') {
            const evse = objectAt(location, 'evse', ref.ids) as Evse;
            evse.last_updated = laterStamp(evse.last_updated, changes.last_updated);
          }
          location.last_updated = laterStamp(location.last_updated, changes.last_updated);
        }
        const touched = level === 'location' ? (location.evses ?? []).map((e) => e.uid) : [ref.ids[1]!];
        await apply(tx, ownerKey(ref), location, before, { data: !statusOnly, statuses: 'status' in changes || level === 'location' ? touched : [] });
        return true;
      }),

    get: async (level, ref) => objectAt(await cached(ref), level, ref.ids),
  };
  return { receiver, fullLoad, currentNetwork, resendOnOffsetChange };
}

const invalidOf = (findings: readonly Finding[]) => findings.filter((f) => f.kind === 'invalid').map((f) => `${f.path}: ${f.message}`).join('; ');
const lossOf = (findings: readonly Finding[]) => findings.filter((f) => f.kind === 'loss').map((f) => `${f.path}: ${f.message}`).join('; ');

/**
 * Sends EVSE data: a location's records as one PushEvseData `update`, then its REMOVED EVSEs as
 * `delete`; a full sync's announcement as the whole cached network in one `fullLoad`.
 */
export function evseDataDeliverer(client: OicpCaller, network: () => Promise<CpoNetwork>): Deliverer {
  return eachItem(async (item): Promise<Delivery> => {
    const push = (ActionType: 'fullLoad' | 'update' | 'delete', operator: EvseDataPayload['operator'], list: OicpEvseData['records']) =>
      client.call('PushEvseData', { ActionType, OperatorEvseData: { ...operator, EvseDataRecord: list } });
    if (isFullLoad(item.payload)) {
      // A fullLoad goes even when empty: it is what clears a network the backend no longer lists.
      const { operator, records } = await network();
      return deliveryOf(await push('fullLoad', operator, records));
    }
    const { operator, records, removed } = item.payload as EvseDataPayload;
    let result = records.length > 0 ? await push('update', operator, records) : undefined;
    if ((result === undefined || result.ok) && removed.length > 0) result = await push('delete', operator, removed);
    return result === undefined ? { outcome: 'delivered' } : deliveryOf(result);
  });
}

/**
 * Sends statuses in batches: one PushEvseStatus `update` carries the waiting status of up to 500
 * EVSEs (the outbox gives at most one item per EVSE at a time, its newest); a full sync's
 * announcement goes alone, as the whole cached network's statuses in one `fullLoad`.
 */
export function evseStatusDeliverer(client: OicpCaller, operatorId: string, network: () => Promise<CpoNetwork>): Deliverer {
  const push = (ActionType: 'fullLoad' | 'update', records: readonly OicpEvseStatusRecord[]) => client.call('PushEvseStatus', { ActionType, OperatorEvseStatus: { OperatorID: operatorId, EvseStatusRecord: [...records] } });
  return {
    batch: STATUS_BATCH,
    async deliver(items) {
      const full = items.filter((item) => isFullLoad(item.payload));
      const updates = items.filter((item) => !isFullLoad(item.payload)).map((item) => item.payload as OicpEvseStatusRecord);
      const fullDelivery = full.length > 0 ? deliveryOf(await push('fullLoad', (await network()).statuses)) : undefined;
      const updateDelivery = updates.length > 0 ? deliveryOf(await push('update', updates)) : undefined;
      return items.map((item) => (isFullLoad(item.payload) ? fullDelivery! : updateDelivery!));
    },
  };
}
