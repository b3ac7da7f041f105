/**
 * OICP 2.3 REST server side: Express routes for the operations a participant serves, built from the
 * operation table. Routes only translate HTTP to a handler call: authenticate the caller, parse,
 * validate (022 with the field paths), check identities (017/018), call the injected handler, and
 * make sure what goes back is a valid OICP answer. Handlers refuse by throwing `OicpRefusal`.
 */
import type { TLSSocket } from 'node:tls';
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Logger } from '../observability/logger';
import { check } from '../schema/typebox';
import { checkConsistency } from './consistency';
import { OPERATIONS, operationPath, type OicpOperation, type OperationName, type RequestOf, type ResponseOf } from './operations';
import { OicpRefusal, acknowledgement } from './status-codes';

/** Who is calling, as far as TLS tells: the verified client certificate's subject, when there is one. */
export interface OicpCaller {
  /** Whether the caller presented a certificate our CA vouches for. */
  verified: boolean;
  /** Common name of that certificate (Hubject puts the operator or provider id there). */
  commonName?: string;
}

export interface OicpCallContext {
  operation: OperationName;
  /** The operator or provider id of the path, as written. */
  partyId?: string;
  page: number;
  size: number;
  caller: OicpCaller;
  requestId?: string;
}

export type OicpHandler<N extends OperationName> = (request: RequestOf<N>, context: OicpCallContext) => Promise<ResponseOf<N>> | ResponseOf<N>;
export type OicpHandlers = { [N in OperationName]?: OicpHandler<N> };

/** Decides whether a caller may make this call; a refusal (017) when not. */
export type OicpAuthorizer = (caller: OicpCaller, operation: OperationName, partyId: string | undefined) => OicpRefusal | undefined;

export interface OicpRouterOptions {
  serves: readonly OperationName[];
  handlers: OicpHandlers;
  authorize: OicpAuthorizer;
  bodyLimit: string;
  /** Operators this server answers for: EvseIDs of others are refused with 018. Empty: no such check. */
  operatorIds?: readonly string[];
  logger: Logger;
}

/** Callers must present a certificate our CA verified (TLS terminated by this process). */
export const requireClientCertificate: OicpAuthorizer = (caller) =>
  caller.verified ? undefined : new OicpRefusal('017', 'a client certificate issued by the trusted CA is required', 403);

/**
 * TLS is terminated by a proxy in front of us, which must verify the client certificate itself;
 * every request that reaches us is trusted. Documented in the README as the proxy option.
 */
export const trustTerminatingProxy: OicpAuthorizer = () => undefined;

export function callerOf(req: Request): OicpCaller {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return { verified: false };
  const certificate = socket.getPeerCertificate();
  const commonName = certificate.subject?.CN;
  return { verified: socket.authorized === true, commonName: Array.isArray(commonName) ? commonName[0] : commonName };
}

export function oicpRouter(options: OicpRouterOptions): Router {
  const router = express.Router();
  // Any content type is read as JSON: partners send `application/json;charset=UTF-8` and worse.
  // Parsed per route, so the router never touches (or answers for) paths that are not OICP's.
  const json = express.json({ limit: options.bodyLimit, strict: true, type: () => true });
  for (const name of options.serves) {
    router.post(operationPath(name, { param: 'partyId' }), json, (req, res) => {
      void serve(name, req, res, options);
    });
  }
  router.use(bodyErrors(options.logger));
  return router;
}

async function serve<N extends OperationName>(name: N, req: Request, res: Response, options: OicpRouterOptions): Promise<void> {
  const operation: OicpOperation = OPERATIONS[name];
  const log = (res.locals.log as Logger | undefined) ?? options.logger;
  const partyId = typeof req.params.partyId === 'string' ? req.params.partyId : undefined;
  try {
    const caller = callerOf(req);
    const denied = options.authorize(caller, name, partyId);
    if (denied) throw denied;
    const checked = check(operation.request, req.body);
    if (checked.findings.length > 0) {
      throw new OicpRefusal('022', checked.findings.map((f) => `${f.path}: ${f.message}`).join('; '), 400);
    }
    checkConsistency(name, partyId, checked.value as Record<string, unknown>, options.operatorIds);
    const handler = options.handlers[name];
    if (!handler) throw new OicpRefusal('320', `${name} is not offered here`, 501);
    const context: OicpCallContext = { operation: name, partyId, caller, requestId: res.locals.requestId as string | undefined, ...requestedPage(req, operation) };
    const answer = await handler(checked.value as RequestOf<N>, context);
    const valid = check(operation.response, answer);
    if (valid.findings.length > 0) {
      log.error('our OICP answer breaks the schema; answering 021', { operation: name, findings: valid.findings });
      throw new OicpRefusal('021', 'the answer could not be produced', 500);
    }
    res.status(200).json(valid.value);
  } catch (err) {
    if (err instanceof OicpRefusal) {
      if (err.httpStatus >= 500) log.warn('OICP request failed', { operation: name, code: err.code });
      res.status(err.httpStatus).json(err.acknowledgement);
    } else {
      log.error('OICP handler failed', { operation: name, error: err });
      res.status(500).json(acknowledgement('021', 'internal error'));
    }
  }
}

function requestedPage(req: Request, operation: OicpOperation): { page: number; size: number } {
  if (!operation.paged) return { page: 0, size: 0 };
  const number = (name: string, fallback: number, max: number): number => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    const value = typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(value <= max)) throw new OicpRefusal('022', `query parameter ${name} must be an integer from 0 to ${max}`, 400);
    return value;
  };
  return { page: number('page', 0, 1e9), size: Math.max(1, number('size', operation.paged.defaultSize, operation.paged.maxSize)) };
}

/** Unreadable bodies are the caller's data error (022), answered in OICP terms, never a crash. */
function bodyErrors(logger: Logger): ErrorRequestHandler {
  return (err: { type?: string; status?: number }, _req, res, next) => {
    if (err.type === 'entity.too.large') res.status(413).json(acknowledgement('022', 'request body too large'));
    else if (err.type === 'entity.parse.failed') res.status(400).json(acknowledgement('022', 'request body is not valid JSON'));
    else if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) res.status(err.status).json(acknowledgement('022', 'unreadable request'));
    else {
      logger.error('OICP request failed before its handler', { error: err });
      next(err);
    }
  };
}
