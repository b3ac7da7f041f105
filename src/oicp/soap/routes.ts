/**
 * The OICP 2.x SOAP endpoints: one POST path per service, the operation chosen by the element in the
 * SOAP Body. They read the envelope safely, turn it into the canonical request, and hand it to the
 * same `answerCall` as the REST routes; answers and refusals go back as envelopes and faults.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Logger } from '../../observability/logger';
import { answerCall, bodyRefusal, callerOf, type OicpServerOptions } from '../calls';
import { partyNamedInBody } from '../consistency';
import { OPERATIONS, OPERATION_NAMES, type OicpOperation, type OperationName } from '../operations';
import { OicpRefusal } from '../status-codes';
import { SOAP_CONTENT_TYPE, decodeRequest, readSoapBody, soapAnswer, soapRefusal } from './envelope';
import { SOAP_BASE_PATH, soapPath, type SoapService } from './services';
import { servedWsdl, soapDefinitions } from './wsdl';
import { XmlRefused } from './xml';

/** The operation a body element names within a service: its request element or one of its 2.x aliases. */
function operationOf(service: SoapService, element: string): OperationName | undefined {
  return OPERATION_NAMES.find((name) => {
    const { soap }: OicpOperation = OPERATIONS[name];
    return soap.service === service && (soap.request === element || soap.requestAliases?.includes(element));
  });
}

/**
 * The SOAP routes of the services `options.serves` touches. Each service also serves its WSDL
 * (`?wsdl`, naming the address it was asked at) and, next to it, the XSDs that WSDL imports, so a
 * peer's SOAP tooling can be pointed at the endpoint itself.
 */
export function soapEndpoints(options: OicpServerOptions): Router {
  const router = express.Router();
  // The size limit is the body parser's; parseXml's own cap is for answers we read as a client.
  const text = express.text({ limit: options.bodyLimit, type: () => true });
  const services = new Set(options.serves.map((name) => (OPERATIONS[name] as OicpOperation).soap.service));
  let definitions: Map<string, string> | undefined;
  const documents = () => (definitions ??= soapDefinitions());
  for (const service of services) {
    router.post(soapPath(service), text, (req, res) => {
      void serveSoap(service, req, res, options);
    });
    router.get(soapPath(service), (req, res) => {
      if (req.query.wsdl === undefined) res.status(405).set('allow', 'POST').type('text/plain').send('POST a SOAP envelope, or GET ?wsdl');
      else res.type('text/xml').send(servedWsdl(documents(), service, `${req.protocol}://${req.get('host') ?? ''}`));
    });
    router.get(`${SOAP_BASE_PATH}/${service}/:file`, (req, res, next) => {
      const file = req.params.file;
      const xsd = file.endsWith('.xsd') ? documents().get(file) : undefined;
      if (xsd === undefined) next();
      else res.type('text/xml').send(xsd);
    });
  }
  return router;
}

async function serveSoap(service: SoapService, req: Request, res: Response, options: OicpServerOptions): Promise<void> {
  const log = (res.locals.log as Logger | undefined) ?? options.logger;
  const send = (httpStatus: number, xml: string) => res.status(httpStatus).type(SOAP_CONTENT_TYPE).send(xml);
  let name: OperationName | undefined;
  try {
    const { element, content } = readSoapBody(typeof req.body === 'string' ? req.body : '', { maxBytes: Number.MAX_SAFE_INTEGER });
    name = operationOf(service, element);
    if (name === undefined) throw new OicpRefusal('022', `${element} is not an operation of the ${service} service`, 400);
    if (!options.serves.includes(name)) throw new OicpRefusal('320', `${name} is not offered here`, 501);
    const { value, findings } = decodeRequest(name, content);
    // No path names the party in 2.x; where the body does not either, the handler knows the caller
    // from its certificate (Hubject) or does not need to (a partner answering the hub).
    const partyId = OPERATIONS[name].party === 'none' ? undefined : partyNamedInBody(name, value);
    const outcome = await answerCall(name, value, { partyId, caller: callerOf(req), requestId: res.locals.requestId as string | undefined, findings, query: req.query }, options, log);
    const answer = outcome.ok ? { httpStatus: 200, xml: soapAnswer(name, outcome.answer).value } : soapRefusal(name, service, outcome.refusal);
    options.onExchange?.({ wire: 'soap', operation: name, partyId, request: value, httpStatus: answer.httpStatus, response: outcome.ok ? outcome.answer : outcome.refusal.acknowledgement });
    send(answer.httpStatus, answer.xml);
  } catch (err) {
    const refusal = err instanceof OicpRefusal ? err : err instanceof XmlRefused ? new OicpRefusal('022', err.message, 400) : undefined;
    if (!refusal) log.error('SOAP request failed', { operation: name, error: err });
    const answer = soapRefusal(name, service, refusal ?? new OicpRefusal('021', 'internal error', 500));
    send(answer.httpStatus, answer.xml);
  }
}

/** Bodies the parser refused (too large, unreadable) on a SOAP path are answered with a fault. */
export function soapErrors(logger: Logger): ErrorRequestHandler {
  return (err: { type?: string; status?: number }, req, res, next) => {
    if (!req.path.startsWith(`${SOAP_BASE_PATH}/`)) {
      next(err);
      return;
    }
    const service = req.path.split('/')[2] as SoapService;
    const callersFault = bodyRefusal(err);
    if (!callersFault) logger.error('SOAP request failed before its handler', { error: err });
    const refusal = callersFault ?? new OicpRefusal('021', 'internal error', 500);
    const { xml } = soapRefusal(undefined, service, refusal);
    // The size refusal keeps its own status: proxies and clients act on 413, not on a fault's 500.
    res
      .status(refusal.httpStatus === 413 ? 413 : 500)
      .type(SOAP_CONTENT_TYPE)
      .send(xml);
  };
}
