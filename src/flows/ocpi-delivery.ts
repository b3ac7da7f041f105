/**
 * Delivering outbox items to the OCPI backend (the EMP side's mirror of `callDeliverer`): what a
 * peer call's outcome means for the item, and a deliverer that waits for the backend's registration.
 * Items that announce an object name it and are delivered as the object is when sent; the outbox
 * keeps them in order per object and lets a waiting announcement absorb newer ones.
 */
import type { OcpiPeer, PeerResult } from '../ocpi/peer';
import type { ClaimedItem } from '../store';
import { eachItem, type Deliverer, type Delivery } from './outbox-worker';

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

/** A deliverer toward the registered backend, item by item; until it registers, every item waits. */
export function backendDeliverer(backend: () => Promise<OcpiPeer | undefined>, deliver: (peer: OcpiPeer, item: ClaimedItem) => Promise<Delivery>): Deliverer {
  return eachItem(async (item) => {
    const peer = await backend();
    if (!peer) return { outcome: 'retry', reason: 'the OCPI backend is not registered yet' };
    return deliver(peer, item);
  });
}
