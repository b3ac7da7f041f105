/**
 * Envelopes as third-party OICP 2.x implementations write them, each written here in its style (not
 * copied): Hubject's 2.1 templates (spaces around `=`, comments), a JAX-WS client (`S:`/`ns2:`
 * prefixes, CommonTypes as the default namespace, no header, single-quoted declaration), WCF
 * (default namespaces, an Action header it must-understands, xsi/xsd declarations), PHP's SoapClient
 * (`SOAP-ENV`, `ns1`/`ns2`), Python's zeep (`soap-env`, `ns0`, a namespace declared mid-document),
 * and a hand-made one with its elements out of order, CRLF lines, a BOM and letter case of its own.
 * Each must be read to the same request and answered in the caller's own namespace.
 */
import { join } from 'node:path';
import express from 'express';
import * as nodeSoap from 'soap';
import request from 'supertest';
import type { AuthorizeStart } from '../../src/oicp/wire/transaction-schemas';
import { oicpRouter } from '../../src/oicp/router';
import { readSoapAnswer, readSoapRequest, soapRequest } from '../../src/oicp/soap/envelope';
import { soapPath } from '../../src/oicp/wire/soap-services';
import type { EvseDataRecord } from '../../src/oicp/wire/schemas';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { CPO_ID, EMP_ID, quietLogger } from '../support/oicp-network';
import { OFFICIAL_2_0_XSDS, OFFICIAL_DIR, envelopeErrors } from '../support/xsd';
import { startServer, type RunningServer } from '../../src/server';

const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const AUTH = 'http://www.hubject.com/b2b/services/authorization/v2.0';
const CMN = 'http://www.hubject.com/b2b/services/commontypes/v2.0';
const SESSION = 'de164e08-1c88-1293-537b-be355041070e';

const STYLES: Record<string, string> = {
  'Hubject 2.1 template': `<soapenv:Envelope xmlns:soapenv = "${ENV}"
                  xmlns:Authorization = "${AUTH}"
                  xmlns:CommonTypes   = "${CMN}">
   <soapenv:Header/>
   <soapenv:Body>
      <Authorization:eRoamingAuthorizeStart>
         <!--Optional:-->
         <Authorization:SessionID>${SESSION}</Authorization:SessionID>
         <!--Optional:-->
         <Authorization:PartnerSessionID>0815</Authorization:PartnerSessionID>
         <Authorization:OperatorID>${CPO_ID}</Authorization:OperatorID>
         <!--Optional:-->
         <Authorization:EVSEID>DE*ABC*E123456789*1</Authorization:EVSEID>
         <Authorization:Identification>
            <!--You have a CHOICE of the next 4 items at this level-->
            <CommonTypes:RFIDmifarefamilyIdentification>
               <CommonTypes:UID>08152305</CommonTypes:UID>
            </CommonTypes:RFIDmifarefamilyIdentification>
         </Authorization:Identification>
         <!--Optional:-->
         <Authorization:PartnerProductID>AC1</Authorization:PartnerProductID>
      </Authorization:eRoamingAuthorizeStart>
   </soapenv:Body>
</soapenv:Envelope>`,
  'JAX-WS client': `<?xml version='1.0' encoding='UTF-8'?><S:Envelope xmlns:S="${ENV}"><S:Body><ns2:eRoamingAuthorizeStart xmlns="${CMN}" xmlns:ns2="${AUTH}"><ns2:SessionID>${SESSION}</ns2:SessionID><ns2:PartnerSessionID>0815</ns2:PartnerSessionID><ns2:OperatorID>${CPO_ID}</ns2:OperatorID><ns2:EVSEID>DE*ABC*E123456789*1</ns2:EVSEID><ns2:Identification><RFIDmifarefamilyIdentification><UID>08152305</UID></RFIDmifarefamilyIdentification></ns2:Identification><ns2:PartnerProductID>AC1</ns2:PartnerProductID></ns2:eRoamingAuthorizeStart></S:Body></S:Envelope>`,
  'WCF client': `<s:Envelope xmlns:s="${ENV}"><s:Header><Action s:mustUnderstand="1" xmlns="http://schemas.microsoft.com/ws/2005/05/addressing/none">eRoamingAuthorizeStart</Action></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><eRoamingAuthorizeStart xmlns="${AUTH}"><SessionID>${SESSION}</SessionID><PartnerSessionID>0815</PartnerSessionID><OperatorID>${CPO_ID}</OperatorID><EVSEID>DE*ABC*E123456789*1</EVSEID><Identification><RFIDmifarefamilyIdentification xmlns="${CMN}"><UID>08152305</UID></RFIDmifarefamilyIdentification></Identification><PartnerProductID>AC1</PartnerProductID></eRoamingAuthorizeStart></s:Body></s:Envelope>`,
  'PHP SoapClient': `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="${ENV}" xmlns:ns1="${AUTH}" xmlns:ns2="${CMN}"><SOAP-ENV:Body><ns1:eRoamingAuthorizeStart><ns1:SessionID>${SESSION}</ns1:SessionID><ns1:PartnerSessionID>0815</ns1:PartnerSessionID><ns1:OperatorID>${CPO_ID}</ns1:OperatorID><ns1:EVSEID>DE*ABC*E123456789*1</ns1:EVSEID><ns1:Identification><ns2:RFIDmifarefamilyIdentification><ns2:UID>08152305</ns2:UID></ns2:RFIDmifarefamilyIdentification></ns1:Identification><ns1:PartnerProductID>AC1</ns1:PartnerProductID></ns1:eRoamingAuthorizeStart></SOAP-ENV:Body></SOAP-ENV:Envelope>
`,
  'Python zeep': `<soap-env:Envelope xmlns:soap-env="${ENV}"><soap-env:Body><ns0:eRoamingAuthorizeStart xmlns:ns0="${AUTH}"><ns0:SessionID>${SESSION}</ns0:SessionID><ns0:PartnerSessionID>0815</ns0:PartnerSessionID><ns0:OperatorID>${CPO_ID}</ns0:OperatorID><ns0:EVSEID>DE*ABC*E123456789*1</ns0:EVSEID><ns0:Identification><ns1:RFIDmifarefamilyIdentification xmlns:ns1="${CMN}"><ns1:UID>08152305</ns1:UID></ns1:RFIDmifarefamilyIdentification></ns0:Identification><ns0:PartnerProductID>AC1</ns0:PartnerProductID></ns0:eRoamingAuthorizeStart></soap-env:Body></soap-env:Envelope>`,
  'hand-made, out of order': `\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<env:Envelope xmlns:env="${ENV}">\r\n<env:Header></env:Header>\r\n<env:Body>\r\n<a:eRoamingAuthorizeStart xmlns:a="${AUTH}" xmlns:c="${CMN}">\r\n  <a:PartnerProductID>AC1</a:PartnerProductID>\r\n  <a:Identification><c:RFIDMifareFamilyIdentification><c:UID>08152305</c:UID></c:RFIDMifareFamilyIdentification></a:Identification>\r\n  <a:EvseId>DE*ABC*E123456789*1</a:EvseId>\r\n  <a:operatorid>${CPO_ID}</a:operatorid>\r\n  <a:PartnerSessionID><![CDATA[0815]]></a:PartnerSessionID>\r\n  <a:SessionID>${SESSION}</a:SessionID>\r\n</a:eRoamingAuthorizeStart>\r\n</env:Body>\r\n</env:Envelope>\r\n`,
};

const EXPECTED: AuthorizeStart = {
  SessionID: SESSION,
  CPOPartnerSessionID: '0815',
  OperatorID: CPO_ID,
  EvseID: 'DE*ABC*E123456789*1',
  Identification: { RFIDMifareFamilyIdentification: { UID: '08152305' } },
  PartnerProductID: 'AC1',
};

describe('OICP 2.1 AuthorizeStart as partners write it', () => {
  const received: AuthorizeStart[] = [];
  const app = express();
  app.use(
    oicpRouter({
      serves: ['AuthorizeStart'],
      handlers: {
        AuthorizeStart: (req) => {
          received.push(req);
          return { SessionID: req.SessionID, CPOPartnerSessionID: req.CPOPartnerSessionID, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } };
        },
      },
      authorize: () => undefined,
      bodyLimit: '1mb',
      logger: quietLogger(),
    }),
  );

  it.each(Object.entries(STYLES))('%s: read to the same request, answered in authorization v2.0 valid against Hubject’s 2.0 XSD', async (_style, xml) => {
    received.length = 0;
    const res = await request(app).post(soapPath('authorization', '2.1')).set('content-type', 'text/xml; charset=utf-8').set('soapaction', '"eRoamingAuthorizeStart"').send(xml);
    expect(res.status).toBe(200);
    expect(received).toEqual([EXPECTED]);
    expect(res.text).toContain(`xmlns:Authorization="${AUTH}"`);
    const answer = readSoapAnswer('AuthorizeStart', res.text);
    expect(answer).toMatchObject({ kind: 'answer', element: 'eRoamingAuthorizationStart', value: { SessionID: SESSION, CPOPartnerSessionID: '0815', AuthorizationStatus: 'Authorized' } });
    expect(await envelopeErrors([{ name: 'answer', xml: res.text }], OFFICIAL_2_0_XSDS)).toEqual([]);
  });
});

/** An OICP 2.1 EVSE record whose facilities are Hubject's words, and words of partners' own. */
function push21(facilities: string[]): string {
  return `<soapenv:Envelope xmlns:soapenv="${ENV}" xmlns:EVSEData="http://www.hubject.com/b2b/services/evsedata/v2.1" xmlns:CommonTypes="${CMN}"><soapenv:Body><EVSEData:eRoamingPushEvseData><EVSEData:ActionType>fullLoad</EVSEData:ActionType><EVSEData:OperatorEvseData><EVSEData:OperatorID>${CPO_ID}</EVSEData:OperatorID><EVSEData:EvseDataRecord><EVSEData:EvseId>DE*ABC*E1</EVSEData:EvseId><EVSEData:ChargingStationName>Marktplatz</EVSEData:ChargingStationName><EVSEData:Address><CommonTypes:Country>DEU</CommonTypes:Country><CommonTypes:City>Berlin</CommonTypes:City><CommonTypes:Street>Marktplatz</CommonTypes:Street></EVSEData:Address><EVSEData:GeoCoordinates><CommonTypes:DecimalDegree><CommonTypes:Longitude>13.404954</CommonTypes:Longitude><CommonTypes:Latitude>52.520008</CommonTypes:Latitude></CommonTypes:DecimalDegree></EVSEData:GeoCoordinates><EVSEData:Plugs><EVSEData:Plug>Type 2 Outlet</EVSEData:Plug><EVSEData:Plug>Unspecified</EVSEData:Plug></EVSEData:Plugs><EVSEData:ChargingFacilities>${facilities.map((f) => `<EVSEData:ChargingFacility>${f}</EVSEData:ChargingFacility>`).join('')}</EVSEData:ChargingFacilities><EVSEData:ChargingModes><EVSEData:ChargingMode>Mode_3</EVSEData:ChargingMode></EVSEData:ChargingModes><EVSEData:AuthenticationModes><EVSEData:AuthenticationMode>NFC RFID Classic</EVSEData:AuthenticationMode></EVSEData:AuthenticationModes><EVSEData:PaymentOptions><EVSEData:PaymentOption>Contract</EVSEData:PaymentOption></EVSEData:PaymentOptions><EVSEData:ValueAddedServices><EVSEData:ValueAddedService>None</EVSEData:ValueAddedService></EVSEData:ValueAddedServices><EVSEData:Accessibility>Free publicly accessible</EVSEData:Accessibility><EVSEData:HotlinePhoneNum>+4930123456</EVSEData:HotlinePhoneNum><EVSEData:AdditionalInfo>Am Rathaus</EVSEData:AdditionalInfo><EVSEData:EnAdditionalInfo>ENG:At the town hall|||</EVSEData:EnAdditionalInfo><EVSEData:IsOpen24Hours>true</EVSEData:IsOpen24Hours><EVSEData:IsHubjectCompatible>true</EVSEData:IsHubjectCompatible><EVSEData:DynamicInfoAvailable>auto</EVSEData:DynamicInfoAvailable></EVSEData:EvseDataRecord></EVSEData:OperatorEvseData></EVSEData:eRoamingPushEvseData></soapenv:Body></soapenv:Envelope>`;
}

describe('OICP 2.1 EVSE data with free-text charging facilities', () => {
  it('is accepted whole: each text read into power type, voltage, amperage and power; what is not a facility is dropped and said', async () => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    const xml = push21(['380 - 480V, 3-Phase ≤32A', '100 - 120V, 1-Phase ≤10A', 'DC Charging ≤20kW', 'Battery exchange', 'Unspecified', '22 kW Typ 2, 400V 3-phase', 'irgendwas']);
    const res = await request(sim.app).post(soapPath('evsedata', '2.1')).set('content-type', 'text/xml').send(xml);
    expect([res.status, readSoapAnswer('PushEvseData', res.text)]).toMatchObject([200, { kind: 'answer', value: { Result: true } }]);
    const stored = [...sim.state.evseData.values()].flatMap((byId) => [...byId.values()].map((evse) => evse.record));
    expect(stored).toHaveLength(1);
    const record: EvseDataRecord = stored[0]!;
    expect(record.ChargingFacilities).toEqual([
      { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22.2, ChargingModes: ['Mode_3'] },
      { PowerType: 'AC_1_PHASE', Voltage: 120, Amperage: 10, Power: 1.2, ChargingModes: ['Mode_3'] },
      { PowerType: 'DC', Power: 20, ChargingModes: ['Mode_3'] },
      { PowerType: 'AC_3_PHASE', Voltage: 400, Power: 22, ChargingModes: ['Mode_3'] },
    ]);
    expect(record).toMatchObject({
      EvseID: 'DE*ABC*E1',
      Plugs: ['Type 2 Outlet'],
      HotlinePhoneNumber: '+4930123456',
      AdditionalInfo: [
        { lang: 'de', value: 'Am Rathaus' },
        { lang: 'en', value: 'At the town hall' },
      ],
    });
    // What was assumed and what was dropped is said, each at its path.
    const at = 'OperatorEvseData.EvseDataRecord[0]';
    const { findings } = readSoapRequest('evsedata', xml);
    expect(findings.map((f) => `${f.kind} ${f.path}`).sort()).toEqual(
      [
        `default OperatorEvseData.OperatorName`,
        `default ${at}.ChargingStationName`,
        `default ${at}.AdditionalInfo`,
        `loss ${at}.Plugs[1]`,
        `default ${at}.ChargingFacilities[0]`,
        `default ${at}.ChargingFacilities[1]`,
        `loss ${at}.ChargingFacilities[3]`,
        `loss ${at}.ChargingFacilities[4]`,
        `loss ${at}.ChargingFacilities[6]`,
        `default ${at}.ChargingModes`,
        `default ${at}.Address.PostalCode`,
        `default ${at}.Address.HouseNum`,
        `default ${at}.RenewableEnergy`,
        `default ${at}.CalibrationLawDataAvailability`,
      ].sort(),
    );
    expect(findings.find((f) => f.path === `${at}.ChargingFacilities[3]`)?.message).toContain('"Battery exchange" names no power type and power');
  });
});

describe('PullEvseStatusById answers as partners parse it', () => {
  it.each(['2.0', '2.1', '2.2'] as const)('%s: eRoamingEvseStatusById / EvseStatusRecords, letter case included', async (release) => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    sim.state.pushEvseStatus('fullLoad', CPO_ID, undefined, [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Occupied' }]);
    const pull = soapRequest('PullEvseStatus', { ProviderID: EMP_ID, EvseID: ['DE*ABC*E1'] }, { release }).value;
    expect(pull).toContain('eRoamingPullEvseStatusById>');
    const res = await request(sim.app).post(soapPath('evsestatus', release)).set('content-type', 'text/xml').send(pull);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<EVSEStatus:eRoamingEvseStatusById><EVSEStatus:EvseStatusRecords><EVSEStatus:EvseStatusRecord><EVSEStatus:Evse(Id|ID)>DE\*ABC\*E1</);
    if (release === '2.0') expect(await envelopeErrors([{ name: 'answer', xml: res.text }], OFFICIAL_2_0_XSDS)).toEqual([]);
  });
});

describe('PullEvseData as a 2.x EMP pulls it: no pages', () => {
  it('a pull without page parameters gets every record, grouped per operator as 2.x did, valid against the 2.0 XSD', async () => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    const example = readSoapRequest('evsedata', push21(['380 - 480V, 3-Phase ≤32A'])).value as { OperatorEvseData: { EvseDataRecord: EvseDataRecord[] } };
    const record = example.OperatorEvseData.EvseDataRecord[0]!;
    sim.state.pushEvseData('fullLoad', CPO_ID, 'ABC Charging', Array.from({ length: 45 }, (_, i) => ({ ...record, EvseID: `DE*ABC*E${i}` })));
    const pull = soapRequest('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree' }, { release: '2.0' }).value;
    const res = await request(sim.app).post(soapPath('evsedata', '2.0')).set('content-type', 'text/xml').send(pull);
    expect(res.status).toBe(200);
    expect(res.text.match(/<EVSEData:EvseDataRecord[ >]/g)).toHaveLength(45);
    expect(res.text).toMatch(/<EVSEData:eRoamingEvseData><EVSEData:EvseData><EVSEData:OperatorEvseData><EVSEData:OperatorID>DE\*ABC<\/EVSEData:OperatorID><EVSEData:OperatorName>ABC Charging</);
    expect(await envelopeErrors([{ name: 'answer', xml: res.text }], OFFICIAL_2_0_XSDS)).toEqual([]);
    // Our own client asks for pages, and reads their numbers from the page header.
    const paged = await request(sim.app).post(`${soapPath('evsedata')}?page=1&size=20`).set('content-type', 'text/xml').send(soapRequest('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree' }).value);
    expect(readSoapAnswer('PullEvseData', paged.text)).toMatchObject({ kind: 'answer', value: { number: 1, size: 20, numberOfElements: 20, totalElements: 45, totalPages: 3, last: false } });
  });
});

describe("node-soap built from Hubject's published 2.0 WSDL, calling the simulator in 2.0", () => {
  let server: RunningServer;
  let sim: ReturnType<typeof createHubjectSimulator>;
  /** A generated client's operation, by the WSDL's name (node-soap adds `<name>Async`). */
  type Operation = (args: unknown) => Promise<[unknown]>;
  const clientOf = async (service: string, path: string) =>
    (await nodeSoap.createClientAsync(join(OFFICIAL_DIR, `eRoaming${service}_V2.0_service-definition.wsdl`), { endpoint: `${server.url}${path}` })) as unknown as Record<string, Operation>;

  beforeAll(async () => {
    sim = createHubjectSimulator({ logger: quietLogger() });
    server = await startServer(sim.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    sim.close();
    await server.close();
  });

  it('pushes and pulls statuses: requests as the 2.0 WSDL has them are read, answers parsed by the generated client', async () => {
    const client = await clientOf('EvseStatus', soapPath('evsestatus', '2.0'));
    const [pushed] = await client.eRoamingPushEvseStatusAsync!({ ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseId: 'DE*ABC*E1', EvseStatus: 'Occupied' }] } });
    expect(pushed).toEqual({ Result: true, StatusCode: { Code: '000', Description: 'Success' } });
    const [pulled] = await client.eRoamingPullEvseStatusByIdAsync!({ ProviderID: EMP_ID, EvseId: ['DE*ABC*E1', 'DE*ABC*E2'] });
    expect(pulled).toEqual({
      EvseStatusRecords: {
        EvseStatusRecord: [
          { EvseId: 'DE*ABC*E1', EvseStatus: 'Occupied' },
          { EvseId: 'DE*ABC*E2', EvseStatus: 'EvseNotFound' },
        ],
      },
      StatusCode: { Code: '000', Description: 'Success' },
    });
  });

  it('asks for an authorization with a 2.0 PartnerSessionID and reads the 2.0 answer', async () => {
    const client = await clientOf('Authorization', soapPath('authorization', '2.0'));
    const [answer] = await client.eRoamingAuthorizeStartAsync!({ PartnerSessionID: '0815', OperatorID: CPO_ID, EVSEID: 'DE*ABC*E1', Identification: { RFIDmifarefamilyIdentification: { UID: '08152305' } } });
    // No EMP is online: Hubject's answer is NotAuthorized with 102, in the caller's form.
    expect(answer).toMatchObject({ SessionID: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '102' } });
    expect(sim.traffic.find((t) => t.operation === 'AuthorizeStart')?.request).toMatchObject({ CPOPartnerSessionID: '0815', EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: '08152305' } } });
  });
});

describe('OICP 2.0 EVSE data whose Accessibility is "Unspecified" (a 2.0 value 2.3 lacks)', () => {
  it('is accepted whole: the record is read as publicly accessible, and the reading is said', async () => {
    const sim = createHubjectSimulator({ logger: quietLogger() });
    const data = 'http://www.hubject.com/b2b/services/evsedata/v2.0';
    const record = `<EVSEData:EvseId>DE*ABC*E2</EVSEData:EvseId><EVSEData:ChargingStationName>Hof</EVSEData:ChargingStationName><EVSEData:Address><CommonTypes:Country>DEU</CommonTypes:Country><CommonTypes:City>Berlin</CommonTypes:City><CommonTypes:Street>Hofweg</CommonTypes:Street></EVSEData:Address><EVSEData:GeoCoordinates><CommonTypes:DecimalDegree><CommonTypes:Longitude>13.404954</CommonTypes:Longitude><CommonTypes:Latitude>52.520008</CommonTypes:Latitude></CommonTypes:DecimalDegree></EVSEData:GeoCoordinates><EVSEData:Plugs><EVSEData:Plug>Type 2 Outlet</EVSEData:Plug></EVSEData:Plugs><EVSEData:AuthenticationModes><EVSEData:AuthenticationMode>NFC RFID Classic</EVSEData:AuthenticationMode></EVSEData:AuthenticationModes><EVSEData:Accessibility>Unspecified</EVSEData:Accessibility><EVSEData:HotlinePhoneNum>+4930123456</EVSEData:HotlinePhoneNum><EVSEData:IsOpen24Hours>true</EVSEData:IsOpen24Hours><EVSEData:IsHubjectCompatible>true</EVSEData:IsHubjectCompatible><EVSEData:DynamicInfoAvailable>auto</EVSEData:DynamicInfoAvailable>`;
    const xml = `<soapenv:Envelope xmlns:soapenv="${ENV}" xmlns:EVSEData="${data}" xmlns:CommonTypes="${CMN}"><soapenv:Body><EVSEData:eRoamingPushEvseData><EVSEData:ActionType>fullLoad</EVSEData:ActionType><EVSEData:OperatorEvseData><EVSEData:OperatorID>${CPO_ID}</EVSEData:OperatorID><EVSEData:EvseDataRecord>${record}</EVSEData:EvseDataRecord></EVSEData:OperatorEvseData></EVSEData:eRoamingPushEvseData></soapenv:Body></soapenv:Envelope>`;
    // Valid 2.0, by Hubject's own XSDs.
    expect(await envelopeErrors([{ name: 'push', xml }], OFFICIAL_2_0_XSDS)).toEqual([]);
    const read = readSoapRequest('evsedata', xml);
    expect(read.findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'OperatorEvseData.EvseDataRecord[0].Accessibility', message: '"Unspecified" is not a value of OICP 2.3; read as "Free publicly accessible"' }));
    const res = await request(sim.app).post(soapPath('evsedata', '2.0')).set('content-type', 'text/xml').send(xml);
    expect([res.status, readSoapAnswer('PushEvseData', res.text)]).toMatchObject([200, { kind: 'answer', value: { Result: true } }]);
    const stored = [...sim.state.evseData.values()].flatMap((byId) => [...byId.values()].map((evse) => evse.record));
    expect(stored.map((r) => [r.EvseID, r.Accessibility])).toEqual([['DE*ABC*E2', 'Free publicly accessible']]);
  });
});
