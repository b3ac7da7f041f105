/**
 * The OICP errata registry (src/oicp/errata.ts): one case per entry, each driving the code the entry
 * names and showing the departure from the document's letter (often beside what the official
 * OpenAPI itself says about the same input). The case table is typed by the registry's ids, so an
 * erratum without a test, or a test without an erratum, fails the typecheck.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { parse } from 'yaml';
import { loadMappingRules } from '../../src/config/load';
import { check } from '../../src/core/typebox';
import { ocpiCdrToOicp, oicpCdrToOcpi } from '../../src/mapping/cdr';
import { ocpiToOicpFacility } from '../../src/mapping/charging-facility';
import { reserveNowToOicp } from '../../src/mapping/command';
import { ocpiEnergyMixToOicp } from '../../src/mapping/energy-mix';
import { contractIdToEvcoId } from '../../src/mapping/identification';
import { oicpEvseDataToLocations } from '../../src/mapping/location/from-oicp';
import { ocpiLocationToOicp } from '../../src/mapping/location/to-oicp';
import { notificationToOcpiSession, ocpiSessionToNotification } from '../../src/mapping/session';
import { oicpPricingToTariffs } from '../../src/mapping/tariff/from-oicp';
import { ocpiTariffsToOicp } from '../../src/mapping/tariff/to-oicp';
import { OICP_ERRATA } from '../../src/oicp/errata';
import { oicpRouter, requireClientCertificate, type OicpServerOptions } from '../../src/oicp/router';
import { FACILITY_TEXTS, facilityFromText } from '../../src/oicp/soap/charging-facility-text';
import { readSoapAnswer, readSoapRequest, soapAnswer, soapRequest } from '../../src/oicp/soap/envelope';
import type { SoapFaultError } from '../../src/oicp/soap/reader';
import { PAGE_HEADER } from '../../src/oicp/soap/shapes';
import { soapDefinitions } from '../../src/oicp/soap/wsdl';
import { GetChargeDetailRecordsRequest, type EvseDataPage } from '../../src/oicp/wire/messages';
import { operationPath } from '../../src/oicp/wire/operations';
import { ChargingFacility, EvseDataRecord } from '../../src/oicp/wire/schemas';
import { soapPath } from '../../src/oicp/wire/soap-services';
import { AuthorizeRemoteReservationStart, ChargeDetailRecord, Identification, ProviderId, type AuthorizeStart } from '../../src/oicp/wire/transaction-schemas';
import type { Location, Tariff } from '../../src/ocpi/wire/schemas';
import type { Cdr, Session } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';
import { CPO_ID, EMP_ID, quietLogger } from '../support/oicp-network';
import { OICP_SCHEMAS, oicpErrors } from '../support/oicp-schema';
import { describeErrata } from '../support/errata';

type Case = () => void | Promise<void>;

const ROOT = join(__dirname, '..', '..');
const fixture = (operation: string, file: string): unknown => JSON.parse(readFileSync(join(ROOT, 'fixtures', 'oicp', operation, file), 'utf8')) as unknown;
/** A pattern of the official OpenAPI, compiled as ajv compiles it there (no unicode flag). */
const officialPattern = (file: string) => new RegExp((parse(readFileSync(join(OICP_SCHEMAS, 'openapi-cpo', 'schemas', file), 'utf8')) as { pattern: string }).pattern);

const NOW = new Date('2025-01-15T12:00:00Z');
const SESSION_ID = 'b2688855-7f00-0002-6d8e-48d883f6abb6';
const LOCATION = corpusJson('2.2.1', 'location_example.json') as Location;
const PUSHED_RECORD = (fixture('PushEvseData', 'request-eRoamingPushEvseData.json') as { OperatorEvseData: { EvseDataRecord: EvseDataRecord[] } }).OperatorEvseData.EvseDataRecord[0]!;
const RESERVATION = fixture('AuthorizeRemoteReservationStart', 'request-eRoamingAuthorizeRemoteReservationStart.json') as Record<string, unknown>;
const RULES = loadMappingRules(join(ROOT, 'fixtures', 'mapping-rules.example.yaml'));
const invalidPaths = (schema: Parameters<typeof check>[0], value: unknown) => check(schema, value).findings.map((f) => f.path);

/** The corpus CDR as the CPO side writes it to Hubject (its EVSE fixed as in test/mapping/cdr.test.ts). */
function hubjectCdr() {
  const cdr = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
  const location: Location = { ...LOCATION, evses: [{ ...LOCATION.evses![0]!, evse_id: 'BE*BEC*E041503003', connectors: [LOCATION.evses![0]!.connectors[0]!] }] };
  return { cdr, location, record: ocpiCdrToOicp(cdr, { correlation: { sessionId: SESSION_ID } }).value! };
}

const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const AUTH_2_0 = 'http://www.hubject.com/b2b/services/authorization/v2.0';
const AUTH_2_2 = 'http://www.hubject.com/b2b/services/authorization/v2.1';
const CMN_2_0 = 'http://www.hubject.com/b2b/services/commontypes/v2.0';
const EXPECTED_START: AuthorizeStart = {
  SessionID: SESSION_ID,
  CPOPartnerSessionID: '0815',
  OperatorID: CPO_ID,
  EvseID: 'DE*ABC*E123456789*1',
  Identification: { RFIDMifareFamilyIdentification: { UID: '08152305' } },
  PartnerProductID: 'AC1',
};
/** A 2.0 AuthorizeStart in the plain element order, with `header` in the SOAP header. */
const authorizeStart20 = (header = '') =>
  `<s:Envelope xmlns:s="${ENV}"><s:Header>${header}</s:Header><s:Body><a:eRoamingAuthorizeStart xmlns:a="${AUTH_2_0}" xmlns:c="${CMN_2_0}"><a:SessionID>${SESSION_ID}</a:SessionID><a:PartnerSessionID>0815</a:PartnerSessionID><a:OperatorID>${CPO_ID}</a:OperatorID><a:EVSEID>DE*ABC*E123456789*1</a:EVSEID><a:Identification><c:RFIDmifarefamilyIdentification><c:UID>08152305</c:UID></c:RFIDmifarefamilyIdentification></a:Identification><a:PartnerProductID>AC1</a:PartnerProductID></a:eRoamingAuthorizeStart></s:Body></s:Envelope>`;

/** An OICP server that serves AuthorizeStart only, as a CPO's bridge faces Hubject's forwarded calls. */
function authorizeStartServer(options: Partial<OicpServerOptions> = {}) {
  const received: AuthorizeStart[] = [];
  const app = express();
  app.use(
    oicpRouter({
      serves: ['AuthorizeStart'],
      handlers: {
        AuthorizeStart: (req) => {
          received.push(req);
          return { SessionID: req.SessionID, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } };
        },
      },
      authorize: () => undefined,
      bodyLimit: '1mb',
      logger: quietLogger(),
      ...options,
    }),
  );
  return { app, received };
}

const CASES: Record<(typeof OICP_ERRATA)[number]['id'], Case> = {
  'charging-station-id-spelling': () => {
    const { ChargingPoolID: _pool, ChargingStationID: station, ...rest } = PUSHED_RECORD;
    const openApiSpelling = { ...rest, ChargingStationId: station };
    // Read: the OpenAPI's spelling is validated (a 51-character id is refused) and groups the location.
    expect(check(EvseDataRecord, openApiSpelling).findings).toEqual([]);
    expect(invalidPaths(EvseDataRecord, { ...openApiSpelling, ChargingStationId: 'S'.repeat(51) })).toEqual(['ChargingStationId']);
    const read = oicpEvseDataToLocations([openApiSpelling], { operatorId: CPO_ID, now: NOW });
    expect(read.value.map((location) => location.id)).toEqual([station]);
    // Written: the service definitions' spelling only.
    const written = ocpiLocationToOicp({ ...LOCATION, id: '3e0e3d7c-1f0b-4a0e-8d8e-6c5c1f0d2a11' }, { rules: RULES, at: NOW });
    const records = written.value!.records;
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record.ChargingStationID).toBe('3e0e3d7c-1f0b-4a0e-8d8e-6c5c1f0d2a11');
      expect(record).not.toHaveProperty('ChargingStationId');
    }
  },

  'hub-provider-id-spelling': () => {
    const { cdr, location, record } = hubjectCdr();
    expect(record).not.toHaveProperty('HubProviderID');
    expect(record).not.toHaveProperty('HubProviderId');
    for (const spelling of ['HubProviderID', 'HubProviderId'] as const) {
      expect(invalidPaths(ChargeDetailRecord, { ...record, [spelling]: 'not a provider' })).toEqual([spelling]);
      const { value, findings } = oicpCdrToOcpi({ ...record, [spelling]: EMP_ID }, { tariff: cdr.tariffs![0]!, location, now: NOW });
      expect(value).toBeDefined();
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: spelling }));
    }
  },

  'charging-facility-power-decimal': () => {
    const decimal = { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22.2 };
    expect(check(ChargingFacility, decimal).findings).toEqual([]);
    expect(oicpErrors('cpo', 'eRoamingPushEvseData', { ActionType: 'fullLoad', OperatorEvseData: { OperatorID: 'DE*XYZ', OperatorName: 'XYZ', EvseDataRecord: [{ ...PUSHED_RECORD, ChargingFacilities: [decimal] }] } })).not.toEqual([]);
    const { value, findings } = ocpiToOicpFacility({ power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32 });
    expect(value.Power).toBe(22);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'max_electric_power', message: expect.stringContaining('22080 W') as string }));
  },

  'cdr-forwarder-spelling': () => {
    const base = { ProviderID: EMP_ID, From: '2020-08-23T14:20:10.285Z', To: '2020-09-23T14:20:10.285Z' };
    for (const spelling of ['CDRForwarder', 'CDRForwarded'] as const) {
      expect(check(GetChargeDetailRecordsRequest, { ...base, [spelling]: false }).findings).toEqual([]);
      expect(invalidPaths(GetChargeDetailRecordsRequest, { ...base, [spelling]: 'no' })).toEqual([spelling]);
    }
  },

  'reservation-emp-partner-session-id-spelling': () => {
    const { EMPPartnerSessionID: id, ...rest } = RESERVATION;
    for (const spelling of ['EMPPartnerSessionId', 'EMPPartnerSessionID'] as const) {
      expect(check(AuthorizeRemoteReservationStart, { ...rest, [spelling]: id }).findings).toEqual([]);
      expect(invalidPaths(AuthorizeRemoteReservationStart, { ...rest, [spelling]: 'x'.repeat(251) })).toEqual([spelling]);
    }
    const reserve = { response_url: 'https://emsp.example.com/r/1', token: corpusJson('2.2.1', 'token_example_1_app_user.json'), expiry_date: '2025-01-15T12:30:00Z', reservation_id: 'R-1', location_id: 'LOC1', evse_uid: '3257' };
    const { value } = reserveNowToOicp(reserve, { location: LOCATION, now: NOW });
    expect(value).toMatchObject({ EMPPartnerSessionId: 'R-1' });
    expect(value).not.toHaveProperty('EMPPartnerSessionID');
  },

  'charging-duration-definition': () => {
    const active = { ...(corpusJson('2.2.1', 'session_example_2_short_finished.json') as Session), status: 'ACTIVE', end_date_time: undefined };
    const { value } = ocpiSessionToNotification(active, { sessionId: SESSION_ID, location: LOCATION, started: true });
    expect(value?.Type).toBe('Progress');
    expect(value?.ChargingDuration).toBe(Date.parse(value!.EventOccurred!) - Date.parse(value!.ChargingStart!));

    const start = { Type: 'Start', SessionID: SESSION_ID, EvseID: 'BE*BEC*E041503002', OperatorID: 'BE*BEC', Identification: { RemoteIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, ChargingStart: '2015-06-29T22:00:00Z' };
    const tariff = corpusJson('2.2.1', 'tariff_13_simple_3hour_5parking.json') as Tariff;
    const previous = notificationToOcpiSession(start, { location: LOCATION, tariff, now: NOW }).value!;
    const progress = (duration: number) =>
      notificationToOcpiSession({ ...start, Type: 'Progress', EventOccurred: '2015-06-29T22:30:00Z', ChargingDuration: duration, ConsumedEnergyProgress: 5 }, { previous, location: LOCATION, tariff, now: NOW });
    expect(progress(30 * 60_000).findings).not.toContainEqual(expect.objectContaining({ path: 'ChargingDuration' }));
    const off = progress(35 * 60_000);
    expect(off.findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'ChargingDuration' }));
    expect(off.value?.charging_periods?.[0]?.start_date_time).toBe('2015-06-29T22:00:00Z');
  },

  'evco-id-check-digit-optional': () => {
    const withoutDigit = 'DE-8EO-CAet5e4XY';
    expect(officialPattern('EvcoID.yaml').test(withoutDigit)).toBe(false);
    expect(check(Identification, { RemoteIdentification: { EvcoID: withoutDigit } }).findings).toEqual([]);
    const { value, findings } = contractIdToEvcoId(withoutDigit);
    expect(value).toMatch(/^DE-8EO-CAet5e4XY-[0-9A-Z]$/);
    expect(officialPattern('EvcoID.yaml').test(value!)).toBe(true);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'contract_id' }));
  },

  'id-pattern-separator-class': () => {
    expect(officialPattern('ProviderID.yaml').test('DE|8EO')).toBe(true);
    expect(officialPattern('EvcoID.yaml').test('DE|8EO|Aet5e4|3')).toBe(true);
    expect(invalidPaths(ProviderId, 'DE|8EO')).toEqual(['(document)']);
    expect(invalidPaths(Identification, { RemoteIdentification: { EvcoID: 'DE|8EO|Aet5e4|3' } })).toEqual(['RemoteIdentification.EvcoID']);
    for (const separated of ['DE*8EO', 'DE-8EO', 'DE8EO']) expect(check(ProviderId, separated).findings).toEqual([]);
  },

  'string-maximum-as-max-length': () => {
    const long = { ...RESERVATION, CPOPartnerSessionID: 'x'.repeat(251) };
    expect(oicpErrors('cpo', 'eRoamingAuthorizeRemoteReservationStart', long)).toEqual([]);
    expect(invalidPaths(AuthorizeRemoteReservationStart, long)).toEqual(['CPOPartnerSessionID']);
    expect(invalidPaths(EvseDataRecord, { ...PUSHED_RECORD, ChargingStationID: 'S'.repeat(51) })).toEqual(['ChargingStationID']);
  },

  'energy-source-percentage-100': () => {
    const allSolar = { ...PUSHED_RECORD, EnergySource: [{ Energy: 'Solar', Percentage: 100 }] };
    expect(check(EvseDataRecord, allSolar).findings).toEqual([]);
    expect(oicpErrors('cpo', 'eRoamingPushEvseData', { ActionType: 'fullLoad', OperatorEvseData: { OperatorID: 'DE*XYZ', OperatorName: 'XYZ', EvseDataRecord: [allSolar] } })).not.toEqual([]);
    const { value, findings } = ocpiEnergyMixToOicp({ is_green_energy: true, energy_sources: [{ source: 'SOLAR', percentage: 100 }] }, undefined);
    expect(value.EnergySource).toEqual([{ Energy: 'Solar', Percentage: 99 }]);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'energy_mix.energy_sources[0].percentage' }));
  },

  'maximum-product-charging-power-unit': () => {
    const { PricingProductData } = fixture('PushPricingProductData', 'request-eRoamingPushPricingProductData.json') as { PricingProductData: unknown };
    const { value: tariffs } = oicpPricingToTariffs(PricingProductData, { now: NOW });
    const restrictions = tariffs.flatMap((t) => t.elements.map((e) => e.restrictions));
    expect(restrictions.length).toBeGreaterThan(0);
    for (const restriction of restrictions) expect(restriction?.max_power).toBe(22);
    const tariff = corpusJson('2.2.1', 'tariffrestriction_example_max_power.json') as Tariff;
    const maxPower = tariff.elements.find((e) => e.restrictions?.max_power !== undefined)!.restrictions!.max_power;
    const there = ocpiTariffsToOicp(tariff, { rules: RULES });
    expect(there.value?.PricingProductDataRecords.map((r) => r.MaximumProductChargingPower)).toContain(maxPower);
  },

  'rest-any-content-type': async () => {
    const { app, received } = authorizeStartServer();
    const body = { OperatorID: CPO_ID, EvseID: 'DE*ABC*E123456789*1', Identification: { RFIDMifareFamilyIdentification: { UID: '08152305' } } };
    const path = operationPath('AuthorizeStart', CPO_ID);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json;charset=UTF-8']) {
      const res = await request(app).post(path).set('content-type', type).send(JSON.stringify(body));
      expect([type, res.status, res.body.AuthorizationStatus]).toEqual([type, 200, 'Authorized']);
    }
    expect(received).toHaveLength(3);
    const notJson = await request(app).post(path).set('content-type', 'text/plain').send('OperatorID=DE*ABC');
    expect([notJson.status, notJson.body.StatusCode?.Code]).toEqual([400, '022']);
  },

  'rest-refusal-http-status': async () => {
    const path = operationPath('AuthorizeStart', CPO_ID);
    const body = { OperatorID: CPO_ID, EvseID: 'DE*ABC*E123456789*1', Identification: { RFIDMifareFamilyIdentification: { UID: '08152305' } } };
    const answer = async (app: express.Express, sent: unknown) => {
      const res = await request(app).post(path).send(sent as object);
      const acknowledgement = res.body as { Result?: boolean; AuthorizationStatus?: string; StatusCode?: { Code?: string } };
      return [res.status, acknowledgement.Result ?? acknowledgement.AuthorizationStatus, acknowledgement.StatusCode?.Code];
    };
    const { app } = authorizeStartServer({ operatorIds: [CPO_ID] });
    expect(await answer(app, body)).toEqual([200, 'Authorized', '000']);
    expect(await answer(app, { ...body, Identification: { RFIDMifareFamilyIdentification: { UID: 'not hex' } } })).toEqual([400, false, '022']);
    expect(await answer(app, { ...body, OperatorID: 'DE*XYZ' })).toEqual([403, false, '017']);
    expect(await answer(authorizeStartServer({ authorize: requireClientCertificate }).app, body)).toEqual([403, false, '017']);
    const failing = authorizeStartServer({ handlers: { AuthorizeStart: () => Promise.reject(new Error('backend down')) } }).app;
    expect(await answer(failing, body)).toEqual([500, false, '021']);
    // A business refusal stays at 200, in the authorization's own shape.
    expect(await answer(app, { ...body, EvseID: 'DE*XYZ*E1' })).toEqual([200, 'NotAuthorized', '018']);
  },

  'unserved-operation-320': async () => {
    const { app } = authorizeStartServer();
    const code = (res: request.Response) => {
      const acknowledgement = res.body as { Result?: boolean; StatusCode?: { Code?: string } };
      return [res.status, acknowledgement.Result, acknowledgement.StatusCode?.Code];
    };
    expect(code(await request(app).post(operationPath('PushEvseData', CPO_ID)).send({}))).toEqual([501, false, '320']);
    expect(code(await request(app).get(operationPath('AuthorizeStart', CPO_ID)))).toEqual([405, false, '320']);
    expect(code(await request(app).post('/api/oicp/nothing/v1/here').send({}))).toEqual([404, false, '320']);
    // SOAP: an operation of a served service this side does not serve is the Server's fault; a service it does not serve has no endpoint.
    const stop = soapRequest('AuthorizeStop', fixture('AuthorizeStop', 'request-eRoamingAuthorizeStop.json')).value;
    const unserved = await request(app).post(soapPath('authorization', '2.2')).set('content-type', 'text/xml').send(stop);
    expect(unserved.status).toBe(500);
    expect(readSoapAnswer('AuthorizeStop', unserved.text)).toMatchObject({ kind: 'fault', fault: { faultcode: expect.stringMatching(/Server$/) as string, acknowledgement: { Result: false, StatusCode: { Code: '320' } } } });
    const push = soapRequest('PushEvseData', fixture('PushEvseData', 'request-eRoamingPushEvseData.json')).value;
    const noEndpoint = await request(app).post(soapPath('evsedata', '2.2')).set('content-type', 'text/xml').send(push);
    expect(noEndpoint.status).toBe(404);
    expect(readSoapAnswer('PushEvseData', noEndpoint.text)).toMatchObject({ kind: 'fault', fault: { acknowledgement: { Result: false, StatusCode: { Code: '320' } } } });
  },

  'soap-addressing-must-understand': () => {
    const action = (namespace: string) => `<Action s:mustUnderstand="1" xmlns="${namespace}">eRoamingAuthorizeStart</Action>`;
    for (const namespace of ['http://www.w3.org/2005/08/addressing', 'http://schemas.microsoft.com/ws/2005/05/addressing/none']) {
      expect(readSoapRequest('authorization', authorizeStart20(action(namespace))).value).toEqual(EXPECTED_START);
    }
    expect(() => readSoapRequest('authorization', authorizeStart20(action('urn:someone:else')))).toThrow(expect.objectContaining({ faultcode: 'MustUnderstand' }) as SoapFaultError);
  },

  'soap-element-order-and-case': () => {
    const shuffled = `<s:Envelope xmlns:s="${ENV}"><s:Body><a:eRoamingAuthorizeStart xmlns:a="${AUTH_2_0}" xmlns:c="${CMN_2_0}"><a:PartnerProductID>AC1</a:PartnerProductID><a:Identification><c:RFIDMifareFamilyIdentification><c:UID>08152305</c:UID></c:RFIDMifareFamilyIdentification></a:Identification><a:EvseId>DE*ABC*E123456789*1</a:EvseId><a:operatorid>${CPO_ID}</a:operatorid><a:PartnerSessionID>0815</a:PartnerSessionID><a:SessionID>${SESSION_ID}</a:SessionID></a:eRoamingAuthorizeStart></s:Body></s:Envelope>`;
    expect(readSoapRequest('authorization', shuffled).value).toEqual(EXPECTED_START);
    expect(readSoapRequest('authorization', authorizeStart20()).value).toEqual(EXPECTED_START);
  },

  'soap-spellings-of-any-release': async () => {
    // 2.0 element names (PartnerSessionID, EVSEID, RFIDmifarefamilyIdentification) in the 2.2 namespace.
    const mixed = authorizeStart20().replace(AUTH_2_0, AUTH_2_2);
    const read = readSoapRequest('authorization', mixed);
    expect([read.release, read.value]).toEqual(['2.2', EXPECTED_START]);
    // Any endpoint version takes any release; the answer is in the request's namespace.
    const { app, received } = authorizeStartServer();
    const res = await request(app).post(soapPath('authorization', '2.0')).set('content-type', 'text/xml').send(mixed);
    expect(res.status).toBe(200);
    expect(received).toEqual([EXPECTED_START]);
    expect(res.text).toContain(AUTH_2_2);
  },

  'soap-free-text-charging-facility': () => {
    expect(facilityFromText('380 - 480V, 3-Phase ≤32A')).toMatchObject({ facility: { PowerType: 'AC_3_PHASE', Amperage: 32 } });
    const ownWords = '22 kW Typ 2, 400V 3-phase';
    expect(Object.keys(FACILITY_TEXTS)).not.toContain(ownWords);
    expect(facilityFromText(ownWords)).toMatchObject({ facility: { PowerType: 'AC_3_PHASE', Voltage: 400, Power: 22 } });
    expect(facilityFromText('irgendwas')).toMatchObject({ lost: expect.any(String) as string });
  },

  'soap-page-header': () => {
    const page = fixture('PullEvseData', 'response-simulator.json') as EvseDataPage;
    const xml = soapAnswer('PullEvseData', page).value;
    expect(xml).toContain(PAGE_HEADER.namespace);
    expect(xml).not.toMatch(/mustUnderstand/);
    const paged = readSoapAnswer('PullEvseData', xml);
    const pageFindings = (answer: ReturnType<typeof readSoapAnswer>) => (answer.kind === 'answer' ? answer.findings.filter((f) => f.message.includes('page header')) : []);
    expect(paged).toMatchObject({ kind: 'answer', value: { number: page.number, totalElements: page.totalElements } });
    expect(pageFindings(paged)).toEqual([]);
    // As Hubject's 2.x answered: no header, the whole result.
    const bare = xml.replace(/<([A-Za-z-]+:)?Header\b[\s\S]*?<\/\1Header>/, '');
    expect(bare).not.toContain(PAGE_HEADER.namespace);
    const whole = readSoapAnswer('PullEvseData', bare);
    expect(whole).toMatchObject({ kind: 'answer', value: { first: true, last: true, totalElements: page.content.length } });
    expect(pageFindings(whole)).toEqual([expect.objectContaining({ kind: 'default' })]);
  },

  'soap-charging-notification': () => {
    const notification = fixture('ChargingNotification', 'request-eRoamingChargingNotificationStart.json');
    const xml = soapRequest('ChargingNotification', notification).value;
    expect(xml).toContain('http://www.hubject.com/b2b/services/notificationmgmt/v1.1');
    const read = readSoapRequest('notificationmgmt', xml);
    expect([read.name, read.release, read.value]).toEqual(['ChargingNotification', '2.2', notification]);
  },

  'soap-wsdl-operation-names': () => {
    const wsdl = soapDefinitions().get('authorization.wsdl')!;
    expect(wsdl).toMatch(/<wsdl:operation name="AuthorizeStart"/);
    expect(wsdl).not.toMatch(/<wsdl:operation name="eRoaming/);
    expect(wsdl).toMatch(/soapAction="eRoamingAuthorizeStart"/);
  },
  'soap-fault-http-status': async () => {
    const { app } = authorizeStartServer();
    const fault = (res: request.Response) => readSoapAnswer('AuthorizeStart', res.text);
    const large = authorizeStart20().replace('<s:Body>', `<s:Body>${' '.repeat(2 * 1024 * 1024)}`);
    const tooLarge = await request(app).post(soapPath('authorization', '2.0')).set('content-type', 'text/xml').send(large);
    expect(tooLarge.status).toBe(413);
    expect(fault(tooLarge)).toMatchObject({ kind: 'fault', fault: { acknowledgement: { Result: false, StatusCode: { Code: '022' } } } });
    const noEndpoint = await request(app).post('/ws/nothing/v1.0').set('content-type', 'text/xml').send(authorizeStart20());
    expect(noEndpoint.status).toBe(404);
    expect(fault(noEndpoint)).toMatchObject({ kind: 'fault', fault: { acknowledgement: { Result: false, StatusCode: { Code: '320' } } } });
    // A refusal while processing keeps SOAP's 500.
    const unreadable = await request(app).post(soapPath('authorization', '2.0')).set('content-type', 'text/xml').send(authorizeStart20().replace('<a:OperatorID>', '<a:OperatorID>x'));
    expect([unreadable.status, fault(unreadable).kind]).toEqual([500, 'fault']);
  },
};

describeErrata('OICP errata registry', OICP_ERRATA, CASES);
