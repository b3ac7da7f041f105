/**
 * The OICP 2.x SOAP endpoints: per service one POST path per namespace version (any of which reads
 * every release), the operation chosen by the element in the SOAP Body and the release by its
 * namespace. The body is read as it arrives (`SoapRequestReader`), under the body limit, or the bulk
 * limit once the body element names a bulk operation; the canonical request goes to the same
 * `answerCall` as the REST routes, and the answer goes back in the release the caller spoke.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: unserved-operation-320, soap-spellings-of-any-release, soap-fault-http-status (src/oicp/errata.ts).
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../observability/logger';
import { answerCall, callerOf, type OicpServerOptions } from './calls';
import { partyNamedInBody } from './consistency';
import { OPERATIONS, type OicpOperation, type OperationName } from './wire/operations';
import { OicpRefusal } from './wire/status-codes';
import { SOAP_CONTENT_TYPE, SoapRequestReader, soapAnswer, soapFault, soapRefusal, type SoapRequest } from './soap/envelope';
import { SoapFaultError } from './soap/reader';
import { LATEST_RELEASE, SOAP_BASE_PATH, serviceVersions, soapPath, type SoapRelease, type SoapService } from './wire/soap-services';
import { DEFAULT_BULK_BODY_LIMIT, byteSize } from './wire/limits';
import { servedWsdl, soapDefinitions } from './soap/wsdl';

interface Limits {
  body: number;
  bulk: number;
}

/**
 * The SOAP routes of the services `options.serves` touches. Each service also serves its WSDL
 * (`?wsdl` on its latest path, naming the address it was asked at) and, next to it, the XSDs that
 * WSDL imports, so a peer's SOAP tooling can be pointed at the endpoint itself.
 */
export function soapEndpoints(options: OicpServerOptions): Router {
  const router = express.Router();
  const limits = { body: byteSize(options.bodyLimit), bulk: Math.max(byteSize(options.bodyLimit), byteSize(options.bulkBodyLimit ?? DEFAULT_BULK_BODY_LIMIT)) };
  const services = new Set(options.serves.map((name) => (OPERATIONS[name] as OicpOperation).soap.service));
  let definitions: Map<string, string> | undefined;
  const documents = () => (definitions ??= soapDefinitions());
  for (const service of services) {
    for (const version of serviceVersions(service)) {
      const path = `${SOAP_BASE_PATH}/${service}/${version}`;
      router.post(path, (req, res) => {
        void serveSoap(service, req, res, options, limits);
      });
      router.get(path, (req, res) => {
        if (req.query.wsdl === undefined) res.status(405).set('allow', 'POST').type('text/plain').send('POST a SOAP envelope, or GET ?wsdl');
        else if (path !== soapPath(service)) res.status(404).type('text/plain').send(`the WSDL served here describes OICP ${LATEST_RELEASE}: GET ${soapPath(service)}?wsdl (docs/oicp-soap.md)`);
        else res.type('text/xml').send(servedWsdl(documents(), service, `${req.protocol}://${req.get('host') ?? ''}${typeof res.locals.mountPath === 'string' ? res.locals.mountPath : ''}`));
      });
    }
    router.get(`${SOAP_BASE_PATH}/${service}/:file`, (req, res, next) => {
      const file = req.params.file;
      const xsd = file.endsWith('.xsd') ? documents().get(file) : undefined;
      if (xsd === undefined) next();
      else res.type('text/xml').send(xsd);
    });
  }
  return router;
}

class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body too large (more than ${limit} bytes)`);
  }
}

/** The request read from the body as it arrives; the limit tightens to the body limit unless the body element is a bulk operation's. */
function readRequest(req: Request, service: SoapService, limits: Limits): Promise<SoapRequest> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limits.bulk) return reject(new TooLarge(limits.bulk));
    const reader = new SoapRequestReader(service);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let size = 0;
    const fail = (err: unknown) => {
      req.removeAllListeners('data');
      req.removeAllListeners('end');
      req.resume();
      // By its code: the decoder's TypeError may come from another realm (test runners), where instanceof fails.
      const notUtf8 = (err as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
      reject(notUtf8 ? new SoapFaultError('Client', 'the body is not UTF-8 text') : err instanceof Error ? err : new Error(String(err)));
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      try {
        // A chunk is read before the limit is checked: the body element it may hold says which limit
        // applies (until it is read, the smaller one), and a chunk is only what one socket read brings.
        reader.write(decoder.decode(chunk, { stream: true }));
        const limit = reader.operation && (OPERATIONS[reader.operation.name] as OicpOperation).soap.bulk ? limits.bulk : limits.body;
        if (size > limit) throw new TooLarge(limit);
      } catch (err) {
        fail(err);
      }
    });
    req.on('end', () => {
      try {
        reader.write(decoder.decode());
        resolve(reader.end());
      } catch (err) {
        fail(err);
      }
    });
    req.on('error', fail);
  });
}

async function serveSoap(service: SoapService, req: Request, res: Response, options: OicpServerOptions, limits: Limits): Promise<void> {
  const log = (res.locals.log as Logger | undefined) ?? options.logger;
  const send = (httpStatus: number, xml: string) => res.status(httpStatus).type(SOAP_CONTENT_TYPE).send(xml);
  let name: OperationName | undefined;
  let release: SoapRelease = LATEST_RELEASE;
  try {
    const request = await readRequest(req, service, limits);
    ({ name, release } = request);
    if (!options.serves.includes(name)) throw new OicpRefusal('320', `${name} is not offered here`, 501);
    // No path names the party in 2.x; where the body does not either, the handler knows the caller
    // from its certificate (Hubject) or does not need to (a partner answering the hub).
    const partyId = OPERATIONS[name].party === 'none' ? undefined : partyNamedInBody(name, request.value);
    const outcome = await answerCall(
      name,
      request.value,
      // 2.x had no pages: a caller that asks for none gets the whole result, as Hubject's 2.x gave it.
      { partyId, caller: callerOf(req), requestId: res.locals.requestId as string | undefined, findings: request.findings, query: req.query, unpaged: req.query.page === undefined && req.query.size === undefined },
      options,
      log,
    );
    const answer = outcome.ok ? { httpStatus: 200, xml: soapAnswer(name, outcome.answer, { release, requestElement: request.element }).value } : soapRefusal(name, service, outcome.refusal, release);
    options.onExchange?.({ wire: 'soap', operation: name, partyId, request: request.value, httpStatus: answer.httpStatus, response: outcome.ok ? outcome.answer : outcome.refusal.acknowledgement });
    send(answer.httpStatus, answer.xml);
  } catch (err) {
    if (err instanceof TooLarge) {
      // The size refusal keeps its own status: proxies and clients act on 413, not on a fault's 500.
      const refusal = new OicpRefusal('022', 'request body too large', 413);
      res.set('connection', 'close');
      send(413, soapFault({ faultcode: 'Client', faultstring: `${name ?? 'OICP'}: ${err.message}`, acknowledgement: refusal.acknowledgement, service, release }));
      return;
    }
    if (err instanceof SoapFaultError) {
      // Faults of the envelope itself concern no Body: SOAP 1.1 gives them no detail.
      const aboutBody = err.faultcode === 'Client' || err.faultcode === 'Server';
      const refusal = new OicpRefusal('022', err.message, 400);
      send(500, soapFault({ faultcode: err.faultcode, faultstring: `OICP: ${err.message}`, acknowledgement: aboutBody ? refusal.acknowledgement : undefined, service, release }));
      return;
    }
    const refusal = err instanceof OicpRefusal ? err : undefined;
    if (!refusal) log.error('SOAP request failed', { operation: name, error: err });
    const answer = soapRefusal(name, service, refusal ?? new OicpRefusal('021', 'internal error', 500), release);
    send(answer.httpStatus, answer.xml);
  }
}
