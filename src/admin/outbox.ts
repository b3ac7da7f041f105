/**
 * What an operator does with what is stuck: list and read outbox items, requeue dead letters, discard
 * an item with the reason, list what is held back. The CLI's `outbox` commands and the admin API
 * (src/admin/api.ts) use this, so both answer alike, including why an action was not taken.
 */
import type { HeldItem, OutboxItem, OutboxState, Store } from '../store';

/** Why an action was not taken: no such item, the item is in another state, or the request lacks what the action needs. */
type Refusal = 'unknown' | 'conflict' | 'invalid';

export type ActionOutcome = { done: true } | { done: false; reason: string; refusal?: Refusal };

interface ItemFilter {
  state?: OutboxState;
  topic?: string;
  limit?: number;
  afterId?: number;
}

export const listItems = (store: Pick<Store, 'outbox'>, filter: ItemFilter = {}): Promise<OutboxItem[]> => store.outbox.list(filter);

export const showItem = (store: Pick<Store, 'outbox'>, id: number): Promise<OutboxItem | undefined> => store.outbox.get(id);

/** Why an item cannot take an action that needs it in `wanted` state. */
async function refusal(store: Pick<Store, 'outbox'>, id: number, wanted: string): Promise<ActionOutcome> {
  const item = await store.outbox.get(id);
  if (!item) return { done: false, reason: `no outbox item ${id}`, refusal: 'unknown' };
  return { done: false, reason: `item ${id} is ${item.state}${item.state === 'pending' ? ' (being sent right now, or not yet given up)' : ''}, not ${wanted}`, refusal: 'conflict' };
}

/** Gives a dead letter a fresh set of attempts, due now. */
export async function requeueItem(store: Pick<Store, 'outbox'>, id: number): Promise<ActionOutcome> {
  return (await store.outbox.requeue(id)) ? { done: true } : refusal(store, id, 'dead');
}

/** Requeues every dead letter (of a topic); returns how many. */
export const requeueAllDead = (store: Pick<Store, 'outbox'>, topic?: string): Promise<number> => store.outbox.requeueDead({ topic });

/** Gives up an item for good (a dead letter, or a pending one no sender holds), keeping the operator's reason. */
export async function discardItem(store: Pick<Store, 'outbox'>, id: number, reason: string): Promise<ActionOutcome> {
  if (reason.trim() === '') return { done: false, reason: 'a reason is required: it is kept with the item', refusal: 'invalid' };
  return (await store.outbox.discard(id, reason.trim())) ? { done: true } : refusal(store, id, 'dead or waiting');
}

export const listHeld = (store: Pick<Store, 'held'>, filter: { kind?: string; limit?: number; offset?: number } = {}): Promise<HeldItem[]> => store.held.list(filter);
