/** Trace events are kept `trace.retentionHours`, then deleted: the trace explains recent exchanges, it is not an archive. */
import type { BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import type { Store } from '../store';
import type { Job } from './ports';

export function traceRetentionJob(store: Pick<Store, 'traces'>, trace: BridgeConfig['trace'], logger: Logger, now: () => number): Job {
  return {
    name: 'trace retention',
    everyMs: trace.everyMinutes * 60_000,
    run: async () => {
      const purged = await store.traces.purge(now() - trace.retentionHours * 3_600_000);
      if (purged > 0) logger.info('trace events past their retention deleted', { purged });
      return { purged };
    },
  };
}
