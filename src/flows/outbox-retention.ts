/**
 * Delivered outbox items are kept a while after delivery: keyed ones (CDRs, session start/end) so that a
 * late resend of the same record is recognised, the others only for inspection. Past that they are
 * deleted, or a bridge relaying every status change of a large network would grow its store without end.
 */
import type { BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import type { Store } from '../store';
import type { Job } from './ports';

const HOUR_MS = 3_600_000;

export function outboxRetentionJob(store: Store, retention: BridgeConfig['outbox']['retention'], logger: Logger, now: () => number): Job {
  return {
    name: 'outbox retention',
    everyMs: retention.everyMinutes * 60_000,
    run: async () => {
      const at = now();
      const purged = await store.outbox.purgeDelivered({
        unkeyedBefore: at - retention.deliveredHours * HOUR_MS,
        keyedBefore: at - retention.keyedDeliveredDays * 24 * HOUR_MS,
      });
      if (purged > 0) logger.info('delivered outbox items past their retention deleted', { purged });
      return { purged };
    },
  };
}
