import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * OCPI 2.2.1 transport as the spec digest (ocpi.md, sections 2.1-2.7) states it: the response
 * envelope, `Authorization: Token <base64>`, pagination headers, request/correlation ids and the
 * routing headers of functional modules.
 */

export const OCPI_VERSION = '2.2.1';

export interface Envelope {
  data?: unknown;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

/** `timestamp` in UTC with `Z`, as both versions ask. */
export const envelope = (status_code: number, data?: unknown, status_message?: string): Envelope => ({
  ...(data === undefined ? {} : { data }),
  status_code,
  ...(status_message === undefined ? {} : { status_message }),
  timestamp: new Date().toISOString(),
});

/** 2.2.1: the credentials token itself is printable non-whitespace ASCII, at most 64 characters. */
export const isCredentialsToken = (token: unknown): token is string => typeof token === 'string' && /^[\x21-\x7e]{1,64}$/.test(token);

export const newToken = (): string => randomBytes(24).toString('base64url');

/** The header value 2.2.1 prescribes: `Token ` + RFC 4648 Base64 of the token's UTF-8 bytes. */
export const authorizationHeader = (token: string): string => `Token ${Buffer.from(token, 'utf8').toString('base64')}`;

/**
 * The token an Authorization header carries: the Base64 decoding (2.2.1), or with `acceptPlain` the
 * value as written (what many 2.1.1-era peers send). None when the header is not `Token ...`.
 */
export function tokensOf(header: string | undefined, acceptPlain: boolean): string[] {
  const match = /^Token (\S+)$/.exec(header ?? '');
  if (!match) return [];
  const value = match[1]!;
  const candidates: string[] = [];
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) candidates.push(Buffer.from(value, 'base64').toString('utf8'));
  if (acceptPlain) candidates.push(value);
  return candidates;
}

export interface Party {
  countryCode: string;
  partyId: string;
}

/** Request/correlation ids echoed (2.7), plus the routing headers on functional modules (never on configuration modules). */
export function responseHeaders(req: IncomingMessage, routing?: { from: Party; to?: Party }): Record<string, string> {
  const headers: Record<string, string> = {};
  const requestId = req.headers['x-request-id'];
  const correlationId = req.headers['x-correlation-id'];
  if (typeof requestId === 'string') headers['x-request-id'] = requestId;
  if (typeof correlationId === 'string') headers['x-correlation-id'] = correlationId;
  if (routing) {
    headers['ocpi-from-country-code'] = routing.from.countryCode;
    headers['ocpi-from-party-id'] = routing.from.partyId;
    if (routing.to) {
      headers['ocpi-to-country-code'] = routing.to.countryCode;
      headers['ocpi-to-party-id'] = routing.to.partyId;
    }
  }
  return headers;
}

/** A DateTime query parameter (2.9): RFC 3339 in UTC; a missing `Z` means UTC. */
export function parseDateTime(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined;
  const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface PageRequest {
  offset: number;
  limit: number;
  dateFrom?: number;
  dateTo?: number;
}

/** The paging parameters of a list GET (2.6); an error message for a malformed one. */
export function pageRequest(query: URLSearchParams, maxLimit: number): PageRequest | string {
  const int = (name: string) => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  };
  const offset = int('offset') ?? 0;
  const limit = int('limit') ?? maxLimit;
  if (Number.isNaN(offset) || Number.isNaN(limit)) return 'offset and limit must be non-negative integers';
  const request: PageRequest = { offset, limit: Math.min(limit, maxLimit) };
  for (const [name, key] of [['date_from', 'dateFrom'], ['date_to', 'dateTo']] as const) {
    const raw = query.get(name);
    if (raw === null) continue;
    const ms = parseDateTime(raw);
    if (ms === undefined) return `${name} is not an OCPI DateTime: ${raw}`;
    request[key] = ms;
  }
  return request;
}

/**
 * One page of a list whose order is creation order, filtered on `last_updated` (date_from inclusive,
 * date_to exclusive, 2.2.1), with the headers 2.6 requires: X-Total-Count, X-Limit and, unless this is
 * the last page, a Link to the next one repeating every filter of the request.
 */
export function paginate<T extends { last_updated?: unknown }>(all: T[], request: PageRequest, selfUrl: URL): { page: T[]; headers: Record<string, string> } {
  const matching = all.filter((item) => {
    const at = typeof item.last_updated === 'string' ? parseDateTime(item.last_updated) : undefined;
    if (at === undefined) return request.dateFrom === undefined && request.dateTo === undefined;
    return (request.dateFrom === undefined || at >= request.dateFrom) && (request.dateTo === undefined || at < request.dateTo);
  });
  const page = matching.slice(request.offset, request.offset + request.limit);
  const headers: Record<string, string> = { 'x-total-count': String(matching.length), 'x-limit': String(request.limit) };
  if (request.limit > 0 && request.offset + page.length < matching.length) {
    const next = new URL(selfUrl);
    next.searchParams.set('offset', String(request.offset + page.length));
    next.searchParams.set('limit', String(request.limit));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { page, headers };
}
