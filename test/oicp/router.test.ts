/** Bad input at an OICP server gets a clear OICP answer and changes nothing. */
import express from 'express';
import request from 'supertest';
import { operationPath } from '../../src/oicp/wire/operations';
import { oicpRouter, requireClientCertificate, type OicpHandlers } from '../../src/oicp/router';
import { createHubjectSimulator } from '../../src/simulator/hubject';
import { CPO_ID, EMP_ID, quietLogger } from '../support/oicp-network';

const hub = () => createHubjectSimulator({ logger: quietLogger(), bodyLimit: '2kb' });
const statusPath = operationPath('PushEvseStatus', CPO_ID);
const status = (EvseStatus: string, EvseID = 'DE*ABC*E1') => ({ ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID, EvseStatus }] } });

function partner(handlers: OicpHandlers, options: Partial<Parameters<typeof oicpRouter>[0]> = {}) {
  const app = express();
  app.use(oicpRouter({ serves: ['AuthorizeStart', 'ChargeDetailRecord', 'AuthorizeRemoteStart'], handlers, authorize: () => undefined, bodyLimit: '1mb', logger: quietLogger(), ...options }));
  return app;
}

describe('OICP server: refusals in OICP terms', () => {
  it('answers malformed JSON with 022 and HTTP 400', async () => {
    const sim = hub();
    const res = await request(sim.app).post(statusPath).set('content-type', 'application/json').send('{"ActionType": "fullLoad",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ Result: false, StatusCode: { Code: '022', Description: 'Data error', AdditionalInfo: 'request body is not valid JSON' } });
  });

  it('answers an unknown enum value with 022 naming the field, and stores nothing', async () => {
    const sim = hub();
    const res = await request(sim.app).post(statusPath).send({ ...status('Available'), OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }, { EvseID: 'DE*ABC*E2', EvseStatus: 'Sleeping' }] } });
    expect(res.status).toBe(400);
    expect(res.body.StatusCode).toMatchObject({ Code: '022' });
    expect(res.body.StatusCode.AdditionalInfo).toContain('OperatorEvseStatus.EvseStatusRecord[1].EvseStatus: must be one of "Available"');
    // The valid first record was not half-applied.
    expect(sim.state.evseStatus.size).toBe(0);
  });

  it('answers an oversized body with 413 before parsing it', async () => {
    const sim = hub();
    const records = Array.from({ length: 100 }, (_, i) => ({ EvseID: `DE*ABC*E${i}`, EvseStatus: 'Available' }));
    const res = await request(sim.app).post(statusPath).send({ ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: records } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ Result: false, StatusCode: { Code: '022', AdditionalInfo: 'request body too large' } });
    expect(sim.state.evseStatus.size).toBe(0);
  });

  it('answers a body that is JSON but not an object with 022', async () => {
    const res = await request(hub().app).post(statusPath).set('content-type', 'application/json').send('[1,2]');
    expect(res.status).toBe(400);
    expect(res.body.StatusCode.Code).toBe('022');
  });

  it('refuses page parameters that are not small non-negative integers', async () => {
    const path = operationPath('PullEvseData', EMP_ID);
    const body = { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'Google' };
    for (const query of ['page=-1', 'size=abc', 'size=5000']) {
      const res = await request(hub().app).post(`${path}?${query}`).send(body);
      expect([query, res.status, res.body.StatusCode.Code]).toEqual([query, 400, '022']);
    }
    expect((await request(hub().app).post(`${path}?page=0&size=2000`).send(body)).status).toBe(200);
  });

  it('refuses a delta pull combined with a radial search (022)', async () => {
    const res = await request(hub().app)
      .post(operationPath('PullEvseData', EMP_ID))
      .send({ ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'Google', LastCall: '2026-01-01T00:00:00Z', SearchCenter: { GeoCoordinates: { Google: { Coordinates: '52.5 13.4' } }, Radius: 5 } });
    expect(res.body.StatusCode).toMatchObject({ Code: '022', AdditionalInfo: 'SearchCenter and LastCall cannot be combined' });
  });

  it('answers every OICP path it does not serve in OICP terms (320), REST and SOAP', async () => {
    const unknown = await request(hub().app).post('/api/oicp/evsepush/v99/operators/DE*ABC/data-records').send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ Result: false, StatusCode: { Code: '320', AdditionalInfo: expect.stringContaining('no OICP operation at POST /api/oicp/evsepush/v99') } });
    // An operation of the table that this partner's role does not serve: Hubject does.
    const app = partner({});
    const hubs = await request(app).post(operationPath('PushEvseData', CPO_ID)).send({});
    expect([hubs.status, hubs.body.StatusCode.Code, hubs.body.StatusCode.AdditionalInfo]).toEqual([501, '320', 'PushEvseData is not served by this bridge (Hubject serves it)']);
    const get = await request(app).get(operationPath('AuthorizeStart', CPO_ID));
    expect([get.status, get.body.StatusCode.Code]).toEqual([405, '320']);
    const soap = await request(app).post('/ws/nothing/v9.9').set('content-type', 'text/xml').send('<x/>');
    expect(soap.status).toBe(404);
    expect(soap.text).toMatch(/<faultcode>soapenv:Client<\/faultcode>/);
    expect(soap.text).toMatch(/<[\w:]*Code>320<\/[\w:]*Code>/);
  });

  it('answers 018 when an EvseID does not belong to the operator of the request', async () => {
    const app = partner({ AuthorizeStart: () => ({ AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } }) });
    const res = await request(app)
      .post(operationPath('AuthorizeStart', CPO_ID))
      .send({ OperatorID: CPO_ID, EvseID: 'DE*XYZ*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
    // An authorization is answered in its own shape (the OpenAPI's only 200 answer of AuthorizeStart), NotAuthorized with the code.
    expect(res.body).toMatchObject({ AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '018', AdditionalInfo: 'EvseID DE*XYZ*E1 does not belong to operator DE*ABC' } });
  });

  it('answers 017 without a verified client certificate when one is required', async () => {
    const res = await request(partner({}, { authorize: requireClientCertificate }))
      .post(operationPath('AuthorizeStart', CPO_ID))
      .send({ OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
    expect(res.status).toBe(403);
    expect(res.body.StatusCode.Code).toBe('017');
  });

  it('answers 320 for an operation it serves but has no handler for', async () => {
    const res = await request(partner({})).post(operationPath('AuthorizeStart', CPO_ID)).send({ OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
    expect([res.status, res.body.StatusCode.Code]).toEqual([501, '320']);
  });

  it('answers 021 when a handler fails or produces an answer that breaks the schema, never a crash', async () => {
    const app = partner({
      AuthorizeStart: () => {
        throw new Error('database on fire');
      },
      ChargeDetailRecord: () => ({ Result: 'yes' }) as never,
    });
    const start = await request(app).post(operationPath('AuthorizeStart', CPO_ID)).send({ OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } });
    expect([start.status, start.body.StatusCode.Code, JSON.stringify(start.body)]).toEqual([500, '021', expect.not.stringContaining('fire')]);
    const cdr = await request(app)
      .post(operationPath('ChargeDetailRecord', CPO_ID))
      .send({ SessionID: 'b2688855-7f00-0002-6d8e-48d498e1be8a', EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } }, ChargingStart: '2026-01-01T10:00:00Z', ChargingEnd: '2026-01-01T11:00:00Z', SessionStart: '2026-01-01T10:00:00Z', SessionEnd: '2026-01-01T11:00:00Z', ConsumedEnergy: 1 });
    expect([cdr.status, cdr.body.StatusCode.Code]).toEqual([500, '021']);
  });

  it('refuses at a CPO the remote start for an EVSE it does not operate', async () => {
    const app = partner({ AuthorizeRemoteStart: () => ({ Result: true, StatusCode: { Code: '000' } }) }, { operatorIds: [CPO_ID] });
    const body = { SessionID: 'b2688855-7f00-0002-6d8e-48d498e1be8a', ProviderID: EMP_ID, Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } } };
    expect((await request(app).post(operationPath('AuthorizeRemoteStart', EMP_ID)).send({ ...body, EvseID: 'DE*XYZ*E1' })).body.StatusCode.Code).toBe('018');
    expect((await request(app).post(operationPath('AuthorizeRemoteStart', EMP_ID)).send({ ...body, EvseID: 'DEABCE1' })).body).toMatchObject({ Result: true });
  });
});
