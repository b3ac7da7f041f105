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
import { countedEvseDataToLocations, evseDataFindingsAbout } from '../../mapping/location/from-oicp';
import { hubjectEvseIdOf, operatorOfEvseId } from '../../mapping/identifiers';
import { OPERATIONS } from '../../oicp/wire/operations';
import type { EvseDataRecord } from '../../oicp/wire/schemas';
import type { ObjectSender } from '../../ocpi/sender';
import { objectAt } from '../../ocpi/wire/location-tree';
import type { Evse, Location } from '../../ocpi/wire/schemas';
import type { StoreRepositories } from '../../store';
import { stampOf } from '../freshness';
import { ourKey, qualifiedId, tally, type EmpContext } from './context';
import { EVSE_KIND, evseIndex, type EvseIndexEntry } from './evse-index';
import { EVSE_TARIFFS_MODULE, tariffAssignment } from './evse-tariffs';
import { statusPull } from './status-pull';

/** What the bridge remembers between pulls (LastCall), and the operators met in the network. */
export const STATE_MODULE = 'emp:state';
export const OPERATORS_MODULE = 'emp:operators';
/** Held-item kind of a Hubject EVSE that could not become an OCPI EVSE (e.g. no plug OCPI has a standard for). */
const HELD_HUBJECT_EVSE = 'hubject-evse';

interface PullState {
  lastCall?: string;
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

interface PullSummary {
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
  const evses = evseIndex(context);

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
      const heldAt = (known?.attrs as EvseIndexEntry | undefined)?.dataAt;
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
    // The records of a page the OICP client accepted: it checked them against the schema. Their
    // findings are only counted; those of the records not carried are listed for their reasons.
    // Each location is stored as it is made (see countedEvseDataToLocations), so what depends on
    // the whole page (the EVSEs held, the log lines) follows the locations.
    const options = { rules: context.rules, now: asOf };
    const operatorOfRecord = new Map(records.map((r) => [r.EvseID, r.OperatorID]));
    return store.transaction(async (tx) => {
      const writer = evses.page(tx);
      const mapped = countedEvseDataToLocations(records, options);
      const made = new Set<string>();
      let locations = 0;
      let changed = 0;
      for (const location of mapped.value) {
        locations++;
        for (const evseId of carried(location)) made.add(evseId);
        const first = location.evses?.[0] && hubjectEvseIdOf(location.evses[0]);
        if (first === undefined) continue;
        const operatorId = operatorOfRecord.get(first) ?? operatorOfEvseId(first)!;
        const id = qualifiedId(operatorId, location.id);
        const stored = (await tx.objects.get<Location>('locations', owner, id))?.body;
        const merged = await merge(tx, stored, { ...location, country_code: context.us.countryCode, party_id: context.us.partyId, id });
        // Only the EVSEs of this page: a stored one the pull did not bring must stay unwritten for the sweep.
        const incoming = new Set((location.evses ?? []).map((e) => e.uid));
        for (const evse of merged.evses ?? []) if (evse.evse_id !== undefined && incoming.has(evse.uid)) await writer.index(merged, evse);
        if (sameButStamps(stored, merged)) continue;
        await writer.announce(merged);
        changed++;
      }
      await writer.flush();
      const findings = Object.fromEntries(Object.entries(mapped.counts).filter(([, n]) => n > 0));
      if (Object.keys(findings).length > 0) logger.debug('EVSE data page mapped', { records: records.length, findings });
      const notCarried = uncarried(records, made, (evseIds) => evseDataFindingsAbout(records, evseIds, options));
      if (notCarried.length > 0) logger.warn('EVSE data records not carried to OCPI (listed as held)', { count: notCarried.length, byOperator: tally(notCarried.map((n) => ({ kind: n.operatorId }))) });
      for (const { evseId, operatorId, reason } of notCarried) await tx.held.hold({ kind: HELD_HUBJECT_EVSE, ref: evseId, reason, details: { operatorId } });
      for (const evseId of made) if (heldEvses.delete(evseId)) await tx.held.release(HELD_HUBJECT_EVSE, evseId);
      for (const { evseId } of notCarried) heldEvses.add(evseId);
      const operators = new Map(records.map((r) => [r.OperatorID ?? operatorOfEvseId(r.EvseID)!, r.OperatorName]));
      for (const [OperatorID, OperatorName] of operators) await tx.objects.put(OPERATORS_MODULE, owner, OperatorID, { OperatorID, OperatorName });
      return { locations, changed };
    });
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
      // The next page was asked for when this one arrived, but its request only leaves in a nextTick,
      // which waits for the running chain of promises to end, and storing a page is one such chain:
      // without this turn the hub would start on page N+1 only after page N is stored.
      await new Promise((resolve) => setImmediate(resolve));
      // Let go of the page before its commit and sync: the next one may arrive meanwhile.
      const records = page;
      page = [];
      const applied = await applyPage(records, new Date(startedAt));
      summary.records += records.length;
      summary.locations += applied.locations;
      summary.changed += applied.changed;
    };
    for await (const record of context.oicp.pages('PullEvseData', request, { size: pageSize })) {
      page.push(record);
      if (page.length >= pageSize) await flush();
    }
    if (page.length > 0) await flush();
    if (!delta) summary.removed = await evses.sweep(startedAt);
    await store.objects.put(STATE_MODULE, owner, 'evse-data', { lastCall: new Date(startedAt).toISOString() } satisfies PullState);
    logger.info(delta ? 'EVSE data changes pulled from Hubject' : 'EVSE data pulled from Hubject (full)', { ...summary });
    return summary;
  }

  return { pull, pullStatuses: statusPull(context, evses), locationOf: (evseId) => evses.placeOf(store, evseId), setTariffs: tariffAssignment(context, evses) };
}

/** The EvseIDs (Hubject's spelling) a location carries. */
function carried(location: Location): string[] {
  return (location.evses ?? []).flatMap((e) => hubjectEvseIdOf(e) ?? []);
}

/** The records of a page that did not become an OCPI EVSE (`made`: the EvseIDs its locations carry), each with the mapper's reason (the findings about it, listed by `findingsAbout`). */
function uncarried(
  records: readonly EvseDataRecord[],
  made: ReadonlySet<string>,
  findingsAbout: (evseIds: ReadonlySet<string>) => readonly Finding[],
): { evseId: string; operatorId: string; reason: string }[] {
  const missing = records.filter((r) => r.deltaType !== 'delete' && !made.has(r.EvseID));
  if (missing.length === 0) return [];
  const findings = findingsAbout(new Set(missing.map((r) => r.EvseID)));
  return missing.map((record) => {
    const index = records.indexOf(record);
    const about = findings.filter((f) => f.kind !== 'default' && (f.subject?.evseId === record.EvseID || f.path === `[${index}]` || f.path.startsWith(`[${index}].`)));
    const reason = about.filter((f) => f.kind === 'invalid' || /not carried/.test(f.message)).map((f) => f.message)[0] ?? about[0]?.message ?? 'not carried to OCPI';
    return { evseId: record.EvseID, operatorId: record.OperatorID ?? operatorOfEvseId(record.EvseID) ?? '?', reason };
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
