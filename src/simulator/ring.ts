/**
 * The simulators' traffic logs keep the last exchanges only: a benchmark pulling a million records
 * through the Hubject simulator must not keep every page it served (3.8 GB at 1M). Tests read the
 * recent traffic, which stays.
 */

/** Entries a traffic log keeps by default: far more than any test makes, a few MB in a long sandbox session. */
export const TRAFFIC_LIMIT = 50_000;

/** Appends `entry`; past `limit` the oldest tenth goes at once, so dropping costs little per entry. */
export function keepLast<T>(log: T[], entry: T, limit = TRAFFIC_LIMIT): void {
  log.push(entry);
  if (log.length > limit) log.splice(0, log.length - limit + Math.ceil(limit / 10));
}
