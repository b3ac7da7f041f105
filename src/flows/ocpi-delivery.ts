/**
 * Delivering outbox items to the OCPI backend (the EMP side's mirror of `callDeliverer`): what a
 * peer call's outcome means for the item, and a deliverer that waits for the backend's registration.
 * Items that announce an object name it and are delivered as the object is when sent; the outbox
 * keeps them in order per object and lets a waiting announcement absorb newer ones.
 */
import { isRetryable } from '../ocpi/client';
import type { OcpiPeer, PeerResult } from '../ocpi/peer';
import type { ClaimedItem } from '../store';
import { eachItem, type Deliverer, type Delivery } from './outbox-worker';

/** What a peer call's outcome means for the item: retried when the failure may pass (`isRetryable`, beside OCPI's failure types), refused otherwise. */
export function peerDelivery(result: PeerResult<unknown>): Delivery {
  if (result.ok) return { outcome: 'delivered' };
  const reason = `${result.failure.kind}: ${result.failure.message}`;
  return isRetryable(result.failure) ? { outcome: 'retry', reason } : { outcome: 'refused', reason };
}

/** A deliverer toward the registered backend, item by item; until it registers, every item waits. */
export function backendDeliverer(backend: () => Promise<OcpiPeer | undefined>, deliver: (peer: OcpiPeer, item: ClaimedItem) => Promise<Delivery>): Deliverer {
  return eachItem(async (item) => {
    const peer = await backend();
    if (!peer) return { outcome: 'retry', reason: 'the OCPI backend is not registered yet' };
    return deliver(peer, item);
  });
}
