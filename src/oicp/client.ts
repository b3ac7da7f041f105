/**
 * OICP client: one `call` for every operation of the table, over mutual TLS toward Hubject (or, in
 * the simulator, from the hub toward a partner), in the 2.3 REST/JSON encoding or the 2.x SOAP/XML
 * one. Requests are validated before they leave, answers before they are believed; every failure
 * comes back as a typed result carrying the OICP StatusCode when the other side gave one.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { Finding } from '../core/findings';
import type { Logger } from '../observability/logger';
import { traceEvent, traceScope, type TraceSink } from '../core/trace-context';
import { check } from '../core/typebox';
import { OPERATIONS, calledOperations, operationPath, type OicpOperation, type OicpRole, type OperationName, type PageItemOf, type PagedOperation, type RequestOf, type ResponseOf } from './wire/operations';
import type { StatusCode } from './wire/transaction-schemas';
import { SOAP_CONTENT_TYPE, SoapAnswerReader, requestVariant, soapRequest, type SoapAnswer } from './soap/envelope';
import { LATEST_RELEASE, soapPath, type SoapRelease } from './wire/soap-services';
import { DEFAULT_BULK_BODY_LIMIT, byteSize } from './wire/limits';
import type { OicpWire } from './calls';

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  passphrase?: string;
}

export interface OicpClientOptions {
  baseUrl: string;
  /** Whose calls this client makes: a partner role, or HUB for the simulator forwarding to partners. */
  as: OicpRole | 'HUB';
  /** Our OperatorID (CPO) or ProviderID (EMP), written into the paths exactly as configured. */
  partyId?: string;
  tls?: TlsMaterial;
  timeoutsMs?: Partial<Record<OperationName, number>>;
  /** Largest answer read; a bigger one is refused rather than buffered. */
  maxResponseBytes?: number;
  /** Largest SOAP answer of a bulk operation (EVSE data, statuses, pricing, CDR lists), read record by record; default 512 MB. */
  maxBulkResponseBytes?: number;
  /**
   * A kept-alive connection idle longer than this is not used again (default 4 s, below the 5 s
   * servers commonly keep one): the peer may have closed it while this process was busy.
   */
  keepAliveMs?: number;
  /** Reads (`retry: 'idempotent'` operations) are tried this often in all (default 4), waiting `baseDelayMs` (500), doubling, between tries. */
  retry?: { attempts: number; baseDelayMs: number };
  /** Default `rest`. */
  wire?: OicpWire;
  /** The OICP 2.x release written over SOAP (the partner's); default 2.2. Answers are read in any release. */
  soapRelease?: SoapRelease;
  logger?: Logger;
  /** Where each attempt and its answer are reported (the exchange trace). */
  trace?: TraceSink;
}

type OicpFailureKind =
  /** The other side answered with a refusal (Result false or a non-000 StatusCode). */
  | 'refused'
  /** We refused to send: the request breaks the schema. Nothing left this process. */
  | 'invalid-request'
  /** The answer is not what the operation promises (schema, JSON, size). */
  | 'invalid-response'
  /** An HTTP error without an OICP body. */
  | 'http'
  /** No answer at all: connection refused, TLS handshake refused, reset. */
  | 'unreachable'
  | 'timeout';

export interface OicpFailure {
  kind: OicpFailureKind;
  message: string;
  statusCode?: StatusCode;
  httpStatus?: number;
  findings?: Finding[];
}

/** `findings` (SOAP only): what the request's XML form could not carry, what the answer carried that the 2.3 form cannot, and what reading an older form assumed. */
export type OicpResult<T> = { ok: true; value: T; httpStatus: number; findings: Finding[] } | { ok: false; error: OicpFailure };

/** OICP StatusCodes that say "not now" rather than "not this": Hubject or the partner had a problem. */
const TRANSIENT_CODES = new Set(['001', '002', '009', '021', '300', '310', '320']);

/**
 * Whether a failed call may succeed if made again later: no answer, a timeout, an unreadable answer,
 * HTTP 5xx/408/429, or one of Hubject's own troubles. A refusal of the content (018, 022, 400, ...),
 * another HTTP 4xx, or a request we refused to send will fail the same way again.
 */
export function isRetryable(failure: OicpFailure): boolean {
  switch (failure.kind) {
    case 'refused':
      return failure.statusCode === undefined || TRANSIENT_CODES.has(failure.statusCode.Code);
    case 'invalid-request':
      return false;
    case 'http':
      return failure.httpStatus === undefined || failure.httpStatus >= 500 || failure.httpStatus === 408 || failure.httpStatus === 429;
    default:
      return true;
  }
}

/** Thrown by the paged iterators, which cannot return a result per item. */
export class OicpCallError extends Error {
  constructor(readonly failure: OicpFailure) {
    super(failure.message);
    this.name = 'OicpCallError';
  }

  get retryable(): boolean {
    return isRetryable(this.failure);
  }
}

interface CallOptions {
  /** The party id of the path when it is not ours (the simulator forwarding a partner's call). */
  partyId?: string;
  page?: number;
  size?: number;
  requestId?: string;
}

const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
const DEFAULT_KEEP_ALIVE_MS = 4_000;
const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 500 };
/** A request that met a kept-alive connection the peer had closed never arrived: sent again at most this often. */
const STALE_CONNECTION_RETRIES = 2;

/** How one POST ended: the answer, or a failure saying whether the connection was a reused one and whether any of the answer had arrived. */
type Posted<T> = { httpStatus: number; body: Sunk<T> } | { failure: OicpFailure; reusedConnection: boolean; answerStarted: boolean };

/** What callers of OICP need (the flows take this port; OicpClient is the real one). */
export interface OicpCaller {
  call<N extends OperationName>(name: N, body: RequestOf<N>, options?: CallOptions): Promise<OicpResult<ResponseOf<N>>>;
  /** Every item of a paged pull, page after page. */
  pages<N extends PagedOperation>(name: N, body: RequestOf<N>, options?: Omit<CallOptions, 'page'>): AsyncGenerator<PageItemOf<N>>;
}

export class OicpClient implements OicpCaller {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly allowed: ReadonlySet<OperationName>;
  /** When each kept-alive connection was last given back: the agent's own idle timer cannot run while the event loop is busy. */
  private readonly freedAt = new WeakMap<object, number>();
  private readonly answers = new AnswerBuffers();

  constructor(private readonly options: OicpClientOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') throw new Error(`OICP base URL must be http(s): ${options.baseUrl}`);
    // `timeout` closes a connection idle that long (when the event loop is free to notice).
    const keepAlive = { keepAlive: true, timeout: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS };
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ ...keepAlive, ...options.tls }) : new http.Agent(keepAlive);
    this.agent.on('free', (socket: object) => this.freedAt.set(socket, Date.now()));
    this.allowed = new Set(calledOperations(options.as));
  }

  /**
   * Closes kept-alive connections idle too long, by the clock rather than a timer: after a long
   * synchronous stretch (a big page stored) the timer has not fired, and the peer has likely closed
   * the connection — the next request would meet a reset.
   */
  private dropIdleConnections(): void {
    const oldest = Date.now() - (this.options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
    for (const sockets of Object.values(this.agent.freeSockets)) {
      for (let i = (sockets?.length ?? 0) - 1; i >= 0; i--) {
        const socket = sockets![i]!;
        if ((this.freedAt.get(socket) ?? 0) >= oldest && !socket.destroyed) continue;
        socket.destroy();
        sockets!.splice(i, 1);
      }
    }
  }

  async call<N extends OperationName>(name: N, body: RequestOf<N>, options: CallOptions = {}): Promise<OicpResult<ResponseOf<N>>> {
    const operation: OicpOperation = OPERATIONS[name];
    if (!this.allowed.has(name)) return failure('invalid-request', `${name} is not sent by ${this.options.as} (caller: ${operation.caller})`);
    const partyId = options.partyId ?? this.options.partyId;
    if (operation.party !== 'none' && partyId === undefined) return failure('invalid-request', `${name} needs the ${operation.party} id of its path`);
    const sent = check(operation.request, body);
    if (sent.findings.length > 0) return failure('invalid-request', `${name} request breaks the OICP schema`, { findings: sent.findings });

    const soap = this.options.wire === 'soap';
    const release = this.options.soapRelease ?? LATEST_RELEASE;
    const path = soap ? soapPath(operation.soap.service, release) : operationPath(name, partyId ?? '');
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    if (operation.paged) {
      url.searchParams.set('page', String(options.page ?? 0));
      url.searchParams.set('size', String(options.size ?? operation.paged.defaultSize));
    }
    const xml = soap ? soapRequest(name, sent.value, { release }) : undefined;
    const element = requestVariant(name, sent.value, release).request;
    const message: { text: string; headers: Record<string, string> } = xml
      ? { text: xml.value, headers: { 'content-type': SOAP_CONTENT_TYPE, accept: 'text/xml', soapaction: `"${element}"` } }
      : { text: JSON.stringify(sent.value), headers: { 'content-type': 'application/json', accept: 'application/json' } };
    const operationTimeout = this.options.timeoutsMs?.[name] ?? operation.timeoutMs;
    const retry = this.options.retry ?? DEFAULT_RETRY;
    const limit = soap && operation.soap.bulk ? (this.options.maxBulkResponseBytes ?? byteSize(DEFAULT_BULK_BODY_LIMIT)) : (this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
    const first = Date.now();
    let staleConnections = 0;
    let resetRetried = false;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      this.dropIdleConnections();
      // A retry after a reset stays within the time the caller was promised an answer in.
      const timeoutMs = resetRetried ? Math.max(1, first + operationTimeout - started) : operationTimeout;
      const sink: Sink<SoapAnswer | string> = soap ? soapSink(name, element) : textSink(this.answers);
      const posted = await this.post(url, message, timeoutMs, options.requestId ?? traceScope()?.correlationId ?? randomUUID(), limit, sink);
      this.options.logger?.debug('oicp call', { operation: name, wire: soap ? 'soap' : 'rest', attempt, status: 'failure' in posted ? posted.failure.kind : posted.httpStatus, durationMs: Date.now() - started });
      let result: OicpResult<ResponseOf<N>>;
      if ('failure' in posted) {
        const neverArrived = posted.failure.kind === 'unreachable' && !posted.answerStarted;
        if (neverArrived && posted.reusedConnection && staleConnections < STALE_CONNECTION_RETRIES) {
          staleConnections++;
          attempt--;
          continue;
        }
        if (neverArrived && operation.retry === 'once-on-reset' && !resetRetried && Date.now() - first < operationTimeout) {
          resetRetried = true;
          this.options.logger?.info('oicp call reset before any answer; sent once more', { operation: name });
          continue;
        }
        result = { ok: false, error: posted.failure };
      } else {
        const decoded = soap ? decodeSoap(name, posted.httpStatus, posted.body as Sunk<SoapAnswer>) : decodeJson(posted.httpStatus, posted.body as Sunk<string>);
        result = 'kind' in decoded ? { ok: false, error: decoded } : judge(name, decoded.json, posted.httpStatus, [...(xml?.findings ?? []), ...decoded.findings]);
      }
      this.traced(name, sent.value, xml?.value, result, started);
      if (result.ok || operation.retry !== 'idempotent' || attempt >= retry.attempts || !isRetryable(result.error)) return result;
      const delay = retry.baseDelayMs * 2 ** (attempt - 1);
      this.options.logger?.info('oicp read failed; trying again', { operation: name, attempt, delayMs: delay, reason: result.error.message });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** One attempt as it went (the canonical request, and the XML for a SOAP partner) with its outcome. */
  private traced(name: OperationName, request: unknown, xml: string | undefined, result: OicpResult<unknown>, started: number): void {
    if (!this.options.trace) return;
    const status = result.ok ? `${result.httpStatus}` : result.error.statusCode ? `${result.error.statusCode.Code}` : result.error.kind;
    traceEvent(
      this.options.trace,
      {
        protocol: 'oicp',
        direction: 'out',
        kind: 'call',
        name,
        status,
        request: xml === undefined ? request : { json: request, xml },
        response: result.ok ? result.value : result.error,
        findings: result.ok ? result.findings : result.error.findings,
        note: result.ok ? undefined : result.error.message,
        durationMs: Date.now() - started,
      },
      started,
    );
  }

  /**
   * Every item of a paged pull, page after page. The next page is asked for as soon as this one has
   * arrived, so the hub serves it while the caller stores this one: at most two pages are held.
   */
  async *pages<N extends PagedOperation>(name: N, body: RequestOf<N>, options: Omit<CallOptions, 'page'> = {}): AsyncGenerator<PageItemOf<N>> {
    let next = this.call(name, body, { ...options, page: 0 });
    for (let page = 0; ; page += 1) {
      const result = await next;
      if (!result.ok) throw new OicpCallError(result.error);
      const { content, last, totalPages } = result.value as { content: PageItemOf<N>[]; last: boolean; totalPages: number };
      // `last` is authoritative; the other two stop a hub that never says it.
      const done = last || content.length === 0 || page + 1 >= totalPages;
      if (!done) next = this.call(name, body, { ...options, page: page + 1 });
      // Not let go of one by one (shifted out): the answer is also the trace's, stored after the page.
      yield* content;
      if (done) return;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private post<T>(url: URL, message: { text: string; headers: Record<string, string> }, timeoutMs: number, requestId: string, limit: number, sink: Sink<T>): Promise<Posted<T>> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let answerStarted = false;
      const failed = (failure: OicpFailure) => resolve({ failure, reusedConnection: request.reusedSocket, answerStarted });
      const request = transport.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...message.headers, 'content-length': Buffer.byteLength(message.text), 'x-request-id': requestId },
        },
        (response) => {
          answerStarted = true;
          let size = 0;
          let broken: Error | undefined;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
              request.destroy();
              failed({ kind: 'invalid-response', message: `answer larger than ${limit} bytes`, httpStatus: response.statusCode });
              return;
            }
            // The answer is read as it arrives; after a first error the rest is only counted.
            if (broken) return;
            try {
              sink.write(chunk);
            } catch (err) {
              broken = err as Error;
            }
          });
          response.on('end', () => {
            let body: Sunk<T>;
            try {
              body = broken ? { error: broken } : { value: sink.end() };
            } catch (err) {
              body = { error: err as Error };
            }
            resolve({ httpStatus: response.statusCode ?? 0, body });
          });
          response.on('error', (err) => failed({ kind: 'unreachable', message: err.message }));
        },
      );
      request.setTimeout(timeoutMs, () => {
        request.destroy();
        failed({ kind: 'timeout', message: `no answer within ${timeoutMs} ms` });
      });
      // Later resolves are ignored: the first outcome (timeout, size, error) wins.
      request.on('error', (err) => failed({ kind: 'unreachable', message: err.message }));
      request.end(message.text);
    });
  }
}

/** Where an answer's bytes go as they arrive. */
interface Sink<T> {
  write(chunk: Buffer): void;
  end(): T;
}
type Sunk<T> = { value: T } | { error: Error };

/** Answers kept between calls are at most this large; a larger one is read into memory of its own. */
const KEPT_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The memory JSON answers are read into, one buffer kept from answer to answer. A page of EVSE data
 * is megabytes: read as a list of chunks and joined, each page left two copies of itself in native
 * memory until the collector found their handles, and the allocator keeps what it got back (glibc
 * raises its mmap threshold to the size of a freed block): a network pull's RSS grew by tens of MB of
 * freed pages. An answer takes the kept buffer when it is free and large enough (calls at the same
 * time take fresh ones), and gives it back when its text is taken.
 */
class AnswerBuffers {
  private spare: Buffer | undefined;

  take(size: number): Buffer {
    const spare = this.spare;
    if (spare && spare.length >= size) {
      this.spare = undefined;
      return spare;
    }
    return Buffer.allocUnsafe(size);
  }

  give(buffer: Buffer): void {
    if (buffer.length <= KEPT_ANSWER_BYTES && buffer.length > (this.spare?.length ?? 0)) this.spare = buffer;
  }
}

/** A text answer copied into one buffer as it arrives, grown by doubling. */
function textSink(buffers: AnswerBuffers): Sink<string> {
  let buffer: Buffer | undefined;
  let length = 0;
  return {
    write: (chunk) => {
      if (!buffer || length + chunk.length > buffer.length) {
        const grown = buffers.take(Math.max(length + chunk.length, 2 * (buffer?.length ?? 0), 64 * 1024));
        if (buffer) {
          buffer.copy(grown, 0, 0, length);
          buffers.give(buffer);
        }
        buffer = grown;
      }
      length += chunk.copy(buffer, length);
    },
    end: () => {
      if (!buffer) return '';
      const text = buffer.toString('utf8', 0, length);
      buffers.give(buffer);
      buffer = undefined;
      return text;
    },
  };
}

/** A SOAP answer read as it arrives: records are built as their bytes come, never from a whole document. */
function soapSink(name: OperationName, requestElement: string): Sink<SoapAnswer> {
  const reader = new SoapAnswerReader(name, requestElement);
  const decoder = new TextDecoder('utf-8');
  return {
    write: (chunk) => reader.write(decoder.decode(chunk, { stream: true })),
    end: () => {
      reader.write(decoder.decode());
      return reader.end();
    },
  };
}

function decodeSoap(name: OperationName, httpStatus: number, body: Sunk<SoapAnswer>): Decoded | OicpFailure {
  if ('error' in body) return unreadable(httpStatus, body.error.message);
  const answer = body.value;
  if (answer.kind === 'fault') {
    const { fault } = answer;
    const statusCode = statusCodeOf(fault.acknowledgement);
    return { kind: statusCode ? 'refused' : 'http', message: `${name} refused: SOAP Fault ${fault.faultcode}: ${fault.faultstring}`, statusCode, httpStatus };
  }
  return { json: answer.value, findings: answer.findings };
}

function failure(kind: OicpFailureKind, message: string, extra: Partial<OicpFailure> = {}): { ok: false; error: OicpFailure } {
  return { ok: false, error: { kind, message, ...extra } };
}

interface Decoded {
  json: unknown;
  findings: Finding[];
}

function decodeJson(httpStatus: number, body: Sunk<string>): Decoded | OicpFailure {
  try {
    if ('error' in body) throw body.error;
    return { json: JSON.parse(body.value), findings: [] };
  } catch {
    return unreadable(httpStatus, 'answer is not JSON');
  }
}

/** An answer that cannot be read: the other side's fault when it claimed success, an HTTP error otherwise. */
function unreadable(httpStatus: number, reason: string): OicpFailure {
  return { kind: httpStatus >= 200 && httpStatus < 300 ? 'invalid-response' : 'http', message: `HTTP ${httpStatus}: ${reason}`, httpStatus };
}

/** What a decoded answer means: a refusal, an answer breaking the schema, or the operation's answer. */
function judge<N extends OperationName>(name: N, json: unknown, httpStatus: number, findings: Finding[]): OicpResult<ResponseOf<N>> {
  const statusCode = statusCodeOf(json);
  if (isRefusal(json, httpStatus)) {
    const described = statusCode ? `${statusCode.Code} ${statusCode.Description ?? ''}`.trim() : `HTTP ${httpStatus}`;
    return failure(statusCode ? 'refused' : 'http', `${name} refused: ${described}`, { statusCode, httpStatus });
  }
  const received = check(OPERATIONS[name].response, json);
  if (received.findings.length > 0) return failure('invalid-response', `${name} answer breaks the OICP schema`, { findings: received.findings, httpStatus, statusCode });
  return { ok: true, value: received.value, httpStatus, findings };
}

function statusCodeOf(json: unknown): StatusCode | undefined {
  const code = (json as { StatusCode?: unknown } | null)?.StatusCode;
  return code !== null && typeof code === 'object' && typeof (code as StatusCode).Code === 'string' ? (code as StatusCode) : undefined;
}

/**
 * An authorization answer (Authorized or not) is a business outcome, not a failure; anything else
 * with Result false, a non-000 code or an HTTP error status is a refusal.
 */
function isRefusal(json: unknown, httpStatus: number): boolean {
  if (httpStatus < 200 || httpStatus >= 300) return true;
  const body = json as { Result?: unknown; AuthorizationStatus?: unknown } | null;
  if (body === null || typeof body !== 'object') return false;
  if (typeof body.AuthorizationStatus === 'string') return false;
  if (body.Result === false) return true;
  const code = statusCodeOf(json)?.Code;
  return code !== undefined && code !== '000';
}
