/**
 * Newest wins: every OCPI object carries `last_updated`, and an update older than what the bridge
 * holds must not overwrite it (pushes overtake each other under load, and a retried push can arrive
 * after a newer one). Such an update is acknowledged — the sender must not retry it forever — but not
 * applied and not announced; it is counted and logged. Equal stamps: the later arrival wins.
 */
import type { Logger } from '../observability/logger';

/** An OCPI DateTime as epoch ms; OCPI without a zone means UTC. Undefined when absent or unreadable. */
export function stampOf(object: unknown): number | undefined {
  const stamp = (object as { last_updated?: unknown } | null | undefined)?.last_updated;
  if (typeof stamp !== 'string') return undefined;
  const time = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(stamp) ? stamp : `${stamp}Z`);
  return Number.isNaN(time) ? undefined : time;
}

/** True when `incoming` is older than `held`; an object without a readable stamp is never called stale. */
export function isStale(incoming: unknown, held: unknown): boolean {
  const a = stampOf(incoming);
  const b = stampOf(held);
  return a !== undefined && b !== undefined && a < b;
}

/** The later of two OCPI DateTimes as written (a parent's last_updated never goes back when a child changes). */
export function laterStamp(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  return (stampOf({ last_updated: b }) ?? 0) >= (stampOf({ last_updated: a }) ?? 0) ? b : a;
}

/** What the flows report when they drop a stale update. */
export type StaleReporter = (update: { module: string; ref: string; incoming: unknown; held: unknown }) => void;

/** Logs each stale update once and counts it (`bridge_stale_updates_total`). */
export function staleReporter(logger: Logger, count: (module: string) => void = () => undefined): StaleReporter {
  return ({ module, ref, incoming, held }) => {
    count(module);
    logger.info('stale update acknowledged, not applied: the bridge holds a newer version', {
      module,
      ref,
      incoming: (incoming as { last_updated?: unknown } | undefined)?.last_updated,
      held: (held as { last_updated?: unknown } | undefined)?.last_updated,
    });
  };
}
