/**
 * The WSDL/XSD set of the SOAP edge: committed as generated, accepting every generated SOAP message
 * (libxml2 validates them), refusing what the codec would not write, and good enough for two generic
 * SOAP stacks (strong-soap and node-soap) to call our endpoints over mutual TLS from the served WSDL
 * and parse the answers themselves.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import https from 'node:https';
import * as nodeSoap from 'soap';
import { soap, type SoapCallback, type SoapClient } from 'strong-soap';
import { NODE_SOAP, STRONG_SOAP, byLanguage, clientArgs, type ClientStyle } from '../support/soap-clients';
import { OPERATIONS } from '../../src/oicp/wire/operations';
import request from 'supertest';
import { PLACEHOLDER_BASE_URL, operationName, soapDefinitions, xsdPattern } from '../../src/oicp/soap/wsdl';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { soapPath, type SoapService } from '../../src/oicp/wire/soap-services';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';
import type { EvseDataRecord } from '../../src/oicp/wire/schemas';
import { parse } from 'yaml';
import { OICP_SCHEMAS } from '../support/oicp-schema';
import { WSDL_DIR } from '../../scripts/oicp-wsdl';
import { FIXTURES } from '../../scripts/oicp-fixtures';
import { envelopeErrors } from '../support/xsd';
import { CPO_ID, EMP_ID, quietLogger, startOicpNetwork, type OicpNetwork } from '../support/oicp-network';

const generated = readdirSync(FIXTURES).flatMap((operation) =>
  readdirSync(join(FIXTURES, operation))
    .filter((file) => file.endsWith('.xml'))
    .map((file) => ({ name: `${operation}/${file}`, xml: readFileSync(join(FIXTURES, operation, file), 'utf8') })),
);

it('the committed set in src/oicp/soap/wsdl is what `npm run wsdl:oicp` writes', () => {
  const committed = new Map(readdirSync(WSDL_DIR).map((file) => [file, readFileSync(join(WSDL_DIR, file), 'utf8')]));
  expect(committed).toEqual(soapDefinitions());
  expect([...committed.keys()].filter((file) => file.endsWith('.wsdl'))).toHaveLength(7);
});

it('XSD patterns are the schemas’ patterns without anchors and non-capturing groups', () => {
  expect(xsdPattern('^[A-Z]{3}$')).toBe('[A-Z]{3}');
  expect(xsdPattern('(^[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}$)|^\\*$')).toBe('([A-Za-z]{2}[*-]?[A-Za-z0-9]{3})|\\*');
  expect(xsdPattern('^[a-z]{2,3}(?:-[A-Z]{2,3})?$')).toBe('[a-z]{2,3}(-[A-Z]{2,3})?');
});

describe('libxml2 against the XSDs', () => {
  it('accepts every generated request and answer (fixtures/oicp)', async () => {
    expect(generated.length).toBeGreaterThanOrEqual(36);
    expect(await envelopeErrors(generated)).toEqual([]);
  });

  it('refuses what the codec does not write: an unknown enum value, an unknown element, a common type in the wrong namespace, an undeclared body', async () => {
    const push = generated.find((fixture) => fixture.name.startsWith('PushEvseData/request'))!.xml;
    const broken = {
      enum: push.replace(/<EVSEData:Plug>[^<]+</, '<EVSEData:Plug>Type 9<'),
      element: push.replace('<EVSEData:Address>', '<EVSEData:Colour>red</EVSEData:Colour><EVSEData:Address>'),
      namespace: push.replace(/CommonTypes:Country>/g, 'EVSEData:Country>'),
      body: push.replace(/eRoamingPushEvseData\b/g, 'eRoamingPushEvseDatum'),
    };
    for (const [kind, xml] of Object.entries(broken)) {
      expect([kind, xml]).not.toEqual([kind, push]);
      expect([kind, (await envelopeErrors([{ name: kind, xml }])).length]).not.toEqual([kind, 0]);
    }
  });
});

/**
 * A generic SOAP stack driven from the served WSDL over mutual TLS, calling by the WSDL's operation
 * names and reading the stack's own parsed result: no help from our codec on the way back.
 */
interface GenericClient {
  name: string;
  style: ClientStyle;
  connect(url: string, tls: { key: Buffer; cert: Buffer; ca: Buffer }): Promise<unknown>;
  /** The parsed answer, or the fault the stack reports. */
  call(client: unknown, operation: string, element: string, args: unknown): Promise<{ result?: Record<string, unknown>; fault?: { faultcode: string; detail?: { eRoamingAcknowledgement?: { StatusCode?: Record<string, unknown> } } }; request: string; response: string }>;
}

type StrongFault = { root?: { Envelope: { Body: { Fault: NonNullable<Awaited<ReturnType<GenericClient['call']>>['fault']> } } } };

const GENERIC_CLIENTS: GenericClient[] = [
  {
    name: 'strong-soap',
    style: STRONG_SOAP,
    connect: (url, tls) =>
      new Promise<SoapClient>((resolve, reject) =>
        soap.createClient(url, { wsdl_options: tls }, (err, made) => {
          if (err) return reject(err);
          made.setSecurity(new soap.ClientSSLSecurity(tls.key, tls.cert, tls.ca));
          resolve(made);
        }),
      ),
    // Document/literal: strong-soap takes the body element by its name.
    call: (client, operation, element, args) =>
      new Promise((resolve) => {
        const made = client as SoapClient;
        (made[operation] as (args: unknown, callback: SoapCallback) => void)({ [element]: args }, (err, result) =>
          resolve({ result: result as Record<string, unknown> | undefined, fault: (err as StrongFault | null)?.root?.Envelope.Body.Fault, request: made.lastRequest ?? '', response: made.lastResponse ?? '' }),
        );
      }),
  },
  {
    name: 'soap (node-soap)',
    style: NODE_SOAP,
    connect: async (url, tls) => {
      const made = await nodeSoap.createClientAsync(url, { wsdl_options: { httpsAgent: new https.Agent(tls) } });
      made.setSecurity(new nodeSoap.ClientSSLSecurity(tls.key, tls.cert, tls.ca));
      return made;
    },
    call: async (client, operation, _element, args) => {
      const made = client as nodeSoap.Client;
      try {
        const [result] = (await (made[`${operation}Async`] as (args: unknown) => Promise<[Record<string, unknown>]>)(args)) ;
        return { result, request: made.lastRequest ?? '', response: made.lastResponse as string };
      } catch (err) {
        const fault = (err as { root?: { Envelope: { Body: { Fault: NonNullable<Awaited<ReturnType<GenericClient['call']>>['fault']> } } } }).root?.Envelope.Body.Fault;
        return { fault, request: made.lastRequest ?? '', response: made.lastResponse as string };
      }
    },
  },
];

describe.each(GENERIC_CLIENTS)('$name, a generic SOAP client, calling the Hubject simulator from the served WSDL', (generic) => {
  let net: OicpNetwork;
  const clients: Partial<Record<SoapService, unknown>> = {};
  const call = (service: SoapService, element: string, args: unknown) => generic.call(clients[service], operationName({ name: element }), element, args);

  beforeAll(async () => {
    net = await startOicpNetwork('soap');
    const tlsOf = (identity: { cert: string; key: string }) => ({ key: net.pki.read(identity.key), cert: net.pki.read(identity.cert), ca: net.pki.read(net.pki.ca) });
    const cpo = tlsOf({ cert: net.pki.clientCert, key: net.pki.clientKey });
    for (const service of ['authorization', 'evsedata'] as const) clients[service] = await generic.connect(`${net.hubServer.url}${soapPath(service)}?wsdl`, cpo);
    // Statuses are pulled by an EMP: Hubject compares the certificate with the ProviderID.
    clients.evsestatus = await generic.connect(`${net.hubServer.url}${soapPath('evsestatus')}?wsdl`, tlsOf(net.pki.issueClient(`generic-emp-${generic.style.attributes}`, EMP_ID)));
  }, 30_000);
  afterAll(async () => {
    await net?.close();
  });

  it('pushes the official EVSE record (attributes, wrapped lists, CommonTypes, one-language names) and gets the parsed acknowledgement', async () => {
    const example = (parse(readFileSync(join(OICP_SCHEMAS, 'openapi-cpo', 'schemas', 'eRoamingPushEvseData.yaml'), 'utf8')) as { example: PushEvseDataRequest }).example;
    const record: EvseDataRecord = { ...example.OperatorEvseData.EvseDataRecord[0]!, EvseID: `${CPO_ID}*E77`, deltaType: 'insert', lastUpdate: '2026-11-24T10:00:00.000Z' };
    const push: PushEvseDataRequest = { ActionType: 'insert', OperatorEvseData: { OperatorID: CPO_ID, OperatorName: 'ABC technologies', EvseDataRecord: [record] } };
    const { result, fault, request, response } = await call('evsedata', 'eRoamingPushEvseData', clientArgs(OPERATIONS.PushEvseData.request, 'eRoamingPushEvseData', push, 'CPO', generic.style));
    expect(fault).toBeUndefined();
    expect(result).toMatchObject({ Result: true, StatusCode: { Code: '000' } });
    const received = net.hub.traffic.find((t) => t.direction === 'in' && t.operation === 'PushEvseData')?.request;
    expect(byLanguage(received)).toEqual(byLanguage(push));
    expect(await envelopeErrors([{ name: 'request', xml: request }, { name: 'answer', xml: response }])).toEqual([]);
  });

  it('authorizes a start: the client writes what our endpoint reads, and its own parser reads the answer', async () => {
    net.emp.handlers.AuthorizeStart = (request) => ({ SessionID: request.SessionID, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } });
    const start = { OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } }, CPOPartnerSessionID: 'cpo-7' };
    // Arguments in the XSD's order: node-soap writes them in the order given.
    const { result, fault, request, response } = await call('authorization', 'eRoamingAuthorizeStart', clientArgs(OPERATIONS.AuthorizeStart.request, 'eRoamingAuthorizeStart', start, 'CPO', generic.style));
    expect(fault).toBeUndefined();
    expect(result).toEqual({ SessionID: expect.any(String) as unknown, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } });
    expect(net.hub.traffic.find((t) => t.direction === 'out' && t.operation === 'AuthorizeStart')?.request).toMatchObject({
      OperatorID: CPO_ID,
      EvseID: 'DE*ABC*E1',
      Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } },
      CPOPartnerSessionID: 'cpo-7',
    });
    expect(await envelopeErrors([{ name: 'request', xml: request }, { name: 'answer', xml: response }])).toEqual([]);
  });

  it('pulls statuses by EvseID and reads eRoamingEvseStatusById / EvseStatusRecords', async () => {
    await net.cpo.client.call('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Occupied' }] } });
    const { result, fault, response } = await call('evsestatus', 'eRoamingPullEvseStatusById', { ProviderID: EMP_ID, EvseID: ['DE*ABC*E1', 'DE*ABC*E404'] });
    expect(fault).toBeUndefined();
    expect(response).toContain('eRoamingEvseStatusById>');
    const records = (result as { EvseStatusRecords: { EvseStatusRecord: unknown } }).EvseStatusRecords.EvseStatusRecord;
    expect(records).toEqual([
      { EvseID: 'DE*ABC*E1', EvseStatus: 'Occupied' },
      { EvseID: 'DE*ABC*E404', EvseStatus: 'EvseNotFound' },
    ]);
  });

  it('gets a SOAP Fault carrying the OICP StatusCode for a request our schema refuses', async () => {
    const { fault } = await call('authorization', 'eRoamingAuthorizeStart', { OperatorID: CPO_ID, EvseID: 'not an EVSE id', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
    expect(fault?.faultcode).toMatch(/Client$/);
    expect(fault?.detail?.eRoamingAcknowledgement?.StatusCode).toMatchObject({ Code: '022', AdditionalInfo: expect.stringContaining('EvseID') as unknown });
  });
});

describe('served WSDL', () => {
  const app = () => createHubjectSimulator({ logger: quietLogger() }).app;

  it('GET <service>?wsdl answers the WSDL naming the address it was asked at; the XSDs it imports are next to it', async () => {
    const wsdl = await request(app()).get(`${soapPath('evsedata')}?wsdl`).set('host', 'hub.test:8443');
    expect([wsdl.status, wsdl.headers['content-type']]).toEqual([200, 'text/xml; charset=utf-8']);
    expect(wsdl.text).toContain(`<soap:address location="http://hub.test:8443${soapPath('evsedata')}"/>`);
    expect(wsdl.text.replace(`http://hub.test:8443`, PLACEHOLDER_BASE_URL)).toBe(soapDefinitions().get('evsedata.wsdl'));
    for (const file of ['evsedata.xsd', 'commontypes.xsd']) expect((await request(app()).get(`/ws/evsedata/${file}`)).text).toBe(soapDefinitions().get(file));
  });

  it('answers a bare GET with 405 and an unknown document with 404', async () => {
    const bare = await request(app()).get(soapPath('evsedata'));
    expect([bare.status, bare.headers.allow]).toEqual([405, 'POST']);
    expect((await request(app()).get('/ws/evsedata/evsedata.wsdl')).status).toBe(404);
    expect((await request(app()).get('/ws/evsedata/secret.xsd')).status).toBe(404);
  });
});
