/**
 * Delivers what the flows put in the outbox. Each topic has a deliverer that gets the due items of
 * its topic as one batch, oldest first (so it may coalesce them, e.g. the latest status per EVSE),
 * and answers per item: delivered, retry later, or refused for good (dead letter, with the reason).
 * A deliverer that throws retries its whole batch. The outbox's lease makes a crash mid-delivery
 * safe: the items fall due again, so deliverers must tolerate sending twice (Hubject answers a
 * repeated CDR as a duplicate, which the CDR deliverer counts as delivered).
 */
import type { Logger } from '../observability/logger';
import type { OicpClient, OicpFailure, OicpResult } from '../oicp/client';
import type { OperationName, RequestOf } from '../oicp/operations';
import type { ClaimedItem, Store } from '../store';

export type Delivery = { outcome: 'delivered' } | { outcome: 'retry'; reason: string } | { outcome: 'refused'; reason: string };

export type Deliverer = (items: readonly ClaimedItem[]) => Promise<Delivery[]>;

export interface OutboxWorkerOptions {
  outbox: Store['outbox'];
  deliverers: Readonly<Record<string, Deliverer>>;
  logger: Logger;
  /** Items per topic and round. */
  batch?: number;
  /** Pause when nothing was due. */
  idleMs?: number;
}

/** OICP StatusCodes that say "not now" rather than "not this": Hubject or the partner had a problem. */
const TRANSIENT_CODES = new Set(['001', '002', '009', '021', '300', '310', '320']);

/** What an OICP call's outcome means for the item it delivered. */
export function deliveryOf(result: OicpResult<unknown>): Delivery {
  if (result.ok) return { outcome: 'delivered' };
  const { kind, statusCode, httpStatus } = result.error;
  const reason = describe(result.error);
  if (kind === 'refused') return statusCode && !TRANSIENT_CODES.has(statusCode.Code) ? { outcome: 'refused', reason } : { outcome: 'retry', reason };
  if (kind === 'invalid-request' || (kind === 'http' && httpStatus !== undefined && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 429)) return { outcome: 'refused', reason };
  return { outcome: 'retry', reason };
}

/**
 * A deliverer whose items are requests of one operation, sent one by one in order. `alreadyDone`
 * names refusals that mean an earlier attempt arrived (Hubject's 009 for a second CDR of a session).
 */
export function callDeliverer<N extends OperationName>(client: OicpClient, operation: N, alreadyDone: readonly string[] = []): Deliverer {
  return async (items) => {
    const deliveries: Delivery[] = [];
    for (const item of items) {
      const result = await client.call(operation, item.payload as RequestOf<N>);
      const done = !result.ok && alreadyDone.includes(result.error.statusCode?.Code ?? '');
      deliveries.push(done ? { outcome: 'delivered' } : deliveryOf(result));
    }
    return deliveries;
  };
}

function describe(error: OicpFailure): string {
  const code = error.statusCode ? ` (OICP ${error.statusCode.Code}${error.statusCode.Description ? ` ${error.statusCode.Description}` : ''})` : '';
  return `${error.kind}: ${error.message}${code}`;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(private readonly options: OutboxWorkerOptions) {}

  /** One round over every topic: returns how many items were settled. */
  async runOnce(): Promise<number> {
    let settled = 0;
    for (const [topic, deliver] of Object.entries(this.options.deliverers)) {
      const items = await this.options.outbox.claim({ limit: this.options.batch ?? 100, topics: [topic] });
      if (items.length === 0) continue;
      let deliveries: Delivery[];
      try {
        deliveries = await deliver(items);
      } catch (err) {
        deliveries = items.map(() => ({ outcome: 'retry', reason: (err as Error).message }));
      }
      for (const [i, item] of items.entries()) {
        const delivery = deliveries[i] ?? { outcome: 'retry', reason: 'the deliverer gave no answer for this item' };
        if (delivery.outcome === 'delivered') await this.options.outbox.complete(item);
        else {
          const outcome = await this.options.outbox.fail(item, delivery.reason, { permanent: delivery.outcome === 'refused' });
          const log = outcome === 'dead' ? this.options.logger.error.bind(this.options.logger) : this.options.logger.warn.bind(this.options.logger);
          log(outcome === 'dead' ? 'outbox item dead-lettered' : 'outbox delivery failed; will retry', { topic, id: item.id, attempts: item.attempts, reason: delivery.reason });
        }
        settled++;
      }
    }
    return settled;
  }

  /** Delivers until stopped: again at once while there was work, after `idleMs` when there was none. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      this.running = this.runOnce().catch((err: unknown) => {
        this.options.logger.error('outbox round failed', { error: err });
        return 0;
      });
      void this.running.then((settled) => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, settled > 0 ? 0 : (this.options.idleMs ?? 1_000));
        this.timer.unref();
      });
    };
    loop();
  }

  /** Stops after the round in progress; what it claimed is settled first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
