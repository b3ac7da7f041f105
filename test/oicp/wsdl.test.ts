/**
 * The WSDL/XSD set of the SOAP edge: committed as generated, accepting every recorded SOAP message
 * (libxml2 validates them), refusing what the codec would not write, and good enough for a
 * third-party SOAP stack (strong-soap) to call our endpoints over mutual TLS from the served WSDL.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { soap, type SoapCallback, type SoapClient } from 'strong-soap';
import { strongSoapArgs } from '../support/strong-soap';
import request from 'supertest';
import { PLACEHOLDER_BASE_URL, soapDefinitions, xsdPattern } from '../../src/oicp/soap/wsdl';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { SOAP_SERVICES, soapPath, type SoapService } from '../../src/oicp/soap/services';
import type { PushEvseDataRequest } from '../../src/oicp/messages';
import type { EvseDataRecord } from '../../src/oicp/schemas';
import { parse } from 'yaml';
import { OICP_SCHEMAS } from '../support/oicp-schema';
import { WSDL_DIR } from '../../scripts/oicp-wsdl';
import { FIXTURES } from '../../scripts/oicp-fixtures';
import { envelopeErrors } from '../support/xsd';
import { CPO_ID, EMP_ID, quietLogger, startOicpNetwork, type OicpNetwork } from '../support/oicp-network';

const recorded = readdirSync(FIXTURES).flatMap((operation) =>
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
  it('accepts every recorded request and answer (fixtures/oicp)', async () => {
    expect(recorded.length).toBeGreaterThanOrEqual(36);
    expect(await envelopeErrors(recorded)).toEqual([]);
  });

  it('refuses what the codec does not write: an unknown enum value, an unknown element, a common type in the wrong namespace, an undeclared body', async () => {
    const push = recorded.find((fixture) => fixture.name.startsWith('PushEvseData/request'))!.xml;
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

describe('strong-soap, a third-party SOAP stack, calling the Hubject simulator from the served WSDL', () => {
  let net: OicpNetwork;
  const clients: Partial<Record<SoapService, SoapClient>> = {};

  async function connect(service: SoapService, identity = { cert: net.pki.clientCert, key: net.pki.clientKey }): Promise<SoapClient> {
    const tls = { key: net.pki.read(identity.key), cert: net.pki.read(identity.cert), ca: net.pki.read(net.pki.ca) };
    const client = await new Promise<SoapClient>((resolve, reject) =>
      soap.createClient(`${net.hubServer.url}${soapPath(service)}?wsdl`, { wsdl_options: tls }, (err, made) => (err ? reject(err) : resolve(made))),
    );
    client.setSecurity(new soap.ClientSSLSecurity(tls.key, tls.cert, tls.ca));
    return (clients[service] = client);
  }

  /**
   * Calls an operation and reads the answer with strong-soap's XMLHandler and the WSDL's types.
   * strong-soap's own result lookup expects `<operation>Response` elements, a convention OICP's
   * answer elements (eRoamingAuthorizationStart, eRoamingAcknowledgement) never followed.
   */
  const invoke = (service: SoapService, operation: string, args: unknown) =>
    new Promise<{ err: Parameters<SoapCallback>[0]; answer?: Record<string, unknown> }>((resolve) => {
      const client = clients[service]!;
      (client[operation] as (args: unknown, callback: SoapCallback) => void)(args, (err, _result, envelope) => {
        if (err) return resolve({ err });
        const binding = client.wsdl.definitions.bindings[`${SOAP_SERVICES[service].prefix}Binding`]!.operations[operation]!;
        const read = client.xmlHandler.xmlToJson(null, envelope as string, binding.describe(client.wsdl.definitions).outputEnvelope);
        resolve({ err, answer: read.Body });
      });
    });

  beforeAll(async () => {
    net = await startOicpNetwork('soap');
    await connect('authorization');
    await connect('evsedata');
  }, 30_000);
  afterAll(async () => {
    await net?.close();
  });

  it('pushes the official EVSE record: attributes, wrapped lists and CommonTypes as the XSD says, read back exactly', async () => {
    const example = (parse(readFileSync(join(OICP_SCHEMAS, 'openapi-cpo', 'schemas', 'eRoamingPushEvseData.yaml'), 'utf8')) as { example: PushEvseDataRequest }).example;
    const record: EvseDataRecord = { ...example.OperatorEvseData.EvseDataRecord[0]!, EvseID: `${CPO_ID}*E77`, deltaType: 'insert', lastUpdate: '2026-11-24T10:00:00.000Z' };
    const push: PushEvseDataRequest = { ActionType: 'insert', OperatorEvseData: { OperatorID: CPO_ID, OperatorName: 'ABC technologies', EvseDataRecord: [record] } };
    const { err, answer } = await invoke('evsedata', 'eRoamingPushEvseData', strongSoapArgs(push));
    expect(err).toBeNull();
    expect(answer).toMatchObject({ eRoamingAcknowledgement: { Result: true, StatusCode: { Code: '000' } } });
    expect(net.hub.traffic.find((t) => t.direction === 'in' && t.operation === 'PushEvseData')?.request).toEqual(push);
    expect(await envelopeErrors([{ name: 'request', xml: clients.evsedata!.lastRequest! }, { name: 'answer', xml: clients.evsedata!.lastResponse! }])).toEqual([]);
  });

  it('authorizes a start: strong-soap writes what our endpoint reads, and reads what it answers', async () => {
    net.emp.handlers.AuthorizeStart = (request) => ({ SessionID: request.SessionID, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } });
    const { err, answer } = await invoke('authorization', 'eRoamingAuthorizeStart', { OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } }, CPOPartnerSessionID: 'cpo-7' });
    expect(err).toBeNull();
    expect(answer).toEqual({ eRoamingAuthorizationStart: { SessionID: expect.any(String) as unknown, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } } });
    // The hub read strong-soap's XML into the canonical request it forwarded.
    expect(net.hub.traffic.find((t) => t.direction === 'out' && t.operation === 'AuthorizeStart')?.request).toMatchObject({
      OperatorID: CPO_ID,
      EvseID: 'DE*ABC*E1',
      Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } },
      CPOPartnerSessionID: 'cpo-7',
    });
    expect(await envelopeErrors([{ name: 'request', xml: clients.authorization!.lastRequest! }, { name: 'answer', xml: clients.authorization!.lastResponse! }])).toEqual([]);
  });

  it('gets a SOAP Fault carrying the OICP StatusCode for a request our schema refuses', async () => {
    const { err } = await invoke('authorization', 'eRoamingAuthorizeStart', { OperatorID: CPO_ID, EvseID: 'not an EVSE id', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
    const fault = (err?.root as { Envelope: { Body: { Fault: { faultcode: string; detail: { eRoamingAcknowledgement: { StatusCode: { Code: string; AdditionalInfo: string } } } } } } } | undefined)?.Envelope.Body.Fault;
    expect(fault?.faultcode).toMatch(/Client$/);
    expect(fault?.detail.eRoamingAcknowledgement.StatusCode).toMatchObject({ Code: '022', AdditionalInfo: expect.stringContaining('EvseID') as unknown });
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
