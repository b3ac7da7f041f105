/**
 * Body limits of the SOAP edge: the bulk operations (record lists of any length) get a larger limit
 * than other calls, since their records are read one by one and the body is never held whole.
 */

/** The bulk limit when none is configured: a fullLoad of 100,000 EVSEs is about 400 MB of 2.x XML. */
export const DEFAULT_BULK_BODY_LIMIT = '512mb';

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024, gb: 1024 * 1024 * 1024 };

/** `1mb` as bytes (the configuration's size notation). */
export function byteSize(limit: string): number {
  const match = /^([0-9]+)(b|kb|mb|gb)$/i.exec(limit.trim());
  if (!match) throw new Error(`not a size: ${limit}`);
  return Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
}
