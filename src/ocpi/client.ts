/**
 * Calls toward an OCPI peer: the token in the header form the version uses (retrying once in the
 * other form on 401, as many peers never encoded or always encoded), request and correlation ids,
 * a timeout per call, one retry of a GET (safe to repeat) after a network failure or a 5xx, and the
 * response envelope checked before anything is believed. Failures come back typed, never thrown.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: token-either-encoding (src/ocpi/errata.ts).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger';
import { traceEvent, traceScope, type TraceSink } from '../core/trace-context';
import { check } from '../core/typebox';
import { followPages } from './pagination';
import { Envelope, authorizationHeader, ocpiDateTime, type TokenEncoding } from './wire/transport';

export interface OcpiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  /** How the token is written first; the other form is tried once when the peer answers 401. */
  encoding: TokenEncoding;
  body?: unknown;
  correlationId?: string;
  timeoutMs?: number;
  /** 2.2.1 functional modules: who sends and who is addressed (the routing headers). */
  routing?: { from: PartyKey; to: PartyKey };
}

export interface PartyKey {
  countryCode: string;
  partyId: string;
}

export type OcpiFailure =
  | { kind: 'network'; message: string }
  | { kind: 'http'; httpStatus: number; message: string }
  /** The peer answered an envelope with a status code other than 1xxx. */
  | { kind: 'ocpi'; httpStatus: number; statusCode: number; message: string }
  | { kind: 'invalid-response'; httpStatus: number; message: string };

export type OcpiResponse = { ok: true; httpStatus: number; data: unknown; envelope: Envelope; headers: Headers; encoding: TokenEncoding } | { ok: false; failure: OcpiFailure };

/**
 * Whether a failed call may succeed if made again later: no answer, HTTP 5xx/408/429, an OCPI server
 * error (3xxx); not the peer's refusal of the content (OCPI 2xxx, another 4xx), nor a call that was
 * never sent (httpStatus 0: the peer offers no such module, or the object cannot be written in its version).
 */
export function isRetryable(failure: OcpiFailure): boolean {
  switch (failure.kind) {
    case 'network':
      return true;
    case 'ocpi':
      return failure.statusCode >= 3000 || failure.httpStatus >= 500;
    case 'http':
      return failure.httpStatus >= 500 || failure.httpStatus === 408 || failure.httpStatus === 429;
    default:
      return failure.httpStatus !== 0;
  }
}

/** A failed call inside a paginated read, where a typed result cannot be returned. */
export class OcpiCallError extends Error {
  constructor(readonly failure: OcpiFailure) {
    super(failure.message);
    this.name = 'OcpiCallError';
  }

  get retryable(): boolean {
    return isRetryable(this.failure);
  }
}

export interface ListFilter {
  dateFrom?: Date;
  dateTo?: Date;
  /** Objects per page asked for; the server may send fewer. */
  limit?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

interface OcpiClientOptions {
  logger: Logger;
  timeoutMs?: number;
  /** Delay before a GET is retried (tests shorten it). */
  retryDelayMs?: number;
  /** Where each request and its answer are reported (the exchange trace). */
  trace?: TraceSink;
}

export class OcpiClient {
  constructor(private readonly options: OcpiClientOptions) {}

  async call(request: OcpiRequest): Promise<OcpiResponse> {
    const first = await this.once(request, request.encoding);
    if (first.ok || first.failure.kind !== 'http' || first.failure.httpStatus !== 401) return first;
    return this.once(request, request.encoding === 'plain' ? 'base64' : 'plain');
  }

  /**
   * Every object of a paginated list GET, following `Link` headers page by page. A failed page
   * throws OcpiCallError with the typed failure; the objects already yielded stand.
   */
  async *list<T>(request: Omit<OcpiRequest, 'method' | 'body'>, filter: ListFilter = {}): AsyncGenerator<T> {
    const first = new URL(request.url);
    if (filter.dateFrom) first.searchParams.set('date_from', ocpiDateTime(filter.dateFrom));
    if (filter.dateTo) first.searchParams.set('date_to', ocpiDateTime(filter.dateTo));
    if (filter.limit !== undefined) first.searchParams.set('limit', String(filter.limit));
    let encoding = request.encoding;
    yield* followPages<T>(first.href, async (url) => {
      const answer = await this.call({ ...request, method: 'GET', url, encoding });
      if (!answer.ok) throw new OcpiCallError(answer.failure);
      if (!Array.isArray(answer.data)) throw new OcpiCallError({ kind: 'invalid-response', httpStatus: answer.httpStatus, message: `${url}: the answer holds no list` });
      // Once a peer accepted one encoding, the next pages use it straight away.
      encoding = answer.encoding;
      return { items: answer.data as T[], link: answer.headers.get('link') };
    });
  }

  private async once(request: OcpiRequest, encoding: TokenEncoding): Promise<OcpiResponse> {
    const answer = await this.exchange(request, encoding);
    const retry = request.method === 'GET' && (answer.kind === 'network' || answer.status >= 500);
    if (!retry) return this.read(answer, encoding);
    await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1_000));
    return this.read(await this.exchange(request, encoding), encoding);
  }

  private async exchange(request: OcpiRequest, encoding: TokenEncoding): Promise<{ kind: 'network'; message: string } | { kind: 'answer'; status: number; text: string; headers: Headers }> {
    const started = Date.now();
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: {
          authorization: authorizationHeader(request.token, encoding),
          accept: 'application/json',
          'x-request-id': randomUUID(),
          'x-correlation-id': request.correlationId ?? traceScope()?.correlationId ?? randomUUID(),
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.routing && {
            'ocpi-from-country-code': request.routing.from.countryCode,
            'ocpi-from-party-id': request.routing.from.partyId,
            'ocpi-to-country-code': request.routing.to.countryCode,
            'ocpi-to-party-id': request.routing.to.partyId,
          }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(request.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      const text = await response.text();
      this.options.logger.debug('ocpi call', { method: request.method, url: request.url, status: response.status, durationMs: Date.now() - started });
      this.traced(request, { status: String(response.status), responseText: text, durationMs: Date.now() - started });
      return { kind: 'answer', status: response.status, text, headers: response.headers };
    } catch (err) {
      const message = (err as Error).name === 'TimeoutError' ? 'no answer within the timeout' : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      this.options.logger.debug('ocpi call failed', { method: request.method, url: request.url, error: message });
      this.traced(request, { status: 'network', note: message, durationMs: Date.now() - started });
      return { kind: 'network', message: `${request.method} ${request.url}: ${message}` };
    }
  }

  /** The request as it went, with how it was answered. */
  private traced(request: OcpiRequest, answer: { status: string; responseText?: string; note?: string; durationMs: number }): void {
    if (!this.options.trace) return;
    const path = URL.canParse(request.url) ? new URL(request.url).pathname : request.url;
    traceEvent(this.options.trace, { protocol: 'ocpi', direction: 'out', kind: 'request', name: `${request.method} ${path}`, request: request.body, ...answer });
  }

  private read(answer: { kind: 'network'; message: string } | { kind: 'answer'; status: number; text: string; headers: Headers }, encoding: TokenEncoding): OcpiResponse {
    if (answer.kind === 'network') return { ok: false, failure: answer };
    const { status, text, headers } = answer;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, failure: status >= 400 ? { kind: 'http', httpStatus: status, message: `HTTP ${status}` } : { kind: 'invalid-response', httpStatus: status, message: 'the answer is not JSON' } };
    }
    const checked = check(Envelope, json);
    if (checked.findings.length > 0) {
      if (status >= 400) return { ok: false, failure: { kind: 'http', httpStatus: status, message: `HTTP ${status}` } };
      return { ok: false, failure: { kind: 'invalid-response', httpStatus: status, message: `not an OCPI response envelope: ${checked.findings.map((f) => `${f.path} ${f.message}`).join('; ')}` } };
    }
    const envelope = checked.value;
    const message = envelope.status_message ?? '';
    if (status >= 400) return { ok: false, failure: { kind: 'http', httpStatus: status, message: `HTTP ${status}${message ? `: ${message}` : ''} (OCPI ${envelope.status_code})` } };
    if (envelope.status_code >= 2000) return { ok: false, failure: { kind: 'ocpi', httpStatus: status, statusCode: envelope.status_code, message: `OCPI ${envelope.status_code}${message ? `: ${message}` : ''}` } };
    return { ok: true, httpStatus: status, data: envelope.data, envelope, headers, encoding };
  }
}
