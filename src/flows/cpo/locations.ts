/**
 * CPO side, EVSE data and status (issue 7): the backend's Locations pushes become Hubject's EVSE
 * data and status. Each push is applied to the cached location in one transaction that holds the
 * location (several instances may take pushes for it at once) and compares `last_updated`: an update
 * older than the cached object is acknowledged but not applied (newest wins). What Hubject hears of
 * each change, and how it is sent, is location-publication.ts: an EVSE status PATCH, the most
 * frequent message, announces its status only; a newer status replaces one still waiting, so Hubject
 * always ends with the newest state. What is valid OCPI but cannot go to Hubject (an unpublished
 * location, another operator's EvseID, an EVSE without EvseID or plug) is accepted and listed as
 * held, with the reason.
 */
import { utcOffset } from '../../mapping/time-zone';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import type { Connector, Evse, Location } from '../../ocpi/wire/schemas';
import { objectAt, placeAt } from '../../ocpi/wire/location-tree';
import { OcpiError } from '../../ocpi/wire/transport';
import { ownerKey } from '../../store';
import { isStale, laterStamp } from '../freshness';
import { EVSE_KIND, HELD_EVSE, HELD_LOCATION, locationPublication, type CpoLocationsOptions, type CpoNetwork } from './location-publication';

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
  const { store, logger, now } = options;
  const { apply, withLocation, currentNetwork, announceFullLoad } = locationPublication(options);

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
