/**
 * The OICP 2.x SOAP/XML edge: the generated fixtures of every operation round-trip XML -> canonical ->
 * XML and agree with their JSON twins (which the official OpenAPI accepts); older 2.1/2.2 messages
 * are read with findings; hostile or broken XML gets a SOAP Fault in OICP terms and changes nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { OPERATIONS, OPERATION_NAMES, operationPath, type OicpOperation } from '../../src/oicp/wire/operations';
import type { Finding } from '../../src/core/findings';
import { oicpRouter } from '../../src/oicp/router';
import { check } from '../../src/core/typebox';
import { SoapRequestReader, readSoapAnswer, readSoapRequest, requestVariant, soapAnswer, soapRequest, type SoapAnswer } from '../../src/oicp/soap/envelope';
import { SoapFaultError } from '../../src/oicp/soap/reader';
import { soapPath } from '../../src/oicp/wire/soap-services';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { sandboxConfig } from '../../src/config/sandbox';
import { oicpClientFromConfig } from '../../src/oicp';
import { startServer } from '../../src/server';
import { buildFixtures, fixtureFile, type Fixture } from '../../scripts/oicp-fixtures';
import { oicpOperationErrors } from '../support/oicp-schema';
import { byLanguage } from '../support/soap-clients';
import { CPO_ID, quietLogger } from '../support/oicp-network';


/** A copy of `json` without the members at the findings' paths (`a.b[2].c`). */
function without(json: unknown, findings: Finding[]): unknown {
  const copy = structuredClone(json);
  for (const { path } of findings) {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
    const last = keys.pop()!;
    const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy as Record<string, unknown>);
    delete parent[last];
  }
  return copy;
}
const LEGACY = join(__dirname, '..', '..', 'fixtures', 'oicp-2x');

let fixtures: Fixture[];
beforeAll(async () => {
  fixtures = await buildFixtures();
}, 30_000);

/** The answer's value, failing the test when it is a fault. */
function answerOf(read: SoapAnswer) {
  if (read.kind !== 'answer') throw new Error(`a fault: ${read.fault.faultstring}`);
  return read;
}

describe('generated fixtures (fixtures/oicp)', () => {
  it('are what `npm run fixtures:oicp` writes, and cover the request and answer of every operation', () => {
    const stale = fixtures.filter((f) => readFileSync(fixtureFile(f, 'json'), 'utf8') !== `${JSON.stringify(f.json, null, 2)}\n` || readFileSync(fixtureFile(f, 'xml'), 'utf8') !== f.xml);
    expect(stale.map((f) => `${f.operation}/${f.name}`)).toEqual([]);
    const committed = OPERATION_NAMES.flatMap((name) => readdirSync(join(__dirname, '..', '..', 'fixtures', 'oicp', name)).map((file) => `${name}/${file}`));
    expect(committed.sort()).toEqual(fixtures.flatMap((f) => [`${f.operation}/${f.name}.json`, `${f.operation}/${f.name}.xml`]).sort());
    for (const name of OPERATION_NAMES) expect([name, ...new Set(fixtures.filter((f) => f.operation === name).map((f) => f.part))].sort()).toEqual([name, 'request', 'response'].sort());
  });

  it('JSON: validates against our schemas and the official OpenAPI of the operation', () => {
    const problems: string[] = [];
    for (const f of fixtures) {
      const operation: OicpOperation = OPERATIONS[f.operation];
      const ours = check(f.part === 'request' ? operation.request : operation.response, f.json).findings;
      const api = operation.caller.toLowerCase() as 'cpo' | 'emp';
      const official = oicpOperationErrors(api, operationPath(f.operation, { param: 'partyId' }), f.part, f.json);
      if (ours.length + official.length > 0) problems.push(`${f.operation}/${f.name}: ${[...ours.map((x) => `${x.path} ${x.message}`), ...official].join('; ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('XML: reads back to exactly the JSON, and writes back to the same bytes; only members outside the schema are lost, and said', () => {
    for (const f of fixtures) {
      const xml = readFileSync(fixtureFile(f, 'xml'), 'utf8');
      const soap = (OPERATIONS[f.operation] as OicpOperation).soap;
      const read = f.part === 'request' ? readSoapRequest(soap.service, xml) : answerOf(readSoapAnswer(f.operation, xml));
      const requestElement = requestVariant(f.operation, f.json, '2.2').request;
      // 2.x's local-language name element names no language: reading it as "de" is said, and nothing else may be.
      const decoded = { value: read.value, findings: read.findings.filter((f) => !/in language "de" \(the element names no language\)$/.test(f.message)) };
      expect([f.name, read.element]).toEqual([f.name, f.part === 'request' ? requestElement : expect.stringMatching(/^eRoaming/)]);
      expect([f.operation, f.name, byLanguage(decoded)]).toEqual([f.operation, f.name, byLanguage({ value: without(f.json, f.lost), findings: [] })]);
      const written = f.part === 'request' ? soapRequest(f.operation, decoded.value, { pretty: true }) : soapAnswer(f.operation, decoded.value, { pretty: true });
      expect(`${written.value}\n`).toBe(xml);
      expect(written.findings).toEqual([]);
    }
    // The official AuthorizeStop example carries a PartnerProductID its own schema does not define.
    expect(fixtures.find((f) => f.operation === 'AuthorizeStop' && f.part === 'request')?.lost).toEqual([{ kind: 'loss', path: 'PartnerProductID', message: 'not a member of the OICP 2.3 schema; not written to XML' }]);
  });

  it('XML: puts common types in the CommonTypes namespace and lists in 2.x form', () => {
    const push = readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'PushEvseData', 'request-eRoamingPushEvseData.xml'), 'utf8');
    expect(push).toContain('xmlns:EVSEData="http://www.hubject.com/b2b/services/evsedata/v2.2"');
    expect(push).toMatch(/<EVSEData:Address>\s*<CommonTypes:Country>DEU<\/CommonTypes:Country>/);
    expect(push).toMatch(/<EVSEData:Plugs>\s*<EVSEData:Plug>/);
    expect(push).toMatch(/<EVSEData:EvseDataRecord deltaType="insert" lastUpdate="[^"]+">/);
    expect(push).toMatch(/<EVSEData:InfoText lang="en">This charging station is for testing purposes<\/EVSEData:InfoText>/);
  });
});

describe('older OICP 2.x messages (fixtures/oicp-2x)', () => {
  const legacy = (service: 'authorization' | 'evsedata', file: string) => readSoapRequest(service, readFileSync(join(LEGACY, file), 'utf8'));

  it('reads a 2.1 AuthorizeStart: EVSEID, RFIDmifarefamilyIdentification and PartnerSessionID', () => {
    const { element, release, value, findings } = legacy('authorization', 'AuthorizeStart-2.1.xml');
    expect([element, release]).toEqual(['eRoamingAuthorizeStart', '2.1']);
    expect(value).toEqual({
      CPOPartnerSessionID: '0815-4711',
      OperatorID: 'DE*ABC',
      EvseID: 'DE*ABC*E1234*1',
      Identification: { RFIDMifareFamilyIdentification: { UID: '8027C0FA1B7604' } },
      PartnerProductID: 'AC 11',
    });
    expect(findings).toEqual([{ kind: 'default', path: 'PartnerSessionID', message: "OICP 2.1 PartnerSessionID read as CPOPartnerSessionID (the CPO's, who sent the message)" }]);
    expect(oicpOperationErrors('cpo', operationPath('AuthorizeStart', { param: 'partyId' }), 'request', value)).toEqual([]);
  });

  it('reads a 2.2 EVSE record into a valid 2.3 record, saying what it assumed and what it dropped', () => {
    const { value, findings } = legacy('evsedata', 'PushEvseData-2.2.xml');
    expect(check(OPERATIONS.PushEvseData.request, value).findings).toEqual([]);
    expect(oicpOperationErrors('cpo', operationPath('PushEvseData', { param: 'partyId' }), 'request', value)).toEqual([]);
    const record = (value as { OperatorEvseData: { EvseDataRecord: Record<string, unknown>[] } }).OperatorEvseData.EvseDataRecord[0]!;
    expect(record).toMatchObject({
      deltaType: 'update',
      lastUpdate: '2019-03-01T10:00:00Z',
      EvseID: 'DE*ABC*E1234*1',
      // 2.2's spelling is the one the OpenAPI uses too; the schema reads it beside ChargingStationID.
      ChargingStationId: 'STATION-1',
      ChargingStationNames: [
        { lang: 'de', value: 'Ladesäule Marktplatz' },
        { lang: 'en', value: 'Market square charger' },
      ],
      HotlinePhoneNumber: '+4930123456',
      Plugs: ['Type 2 Outlet'],
      ChargingFacilities: [{ PowerType: 'AC_3_PHASE', Power: 22 }],
      AuthenticationModes: ['NFC RFID Classic', 'REMOTE'],
      IsOpen24Hours: true,
      CalibrationLawDataAvailability: 'Not Available',
      RenewableEnergy: false,
    });
    const at = 'OperatorEvseData.EvseDataRecord[0]';
    expect(findings.map((f) => `${f.kind} ${f.path}`).sort()).toEqual(
      [
        `default ${at}.ChargingStationName`,
        `default ${at}.Address.HouseNum`,
        `loss ${at}.OpeningTime`,
        `default ${at}.CalibrationLawDataAvailability`,
        `default ${at}.RenewableEnergy`,
      ].sort(),
    );
  });
});

describe('safe XML reading', () => {
  const envelope = (body: string) => `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:S="http://www.hubject.com/b2b/services/evsestatus/v2.1"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
  const push = (status: string) => envelope(`<S:eRoamingPushEvseStatus><S:ActionType>update</S:ActionType><S:OperatorEvseStatus><S:OperatorID>DE*ABC</S:OperatorID><S:EvseStatusRecord><S:EvseID>DE*ABC*E1</S:EvseID><S:EvseStatus>${status}</S:EvseStatus></S:EvseStatusRecord></S:OperatorEvseStatus></S:eRoamingPushEvseStatus>`);
  const read = (xml: string) => readSoapRequest('evsestatus', xml);
  const XXE = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${push('&x;').replace('<?xml version="1.0"?>', '')}`;
  const LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${push('&lol2;').replace('<?xml version="1.0"?>', '')}`;

  it('refuses document types, entity declarations, unknown entities, malformed documents and excessive depth as the Client’s fault', () => {
    expect(() => read(XXE)).toThrow(/document type declarations are not accepted/);
    expect(() => read(LAUGHS)).toThrow(SoapFaultError);
    expect(() => read(push('&nbsp;'))).toThrow(/malformed XML/);
    expect(() => read(push('<b>'))).toThrow(/malformed XML/);
    expect(() => readSoapRequest('evsestatus', push(`${'<a>'.repeat(50)}${'</a>'.repeat(50)}`), { maxDepth: 20 })).toThrow(/nested deeper than 20/);
    for (const hostile of [XXE, LAUGHS, push('<b>')]) {
      try {
        read(hostile);
      } catch (err) {
        expect((err as SoapFaultError).faultcode).toBe('Client');
      }
    }
  });

  it('decodes the predefined entities and character references, nothing else', () => {
    const { value } = read(push('R&amp;D &#x2F; &lt;ok&gt;'));
    expect((value as { OperatorEvseStatus: { EvseStatusRecord: { EvseStatus: string }[] } }).OperatorEvseStatus.EvseStatusRecord[0]!.EvseStatus).toBe('R&D / <ok>');
  });

  it('writes markup characters escaped, and replaces what XML cannot carry with a loss finding', () => {
    const request = { OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } }, CPOPartnerSessionID: 'a<b>&"c"\u0007\uD800end' };
    const written = soapRequest('AuthorizeStart', request);
    expect(written.findings).toEqual([expect.objectContaining({ kind: 'loss', path: 'CPOPartnerSessionID' })]);
    const { element, value } = readSoapRequest('authorization', written.value);
    expect(element).toBe('eRoamingAuthorizeStart');
    expect(value).toEqual({ ...request, CPOPartnerSessionID: 'a<b>&"c"\uFFFD\uFFFDend' });
    // Clean values cost nothing and say nothing.
    expect(soapRequest('AuthorizeStart', { ...request, CPOPartnerSessionID: 'Tür 7 – ok 😀' }).findings).toEqual([]);
  });
});

describe('SOAP endpoints: refusals as SOAP Faults in OICP terms, no partial state', () => {
  const hub = () => createHubjectSimulator({ logger: quietLogger(), bodyLimit: '4kb' });
  const statusPath = soapPath('evsestatus');
  const push = (records: { EvseID: string; EvseStatus: string }[]) => soapRequest('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: records } }).value;
  const post = (app: express.Express, path: string, body: string) => request(app).post(path).set('content-type', 'text/xml; charset=utf-8').send(body);

  /** The fault's code, and the OICP StatusCode its detail carries. */
  function faultOf(text: string) {
    const read = readSoapAnswer('PushEvseStatus', text);
    if (read.kind !== 'fault') throw new Error(`not a fault: ${text}`);
    const { fault } = read;
    return { faultcode: fault.faultcode, faultstring: fault.faultstring, statusCode: (fault.acknowledgement as { StatusCode: { Code: string; AdditionalInfo?: string } }).StatusCode };
  }

  it('applies a valid push and answers with an eRoamingAcknowledgement', async () => {
    const sim = hub();
    const res = await post(sim.app, statusPath, push([{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }]));
    expect([res.status, res.headers['content-type']]).toEqual([200, 'text/xml; charset=utf-8']);
    expect(answerOf(readSoapAnswer('PushEvseStatus', res.text)).value).toEqual({ Result: true, StatusCode: { Code: '000', Description: 'Success' } });
    expect(sim.state.evseStatus.size).toBe(1);
  });

  it('answers malformed XML, XXE and entity expansion with a Client fault (022) and stores nothing', async () => {
    const sim = hub();
    const valid = push([{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }]);
    const hostile = {
      malformed: valid.replace('</soapenv:Body>', ''),
      xxe: valid.replace('<soapenv:Envelope', '<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><soapenv:Envelope').replace('DE*ABC*E1', '&x;'),
      laughs: valid.replace('<soapenv:Envelope', '<!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><soapenv:Envelope').replace('DE*ABC*E1', '&b;'),
      'not an envelope': '<eRoamingPushEvseStatus/>',
      empty: '',
    };
    for (const [kind, body] of Object.entries(hostile)) {
      const res = await post(sim.app, statusPath, body);
      expect([kind, res.status, faultOf(res.text).faultcode, faultOf(res.text).statusCode.Code]).toEqual([kind, 500, 'soapenv:Client', '022']);
    }
    expect(sim.state.evseStatus.size).toBe(0);
    expect(sim.traffic).toEqual([]);
  });

  it('answers an unknown enum value with a fault naming the field, and half of a push is never applied', async () => {
    const sim = hub();
    const res = await post(sim.app, statusPath, push([{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }, { EvseID: 'DE*ABC*E2', EvseStatus: 'Sleeping' }]));
    const fault = faultOf(res.text);
    expect([res.status, fault.faultcode, fault.statusCode.Code]).toEqual([500, 'soapenv:Client', '022']);
    expect(fault.statusCode.AdditionalInfo).toContain('OperatorEvseStatus.EvseStatusRecord[1].EvseStatus: must be one of "Available"');
    expect(sim.state.evseStatus.size).toBe(0);
  });

  it('answers a body over its limit with 413 and a fault: bulk pushes have a larger limit than other calls', async () => {
    const sim = createHubjectSimulator({ logger: quietLogger(), bodyLimit: '4kb', bulkBodyLimit: '16kb' });
    const records = (n: number) => Array.from({ length: n }, (_, i) => ({ EvseID: `DE*ABC*E${i}`, EvseStatus: 'Available' }));
    const within = await post(sim.app, statusPath, push(records(60)));
    expect([within.status, within.text.length > 0, sim.state.evseStatus.size]).toEqual([200, true, 1]);
    expect(push(records(60)).length).toBeGreaterThan(4 * 1024);
    const over = await post(sim.app, statusPath, push(records(400)));
    expect([over.status, faultOf(over.text).statusCode]).toEqual([413, expect.objectContaining({ Code: '022', AdditionalInfo: 'request body too large' })]);
    expect(faultOf(over.text).faultcode).toBe('soapenv:Client');
    // An authorization is no bulk operation: the body limit holds for it.
    const start = soapRequest('AuthorizeStart', { OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } }).value.replace('<soapenv:Body>', `<soapenv:Body><!--${'x'.repeat(5000)}-->`);
    const padded = await post(sim.app, soapPath('authorization'), start);
    expect(padded.status).toBe(413);
    expect([...sim.state.evseStatus.values()].reduce((n, byId) => n + byId.size, 0)).toBe(60);
  });

  it('answers an element that is not an operation of the service with a fault', async () => {
    const res = await post(hub().app, statusPath, soapRequest('AuthorizeStart', { OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } }).value);
    expect(faultOf(res.text).statusCode).toMatchObject({ Code: '022', AdditionalInfo: 'eRoamingAuthorizeStart is in the authorization namespace; this endpoint serves evsestatus' });
  });

  it('answers a business refusal as a negative acknowledgement (HTTP 200), like Hubject 2.x', async () => {
    const app = express();
    app.use(oicpRouter({ serves: ['AuthorizeStart'], handlers: {}, authorize: () => undefined, bodyLimit: '1mb', logger: quietLogger() }));
    const res = await post(app, soapPath('authorization'), soapRequest('AuthorizeStart', { OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } }).value);
    // No handler: 320 is a protocol refusal (HTTP 501 in REST), so a Server fault here.
    expect([res.status, faultOf(res.text).faultcode, faultOf(res.text).statusCode.Code]).toEqual([500, 'soapenv:Server', '320']);

    const sim = hub();
    sim.failNext('PushEvseStatus', '009');
    const refused = await post(sim.app, statusPath, push([{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }]));
    const answer = answerOf(readSoapAnswer('PushEvseStatus', refused.text));
    expect([refused.status, answer.element, answer.value]).toEqual([200, 'eRoamingAcknowledgement', expect.objectContaining({ Result: false, StatusCode: expect.objectContaining({ Code: '009' }) })]);
  });
});

it('every operation has a SOAP form in a known service', () => {
  for (const name of OPERATION_NAMES) {
    const { soap }: OicpOperation = OPERATIONS[name];
    expect([name, soapPath(soap.service)]).toEqual([name, expect.stringMatching(/^\/ws\/[a-z]+\/v\d\.\d$/)]);
    expect(soap.request).toMatch(/^eRoaming/);
  }
});

describe('configuration', () => {
  it('a bridge configured with oicp.protocol soap-2.2 calls Hubject in SOAP', async () => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    const server = await startServer(sim.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 });
    const sandbox = sandboxConfig({});
    const client = oicpClientFromConfig({ ...sandbox, oicp: { ...sandbox.oicp, protocol: 'soap-2.2', baseUrl: server.url, operatorId: CPO_ID } }, quietLogger());
    try {
      const result = await client.call('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }] } });
      expect(result).toMatchObject({ ok: true, value: { Result: true } });
      expect(sim.traffic.map((t) => [t.wire, t.operation])).toEqual([['soap', 'PushEvseStatus']]);
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('reading as the bytes arrive', () => {
  const push = readFileSync(join(LEGACY, 'PushEvseData-2.2.xml'), 'utf8').replace('<EVSEData:EvseDataRecord ', '<EVSEData:EvseDataRecord deltaType="insert" lastUpdate="2019-03-01T09:00:00Z"><EVSEData:EvseId>DE*ABC*E9</EVSEData:EvseId><EVSEData:ChargingStationName>Zweite Säule ≤ 22 kW</EVSEData:ChargingStationName><EVSEData:Address><CommonTypes:Country>DEU</CommonTypes:Country><CommonTypes:City>Berlin</CommonTypes:City><CommonTypes:Street>Marktplatz</CommonTypes:Street></EVSEData:Address><EVSEData:GeoCoordinates><CommonTypes:Google><CommonTypes:Coordinates>52.52 13.40</CommonTypes:Coordinates></CommonTypes:Google></EVSEData:GeoCoordinates><EVSEData:Plugs><EVSEData:Plug>Type 2 Outlet</EVSEData:Plug></EVSEData:Plugs><EVSEData:AuthenticationModes><EVSEData:AuthenticationMode>REMOTE</EVSEData:AuthenticationMode></EVSEData:AuthenticationModes><EVSEData:Accessibility>Free publicly accessible</EVSEData:Accessibility><EVSEData:HotlinePhoneNum>+4930123456</EVSEData:HotlinePhoneNum><EVSEData:IsOpen24Hours>true</EVSEData:IsOpen24Hours><EVSEData:IsHubjectCompatible>true</EVSEData:IsHubjectCompatible><EVSEData:DynamicInfoAvailable>false</EVSEData:DynamicInfoAvailable></EVSEData:EvseDataRecord><EVSEData:EvseDataRecord ');

  it('reads a body cut anywhere (inside tags and UTF-8 characters) to the same value as the whole', () => {
    const whole = readSoapRequest('evsedata', push);
    const bytes = Buffer.from(push);
    for (const size of [1, 7, 64, 1000]) {
      const reader = new SoapRequestReader('evsedata');
      const decoder = new TextDecoder();
      for (let at = 0; at < bytes.length; at += size) reader.write(decoder.decode(bytes.subarray(at, at + size), { stream: true }));
      reader.write(decoder.decode());
      expect([size, reader.end()]).toEqual([size, whole]);
    }
  });

  it('hands each record out with its own findings, and keeps neither', () => {
    const taken: { item: unknown; operator: unknown; findings: Finding[] }[] = [];
    const reader = new SoapRequestReader('evsedata', {}, { context: 'EvseDataRecord', take: (item, owner, findings) => taken.push({ item, operator: owner.OperatorID, findings }) });
    reader.write(push);
    const read = reader.end();
    const whole = readSoapRequest('evsedata', push);
    const records = (whole.value as { OperatorEvseData: { EvseDataRecord: unknown[] } }).OperatorEvseData.EvseDataRecord;
    expect(taken.map((t) => t.item)).toEqual(records);
    expect(taken.map((t) => t.operator)).toEqual(['DE*ABC', 'DE*ABC']);
    expect(read.value).toMatchObject({ OperatorEvseData: { OperatorID: 'DE*ABC', EvseDataRecord: [] } });
    // The findings travelled with their records; what stays is the envelope's own.
    expect([...taken.flatMap((t) => t.findings), ...read.findings].sort((a, b) => a.path.localeCompare(b.path))).toEqual([...whole.findings].sort((a, b) => a.path.localeCompare(b.path)));
    expect(read.findings).toEqual([]);
    expect(taken[0]!.findings.map((f) => f.path)).toContain('OperatorEvseData.EvseDataRecord[0].ChargingStationName');
  });
});
