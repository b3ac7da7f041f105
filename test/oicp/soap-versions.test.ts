/**
 * Every operation in every OICP 2.x release that has it: the request and the answer are written in
 * that release's namespace and form, read back to a valid 2.3 value that keeps whatever the write
 * did not say it lost, and, for 2.0, validate against Hubject's own published XSDs. The server
 * answers each caller in the release it spoke; the client writes the release configured for it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { Finding } from '../../src/core/findings';
import { OicpClient } from '../../src/oicp/client';
import { OPERATIONS, OPERATION_NAMES, type OicpOperation, type OperationName, type RequestOf } from '../../src/oicp/wire/operations';
import { oicpClientFromConfig } from '../../src/oicp';
import { oicpRouter } from '../../src/oicp/router';
import { sandboxConfig } from '../../src/config/sandbox';
import { startServer } from '../../src/server';
import { readSoapAnswer, readSoapRequest, requestVariant, soapAnswer, soapRequest } from '../../src/oicp/soap/envelope';
import { SOAP_RELEASES, hasService, soapNamespace, soapPath, type SoapRelease } from '../../src/oicp/wire/soap-services';
import { check } from '../../src/core/typebox';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { buildFixtures, type Fixture } from '../../scripts/oicp-fixtures';
import { CPO_ID, EMP_ID, quietLogger } from '../support/oicp-network';
import { byLanguage } from '../support/soap-clients';
import { OFFICIAL_2_0_XSDS, envelopeErrors } from '../support/xsd';

let fixtures: Fixture[];
beforeAll(async () => {
  fixtures = await buildFixtures();
}, 30_000);

/** The operations of a release: those whose service it has. */
const inRelease = (release: SoapRelease) => OPERATION_NAMES.filter((name) => hasService((OPERATIONS[name] as OicpOperation).soap.service, release));

/** A copy of `json` without the members at the findings' paths (`a.b[2].c`); paths that do not exist are ignored. */
function without(json: unknown, findings: readonly Finding[]): unknown {
  const copy = structuredClone(json) as Record<string, unknown>;
  for (const { path } of findings) {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
    const last = keys.pop();
    let node: unknown = copy;
    for (const key of keys) node = node === undefined || node === null ? undefined : (node as Record<string, unknown>)[key];
    if (last !== undefined && node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[last];
  }
  return copy;
}

describe.each(SOAP_RELEASES)('OICP %s', (release) => {
  it('writes every request in its namespace, and reads it back valid, keeping all it did not say it lost', () => {
    const problems: string[] = [];
    for (const name of inRelease(release)) {
      const operation: OicpOperation = OPERATIONS[name];
      for (const f of fixtures.filter((x) => x.operation === name && x.part === 'request')) {
        const variant = requestVariant(name, f.json, release);
        const written = soapRequest(name, f.json, { release });
        expect(written.value).toContain(`"${soapNamespace(operation.soap.service, release)}"`);
        const read = readSoapRequest(operation.soap.service, written.value);
        expect([f.name, read.element, soapNamespace(operation.soap.service, read.release)]).toEqual([f.name, variant.request, soapNamespace(operation.soap.service, release)]);
        const changed = [...written.findings, ...read.findings];
        expect(written.findings.every((x) => x.kind === 'loss')).toBe(true);
        if (!deepEqual(byLanguage(without(read.value, changed)), byLanguage(without(f.json, changed)))) problems.push(`${f.name}: read back differs beyond its findings`);
        const invalid = check(operation.request, read.value).findings;
        // A request that loses a member 2.3 requires (2.0 has no EVSE filters...) cannot be valid; every other must be.
        if (invalid.length > 0 && !written.findings.some((x) => invalid.some((i) => i.path.startsWith(x.path)))) problems.push(`${f.name}: ${invalid.map((i) => `${i.path} ${i.message}`).join('; ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('writes every answer in its namespace (the variant for the request it answers), and reads it back valid', () => {
    const problems: string[] = [];
    for (const name of inRelease(release)) {
      const operation: OicpOperation = OPERATIONS[name];
      for (const f of fixtures.filter((x) => x.operation === name && x.part === 'response')) {
        const written = soapAnswer(name, f.json, { release });
        expect(written.value).toContain(`"${soapNamespace(operation.soap.service, release)}"`);
        const read = readSoapAnswer(name, written.value);
        if (read.kind !== 'answer') {
          problems.push(`${f.name}: read as a fault`);
          continue;
        }
        const invalid = check(operation.response, read.value).findings;
        if (invalid.length > 0 && written.findings.length === 0) problems.push(`${name}/${f.name}: ${invalid.map((i) => `${i.path} ${i.message}`).join('; ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

describe("Hubject's published OICP 2.0 XSDs (fixtures/oicp-2x/official)", () => {
  it('accept every request and answer the bridge writes in 2.0', async () => {
    const envelopes = inRelease('2.0').flatMap((name) =>
      fixtures
        .filter((f) => f.operation === name)
        .map((f) => ({ name: `${name}-${f.name}`, xml: f.part === 'request' ? soapRequest(name, f.json, { release: '2.0' }).value : soapAnswer(name, f.json, { release: '2.0' }).value })),
    );
    expect(envelopes.length).toBeGreaterThanOrEqual(18);
    expect(await envelopeErrors(envelopes, OFFICIAL_2_0_XSDS)).toEqual([]);
  });

  it('refuse what 2.0 did not have: the 2.2 form of the same push', async () => {
    const push = fixtures.find((f) => f.operation === 'PushEvseData' && f.part === 'request')!;
    const as22 = soapRequest('PushEvseData', push.json, { release: '2.2' }).value.replaceAll(soapNamespace('evsedata', '2.2'), soapNamespace('evsedata', '2.0')).replaceAll(soapNamespace('commontypes', '2.2'), soapNamespace('commontypes', '2.0'));
    expect((await envelopeErrors([{ name: 'push', xml: as22 }], OFFICIAL_2_0_XSDS)).length).toBeGreaterThan(0);
  });
});

/** An EMP that authorizes every start over both wires, telling `onRequest` of each request first. */
function authorizingEmp(onRequest?: (req: express.Request) => void): express.Express {
  const app = express();
  if (onRequest)
    app.use((req, _res, next) => {
      onRequest(req);
      next();
    });
  app.use(
    oicpRouter({
      serves: ['AuthorizeStart'],
      handlers: { AuthorizeStart: (req) => ({ SessionID: req.SessionID, CPOPartnerSessionID: req.CPOPartnerSessionID, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } }) },
      authorize: () => undefined,
      bodyLimit: '1mb',
      logger: quietLogger(),
    }),
  );
  return app;
}

describe('the SOAP endpoints answer each caller in the release it spoke', () => {
  const hub = () => createHubjectSimulator({ logger: quietLogger() });
  const post = (app: express.Express, path: string, body: string) => request(app).post(path).set('content-type', 'text/xml; charset=utf-8').send(body);

  it.each(SOAP_RELEASES)('a %s push of statuses is acknowledged in its own CommonTypes namespace', async (release) => {
    const sim = hub();
    const push = soapRequest('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }] } }, { release }).value;
    const res = await post(sim.app, soapPath('evsestatus', release), push);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`xmlns:CommonTypes="${soapNamespace('commontypes', release)}"`);
    expect(sim.state.evseStatus.size).toBe(1);
  });

  it('a 2.1 AuthorizeStart (authorization v2.0) is answered in v2.0 with its PartnerSessionID, not 2.2’s CPOPartnerSessionID', async () => {
    const app = authorizingEmp();
    const body = soapRequest('AuthorizeStart', { SessionID: 'b2688855-7f00-0002-6d8e-48d883f6abb6', CPOPartnerSessionID: 'cpo-42', OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } }, { release: '2.1' }).value;
    expect(body).toContain('authorization/v2.0');
    const res = await post(app, soapPath('authorization', '2.2'), body);
    expect(res.status).toBe(200);
    expect(res.text).toContain('xmlns:Authorization="http://www.hubject.com/b2b/services/authorization/v2.0"');
    expect(res.text).toContain('<Authorization:eRoamingAuthorizationStart><Authorization:SessionID>b2688855-7f00-0002-6d8e-48d883f6abb6</Authorization:SessionID><Authorization:PartnerSessionID>cpo-42</Authorization:PartnerSessionID>');
    expect(res.text).not.toContain('CPOPartnerSessionID');
    expect(await envelopeErrors([{ name: 'answer', xml: res.text }], OFFICIAL_2_0_XSDS)).toEqual([]);
  });
});

describe('the client writes the release configured for the partner', () => {
  it.each(SOAP_RELEASES)('%s: posted to that release’s path, in its namespace and form', async (release) => {
    const seen: { url?: string; body?: string } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.url = req.url;
        seen.body = Buffer.concat(chunks).toString('utf8');
        const answer = soapAnswer('AuthorizeStart', { SessionID: 'b2688855-7f00-0002-6d8e-48d883f6abb6', CPOPartnerSessionID: 'cpo-1', ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } }, { release }).value;
        res.writeHead(200, { 'content-type': 'text/xml' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new OicpClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, as: 'CPO', partyId: CPO_ID, wire: 'soap', soapRelease: release });
    try {
      const result = await client.call('AuthorizeStart', { CPOPartnerSessionID: 'cpo-1', OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
      expect(result).toMatchObject({ ok: true, value: { AuthorizationStatus: 'Authorized', CPOPartnerSessionID: 'cpo-1' } });
      expect(seen.url).toBe(soapPath('authorization', release));
      expect(seen.body).toContain(soapNamespace('authorization', release));
      expect(seen.body).toContain(release === '2.2' ? '<Authorization:EvseID>' : '<Authorization:EVSEID>');
      expect(seen.body).toContain(release === '2.2' ? '<CommonTypes:RFIDMifareFamilyIdentification>' : '<CommonTypes:RFIDmifarefamilyIdentification>');
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

it('every operation that 2.0 has is in a service with a 2.0 namespace; reservation comes with 2.1, pricing and notifications with 2.2', () => {
  const since = (name: OperationName) => SOAP_RELEASES.find((release) => inRelease(release).includes(name));
  expect(Object.fromEntries(OPERATION_NAMES.map((name) => [name, since(name)]))).toMatchObject({
    PushEvseData: '2.0',
    AuthorizeStart: '2.0',
    GetChargeDetailRecords: '2.0',
    AuthorizeRemoteReservationStart: '2.1',
    PushPricingProductData: '2.2',
    ChargingNotification: '2.2',
  });
});

describe('configured releases end to end', () => {
  it('a bridge configured with oicp.protocol soap-2.0 pushes its EVSE data in 2.0; the hub reads the free-text facilities back', async () => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    const server = await startServer(sim.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 });
    const sandbox = sandboxConfig({});
    const client = oicpClientFromConfig({ ...sandbox, oicp: { ...sandbox.oicp, protocol: 'soap-2.0', baseUrl: server.url, operatorId: 'DE*XYZ' } }, quietLogger());
    try {
      const push = fixtures.find((f) => f.operation === 'PushEvseData' && f.part === 'request')!.json as RequestOf<'PushEvseData'>;
      const result = await client.call('PushEvseData', { ...push, OperatorEvseData: { ...push.OperatorEvseData, OperatorID: 'DE*XYZ' } });
      expect(result).toMatchObject({ ok: true, value: { Result: true } });
      // What 2.0 could not carry is said, not hidden.
      expect(result.ok && result.findings.map((f) => f.path)).toEqual(expect.arrayContaining(['OperatorEvseData.EvseDataRecord[0].ChargingFacilities[0]', 'OperatorEvseData.EvseDataRecord[0].ChargingPoolID']));
      const stored = [...sim.state.evseData.values()].flatMap((byId) => [...byId.values()].map((evse) => evse.record));
      expect(stored[0]?.ChargingFacilities).toEqual([{ PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22.2, ChargingModes: ['Mode_4'] }]);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('the hub forwards to a partner in the release registered for it, and reads its answer', async () => {
    const seen: string[] = [];
    const emp = authorizingEmp((req) => seen.push(`${req.path} ${String(req.headers.soapaction)}`));
    const empServer = await startServer(emp, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 });
    const sim = createHubjectSimulator({ logger: quietLogger(), partners: [{ role: 'EMP', id: EMP_ID, url: empServer.url, wire: 'soap', soapRelease: '2.1' }] });
    try {
      const res = await request(sim.app)
        .post(soapPath('authorization'))
        .set('content-type', 'text/xml')
        .send(soapRequest('AuthorizeStart', { CPOPartnerSessionID: 'cpo-9', OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } }).value);
      expect(readSoapAnswer('AuthorizeStart', res.text)).toMatchObject({ kind: 'answer', release: '2.2', value: { AuthorizationStatus: 'Authorized', ProviderID: EMP_ID, CPOPartnerSessionID: 'cpo-9' } });
      const out = sim.traffic.find((t) => t.direction === 'out');
      expect(out).toMatchObject({ wire: 'soap', operation: 'AuthorizeStart', response: { AuthorizationStatus: 'Authorized' } });
      // 2.1's authorization namespace (and path) is v2.0.
      expect(seen).toEqual([`${soapPath('authorization', '2.1')} "eRoamingAuthorizeStart"`]);
      expect(soapPath('authorization', '2.1')).toBe('/ws/authorization/v2.0');
    } finally {
      sim.close();
      await empServer.close();
    }
  });
});
