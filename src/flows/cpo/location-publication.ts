/**
 * CPO side, what of the cached network goes to Hubject and how: a location's EVSE data (records, the
 * records of REMOVED EVSEs as deletes, what is held back and why), its EVSEs' statuses (ours only),
 * announced in the outbox in the transaction that changed the location; the whole network for a
 * fullLoad; and the deliverers that make the PushEvseData and PushEvseStatus calls. The receiver
 * (locations.ts) decides what changed; this module decides what Hubject hears of it.
 */
import type { Logger } from '../../observability/logger';
import type { Finding } from '../../core/findings';
import { ocpiEvseToStatusRecord, type OicpEvseStatusRecord } from '../../mapping/evse-status';
import { ocpiLocationToOicp, type OicpEvseData } from '../../mapping/location/to-oicp';
import { evseDefaults, type MappingRules } from '../../mapping/rules';
import { isEvseOf } from '../../mapping/identifiers';
import type { OicpCaller } from '../../oicp/client';
import type { Evse, Location } from '../../ocpi/wire/schemas';
import { objectAt } from '../../ocpi/wire/location-tree';
import type { Store, StoreRepositories } from '../../store';
import { deliveryOf, eachItem, type Deliverer, type Delivery } from '../outbox-worker';
import type { StaleReporter } from '../freshness';

export const EVSE_DATA_TOPIC = 'oicp:PushEvseData';
export const EVSE_STATUS_TOPIC = 'oicp:PushEvseStatus';
/** Held-item kinds: a whole location, or one EVSE of it. */
export const HELD_LOCATION = 'location';
export const HELD_EVSE = 'evse';
/** Statuses per PushEvseStatus call. */
const STATUS_BATCH = 500;

export interface CpoLocationsOptions {
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


/** Where each EvseID is: Hubject names EVSEs by EvseID, OCPI by location and uid. An EvseID that moves takes its entry along. */
export const EVSE_KIND = 'evse';

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

export interface CpoNetwork {
  operator: { OperatorID: string; OperatorName: string };
  records: OicpEvseData['records'];
  statuses: OicpEvseStatusRecord[];
  /** EVSEs of our operator in published locations that give no record (held back: unmappable). */
  held: number;
}


interface LocationPublication {
  /** Stores the location, indexes it, and announces what changed (unless `enqueue` is false): all in the caller's transaction, which holds the location. Returns how many EVSE records of the location go to Hubject. */
  apply: (tx: StoreRepositories, owner: string, location: Location, before: Location | undefined, what: Announcement, options?: { enqueue: boolean }) => Promise<number>;
  /** Runs `change` on the cached location (undefined when unknown) inside a transaction holding it. */
  withLocation: <T>(owner: string, id: string, change: (tx: StoreRepositories, stored: Location | undefined) => Promise<T>) => Promise<T>;
  /** The whole cached network as Hubject gets it in a fullLoad, mapped now. */
  currentNetwork: () => Promise<CpoNetwork>;
  /** Announces the whole cached network as fullLoad (EVSE data and statuses). */
  announceFullLoad: () => Promise<void>;
}

export function locationPublication(options: CpoLocationsOptions): LocationPublication {
  const { store, logger, now } = options;
  // `at`: the instant a time-dependent mapping stood for; the trace dates its findings with it, so a recording replays at it.
  const log = (what: string, findings: readonly Finding[], at?: Date) => {
    if (findings.length > 0) logger.info(what, { findings, ...(at && { mappedAt: at }) });
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
    log('location mapped to EVSE data', mapped.findings, at);
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

  async function currentNetwork(): Promise<CpoNetwork> {
    const at = now();
    const records: OicpEvseData['records'] = [];
    const statuses: OicpEvseStatusRecord[] = [];
    let operatorName: string | undefined;
    let held = 0;
    for (const { owner, body: location } of await store.objects.list<Location>('locations')) {
      const { payload } = dataOf(owner, location, undefined, at);
      if (payload && location.publish !== false) {
        operatorName ??= payload.operator.OperatorName;
        records.push(...payload.records);
      }
      // Another operator's EVSEs are never ours to send; ours that give no record are held for a reason to fix.
      const ours = (location.evses ?? []).filter((evse) => evse.status !== 'REMOVED' && evse.evse_id !== undefined && isEvseOf(evse.evse_id, options.operatorId)).length;
      if (location.publish !== false) held += Math.max(0, ours - (payload?.records.length ?? 0));
      for (const evse of location.evses ?? []) {
        const record = evse.status === 'REMOVED' ? undefined : statusOf(location, evse.uid);
        if (record) statuses.push(record);
      }
    }
    return { operator: operatorOf(operatorName), records, statuses, held };
  }

  /** Barriers: sent after everything announced before them and before everything after, read from the cache when sent. */
  const announceFullLoad = (): Promise<void> =>
    store.transaction(async (tx) => {
      await tx.outbox.enqueue({ topic: EVSE_DATA_TOPIC, payload: { fullLoad: true } satisfies FullLoadPayload, barrier: true });
      await tx.outbox.enqueue({ topic: EVSE_STATUS_TOPIC, payload: { fullLoad: true } satisfies FullLoadPayload, barrier: true });
    });

  return { apply, withLocation, currentNetwork, announceFullLoad };
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
      // A fullLoad goes even when empty: it is what clears a network the backend no longer lists. Not
      // when the backend lists EVSEs that are all held back (a mapping rule missing): Hubject would
      // delete the operator's whole network for a configuration mistake.
      const { operator, records, held } = await network();
      if (records.length === 0 && held > 0) return { outcome: 'refused', reason: `every EVSE of the network (${held}) is held back (outbox held says why): an empty fullLoad would delete the operator's EVSE data at Hubject; fix the cause, then requeue this item` };
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
