/**
 * Pagination of every list GET (../shared/spec/ocpi.md §2.6), both sides. As server: the query
 * read strictly (2001 for a bad parameter), the limit capped, and the headers written (`X-Total-Count`,
 * `X-Limit` as our upper limit, `Link: <next>; rel="next"` repeating every filter, absent on the last
 * page). As client: the pages followed by their `Link` header as an async iterator, so a caller never
 * holds a whole list. `date_from` is inclusive and `date_to` exclusive (2.2.1; 2.1.1 left it open).
 */
import { OcpiError } from './wire/transport';

export interface PageQuery {
  offset: number;
  limit: number;
  dateFrom?: Date;
  dateTo?: Date;
}

export interface Page<T> {
  items: T[];
  /** Objects matching the filters, ignoring offset and limit. */
  total: number;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]00:00)?$/;

function dateParameter(query: Record<string, unknown>, name: string): Date | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  // No designator means UTC in OCPI, not local time as Date would read it.
  const refused = () => new OcpiError(2001, `${name} must be an OCPI DateTime such as 2026-01-31T12:00:00Z (got ${JSON.stringify(value)})`);
  if (typeof value !== 'string' || !DATE_TIME.test(value)) throw refused();
  const at = new Date(/(Z|[+-]00:00)$/.test(value) ? value : `${value}Z`);
  // The pattern admits month 13 or hour 25; such a date is invalid, and reading it later threw (500).
  if (Number.isNaN(at.getTime())) throw refused();
  return at;
}

function integerParameter(query: Record<string, unknown>, name: string, minimum: number): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < minimum) throw new OcpiError(2001, `${name} must be a whole number of at least ${minimum} (got ${JSON.stringify(value)})`);
  // Past every list anyway; a larger number reached the stores' SQL as 1e+20 and failed there (500).
  return Math.min(Number(value), Number.MAX_SAFE_INTEGER);
}

/** The page asked for; a limit above `maxLimit` is lowered to it (and `X-Limit` says so). */
export function readPageQuery(query: Record<string, unknown>, maxLimit: number, requireDateFrom = false): PageQuery {
  const dateFrom = dateParameter(query, 'date_from');
  if (requireDateFrom && dateFrom === undefined) throw new OcpiError(2001, 'date_from is required');
  const dateTo = dateParameter(query, 'date_to');
  return { offset: integerParameter(query, 'offset', 0) ?? 0, limit: Math.min(integerParameter(query, 'limit', 1) ?? maxLimit, maxLimit), dateFrom, dateTo };
}

/** Whether `lastUpdated` falls in the window: from inclusive, to exclusive. */
export function inWindow(lastUpdated: string, query: Pick<PageQuery, 'dateFrom' | 'dateTo'>): boolean {
  const at = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(lastUpdated) ? lastUpdated : `${lastUpdated}Z`);
  return (query.dateFrom === undefined || at >= query.dateFrom.getTime()) && (query.dateTo === undefined || at < query.dateTo.getTime());
}

/** A page of an in-memory list, oldest first as the spec asks (stable across calls). */
export function pageOf<T>(all: readonly T[], query: PageQuery): Page<T> {
  return { items: all.slice(query.offset, query.offset + query.limit), total: all.length };
}

/** The response headers of a page served at `url` (absolute, with the request's own query). */
export function pageHeaders(url: URL, query: PageQuery, page: Page<unknown>): Record<string, string> {
  const headers: Record<string, string> = { 'X-Total-Count': String(page.total), 'X-Limit': String(query.limit) };
  const nextOffset = query.offset + page.items.length;
  if (page.items.length > 0 && nextOffset < page.total) {
    const next = new URL(url);
    next.searchParams.set('offset', String(nextOffset));
    next.searchParams.set('limit', String(query.limit));
    headers.Link = `<${next.href}>; rel="next"`;
  }
  return headers;
}

/** The `rel="next"` target of a `Link` header, if any. */
export function nextLink(header: string | null): string | undefined {
  for (const part of header?.split(',') ?? []) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (match && /rel\s*=\s*"?next"?/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

/**
 * Every item of a paginated list, page by page: `fetchPage` gets a URL and answers its items and
 * `Link` header. Stops at the last page, or with an error when a peer's links go round in circles.
 */
export async function* followPages<T>(first: string, fetchPage: (url: string) => Promise<{ items: T[]; link: string | null }>, maxPages = 10_000): AsyncGenerator<T> {
  const seen = new Set<string>();
  for (let url: string | undefined = first; url !== undefined; ) {
    if (seen.has(url) || seen.size >= maxPages) throw new Error(`pagination of ${first} does not end: ${url} again after ${seen.size} pages`);
    seen.add(url);
    const page = await fetchPage(url);
    yield* page.items;
    const next = nextLink(page.link);
    // A relative link is relative to the page it came in.
    url = next === undefined ? undefined : new URL(next, url).href;
  }
}
