/**
 * EMP side, charging network (issue 8): Hubject's EVSE data and statuses become the OCPI Locations
 * the backend sees. PullEvseData is read page by page and each page is written to the store in one
 * transaction (the network is never held whole in memory): records are grouped into locations,
 * merged into the stored ones (a location's EVSEs may come on different pages), and a location that
 * changed is announced in the outbox, whose deliverer PUTs its current state to the backend. After
 * the first full pull, deltas (LastCall) follow; a full pull marks REMOVED the EVSEs it did not see
 * again. PullEvseStatus changes only statuses, sent as EVSE PATCHes.
 */
import type { Finding } from '../../core/findings';
import { oicpEvseDataToLocations } from '../../mapping/location/from-oicp';
import { oicpStatusRecordToOcpi } from '../../mapping/evse-status';
import { hubjectEvseIdOf, operatorOfEvseId } from '../../mapping/identifiers';
import { OicpCallError } from '../../oicp/client';
import { OPERATIONS } from '../../oicp/wire/operations';
import type { EvseDataRecord, EvseStatusRecord } from '../../oicp/wire/schemas';
import type { ObjectSender } from '../../ocpi/sender';
import { objectAt } from '../../ocpi/wire/location-tree';
import type { Evse, Location } from '../../ocpi/wire/schemas';
import type { Correlation, StoreRepositories } from '../../store';
import { stampOf } from '../freshness';
import type { Deliverer, Delivery } from '../outbox-worker';
import { backendDeliverer, peerDelivery } from '../ocpi-delivery';
import { announcing, ourKey, qualifiedId, tally, type EmpContext } from './context';

export const LOCATION_TOPIC = 'ocpi:location';
export const EVSE_STATUS_TOPIC = 'ocpi:evse-status';
/** EvseID -> `{location id}/{uid}`; rewritten by every full pull, so what it did not rewrite is gone. */
export const EVSE_KIND = 'emp-evse';
/** What the bridge remembers between pulls (LastCall), and the operators met in the network. */
export const STATE_MODULE = 'emp:state';
export const OPERATORS_MODULE = 'emp:operators';
/** Connector tariff_ids by EvseID, from the pricing pull, for EVSEs that arrive after it. */
export const EVSE_TARIFFS_MODULE = 'emp:evse-tariffs';
/** Held-item kind of a Hubject EVSE that could not become an OCPI EVSE (e.g. no plug OCPI has a standard for). */
export const HELD_HUBJECT_EVSE = 'hubject-evse';

const STATUS_BATCH = 500;

interface PullState {
  lastCall?: string;
}

/** What the EVSE index keeps per EvseID: where it is, and when its stored data and status were observed (epoch ms), so an older pull never overwrites a newer one. */
interface EvseIndex {
  locationId: string;
  dataAt?: number;
  statusAt?: number;
}

/**
 * Whether two JSON values are the same but for their `last_updated` members, so an unchanged location
 * is not pushed again. A walk instead of comparing two JSON.stringify with a replacer: that was the
 * pull's most expensive line per location.
 */
function sameButStamps(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => sameButStamps(item, (b as unknown[])[i]));
  const keys = (o: object) => Object.keys(o).filter((key) => key !== 'last_updated' && (o as Record<string, unknown>)[key] !== undefined);
  const left = keys(a);
  const right = keys(b);
  return left.length === right.length && left.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameButStamps((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export interface PullSummary {
  records: number;
  locations: number;
  changed: number;
  removed: number;
}

export interface EmpNetwork {
  /** Pulls the EVSE data: everything (`full`) or the changes since the last pull. */
  pull(full: boolean): Promise<PullSummary>;
  /** Pulls statuses, all or of some EVSEs; PATCHes those that changed. Returns how many changed. */
  pullStatuses(evseIds?: string[]): Promise<number>;
  /** The stored location holding an EvseID. */
  locationOf(evseId: string): Promise<{ location: Location; evse: Evse } | undefined>;
  /** Gives the connectors of the EVSEs their tariff ids, announcing the locations that changed. */
  setTariffs(tx: StoreRepositories, evseTariffs: ReadonlyMap<string, string[]>): Promise<number>;
}

export function empNetwork(context: EmpContext, pageSize = OPERATIONS.PullEvseData.paged.maxSize): EmpNetwork {
  const { store, logger } = context;
  const owner = ourKey(context);

  const announce = (tx: StoreRepositories, location: Location) =>
    tx.objects.put('locations', owner, location.id, location).then(() => tx.outbox.enqueue({ topic: LOCATION_TOPIC, payload: { id: location.id }, ...announcing(`location:${location.id}`) }));

  /** An EVSE REMOVED in a stored location (it left the network or moved to another location). */
  async function markRemoved(tx: StoreRepositories, locationId: string, uid: string): Promise<boolean> {
    const location = (await tx.objects.get<Location>('locations', owner, locationId))?.body;
    const evse = location?.evses?.find((e) => e.uid === uid);
    if (!location || !evse || evse.status === 'REMOVED') return false;
    const now = context.now().toISOString();
    Object.assign(evse, { status: 'REMOVED', last_updated: now });
    location.last_updated = now;
    await announce(tx, location);
    return true;
  }

  /** Points the EvseID at its location (with the stamp of the data now stored); an EvseID that moved leaves its old place REMOVED. */
  async function index(tx: StoreRepositories, location: Location, evse: Evse): Promise<void> {
    const key = `${location.id}/${evse.uid}`;
    const evseId = hubjectEvseIdOf(evse)!;
    const known = await tx.correlations.byOicp(EVSE_KIND, evseId);
    if (evse.status === 'REMOVED') {
      if (known?.ocpiId === key) await tx.correlations.delete(EVSE_KIND, key);
      return;
    }
    if (known && known.ocpiId !== key) {
      await tx.correlations.delete(EVSE_KIND, known.ocpiId);
      const [locationId, uid] = splitKey(known.ocpiId);
      await markRemoved(tx, locationId, uid);
    }
    const attrs: EvseIndex = { ...(known?.ocpiId === key ? (known.attrs as Partial<EvseIndex>) : {}), locationId: location.id, dataAt: stampOf(evse) };
    await tx.correlations.put({ kind: EVSE_KIND, ocpiId: key, oicpId: evseId, attrs: { ...attrs } });
  }

  /**
   * The incoming location over the stored one: EVSE data carries no status, so an EVSE keeps the
   * status it had (UNKNOWN when new) unless Hubject deleted it; connectors keep their tariff ids. An
   * EVSE whose stored data is newer than the incoming (Hubject's lastUpdate, else when its pull began:
   * another instance's later pull got there first) keeps it.
   */
  async function merge(tx: StoreRepositories, stored: Location | undefined, incoming: Location): Promise<Location> {
    const before = new Map((stored?.evses ?? []).map((e) => [e.uid, e]));
    const arrived = new Map<string, Evse>();
    for (const evse of incoming.evses ?? []) {
      const previous = before.get(evse.uid);
      const evseId = hubjectEvseIdOf(evse)!;
      const known = previous && (await tx.correlations.byOicp(EVSE_KIND, evseId));
      const heldAt = (known?.attrs as EvseIndex | undefined)?.dataAt;
      if (previous && heldAt !== undefined && (stampOf(evse) ?? 0) < heldAt) {
        context.stale({ module: 'emp:evse-data', ref: evseId, incoming: evse, held: { last_updated: new Date(heldAt).toISOString() } });
        arrived.set(evse.uid, previous);
        continue;
      }
      const tariffIds = previous ? undefined : (await tx.objects.get<string[]>(EVSE_TARIFFS_MODULE, owner, evseId))?.body;
      arrived.set(evse.uid, {
        ...evse,
        status: evse.status === 'REMOVED' || !previous || previous.status === 'REMOVED' ? evse.status : previous.status,
        connectors: evse.connectors.map((connector) => {
          const ids = previous?.connectors.find((c) => c.id === connector.id)?.tariff_ids ?? tariffIds;
          return ids && ids.length > 0 ? { ...connector, tariff_ids: ids } : connector;
        }),
      });
    }
    const evses = [...(stored?.evses ?? []).map((e) => arrived.get(e.uid) ?? e), ...[...arrived.values()].filter((e) => !before.has(e.uid))];
    // The location's own fields come with its records: when every one of them was older than what is stored, so are they.
    const fresh = (incoming.evses ?? []).some((e) => arrived.get(e.uid) !== before.get(e.uid));
    return { ...(fresh || !stored ? incoming : stored), evses };
  }

  /** `asOf`: when the pull began, the stamp of records Hubject gives no lastUpdate. */
  async function applyPage(records: EvseDataRecord[], asOf: Date): Promise<{ locations: number; changed: number }> {
    const mapped = oicpEvseDataToLocations(records, { rules: context.rules, now: asOf });
    if (mapped.findings.length > 0) logger.debug('EVSE data page mapped', { records: records.length, findings: tally(mapped.findings) });
    const notCarried = uncarried(records, mapped.value, mapped.findings);
    if (notCarried.length > 0) logger.warn('EVSE data records not carried to OCPI (listed as held)', { count: notCarried.length, byOperator: tally(notCarried.map((n) => ({ kind: n.operatorId }))) });
    const operatorOfRecord = new Map(records.map((r) => [r.EvseID, r.OperatorID]));
    return store.transaction(async (tx) => {
      let changed = 0;
      for (const { evseId, operatorId, reason } of notCarried) await tx.held.hold({ kind: HELD_HUBJECT_EVSE, ref: evseId, reason, details: { operatorId } });
      for (const evseId of carried(mapped.value)) if (heldEvses.delete(evseId)) await tx.held.release(HELD_HUBJECT_EVSE, evseId);
      for (const { evseId } of notCarried) heldEvses.add(evseId);
      for (const location of mapped.value) {
        const first = location.evses?.[0] && hubjectEvseIdOf(location.evses[0]);
        if (first === undefined) continue;
        const operatorId = operatorOfRecord.get(first) ?? operatorOfEvseId(first)!;
        const id = qualifiedId(operatorId, location.id);
        const stored = (await tx.objects.get<Location>('locations', owner, id))?.body;
        const merged = await merge(tx, stored, { ...location, country_code: context.us.countryCode, party_id: context.us.partyId, id });
        // Only the EVSEs of this page: a stored one the pull did not bring must stay unwritten for the sweep.
        const incoming = new Set((location.evses ?? []).map((e) => e.uid));
        for (const evse of merged.evses ?? []) if (evse.evse_id !== undefined && incoming.has(evse.uid)) await index(tx, merged, evse);
        if (sameButStamps(stored, merged)) continue;
        await announce(tx, merged);
        changed++;
      }
      const operators = new Map(records.map((r) => [r.OperatorID ?? operatorOfEvseId(r.EvseID)!, r.OperatorName]));
      for (const [OperatorID, OperatorName] of operators) await tx.objects.put(OPERATORS_MODULE, owner, OperatorID, { OperatorID, OperatorName });
      return { locations: mapped.value.length, changed };
    });
  }

  /** The EVSEs a full pull did not see again: indexed before it started and not rewritten since. */
  async function sweep(startedAt: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const stale = await store.correlations.staleSince(EVSE_KIND, startedAt, STATUS_BATCH);
      if (stale.length === 0) return removed;
      await store.transaction(async (tx) => {
        for (const entry of stale) {
          await tx.correlations.delete(EVSE_KIND, entry.ocpiId);
          const [locationId, uid] = splitKey(entry.ocpiId);
          if (await markRemoved(tx, locationId, uid)) removed++;
        }
      });
    }
  }

  /** The Hubject EVSEs held (not carried to OCPI), so a pull releases the ones it now carries without a statement per record. */
  let heldEvses = new Set<string>();

  async function pull(full: boolean): Promise<PullSummary> {
    heldEvses = new Set((await store.held.list({ kind: HELD_HUBJECT_EVSE, limit: 1_000_000 })).map((h) => h.ref));
    const state = (await store.objects.get<PullState>(STATE_MODULE, owner, 'evse-data'))?.body ?? {};
    const delta = !full && state.lastCall !== undefined;
    const startedAt = context.now().getTime();
    const request = { ProviderID: context.providerId, GeoCoordinatesResponseFormat: 'DecimalDegree' as const, ...(delta && { LastCall: state.lastCall }) };
    const summary: PullSummary = { records: 0, locations: 0, changed: 0, removed: 0 };
    let page: EvseDataRecord[] = [];
    const flush = async () => {
      const applied = await applyPage(page, new Date(startedAt));
      summary.records += page.length;
      summary.locations += applied.locations;
      summary.changed += applied.changed;
      page = [];
    };
    for await (const record of context.oicp.pages('PullEvseData', request, { size: pageSize })) {
      page.push(record);
      if (page.length >= pageSize) await flush();
    }
    if (page.length > 0) await flush();
    if (!delta) summary.removed = await sweep(startedAt);
    await store.objects.put(STATE_MODULE, owner, 'evse-data', { lastCall: new Date(startedAt).toISOString() } satisfies PullState);
    logger.info(delta ? 'EVSE data changes pulled from Hubject' : 'EVSE data pulled from Hubject (full)', { ...summary });
    return summary;
  }

  /**
   * A status pull began at `asOf`: a status it finds changed is applied unless a pull that began later
   * already changed that EVSE (a by-id pull after a notification overtaking the periodic one, or
   * another instance's pull) — the later observation stands.
   */
  async function pullStatuses(evseIds?: string[]): Promise<number> {
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
          const place = status && (await placeOf(tx, record.EvseID));
          if (!status || !place || place.evse.status === status || place.evse.status === 'REMOVED') continue;
          const { location, evse, entry } = place;
          const statusAt = (entry.attrs as Partial<EvseIndex>).statusAt;
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
  }

  /** The stored location of an EvseID and the EVSE in it, through the EVSE index. */
  async function placeOf(repositories: Pick<StoreRepositories, 'objects' | 'correlations'>, evseId: string): Promise<{ location: Location; evse: Evse; entry: Correlation } | undefined> {
    const entry = await repositories.correlations.byOicp(EVSE_KIND, evseId);
    if (!entry) return undefined;
    const [locationId, uid] = splitKey(entry.ocpiId);
    const location = (await repositories.objects.get<Location>('locations', owner, locationId))?.body;
    const evse = location?.evses?.find((e) => e.uid === uid);
    return location && evse && { location, evse, entry };
  }

  const locationOf = (evseId: string) => placeOf(store, evseId);

  async function setTariffs(tx: StoreRepositories, evseTariffs: ReadonlyMap<string, string[]>): Promise<number> {
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
    for (const location of touched.values()) await announce(tx, location);
    return touched.size;
  }

  return { pull, pullStatuses, locationOf, setTariffs };
}

/** The EvseIDs (Hubject's spelling) a page's locations carry. */
function carried(locations: readonly Location[]): string[] {
  return locations.flatMap((l) => (l.evses ?? []).flatMap((e) => hubjectEvseIdOf(e) ?? []));
}

/** The records of a page that did not become an OCPI EVSE, each with the mapper's reason (the findings about it). */
function uncarried(records: readonly EvseDataRecord[], locations: readonly Location[], findings: readonly Finding[]): { evseId: string; operatorId: string; reason: string }[] {
  const made = new Set(carried(locations));
  return records
    .filter((r) => r.deltaType !== 'delete' && !made.has(r.EvseID))
    .map((record) => {
      const index = records.indexOf(record);
      const about = findings.filter((f) => f.kind !== 'default' && (f.subject?.evseId === record.EvseID || f.path === `[${index}]` || f.path.startsWith(`[${index}].`)));
      const reason = about.filter((f) => f.kind === 'invalid' || /not carried/.test(f.message)).map((f) => f.message)[0] ?? about[0]?.message ?? 'not carried to OCPI';
      return { evseId: record.EvseID, operatorId: record.OperatorID ?? operatorOfEvseId(record.EvseID) ?? '?', reason };
    });
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf('/');
  return [key.slice(0, at), key.slice(at + 1)];
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

/**
 * The backend reading instead of receiving: the stored network (and the tariffs, sessions and
 * CDRs), paginated and filtered on last_updated straight from the store.
 */
export function storeSender(context: EmpContext): ObjectSender {
  const owner = ourKey(context);
  return {
    list: async (module, query) => {
      const page = await context.store.objects.page(module, { offset: query.offset, limit: query.limit, from: query.dateFrom, to: query.dateTo });
      return { items: page.items.map((o) => o.body), total: page.total };
    },
    get: async (level, ids) => objectAt((await context.store.objects.get<Location>('locations', owner, ids[0]!))?.body, level, ids),
  };
}
