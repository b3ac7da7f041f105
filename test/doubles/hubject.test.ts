import { oicpErrors, exampleOf } from '../support/oicp-schema';
import { startHubjectDouble, type HubjectDouble } from '../support/doubles/hubject';
import { hubjectControl } from '../support/doubles/hubject-remote';
import { generateEvseDataRecords, pushEvseDataBody, DEFAULT_OPERATORS } from '../support/doubles/oicp-data';
import { requestSchemaFiles, responseErrors, servedOperations } from '../support/doubles/oicp-operations';
import { post } from './client';

/** The Hubject double against Hubject's own OpenAPI: its examples pass, its schema violations are refused and counted. */

const OPERATOR = 'DE*ABC';
const PROVIDER = 'DE-DCB';
/** The SessionID of the official examples (CDR, AuthorizeStop, notifications). */
const EXAMPLE_SESSION = 'f98efba4-02d8-4fa0-b810-9a9d50d2c527';

const pathOf = (template: string) => `/api/oicp${template.replace('{operatorID}', encodeURIComponent(OPERATOR)).replace('{providerID}', PROVIDER)}`;
const op = (name: string) => servedOperations().find((o) => o.name === name)!;

let hub: HubjectDouble;
const send = (name: string, body: unknown, query = '') => post(`${hub.url}${pathOf(op(name).template)}${query}`, body);

afterEach(async () => {
  await hub?.close();
});

describe('Hubject double: official OpenAPI', () => {
  it('accepts every official request example of every operation it serves, and answers in the official response schema', async () => {
    // The examples push DE*XYZ's EVSE as DE*ABC: a hub CPO with a sub-operator.
    hub = await startHubjectDouble({ subOperators: ['DE*XYZ'] });
    await hub.issueSession({ SessionID: EXAMPLE_SESSION });
    let checked = 0;
    for (const operation of servedOperations()) {
      for (const file of requestSchemaFiles(operation)) {
        const res = await send(operation.name, exampleOf(file));
        expect({ file, status: res.status }).toEqual({ file, status: 200 });
        expect({ file, errors: responseErrors(operation, res.body) }).toEqual({ file, errors: [] });
        if ('Result' in res.body) expect({ file, ack: res.body }).toEqual({ file, ack: expect.objectContaining({ Result: true }) });
        if ('AuthorizationStatus' in res.body) expect(res.body.AuthorizationStatus).toBe('Authorized');
        checked++;
      }
    }
    expect(checked).toBe(18);
    expect(await hub.violations()).toEqual([]);
    expect((await hub.counters()).requests).toBe(18);
    // The examples left their marks: the pushed EVSE, its status, the CDR, the four notifications.
    expect((await hub.evseStatuses())['DE*XYZ*ETEST1']?.current).toBe('Available');
    expect(Object.keys(await hub.evseData())).toEqual([OPERATOR]);
    expect((await hub.cdrStats()).accepted).toBe(1);
    expect((await hub.notifications())[EXAMPLE_SESSION]?.map((n) => n.Type)).toEqual(['Start', 'Progress', 'End', 'Error']);
  });

  it('refuses a body that breaks the schema with Result false / 022, records the violation and changes nothing', async () => {
    hub = await startHubjectDouble();
    const broken = { ActionType: 'update', OperatorEvseStatus: { OperatorID: OPERATOR, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Broken' }] } };
    const res = await send('PushEvseStatus', broken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ Result: false, StatusCode: { Code: '022' } });
    expect(responseErrors(op('PushEvseStatus'), res.body)).toEqual([]);
    const notJson = await post(`${hub.url}${pathOf(op('ChargeDetailRecord').template)}`, undefined, { raw: '{"SessionID": ' });
    expect(notJson.body.StatusCode.Code).toBe('022');
    // An End notification must carry ChargingEnd: the schema its Type names decides, not the first that fits.
    const end = { Type: 'End', SessionID: EXAMPLE_SESSION, EvseID: 'DE*ABC*E1', OperatorID: OPERATOR, ChargingStart: '2024-01-01T10:00:00Z' };
    expect((await send('ChargingNotification', end)).body.StatusCode.Code).toBe('022');

    const violations = await hub.violations();
    expect(violations.map((v) => v.operation)).toEqual(['PushEvseStatus', 'ChargeDetailRecord', 'ChargingNotification']);
    expect(violations[0]!.errors.join()).toMatch(/EvseStatus/);
    expect(violations[2]!.errors.join()).toMatch(/ChargingEnd/);
    expect((await hub.counters()).schemaViolations).toBe(3);
    expect(await hub.evseStatuses()).toEqual({});
    expect(await hub.notifications()).toEqual({});
  });

  it('can answer violations with another HTTP status, the acknowledgement unchanged', async () => {
    hub = await startHubjectDouble({ violationHttpStatus: 400 });
    const res = await send('PullEvseStatus', { ProviderID: 'not a provider' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ Result: false, StatusCode: { Code: '022' } });
  });
});

describe('Hubject double: CPO side', () => {
  const status = (EvseID: string, EvseStatus: string, ActionType = 'update', OperatorID = OPERATOR) => ({ ActionType, OperatorEvseStatus: { OperatorID, EvseStatusRecord: [{ EvseID, EvseStatus }] } });

  it('keeps every status push per EVSE in order, the last as current; fullLoad replaces the operator set; a foreign EvseID gets 018', async () => {
    hub = await startHubjectDouble();
    for (const s of ['Available', 'Occupied', 'Available', 'Reserved']) expect((await send('PushEvseStatus', status('DE*ABC*E1', s))).body.Result).toBe(true);
    expect((await send('PushEvseStatus', status('DEABCE2', 'OutOfService'))).body.Result).toBe(true);
    const foreign = await send('PushEvseStatus', status('DE*XYZ*E9', 'Available'));
    expect(foreign.body).toMatchObject({ Result: false, StatusCode: { Code: '018' } });

    let statuses = await hub.evseStatuses();
    expect(statuses['DE*ABC*E1']!.history.map((h) => h.EvseStatus)).toEqual(['Available', 'Occupied', 'Available', 'Reserved']);
    expect(statuses['DE*ABC*E1']!.current).toBe('Reserved');
    expect(statuses['DE*XYZ*E9']).toBeUndefined();

    await send('PushEvseStatus', status('DE*ABC*E1', 'Occupied', 'fullLoad'));
    statuses = await hub.evseStatuses();
    expect(statuses['DE*ABC*E1']!.current).toBe('Occupied');
    expect(statuses['DEABCE2']!.current).toBeNull();
  });

  it('keeps EVSE data records per operator: fullLoad, update, insert, delete; DIN operators too', async () => {
    hub = await startHubjectDouble();
    const [iso, din] = DEFAULT_OPERATORS as [(typeof DEFAULT_OPERATORS)[0], (typeof DEFAULT_OPERATORS)[0]];
    const records = generateEvseDataRecords({ count: 6 });
    const isoRecords = records.filter((r) => r.OperatorID === iso.OperatorID);
    const dinRecords = records.filter((r) => r.OperatorID === din.OperatorID);
    expect((await send('PushEvseData', pushEvseDataBody(iso, isoRecords, 'fullLoad'))).body.Result).toBe(true);
    expect((await send('PushEvseData', pushEvseDataBody(din, dinRecords, 'insert'))).body.Result).toBe(true);
    expect((await send('PushEvseData', pushEvseDataBody(iso, isoRecords.slice(0, 1), 'delete'))).body.Result).toBe(true);
    expect((await send('PushEvseData', pushEvseDataBody(iso, dinRecords.slice(0, 1), 'update'))).body.StatusCode.Code).toBe('018');
    const data = await hub.evseData();
    expect(data[iso.OperatorID]!.map((r) => r.EvseID)).toEqual(isoRecords.slice(1).map((r) => r.EvseID));
    expect(data[din.OperatorID]!.map((r) => r.EvseID)).toEqual(dinRecords.map((r) => r.EvseID));
    await send('PushEvseData', pushEvseDataBody(iso, isoRecords.slice(2, 3), 'fullLoad'));
    expect((await hub.evseData(iso.OperatorID))[iso.OperatorID]!.map((r) => r.EvseID)).toEqual([isoRecords[2]!.EvseID]);
  });

  const cdr = (SessionID: string, ConsumedEnergy = 10) => ({
    SessionID,
    EvseID: 'DE*ABC*E1',
    Identification: { RFIDMifareFamilyIdentification: { UID: '1234ABCD' } },
    ChargingStart: '2024-05-01T10:00:00Z',
    ChargingEnd: '2024-05-01T11:00:00Z',
    SessionStart: '2024-05-01T09:59:00Z',
    SessionEnd: '2024-05-01T11:01:00Z',
    ConsumedEnergy,
  });

  it('authorizes a start with a SessionID it then accepts one CDR for; a second is refused 009 and counted, an unknown session 400', async () => {
    hub = await startHubjectDouble({ authorization: { byIdentifier: { DEADBEEF: { AuthorizationStatus: 'NotAuthorized', Code: '102' } } } });
    const start = await send('AuthorizeStart', { OperatorID: OPERATOR, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: '1234ABCD' } } });
    expect(start.body).toMatchObject({ AuthorizationStatus: 'Authorized', ProviderID: PROVIDER, StatusCode: { Code: '000' } });
    const sessionId = start.body.SessionID as string;
    const denied = await send('AuthorizeStart', { OperatorID: OPERATOR, Identification: { RFIDMifareFamilyIdentification: { UID: 'DEADBEEF' } } });
    expect(denied.body).toMatchObject({ AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '102' } });
    expect(responseErrors(op('AuthorizeStart'), denied.body)).toEqual([]);

    expect((await send('ChargeDetailRecord', cdr(sessionId))).body).toMatchObject({ Result: true, StatusCode: { Code: '000' } });
    expect((await send('ChargeDetailRecord', cdr(sessionId))).body).toMatchObject({ Result: false, StatusCode: { Code: '009' } });
    expect((await send('ChargeDetailRecord', cdr(sessionId, 11))).body.StatusCode.Code).toBe('009');
    expect((await send('ChargeDetailRecord', cdr(denied.body.SessionID as string))).body.StatusCode.Code).toBe('400');
    expect((await send('ChargeDetailRecord', cdr('00000000-0000-0000-0000-000000000000'))).body.StatusCode.Code).toBe('400');

    expect(await hub.cdrStats()).toEqual({ calls: 5, distinctSessions: 3, accepted: 1, duplicates: 2, duplicatesIdentical: 1, duplicatesDifferent: 1, refused: { '400': 2 } });
    expect((await hub.cdrs())[sessionId]!.map((c) => c.code)).toEqual(['000', '009', '009']);
    await hub.setAuthorization({ byIdentifier: {} });
    expect((await hub.authorization()).start.AuthorizationStatus).toBe('Authorized');
  });

  it('with sessions "any" takes a CDR for any SessionID, still one per SessionID', async () => {
    hub = await startHubjectDouble({ sessions: 'any' });
    const id = '11111111-2222-3333-4444-555555555555';
    expect((await send('ChargeDetailRecord', cdr(id))).body.StatusCode.Code).toBe('000');
    expect((await send('ChargeDetailRecord', cdr(id))).body.StatusCode.Code).toBe('009');
  });
});

describe('Hubject double: EMP side', () => {
  const pull = (body: object, page: number, size: number) => send('PullEvseData', { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'DecimalDegree', ...body }, `?page=${page}&size=${size}`);

  it('pages seeded records with page/size; every record and page validates; coordinates come in the asked notation', async () => {
    const records = generateEvseDataRecords({ count: 45 });
    hub = await startHubjectDouble({ evseData: records });
    const seen: string[] = [];
    for (let page = 0; ; page++) {
      const res = await pull({}, page, 20);
      expect(responseErrors(op('PullEvseData'), res.body)).toEqual([]);
      expect(res.body).toMatchObject({ number: page, size: 20, totalElements: 45, totalPages: 3, first: page === 0 });
      seen.push(...(res.body.content as { EvseID: string }[]).map((r) => r.EvseID));
      for (const r of res.body.content as { GeoCoordinates: object }[]) expect(Object.keys(r.GeoCoordinates)).toEqual(['DecimalDegree']);
      if (res.body.last) break;
    }
    expect(seen).toEqual(records.map((r) => r.EvseID));
    const google = await send('PullEvseData', { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'Google' });
    expect(google.body.size).toBe(20);
    expect(google.body.content[0].GeoCoordinates.Google.Coordinates).toMatch(/^-?\d+\.\d{6} -?\d+\.\d{6}$/);
    const dms = await send('PullEvseData', { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'DegreeMinuteSeconds', OperatorIds: ['+49*810'] }, '?size=100');
    expect(dms.body.totalElements).toBe(22);
    expect(responseErrors(op('PullEvseData'), dms.body)).toEqual([]);
  });

  it('answers a LastCall pull with the changes since, each with its deltaType', async () => {
    const records = generateEvseDataRecords({ count: 4, operators: [DEFAULT_OPERATORS[0]!] });
    hub = await startHubjectDouble({ evseData: records.slice(0, 3) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const lastCall = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const operator = DEFAULT_OPERATORS[0]!;
    await send('PushEvseData', pushEvseDataBody(operator, [records[3]!], 'insert'));
    await send('PushEvseData', pushEvseDataBody(operator, [records[1]!], 'update'));
    await send('PushEvseData', pushEvseDataBody(operator, [records[0]!], 'delete'));
    const delta = await pull({ LastCall: lastCall }, 0, 20);
    expect(responseErrors(op('PullEvseData'), delta.body)).toEqual([]);
    expect((delta.body.content as { EvseID: string; deltaType: string }[]).map((r) => [r.EvseID, r.deltaType])).toEqual([
      [records[0]!.EvseID, 'delete'],
      [records[1]!.EvseID, 'update'],
      [records[3]!.EvseID, 'insert'],
    ]);
    expect((await pull({}, 0, 20)).body.totalElements).toBe(3);
  });

  it('answers PullEvseStatus, ByID and ByOperatorID from pushed and seeded statuses', async () => {
    hub = await startHubjectDouble({ evseStatuses: [{ EvseID: '+49*810*001*1', EvseStatus: 'Occupied' }] });
    await send('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: OPERATOR, OperatorName: 'ABC', EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }] } });
    const all = await send('PullEvseStatus', { ProviderID: PROVIDER });
    expect(all.body.EvseStatuses.OperatorEvseStatus).toEqual([
      { OperatorID: '+49*810', EvseStatusRecord: [{ EvseID: '+49*810*001*1', EvseStatus: 'Occupied' }] },
      { OperatorID: OPERATOR, OperatorName: 'ABC', EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }] },
    ]);
    const byId = await send('PullEvseStatus', { ProviderID: PROVIDER, EvseID: ['DE*ABC*E1', 'DE*ABC*E404'] });
    expect(byId.body.EVSEStatusRecords.EvseStatusRecord).toEqual([
      { EvseID: 'DE*ABC*E1', EvseStatus: 'Available' },
      { EvseID: 'DE*ABC*E404', EvseStatus: 'EvseNotFound' },
    ]);
    const byOperator = await send('PullEvseStatus', { ProviderID: PROVIDER, OperatorID: ['+49*810'] });
    expect(byOperator.body.EvseStatuses.OperatorEvseStatus).toHaveLength(1);
    for (const res of [all, byId, byOperator]) expect(responseErrors(op('PullEvseStatus'), res.body)).toEqual([]);
  });

  it('pages GetChargeDetailRecords over the CDRs received in the date range', async () => {
    hub = await startHubjectDouble({ sessions: 'any' });
    const cdrs = Array.from({ length: 5 }, (_, i) => ({
      SessionID: `0000000${i}-aaaa-bbbb-cccc-dddddddddddd`,
      EvseID: 'DE*ABC*E1',
      Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } },
      ChargingStart: '2024-05-01T10:00:00Z',
      ChargingEnd: '2024-05-01T11:00:00Z',
      SessionStart: '2024-05-01T10:00:00Z',
      SessionEnd: '2024-05-01T11:00:00Z',
      ConsumedEnergy: i + 1,
    }));
    await hub.seedCdrs(cdrs.slice(0, 3), PROVIDER);
    for (const c of cdrs.slice(3)) await send('ChargeDetailRecord', c);
    const range = { ProviderID: PROVIDER, From: new Date(Date.now() - 60_000).toISOString(), To: new Date(Date.now() + 60_000).toISOString() };
    const first = await send('GetChargeDetailRecords', range, '?page=0&size=2');
    expect(responseErrors(op('GetChargeDetailRecords'), first.body)).toEqual([]);
    expect(first.body).toMatchObject({ totalElements: 5, totalPages: 3, numberOfElements: 2, first: true, last: false });
    const last = await send('GetChargeDetailRecords', range, '?page=2&size=2');
    expect(last.body).toMatchObject({ numberOfElements: 1, last: true });
    const other = await send('GetChargeDetailRecords', { ...range, ProviderID: 'DE-XXX' });
    expect(other.body.totalElements).toBe(2); // the sessions the hub cannot tell the EMP of
    const past = await send('GetChargeDetailRecords', { ...range, To: range.From, From: '2020-01-01T00:00:00Z' });
    expect(past.body.totalElements).toBe(0);
  });

  it('records pricing pushes and serves them, and seeded pricing, to pulls', async () => {
    hub = await startHubjectDouble();
    const product = exampleOf(requestSchemaFiles(op('PushPricingProductData'))[0]!) as { PricingProductData: object };
    await send('PushPricingProductData', product);
    await send('PushEVSEPricing', { ActionType: 'fullLoad', EVSEPricing: [{ EvseID: 'DE*ABC*E1', ProviderID: '*', EvseIDProductList: ['AC 1'] }] });
    await hub.seedPricing({ evsePricing: [{ OperatorID: '+49*810', EVSEPricing: [{ EvseID: '+49*810*001*1', ProviderID: PROVIDER, EvseIDProductList: ['DC'] }] }] });
    const products = await send('PullPricingProductData', { OperatorIDs: [OPERATOR] });
    expect(products.body.PricingProductData).toEqual([product.PricingProductData]);
    const evse = await send('PullEVSEPricing', { ProviderID: PROVIDER, OperatorIDs: [OPERATOR, '+49*810'] });
    expect(evse.body.EVSEPricing).toEqual([
      { OperatorID: OPERATOR, EVSEPricing: [{ EvseID: 'DE*ABC*E1', ProviderID: PROVIDER, EvseIDProductList: ['AC 1'] }] },
      { OperatorID: '+49*810', EVSEPricing: [{ EvseID: '+49*810*001*1', ProviderID: PROVIDER, EvseIDProductList: ['DC'] }] },
    ]);
    for (const [name, res] of [['PullPricingProductData', products], ['PullEVSEPricing', evse]] as const) expect(responseErrors(op(name), res.body)).toEqual([]);
    expect((await hub.pricing()).evsePricing).toHaveLength(2);
  });
});

describe('Hubject double: data generator and control API', () => {
  it('generates N varied records that all validate against the official PullEvseDataRecord', () => {
    const records = generateEvseDataRecords({ count: 200, seed: 3 });
    for (const record of records) expect({ id: record.EvseID, errors: oicpErrors('emp', 'PullEvseDataRecord', record) }).toEqual({ id: record.EvseID, errors: [] });
    const distinct = (f: (r: (typeof records)[0]) => unknown) => new Set(records.map((r) => JSON.stringify(f(r)))).size;
    expect(new Set(records.map((r) => r.EvseID)).size).toBe(200);
    expect(records.some((r) => String(r.EvseID).startsWith('+49*810*'))).toBe(true);
    expect(records.some((r) => /^DEABCE\d+$/.test(String(r.EvseID)))).toBe(true);
    expect(records.some((r) => (r.Plugs as string[]).length > 1)).toBe(true);
    expect(distinct((r) => (r.ChargingFacilities as { PowerType: string }[]).map((f) => f.PowerType))).toBeGreaterThanOrEqual(4);
    expect(distinct((r) => Object.keys(r.GeoCoordinates as object))).toBe(3);
    expect(distinct((r) => (r.Address as { Country: string }).Country)).toBeGreaterThanOrEqual(6);
    expect(distinct((r) => r.Accessibility)).toBe(4);
    expect(generateEvseDataRecords({ count: 5, seed: 3 })).toEqual(records.slice(0, 5));
  });

  it('refuses seeded records that break the official schema', async () => {
    await expect(startHubjectDouble({ evseData: [{ EvseID: 'nonsense' }] })).rejects.toThrow(/breaks the official schema/);
    hub = await startHubjectDouble();
  });

  it('answers the same methods over its control API', async () => {
    hub = await startHubjectDouble();
    const remote = hubjectControl(hub.controlUrl);
    expect(await remote.setFaults({ slowMs: 5, operations: ['PushEvseStatus'] })).toMatchObject({ slowMs: 5, operations: ['PushEvseStatus'] });
    await expect(remote.setFaults({ failureRate: 2 })).rejects.toThrow(/failureRate must be between 0 and 1/);
    await expect(remote.setFaults({ operations: ['PushEverything' as never] })).rejects.toThrow(/unknown operations PushEverything/);
    const session = await remote.issueSession({ EvseID: 'DE*ABC*E1' });
    expect(session.SessionID).toMatch(/^[0-9a-f-]{36}$/);
    await send('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: OPERATOR, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Occupied' }] } });
    expect((await remote.evseStatuses())['DE*ABC*E1']!.current).toBe('Occupied');
    expect(await remote.counters()).toMatchObject({ requests: 1, slowed: 1, byOperation: { PushEvseStatus: 1 } });
    expect((await remote.requests({ operation: 'PushEvseStatus' }))[0]).toMatchObject({ seq: 1, party: OPERATOR, httpStatus: 200, code: '000', slowed: true });
    expect((await remote.requests())[0]!.body).toBeUndefined();
    expect((await remote.requests({ withBodies: true }))[0]!.body).toMatchObject({ OperatorEvseStatus: { EvseStatusRecord: [{ EvseStatus: 'Occupied' }] } });
    await remote.clearRecords();
    expect(await remote.counters()).toMatchObject({ requests: 0 });
    expect((await remote.sessions()).map((s) => s.SessionID)).toEqual([session.SessionID]);
  });
});
