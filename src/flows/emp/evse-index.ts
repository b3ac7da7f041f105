/**
 * EMP side: where each of Hubject's EVSEs is among the stored OCPI locations (EvseID ->
 * `{location id}/{uid}`, with when its data and status were observed), and the writes every part of
 * the network flow shares: storing and announcing a location, marking an EVSE REMOVED, and the
 * sweep of the EVSEs a full pull did not see again.
 */
import { hubjectEvseIdOf } from '../../mapping/identifiers';
import type { Evse, Location } from '../../ocpi/wire/schemas';
import type { Correlation, EnqueueRequest, StoreRepositories } from '../../store';
import { stampOf } from '../freshness';
import { announcing, ourKey, type EmpContext } from './context';

export const LOCATION_TOPIC = 'ocpi:location';
/** EvseID -> `{location id}/{uid}`; rewritten by every full pull, so what it did not rewrite is gone. */
export const EVSE_KIND = 'emp-evse';

const SWEEP_BATCH = 500;

/** What the EVSE index keeps per EvseID: where it is, and when its stored data and status were observed (epoch ms), so an older pull never overwrites a newer one. */
export interface EvseIndexEntry {
  locationId: string;
  dataAt?: number;
  statusAt?: number;
}

/** Stores a location and announces it to the backend. */
type Announce = (location: Location) => Promise<unknown>;

/**
 * The writes of a page of the pull, in its transaction. Locations are stored at once; their
 * announcements are enqueued together by `flush`, in the order they were made, as one at a time would
 * have (the outbox's `enqueueAll`): a page announces hundreds of locations.
 */
export interface PageWriter {
  announce: Announce;
  /** Points the EvseID at its location (with the stamp of the data now stored); an EvseID that moved leaves its old place REMOVED. */
  index(location: Location, evse: Evse): Promise<void>;
  /** Enqueues the page's announcements; call last in the transaction. */
  flush(): Promise<unknown>;
}

export interface EvseIndex {
  /** Stores the location and announces it to the backend. */
  announce(tx: StoreRepositories, location: Location): Promise<unknown>;
  /** The writes of a page of the pull in `tx`. */
  page(tx: StoreRepositories): PageWriter;
  /** The stored location of an EvseID and the EVSE in it. */
  placeOf(repositories: Pick<StoreRepositories, 'objects' | 'correlations'>, evseId: string): Promise<{ location: Location; evse: Evse; entry: Correlation } | undefined>;
  /** The EVSEs a full pull did not see again: indexed before it started and not rewritten since, now REMOVED. */
  sweep(startedAt: number): Promise<number>;
}

export function splitKey(key: string): [string, string] {
  const at = key.indexOf('/');
  return [key.slice(0, at), key.slice(at + 1)];
}

export function evseIndex(context: EmpContext): EvseIndex {
  const { store } = context;
  const owner = ourKey(context);

  const announcement = (location: Location): EnqueueRequest => ({ topic: LOCATION_TOPIC, payload: { id: location.id }, ...announcing(`location:${location.id}`) });
  const put = (tx: StoreRepositories, location: Location) => tx.objects.put('locations', owner, location.id, location);
  const announce = (tx: StoreRepositories, location: Location) => put(tx, location).then(() => tx.outbox.enqueue(announcement(location)));

  function page(tx: StoreRepositories): PageWriter {
    const announced: EnqueueRequest[] = [];
    const later: Announce = (location) => put(tx, location).then(() => announced.push(announcement(location)));
    return { announce: later, index: (location, evse) => index(tx, later, location, evse), flush: () => tx.outbox.enqueueAll(announced.splice(0)) };
  }

  /** An EVSE REMOVED in a stored location (it left the network or moved to another location). */
  async function markRemoved(tx: StoreRepositories, announce: Announce, locationId: string, uid: string): Promise<boolean> {
    const location = (await tx.objects.get<Location>('locations', owner, locationId))?.body;
    const evse = location?.evses?.find((e) => e.uid === uid);
    if (!location || !evse || evse.status === 'REMOVED') return false;
    const now = context.now().toISOString();
    Object.assign(evse, { status: 'REMOVED', last_updated: now });
    location.last_updated = now;
    await announce(location);
    return true;
  }

  async function index(tx: StoreRepositories, announce: Announce, location: Location, evse: Evse): Promise<void> {
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
      await markRemoved(tx, announce, locationId, uid);
    }
    const attrs: EvseIndexEntry = { ...(known?.ocpiId === key ? (known.attrs as Partial<EvseIndexEntry>) : {}), locationId: location.id, dataAt: stampOf(evse) };
    await tx.correlations.write({ kind: EVSE_KIND, ocpiId: key, oicpId: evseId, attrs: { ...attrs } });
  }

  async function placeOf(repositories: Pick<StoreRepositories, 'objects' | 'correlations'>, evseId: string) {
    const entry = await repositories.correlations.byOicp(EVSE_KIND, evseId);
    if (!entry) return undefined;
    const [locationId, uid] = splitKey(entry.ocpiId);
    const location = (await repositories.objects.get<Location>('locations', owner, locationId))?.body;
    const evse = location?.evses?.find((e) => e.uid === uid);
    return location && evse && { location, evse, entry };
  }

  async function sweep(startedAt: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const stale = await store.correlations.staleSince(EVSE_KIND, startedAt, SWEEP_BATCH);
      if (stale.length === 0) return removed;
      await store.transaction(async (tx) => {
        for (const entry of stale) {
          await tx.correlations.delete(EVSE_KIND, entry.ocpiId);
          const [locationId, uid] = splitKey(entry.ocpiId);
          if (await markRemoved(tx, (location) => announce(tx, location), locationId, uid)) removed++;
        }
      });
    }
  }

  return { announce, page, placeOf, sweep };
}
