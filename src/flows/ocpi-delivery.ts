/**
 * Delivering outbox items to the OCPI backend (the EMP side's mirror of `callDeliverer`): what a
 * peer call's outcome means for the item, and a deliverer that waits for the backend's registration.
 */
import type { OcpiPeer, PeerResult } from '../ocpi/peer';
import type { ClaimedItem } from '../store';
import type { Deliverer, Delivery } from './outbox-worker';

/**
 * Network failures, timeouts, 5xx, 408/429 and OCPI 3xxx (server errors) are retried; the peer's
 * refusal of this object (OCPI 2xxx, other 4xx) is not, nor is a module it does not offer.
 */
export function peerDelivery(result: PeerResult<unknown>): Delivery {
  if (result.ok) return { outcome: 'delivered' };
  const failure = result.failure;
  const reason = `${failure.kind}: ${failure.message}`;
  if (failure.kind === 'network') return { outcome: 'retry', reason };
  if (failure.kind === 'ocpi') return failure.statusCode >= 3000 || failure.httpStatus >= 500 ? { outcome: 'retry', reason } : { outcome: 'refused', reason };
  if (failure.kind === 'http') return failure.httpStatus >= 500 || failure.httpStatus === 408 || failure.httpStatus === 429 ? { outcome: 'retry', reason } : { outcome: 'refused', reason };
  // httpStatus 0: nothing was sent (no such endpoint, or the object cannot be written in the peer's version).
  return failure.httpStatus === 0 ? { outcome: 'refused', reason } : { outcome: 'retry', reason };
}

/** A deliverer toward the registered backend; until it registers, every item waits. */
export function backendDeliverer(backend: () => Promise<OcpiPeer | undefined>, deliver: (peer: OcpiPeer, items: readonly ClaimedItem[]) => Promise<Delivery[]>): Deliverer {
  return async (items) => {
    const peer = await backend();
    if (!peer) return items.map(() => ({ outcome: 'retry', reason: 'the OCPI backend is not registered yet' }));
    return deliver(peer, items);
  };
}

/** Items naming the same object settle with one delivery of its current state: `keyOf` names it. */
export function coalesced(items: readonly ClaimedItem[], keyOf: (payload: unknown) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item.payload);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return groups;
}

/** Delivers the current state of each object named in the batch once, and gives every item its object's outcome. */
export function latestStateDeliverer(
  backend: () => Promise<OcpiPeer | undefined>,
  keyOf: (payload: unknown) => string,
  send: (peer: OcpiPeer, key: string, payload: unknown) => Promise<Delivery>,
): Deliverer {
  return backendDeliverer(backend, async (peer, items) => {
    const deliveries: Delivery[] = new Array<Delivery>(items.length);
    for (const [key, indexes] of coalesced(items, keyOf)) {
      const delivery = await send(peer, key, items[indexes[0]!]!.payload);
      for (const i of indexes) deliveries[i] = delivery;
    }
    return deliveries;
  });
}
