/**
 * Delivers what the flows put in the outbox. Each topic has a deliverer; it gets one item (or, for a
 * deliverer that sends a batch in one call, up to `batch` items) and answers per item: delivered,
 * retry later, or refused for good (dead letter, with the reason). Each delivery is settled the
 * moment it returns while up to `concurrency` calls per topic are on the wire — the settlement does
 * not hold a call's place, so a slow store does not leave the hub idle, and at most `concurrency`
 * more wait to be settled: a process killed mid-way can only send again what was on the wire or not
 * yet settled. The deliveries answered while a settlement statement runs are marked delivered
 * together by the next one (of every topic and claim), so a busy outbox costs a statement per
 * handful of deliveries, not one each. Items sharing an order key
 * (an EVSE, a Hubject session) are never in flight together: the outbox hands out the oldest one only.
 * A deliverer that throws retries its items. The outbox's lease makes a crash mid-delivery safe:
 * the items fall due again, so deliverers must tolerate sending twice (Hubject answers a repeated CDR
 * as a duplicate, which the CDR deliverer counts as delivered).
 */
import type { Logger } from '../observability/logger';
import { inTraceScope, traceEvent, type TraceSink } from '../core/trace-context';
import { isRetryable, type OicpCaller, type OicpFailure, type OicpResult } from '../oicp/client';
import type { OperationName, RequestOf } from '../oicp/wire/operations';
import type { ClaimedItem, Store } from '../store';

export type Delivery = { outcome: 'delivered' } | { outcome: 'retry'; reason: string } | { outcome: 'refused'; reason: string };

export interface Deliverer {
  /** Sends the items and answers for each, in order. */
  deliver(items: readonly ClaimedItem[]): Promise<Delivery[]>;
  /** Items one delivery takes: more than 1 for a deliverer that sends a batch in one call (coalesced statuses). Default 1. */
  batch?: number;
}

/** A deliverer that sends each item on its own. */
export const eachItem = (deliver: (item: ClaimedItem) => Promise<Delivery>): Deliverer => ({
  deliver: async (items) => Promise.all(items.map(deliver)),
});

interface OutboxWorkerOptions {
  outbox: Store['outbox'];
  deliverers: Readonly<Record<string, Deliverer>>;
  logger: Logger;
  /** Deliveries in flight at once per topic (a batch topic: one batch at a time): a busy topic cannot starve the others. Default 8. */
  concurrency?: number;
  /** Pause when nothing was due. */
  idleMs?: number;
  /** Where each delivery (the calls it makes, how it was settled) is reported, in the exchange of its items. */
  trace?: TraceSink;
  /** The outbox's lease (`outbox.leaseMs`): a delivery running longer keeps its claim, renewed every third of it. Unset: never renewed. */
  leaseMs?: number;
}

/** What an OICP call's outcome means for the item it delivered: retried when the failure may pass (`isRetryable`), refused otherwise. */
export function deliveryOf(result: OicpResult<unknown>): Delivery {
  if (result.ok) return { outcome: 'delivered' };
  const reason = describe(result.error);
  return isRetryable(result.error) ? { outcome: 'retry', reason } : { outcome: 'refused', reason };
}

/**
 * A deliverer whose items are requests of one operation, each sent on its own. `alreadyDone` names
 * refusals that mean an earlier attempt arrived (Hubject's 009 for a second CDR of a session).
 */
export function callDeliverer<N extends OperationName>(client: OicpCaller, operation: N, alreadyDone: readonly string[] = []): Deliverer {
  return eachItem(async (item) => {
    const result = await client.call(operation, item.payload as RequestOf<N>);
    const done = !result.ok && alreadyDone.includes(result.error.statusCode?.Code ?? '');
    return done ? { outcome: 'delivered' } : deliveryOf(result);
  });
}

function describe(error: OicpFailure): string {
  const code = error.statusCode ? ` (OICP ${error.statusCode.Code}${error.statusCode.Description ? ` ${error.statusCode.Description}` : ''})` : '';
  return `${error.kind}: ${error.message}${code}`;
}

/** How long a topic found with nothing to claim — or a batch topic just claimed — is not asked again while others keep the worker busy (an idle worker looks at every topic each `idleMs`). */
const EMPTY_TOPIC_PAUSE_MS = 50;

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped = true;
  /** Calls on the wire, per topic: each resolves when its answer is in, before it is settled. */
  private readonly calling = new Map<string, Set<Promise<void>>>();
  /** Deliveries not settled yet (those on the wire too), per topic. */
  private readonly unsettled = new Map<string, Set<Promise<void>>>();
  /** Topics found empty, and when to ask them again. */
  private readonly emptyUntil = new Map<string, number>();
  /** Topics whose last claim got all it asked for: claimed again without looking first. */
  private readonly busy = new Set<string>();
  /** Items settled since the worker was made. */
  private settled = 0;
  /** Delivered items waiting for the statement that marks them so, each with its delivery's answer. */
  private toComplete: { items: ClaimedItem[]; done: (failure?: Error) => void }[] = [];
  /** Whether statements marking delivered items run (until none is waiting). */
  private completing = false;

  constructor(private readonly options: OutboxWorkerOptions) {}

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 8);
  }

  /**
   * Deliveries a topic may have in flight. A batch topic (statuses) sends one batch at a time: what
   * arrives meanwhile waits for the next batch, so a busy EVSE network costs a few large calls (and a
   * few claims and settlements, each a write) instead of many calls of one or two items each.
   */
  private slots(batch: number): number {
    return batch > 1 ? 1 : this.concurrency;
  }

  /** Deliveries a topic may start now: a free place on the wire, and fewer than twice the slots not settled yet (the store lagging holds the calls back). */
  private free(topic: string, batch: number): number {
    const slots = this.slots(batch);
    return Math.min(slots - (this.calling.get(topic)?.size ?? 0), 2 * slots - (this.unsettled.get(topic)?.size ?? 0));
  }

  /** What the loop waits for: a call answered (a place on the wire) or a delivery settled (what its order key held back may go). */
  private all(): Promise<void>[] {
    return [...this.calling.values(), ...this.unsettled.values()].flatMap((deliveries) => [...deliveries]);
  }

  /** Delivers everything due now (and what falls due as its predecessors settle); returns how many items were settled. */
  async runOnce(): Promise<number> {
    const before = this.settled;
    for (let everyTopic = false; ; ) {
      const started = await this.fill();
      const inFlight = this.all();
      if (started === 0 && inFlight.length === 0) {
        if (everyTopic) return this.settled - before;
        // A topic passed over as empty may hold what a settled predecessor let go: one more look at all.
        this.emptyUntil.clear();
        everyTopic = true;
        continue;
      }
      everyTopic = false;
      if (inFlight.length > 0) await Promise.race(inFlight);
    }
  }

  /** Delivers until stopped: keeps up to `concurrency` deliveries per topic going while there is work, looks again after `idleMs` when there is none. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = (async () => {
      while (!this.stopped) {
        let started = 0;
        try {
          started = await this.fill();
        } catch (err) {
          this.options.logger.error('outbox round failed', { error: err });
        }
        if (this.stopped) break;
        const inFlight = this.all();
        const full = Object.entries(this.options.deliverers).every(([topic, deliverer]) => this.free(topic, batchOf(deliverer)) <= 0);
        // Full: wait for a slot. Nothing new: wait for a slot or the next look, whichever comes first (items fall due while others are in flight).
        if (full) await Promise.race(inFlight);
        else if (started === 0) {
          const looked = await Promise.race([this.idle().then(() => true), ...inFlight.map((p) => p.then(() => false))]);
          clearTimeout(this.timer);
          if (looked) this.emptyUntil.clear();
        }
      }
    })();
  }

  /** Stops claiming; what is in flight is settled first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    await Promise.all(this.all());
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, this.options.idleMs ?? 1_000);
      this.timer.unref();
    });
  }

  /**
   * Claims work for each topic's free slots and starts it; returns how many deliveries started. A
   * topic whose last claim got all it asked for is claimed at once; meanwhile one read says which of
   * the others have anything due, and those are claimed then: a busy topic's claim never waits behind
   * the look at the others (a round trip each time one of its calls returns). A topic found empty is
   * passed over for a moment, so a busy topic does not cost a look at every other topic each time.
   */
  private async fill(): Promise<number> {
    const at = performance.now();
    const pause = (topic: string) => this.emptyUntil.set(topic, at + Math.min(EMPTY_TOPIC_PAUSE_MS, this.options.idleMs ?? 1_000));
    const open = Object.entries(this.options.deliverers).filter(([topic, deliverer]) => (this.emptyUntil.get(topic) ?? 0) <= at && this.free(topic, batchOf(deliverer)) > 0);
    const claimFor = async ([topic, deliverer]: [string, Deliverer]): Promise<number> => {
      const batch = batchOf(deliverer);
      const limit = batch > 1 ? batch : this.free(topic, batch);
      const items = await this.options.outbox.claim({ limit, topics: [topic], seenDue: true });
      if (items.length === limit) this.busy.add(topic);
      else this.busy.delete(topic);
      if (items.length === 0) {
        pause(topic);
        return 0;
      }
      // A batch topic is claimed again only after the pause too: what arrives meanwhile makes the next batch larger.
      if (batch > 1) pause(topic);
      else this.emptyUntil.delete(topic);
      const units = batch > 1 ? [items] : items.map((item) => [item]);
      for (const unit of units) this.launch(topic, deliverer, unit);
      return units.length;
    };
    const unknown = open.filter(([topic]) => !this.busy.has(topic));
    const looked = async (): Promise<number[]> => {
      if (unknown.length === 0) return [];
      const due = new Set(await this.options.outbox.dueTopics(unknown.map(([topic]) => topic)));
      for (const [topic] of unknown) if (!due.has(topic)) pause(topic);
      return Promise.all(unknown.filter(([topic]) => due.has(topic)).map(claimFor));
    };
    const started = await Promise.all([...open.filter(([topic]) => this.busy.has(topic)).map(claimFor), looked().then((counts) => counts.reduce((sum, n) => sum + n, 0))]);
    return started.reduce((sum, n) => sum + n, 0);
  }

  /** Puts a delivery on the wire; its place there is given back when the answer is in, its settlement follows. */
  private launch(topic: string, deliverer: Deliverer, items: ClaimedItem[]): void {
    const calling = setOf(this.calling, topic);
    const unsettled = setOf(this.unsettled, topic);
    let call: Promise<void>;
    const settled: Promise<void> = this.inScope(items, async () => {
      const answered = this.call(topic, deliverer, items);
      call = answered.then(() => {
        calling.delete(call);
      });
      calling.add(call);
      await this.settle(topic, items, await answered);
    }).finally(() => unsettled.delete(settled));
    unsettled.add(settled);
  }

  /** A delivery runs in the exchange of its items (`outbox-<first id>`): what it calls is stored once there, and each item's settlement ties the item to it. */
  private inScope<T>(items: readonly ClaimedItem[], fn: () => Promise<T>): Promise<T> {
    return this.options.trace ? inTraceScope({ correlationId: `outbox-${items[0]!.id}`, outboxIds: items.map((i) => i.id) }, fn) : fn();
  }

  /** How an item's delivery was settled, for the trace. */
  private report(topic: string, item: ClaimedItem, outcome: string, reason?: string): void {
    // durationMs: from the enqueue to this settlement (the delivery latency the metrics graph).
    traceEvent(this.options.trace, { protocol: 'bridge', direction: 'internal', kind: 'delivery', name: topic, status: outcome, note: reason, outboxId: item.id, request: { attempt: item.attempts }, durationMs: Date.now() - item.createdAt });
  }

  /**
   * A call may outlast the lease (Hubject's bulk operations time out after up to 120 s, the lease is
   * 60 s): the claim is renewed while it runs, so neither this worker nor another instance sends the
   * items again meanwhile. A crashed sender stops renewing, and its items are due a lease later.
   */
  private renewWhileRunning(topic: string, items: readonly ClaimedItem[]): NodeJS.Timeout | undefined {
    const leaseMs = this.options.leaseMs;
    if (leaseMs === undefined) return undefined;
    const timer = setInterval(() => {
      this.options.outbox.renew(items).catch((err: unknown) => this.options.logger.warn('outbox claim could not be renewed; the items may be sent again after the lease', { topic, ids: items.map((i) => i.id), error: err }));
    }, Math.max(100, Math.floor(leaseMs / 3)));
    timer.unref();
    return timer;
  }

  /** One delivery's call; never rejects (a deliverer that throws retries its items). */
  private async call(topic: string, deliverer: Deliverer, items: ClaimedItem[]): Promise<Delivery[]> {
    const renewal = this.renewWhileRunning(topic, items);
    try {
      return await deliverer.deliver(items);
    } catch (err) {
      return items.map(() => ({ outcome: 'retry', reason: (err as Error).message }));
    } finally {
      clearInterval(renewal);
    }
  }

  /** Settles a delivery as soon as its call returned; never rejects (a failure to settle leaves the items to their lease). */
  private async settle(topic: string, items: ClaimedItem[], deliveries: Delivery[]): Promise<void> {
    try {
      const delivered = items.filter((_, i) => deliveries[i]?.outcome === 'delivered');
      if (delivered.length > 0) await this.complete(delivered);
      for (const [i, item] of items.entries()) {
        const delivery = deliveries[i] ?? { outcome: 'retry', reason: 'the deliverer gave no answer for this item' };
        if (delivery.outcome === 'delivered') {
          this.report(topic, item, 'delivered');
          continue;
        }
        const outcome = await this.options.outbox.fail(item, delivery.reason, { permanent: delivery.outcome === 'refused' });
        this.report(topic, item, outcome, delivery.reason);
        if (outcome === 'superseded' || outcome === 'stale') continue;
        const log = outcome === 'dead' ? this.options.logger.error.bind(this.options.logger) : this.options.logger.warn.bind(this.options.logger);
        log(outcome === 'dead' ? 'outbox item dead-lettered' : 'outbox delivery failed; will retry', { topic, id: item.id, attempts: item.attempts, reason: delivery.reason });
      }
    } catch (err) {
      this.options.logger.error('outbox delivery could not be settled; its lease will bring it back', { topic, ids: items.map((i) => i.id), error: err });
    }
    this.settled += items.length;
  }

  /**
   * Marks delivered items so, with those of the other deliveries answered meanwhile: a statement
   * starts once the calls answered in the same turn of the event loop joined, and what answers while
   * it runs waits for the next. Resolves once the items' own statement committed.
   */
  private complete(items: ClaimedItem[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toComplete.push({ items, done: (failure) => (failure === undefined ? resolve() : reject(failure)) });
      if (!this.completing) void this.completeWaiting();
    });
  }

  /** Never rejects: a failed statement fails the deliveries it held. */
  private async completeWaiting(): Promise<void> {
    this.completing = true;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.toComplete.length > 0) {
      const waiting = this.toComplete.splice(0);
      const failure = await this.options.outbox.completeAll(waiting.flatMap((w) => w.items)).then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(`the outbox could not mark the items delivered: ${String(err)}`)),
      );
      for (const w of waiting) w.done(failure);
    }
    // Set in the same turn as the check above finds nothing waiting: an item queued later starts a new run.
    this.completing = false;
  }
}

const batchOf = (deliverer: Deliverer): number => Math.max(1, deliverer.batch ?? 1);

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
