/**
 * OICP server routes for the operations a participant serves, built from the operation table: the
 * 2.3 REST/JSON routes (one path per operation) and the 2.x SOAP/XML endpoints (one per service).
 * Routes only translate HTTP to `answerCall` and back; what a call means is the handlers' business.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: rest-any-content-type, rest-refusal-http-status, unserved-operation-320, soap-fault-http-status (src/oicp/errata.ts).
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { isBodyRefused, jsonBody } from '../http/json-body';
import type { Logger } from '../observability/logger';
import { answerCall, bodyRefusal, callerOf, type OicpServerOptions } from './calls';
import { OICP_BASE_PATH, OPERATIONS, OPERATION_NAMES, operationPath, type OicpOperation, type OperationName } from './wire/operations';
import { SOAP_CONTENT_TYPE, soapFault } from './soap/envelope';
import { SOAP_BASE_PATH, serviceAt } from './wire/soap-services';
import { soapEndpoints } from './soap-routes';
import { OicpRefusal } from './wire/status-codes';

export { requireClientCertificate, trustTerminatingProxy, callerOf } from './calls';
export type { OicpAuthorizer, OicpCallContext, OicpCaller, OicpExchange, OicpHandlers, OicpServerOptions, OicpWire } from './calls';

export function oicpRouter(options: OicpServerOptions): Router {
  const router = express.Router();
  // Any content type is read as JSON: partners send `application/json;charset=UTF-8` and worse.
  // Parsed per route, so the router never touches (or answers for) paths that are not OICP's.
  // Nesting is capped (and a NUL refused) before parsing, as the SOAP routes' XML reader caps it.
  const json = jsonBody({ limit: options.bodyLimit, strict: true, type: () => true });
  for (const name of options.serves) {
    router.post(operationPath(name, { param: 'partyId' }), json, (req, res) => {
      void serveRest(name, req, res, options);
    });
  }
  router.use(soapEndpoints(options));
  router.use(OICP_BASE_PATH, (req, res) => {
    const refusal = unservedRest(req.method, `${OICP_BASE_PATH}${req.path}`);
    res.status(refusal.httpStatus).json(refusal.acknowledgement);
  });
  router.use(SOAP_BASE_PATH, (req, res) => {
    const service = serviceAt(req.path);
    const refusal = new OicpRefusal('320', `no OICP 2.x endpoint at ${req.method} ${SOAP_BASE_PATH}${req.path}`);
    res.status(404).type(SOAP_CONTENT_TYPE).send(soapFault({ faultcode: 'Client', faultstring: `OICP: ${refusal.additionalInfo ?? ''}`, acknowledgement: refusal.acknowledgement, service }));
  });
  router.use(restErrors(options.logger));
  return router;
}

/** Each operation's REST path as a pattern, any party id in its party segment. */
const OPERATION_PATTERNS = OPERATION_NAMES.map((name) => ({ name, pattern: new RegExp(`^${operationPath(name, { param: 'partyId' }).replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(':partyId', '[^/]+')}/?$`) }));

/** Every OICP path the routes above did not take, in OICP terms: an operation this bridge's role does not serve, or no operation at all. */
function unservedRest(method: string, path: string): OicpRefusal {
  const operation = OPERATION_PATTERNS.find(({ pattern }) => pattern.test(path))?.name;
  if (operation === undefined) return new OicpRefusal('320', `no OICP operation at ${method} ${path}`, 404);
  if (method !== 'POST') return new OicpRefusal('320', `${operation} is called with POST`, 405);
  const served = (OPERATIONS[operation] as OicpOperation).servedBy;
  return new OicpRefusal('320', `${operation} is not served by this bridge${served ? ` (an OICP ${served} serves it)` : ' (Hubject serves it)'}`, 501);
}

async function serveRest(name: OperationName, req: Request, res: Response, options: OicpServerOptions): Promise<void> {
  const log = (res.locals.log as Logger | undefined) ?? options.logger;
  const partyId = typeof req.params.partyId === 'string' ? req.params.partyId : undefined;
  const outcome = await answerCall(name, req.body, { partyId, caller: callerOf(req), requestId: res.locals.requestId as string | undefined, findings: [], query: req.query }, options, log);
  const [httpStatus, response] = outcome.ok ? [200, outcome.answer] : [outcome.refusal.httpStatus, outcome.refusal.acknowledgement];
  options.onExchange?.({ wire: 'rest', operation: name, partyId, request: req.body as unknown, httpStatus, response });
  res.status(httpStatus).json(response);
}

/** Unreadable bodies are the caller's data error (022), answered in OICP terms, never a crash. */
function restErrors(logger: Logger): ErrorRequestHandler {
  return (err: { type?: string; status?: number }, _req, res, next) => {
    const refusal = isBodyRefused(err) ? new OicpRefusal('022', err.message, err.status) : bodyRefusal(err);
    if (refusal) res.status(refusal.httpStatus).json(refusal.acknowledgement);
    else {
      logger.error('OICP request failed before its handler', { error: err });
      next(err);
    }
  };
}
