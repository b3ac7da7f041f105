/**
 * What an OICP server does with a call once its transport (REST/JSON or SOAP/XML) has read it: check
 * the caller, validate (022 with the field paths), check identities (017/018), call the injected
 * handler, and make sure what goes back is a valid OICP answer. Handlers refuse by throwing
 * `OicpRefusal`. The transports only translate their wire form to and from this.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: rest-refusal-http-status, unserved-operation-320 (src/oicp/errata.ts).
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import type { Finding } from '../core/findings';
import type { Logger } from '../observability/logger';
import { check } from '../core/typebox';
import { checkConsistency } from './consistency';
import { OPERATIONS, type OicpOperation, type OperationName, type RequestOf, type ResponseOf } from './wire/operations';
import { OicpRefusal } from './wire/status-codes';

/** Who is calling, as far as TLS tells: the verified client certificate's subject, when there is one. */
export interface OicpCaller {
  /** Whether the caller presented a certificate our CA vouches for. */
  verified: boolean;
  /** Common name of that certificate (Hubject puts the operator or provider id there). */
  commonName?: string;
}

export interface OicpCallContext {
  operation: OperationName;
  /** The operator or provider id of the path as written (REST), or the one the body names (SOAP). */
  partyId?: string;
  page: number;
  size: number;
  caller: OicpCaller;
  requestId?: string;
  /** What reading the request's wire form could not carry or had to assume (older SOAP spellings). */
  findings: Finding[];
}

type OicpHandler<N extends OperationName> = (request: RequestOf<N>, context: OicpCallContext) => Promise<ResponseOf<N>> | ResponseOf<N>;
export type OicpHandlers = { [N in OperationName]?: OicpHandler<N> };

/** Decides whether a caller may make this call; a refusal (017) when not. */
export type OicpAuthorizer = (caller: OicpCaller, operation: OperationName, partyId: string | undefined) => OicpRefusal | undefined;

/** The encoding spoken: OICP 2.3 REST/JSON, or the SOAP/XML of OICP 2.x. */
export type OicpWire = 'rest' | 'soap';

/** One call as it was answered: for traffic records and tests, in canonical (2.3) form whatever the wire. */
export interface OicpExchange {
  wire: OicpWire;
  operation: OperationName;
  partyId?: string;
  request: unknown;
  httpStatus: number;
  response: unknown;
}

export interface OicpServerOptions {
  serves: readonly OperationName[];
  handlers: OicpHandlers;
  authorize: OicpAuthorizer;
  bodyLimit: string;
  /** Largest body of a bulk SOAP operation (EVSE data and status pushes, pricing, tokens); default 512mb. */
  bulkBodyLimit?: string;
  /** Operators this server answers for: EvseIDs of others are refused with 018. Empty: no such check. */
  operatorIds?: readonly string[];
  /** Told of every answered call. */
  onExchange?: (exchange: OicpExchange) => void;
  logger: Logger;
}

/** Callers must present a certificate our CA verified (TLS terminated by this process). */
export const requireClientCertificate: OicpAuthorizer = (caller) =>
  caller.verified ? undefined : new OicpRefusal('017', 'a client certificate issued by the trusted CA is required', 403);

/**
 * TLS is terminated by a proxy in front of us, which must verify the client certificate itself;
 * every request that reaches us is trusted. Documented in docs/oicp.md (Server routes) as `trusted-network`.
 */
export const trustTerminatingProxy: OicpAuthorizer = () => undefined;

export function callerOf(req: Request): OicpCaller {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return { verified: false };
  // Null once the socket is gone (a caller that hung up while its call waited).
  const certificate = socket.getPeerCertificate() as ReturnType<TLSSocket['getPeerCertificate']> | null;
  const commonName = certificate?.subject?.CN;
  return { verified: socket.authorized === true, commonName: Array.isArray(commonName) ? commonName[0] : commonName };
}

type CallOutcome = { ok: true; answer: unknown } | { ok: false; refusal: OicpRefusal };

/** A call as its transport read it; `query` holds the page parameters of paged pulls. */
type IncomingCall = Omit<OicpCallContext, 'operation' | 'page' | 'size'> & {
  query: Request['query'];
  /** The caller knows no pages (OICP 2.x SOAP without `page`/`size`): a pull answers the whole result in one page. */
  unpaged?: boolean;
};

/** Runs one call through checks and handler; never throws. */
export async function answerCall(name: OperationName, body: unknown, call: IncomingCall, options: OicpServerOptions, log: Logger): Promise<CallOutcome> {
  const operation: OicpOperation = OPERATIONS[name];
  const { query, unpaged, ...context } = call;
  try {
    const page = unpaged && operation.paged ? { page: 0, size: Number.MAX_SAFE_INTEGER } : requestedPage(query, operation);
    const denied = options.authorize(context.caller, name, context.partyId);
    if (denied) throw denied;
    const checked = check(operation.request, body);
    if (checked.findings.length > 0) {
      throw new OicpRefusal('022', checked.findings.map((f) => `${f.path}: ${f.message}`).join('; '), 400);
    }
    checkConsistency(name, context.partyId, checked.value as Record<string, unknown>, options.operatorIds);
    const handler = options.handlers[name] as OicpHandler<OperationName> | undefined;
    if (!handler) throw new OicpRefusal('320', `${name} is not offered here`, 501);
    const answer = await handler(checked.value as RequestOf<OperationName>, { ...context, ...page, operation: name });
    const valid = check(operation.response, answer);
    if (valid.findings.length > 0) {
      log.error('our OICP answer breaks the schema; answering 021', { operation: name, findings: valid.findings });
      throw new OicpRefusal('021', 'the answer could not be produced', 500);
    }
    return { ok: true, answer: valid.value };
  } catch (err) {
    if (err instanceof OicpRefusal) {
      if (err.httpStatus >= 500) log.warn('OICP request failed', { operation: name, code: err.code });
      const notAuthorized = refusedAuthorization(name, body, err);
      return notAuthorized ? { ok: true, answer: notAuthorized } : { ok: false, refusal: err };
    }
    log.error('OICP handler failed', { operation: name, error: err });
    return { ok: false, refusal: new OicpRefusal('021', 'internal error', 500) };
  }
}

/**
 * An authorization refused for a reason of the business (a partner that does not answer, 310) is
 * answered in the authorization's own shape, NotAuthorized with the StatusCode, as the OpenAPI's only
 * 200 answer of AuthorizeStart/Stop is; an acknowledgement there is what a partner cannot read.
 */
function refusedAuthorization(name: OperationName, body: unknown, refusal: OicpRefusal): unknown {
  if (refusal.httpStatus !== 200 || (name !== 'AuthorizeStart' && name !== 'AuthorizeStop')) return undefined;
  const sessionId = (body as { SessionID?: unknown } | null)?.SessionID;
  return { ...(typeof sessionId === 'string' && { SessionID: sessionId }), AuthorizationStatus: 'NotAuthorized', StatusCode: refusal.acknowledgement.StatusCode };
}

/**
 * The refusal for a body the parser would not read (too large, unreadable, not JSON), answered in
 * each wire's form; undefined when the failure is ours, not the caller's.
 */
export function bodyRefusal(err: { type?: string; status?: number }): OicpRefusal | undefined {
  if (err.type === 'entity.too.large') return new OicpRefusal('022', 'request body too large', 413);
  if (err.type === 'entity.parse.failed') return new OicpRefusal('022', 'request body is not valid JSON', 400);
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return new OicpRefusal('022', 'unreadable request', err.status);
  return undefined;
}

/** The page a paged pull asks for (`page`, `size` query parameters, both wires). */
function requestedPage(query: Request['query'], operation: OicpOperation): { page: number; size: number } {
  if (!operation.paged) return { page: 0, size: 0 };
  const number = (name: string, fallback: number, max: number): number => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    const value = typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value <= max)) throw new OicpRefusal('022', `query parameter ${name} must be an integer from 0 to ${max}`, 400);
    return value;
  };
  return { page: number('page', 0, 1e9), size: Math.max(1, number('size', operation.paged.defaultSize, operation.paged.maxSize)) };
}
