import type { Finding } from '../core/findings';
import { traceEvent, type TraceSink } from '../core/trace-context';
import type { Logger } from './logger';

/**
 * The flows' logger, reporting the findings they log (`{ findings: [...] }`) to the trace in the
 * current exchange: the mappers' findings reach the operator without a change to any flow. The log
 * lines themselves are unchanged (and still filtered by level); winston's child loggers made from it
 * report too, as they write through it.
 */
export function withFindingsTraced(logger: Logger, sink: TraceSink | undefined): Logger {
  if (!sink) return logger;
  return Object.create(logger, {
    write: {
      value(info: { message?: unknown; findings?: unknown; mappedAt?: unknown }) {
        if (Array.isArray(info.findings) && info.findings.length > 0) {
          // A mapping that depends on the time says which instant it stood for (`mappedAt`): the findings are dated with it.
          const at = info.mappedAt instanceof Date ? info.mappedAt.getTime() : undefined;
          traceEvent(sink, { protocol: 'bridge', direction: 'internal', kind: 'findings', name: String(info.message), findings: info.findings as Finding[] }, at);
        }
        return logger.write(info);
      },
    },
  }) as Logger;
}
