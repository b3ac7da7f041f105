/**
 * Every OICP operation driven over real HTTPS with mutual TLS, in both encodings (2.3 REST/JSON and
 * 2.x SOAP/XML): partner client -> Hubject simulator, and simulator -> partner server. All traffic,
 * in its canonical form, is checked against the official OpenAPI at the end of each run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { OicpWire } from '../../src/oicp/router';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';
import { OPERATIONS, OPERATION_NAMES, operationPath, type OicpOperation } from '../../src/oicp/wire/operations';
import type { EvseDataRecord } from '../../src/oicp/wire/schemas';
import { OicpRefusal } from '../../src/oicp/wire/status-codes';
import type { ChargeDetailRecord, Identification } from '../../src/oicp/wire/transaction-schemas';
import { OICP_SCHEMAS, oicpOperationErrors } from '../support/oicp-schema';
import { CPO_ID, EMP_ID, startOicpNetwork, type OicpNetwork } from '../support/oicp-network';

const officialExample = <T>(api: 'cpo' | 'emp', file: string): T =>
  (parse(readFileSync(join(OICP_SCHEMAS, `openapi-${api}`, 'schemas', `${file}.yaml`), 'utf8')) as { example: T }).example;

/** The official PushEvseData example's record, moved to our test operator under a new EvseID. */
function evse(suffix: string, changes: Partial<EvseDataRecord> = {}): EvseDataRecord {
  const record = officialExample<PushEvseDataRequest>('cpo', 'eRoamingPushEvseData').OperatorEvseData.EvseDataRecord[0]!;
  return { ...record, EvseID: `${CPO_ID}*E${suffix}`, ...changes };
}
const push = (action: PushEvseDataRequest['ActionType'], records: EvseDataRecord[]): PushEvseDataRequest => ({
  ActionType: action,
  OperatorEvseData: { OperatorID: CPO_ID, OperatorName: 'ABC technologies', EvseDataRecord: records },
});
const card: Identification = { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } };
const SESSION = 'b2688855-7f00-0002-6d8e-48d498e1be8a';
const OTHER_SESSION = 'b2688855-7f00-0002-6d8e-48d498e1be8b';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** SOAP answers every protocol refusal with a Fault, which SOAP 1.1 sends as HTTP 500. */
const refusedWith = (wire: OicpWire, restStatus: number) => (wire === 'soap' ? 500 : restStatus);

describe.each(['rest', 'soap'] as const)('OICP over %s', (wire) => {
  let net: OicpNetwork;
  beforeAll(async () => {
    net = await startOicpNetwork(wire);
  }, 30_000);
  afterAll(async () => {
    await net?.close();
  });

  describe('EVSE data and status', () => {
    it('pushes EVSE data and pulls it back page by page, then as a delta', async () => {
      const before = new Date(Date.now() - 1).toISOString();
      expect(await net.cpo.client.call('PushEvseData', push('fullLoad', [evse('1'), evse('2'), evse('3')]))).toMatchObject({ ok: true, value: { Result: true } });
      const pulled = await collect(net.emp.client.pages('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree' }, { size: 2 }));
      expect(pulled.map((r) => r.EvseID)).toEqual(['DE*ABC*E1', 'DE*ABC*E2', 'DE*ABC*E3']);
      expect(pulled[0]).toMatchObject({ OperatorID: CPO_ID, OperatorName: 'ABC technologies' });
      // Two pages of two were asked for: the iterator followed `last`.
      expect(net.hub.traffic.filter((t) => t.operation === 'PullEvseData').map((t) => (t.response as { number: number }).number)).toEqual([0, 1]);

      await new Promise((resolve) => setTimeout(resolve, 5));
      const lastCall = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await net.cpo.client.call('PushEvseData', push('delete', [evse('2')]))).ok).toBe(true);
      const delta = await collect(net.emp.client.pages('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree', LastCall: lastCall }));
      expect(delta).toEqual([expect.objectContaining({ EvseID: 'DE*ABC*E2', deltaType: 'delete' })]);
      const sinceStart = await collect(net.emp.client.pages('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree', LastCall: before }));
      expect(sinceStart.map((r) => `${r.EvseID}:${r.deltaType}`)).toEqual(['DE*ABC*E1:insert', 'DE*ABC*E2:delete', 'DE*ABC*E3:insert']);
    });

    it('replaces the operator’s whole set on fullLoad', async () => {
      await net.cpo.client.call('PushEvseData', push('fullLoad', [evse('7')]));
      const pulled = await collect(net.emp.client.pages('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'Google', OperatorIds: [CPO_ID] }));
      expect(pulled.map((r) => r.EvseID)).toEqual(['DE*ABC*E7']);
    });

    it('filters pulls by country and by radius around a search centre', async () => {
      await net.cpo.client.call('PushEvseData', push('fullLoad', [evse('1'), evse('8', { GeoCoordinates: { DecimalDegree: { Latitude: '48.137154', Longitude: '11.576124' } } })]));
      const near = (Radius: number) => collect(net.emp.client.pages('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree', SearchCenter: { GeoCoordinates: { DecimalDegree: { Latitude: '48.1', Longitude: '11.5' } }, Radius } }));
      expect((await near(10)).map((r) => r.EvseID)).toEqual(['DE*ABC*E8']);
      expect(await near(0.1)).toEqual([]);
      expect(await collect(net.emp.client.pages('PullEvseData', { ProviderID: EMP_ID, GeoCoordinatesResponseFormat: 'DecimalDegree', CountryCodes: ['FRA'] }))).toEqual([]);
    });

    it('refuses EVSEs of another operator with 018 and keeps the previous data', async () => {
      await net.cpo.client.call('PushEvseData', push('fullLoad', [evse('1')]));
      const result = await net.cpo.client.call('PushEvseData', push('fullLoad', [evse('5'), { ...evse('6'), EvseID: 'DE*XYZ*E6' }]));
      expect(result).toMatchObject({ ok: false, error: { kind: 'refused', statusCode: { Code: '018' } } });
      expect(net.hub.state.findEvse('DE*ABC*E1')).toBeDefined();
      expect(net.hub.state.findEvse('DE*ABC*E5')).toBeUndefined();
    });

    it('pushes statuses and pulls them all, by EvseID and by OperatorID', async () => {
      const records = [
        { EvseID: 'DE*ABC*E1', EvseStatus: 'Available' as const },
        { EvseID: 'DE*ABC*E3', EvseStatus: 'Occupied' as const },
      ];
      expect((await net.cpo.client.call('PushEvseStatus', { ActionType: 'fullLoad', OperatorEvseStatus: { OperatorID: CPO_ID, OperatorName: 'ABC', EvseStatusRecord: records } })).ok).toBe(true);
      const all = await net.emp.client.call('PullEvseStatus', { ProviderID: EMP_ID });
      expect(all).toMatchObject({ ok: true, value: { EvseStatuses: { OperatorEvseStatus: [{ OperatorID: CPO_ID, OperatorName: 'ABC', EvseStatusRecord: records }] } } });
      const occupied = await net.emp.client.call('PullEvseStatus', { ProviderID: EMP_ID, EvseStatus: 'Occupied' });
      expect(occupied.ok && occupied.value.EvseStatuses?.OperatorEvseStatus[0]?.EvseStatusRecord).toEqual([records[1]]);
      const byId = await net.emp.client.call('PullEvseStatus', { ProviderID: EMP_ID, EvseID: ['DE*ABC*E3', 'DE*ABC*E99'] });
      expect(byId).toMatchObject({ ok: true, value: { EVSEStatusRecords: { EvseStatusRecord: [records[1], { EvseID: 'DE*ABC*E99', EvseStatus: 'EvseNotFound' }] } } });
      const byOperator = await net.emp.client.call('PullEvseStatus', { ProviderID: EMP_ID, OperatorID: ['DE*XYZ'] });
      expect(byOperator).toMatchObject({ ok: true, value: { EvseStatuses: { OperatorEvseStatus: [] } } });
      const both = await net.emp.client.call('PullEvseStatus', { ProviderID: EMP_ID, OperatorID: [CPO_ID], EvseID: ['DE*ABC*E1'] });
      expect(both).toMatchObject({ ok: false, error: { kind: 'refused', httpStatus: refusedWith(wire, 400), statusCode: { Code: '022', AdditionalInfo: 'EvseID and OperatorID cannot be combined' } } });
    });
  });

  describe('authorization, remote commands, reservations, notifications and CDRs', () => {
    it('authorizes a card at the EMP through the hub, which issues the SessionID', async () => {
      net.emp.handlers.AuthorizeStart = (request) =>
        request.Identification.RFIDMifareFamilyIdentification?.UID === 'AABBCCDD'
          ? { SessionID: request.SessionID, ProviderID: EMP_ID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } }
          : { SessionID: request.SessionID, AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '102' } };
      const yes = await net.cpo.client.call('AuthorizeStart', { OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: card, CPOPartnerSessionID: 'cpo-1' });
      expect(yes).toMatchObject({ ok: true, value: { AuthorizationStatus: 'Authorized', ProviderID: EMP_ID } });
      const sessionId = yes.ok ? yes.value.SessionID! : '';
      expect(net.hub.state.sessions.get(sessionId)).toMatchObject({ providerId: EMP_ID, operatorId: CPO_ID, evseId: 'DE*ABC*E1' });
      // The EMP saw the hub's SessionID and the CPO's own session id.
      expect(net.hub.traffic.find((t) => t.direction === 'out' && t.operation === 'AuthorizeStart')?.request).toMatchObject({ SessionID: sessionId, CPOPartnerSessionID: 'cpo-1' });

      const no = await net.cpo.client.call('AuthorizeStart', { OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: '01020304' } } });
      expect(no).toMatchObject({ ok: true, value: { AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '102' } } });

      net.emp.handlers.AuthorizeStop = (request) => ({ SessionID: request.SessionID, AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } });
      expect(await net.cpo.client.call('AuthorizeStop', { SessionID: sessionId, OperatorID: CPO_ID, EvseID: 'DE*ABC*E1', Identification: card })).toMatchObject({ ok: true, value: { AuthorizationStatus: 'Authorized' } });
      // An EMP that refuses with an acknowledgement still gives the CPO an authorization answer.
      net.emp.handlers.AuthorizeStop = () => {
        throw new OicpRefusal('210', 'contract ended');
      };
      expect(await net.cpo.client.call('AuthorizeStop', { SessionID: sessionId, OperatorID: CPO_ID, Identification: card })).toMatchObject({
        ok: true,
        value: { SessionID: sessionId, AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '210', AdditionalInfo: 'contract ended' } },
      });
    });

    it('authorizes offline from pushed authentication data without asking the EMP', async () => {
      expect((await net.emp.client.call('PushAuthenticationData', { ActionType: 'fullLoad', ProviderAuthenticationData: { ProviderID: EMP_ID, AuthenticationDataRecord: [{ Identification: { RFIDMifareFamilyIdentification: { UID: '11223344' } } }] } })).ok).toBe(true);
      const forwardedBefore = net.hub.traffic.filter((t) => t.direction === 'out').length;
      const result = await net.cpo.client.call('AuthorizeStart', { OperatorID: CPO_ID, Identification: { RFIDMifareFamilyIdentification: { UID: '11223344' } } });
      expect(result).toMatchObject({ ok: true, value: { AuthorizationStatus: 'Authorized', ProviderID: EMP_ID } });
      expect(net.hub.traffic.filter((t) => t.direction === 'out')).toHaveLength(forwardedBefore);
    });

    it('relays a remote start to the CPO and the CPO’s refusal back to the EMP', async () => {
      const seen: string[] = [];
      net.cpo.handlers.AuthorizeRemoteStart = (request) => {
        seen.push(request.SessionID);
        if (request.EvseID === 'DE*ABC*E3') throw new OicpRefusal('602', 'EVSE already in use');
        return { Result: true, StatusCode: { Code: '000' }, SessionID: request.SessionID, CPOPartnerSessionID: 'cpo-9' };
      };
      const start = { SessionID: SESSION, ProviderID: EMP_ID, EvseID: 'DE*ABC*E1', Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } } };
      expect(await net.emp.client.call('AuthorizeRemoteStart', start)).toMatchObject({ ok: true, value: { Result: true, CPOPartnerSessionID: 'cpo-9' } });
      expect(await net.emp.client.call('AuthorizeRemoteStart', { ...start, EvseID: 'DE*ABC*E3' })).toMatchObject({ ok: false, error: { kind: 'refused', statusCode: { Code: '602' } } });
      expect(seen).toEqual([SESSION, SESSION]);

      net.cpo.handlers.AuthorizeRemoteStop = (request) => ({ Result: true, StatusCode: { Code: '000' }, SessionID: request.SessionID });
      expect(await net.emp.client.call('AuthorizeRemoteStop', { SessionID: SESSION, ProviderID: EMP_ID, EvseID: 'DE*ABC*E1' })).toMatchObject({ ok: true });
      expect(await net.emp.client.call('AuthorizeRemoteStop', { SessionID: '00000000-0000-0000-0000-000000000000', ProviderID: EMP_ID, EvseID: 'DE*ABC*E1' })).toMatchObject({
        ok: false,
        error: { statusCode: { Code: '400' } },
      });
    });

    it('refuses at the CPO a remote start for an EVSE of another operator (018)', async () => {
      net.hub.partners.push({ role: 'CPO', id: 'DE*XYZ', url: net.cpo.server.url });
      const result = await net.emp.client.call('AuthorizeRemoteStart', { SessionID: OTHER_SESSION, ProviderID: EMP_ID, EvseID: 'DE*XYZ*E1', Identification: card });
      net.hub.partners.pop();
      expect(result).toMatchObject({ ok: false, error: { statusCode: { Code: '018' } } });
    });

    it('forwards reservations; the hub issues the SessionID when the EMP brings none', async () => {
      net.cpo.handlers.AuthorizeRemoteReservationStart = (request) => ({ Result: true, StatusCode: { Code: '000' }, SessionID: request.SessionID });
      net.cpo.handlers.AuthorizeRemoteReservationStop = (request) => ({ Result: true, StatusCode: { Code: '000' }, SessionID: request.SessionID });
      const reserved = await net.emp.client.call('AuthorizeRemoteReservationStart', { ProviderID: EMP_ID, EvseID: 'DE*ABC*E1', Identification: card, Duration: 15 });
      expect(reserved).toMatchObject({ ok: true, value: { Result: true } });
      const sessionId = reserved.ok ? reserved.value.SessionID! : '';
      expect(net.hub.state.sessions.get(sessionId)).toMatchObject({ providerId: EMP_ID });
      expect(await net.emp.client.call('AuthorizeRemoteReservationStop', { SessionID: sessionId, ProviderID: EMP_ID, EvseID: 'DE*ABC*E1' })).toMatchObject({ ok: true });
    });

    it('delivers charging notifications to the session’s EMP', async () => {
      const received: string[] = [];
      net.emp.handlers.ChargingNotification = (request) => {
        received.push(request.Type);
        return { Result: true, StatusCode: { Code: '000' } };
      };
      const notification = { Type: 'Start' as const, SessionID: SESSION, EvseID: 'DE*ABC*E1', OperatorID: CPO_ID, ChargingStart: '2026-11-24T10:00:00Z', Identification: card };
      expect(await net.cpo.client.call('ChargingNotification', notification)).toMatchObject({ ok: true });
      expect(await net.cpo.client.call('ChargingNotification', { ...notification, Type: 'End', ChargingEnd: '2026-11-24T11:00:00Z', ConsumedEnergy: 12.5 })).toMatchObject({ ok: true });
      expect(received).toEqual(['Start', 'End']);
    });

    it('accepts one CDR per SessionID, forwards it to the EMP, and lets the EMP pull it', async () => {
      const cdrs: ChargeDetailRecord[] = [];
      net.emp.handlers.ChargeDetailRecord = (request) => {
        cdrs.push(request);
        return { Result: true, StatusCode: { Code: '000' }, SessionID: request.SessionID };
      };
      const cdr: ChargeDetailRecord = {
        SessionID: SESSION,
        EvseID: 'DE*ABC*E1',
        Identification: card,
        ChargingStart: '2026-11-24T10:00:00Z',
        ChargingEnd: '2026-11-24T11:00:00Z',
        SessionStart: '2026-11-24T09:59:00Z',
        SessionEnd: '2026-11-24T11:01:00Z',
        ConsumedEnergy: 12.5,
      };
      expect(await net.cpo.client.call('ChargeDetailRecord', cdr)).toMatchObject({ ok: true, value: { Result: true, SessionID: SESSION } });
      expect(cdrs).toEqual([cdr]);
      expect(await net.cpo.client.call('ChargeDetailRecord', { ...cdr, ConsumedEnergy: 99 })).toMatchObject({ ok: false, error: { kind: 'refused', httpStatus: refusedWith(wire, 409), statusCode: { Code: '009' } } });
      expect(await net.cpo.client.call('ChargeDetailRecord', { ...cdr, SessionID: '00000000-0000-0000-0000-000000000001' })).toMatchObject({ ok: false, error: { statusCode: { Code: '400' } } });
      expect(net.hub.state.sessions.get(SESSION)?.cdr?.ConsumedEnergy).toBe(12.5);

      const pulled = await collect(net.emp.client.pages('GetChargeDetailRecords', { ProviderID: EMP_ID, From: '2026-11-24T00:00:00Z', To: '2026-11-25T00:00:00Z' }, { size: 1 }));
      expect(pulled.map((c) => c.SessionID)).toEqual([SESSION]);
    });
  });

  describe('dynamic pricing', () => {
    it('pushes pricing products and EVSE pricing, and pulls what a provider may see', async () => {
      const products = officialExample<{ PricingProductData: object }>('cpo', 'eRoamingPushPricingProductData').PricingProductData;
      const data = { ...products, OperatorID: CPO_ID, ProviderID: '*' } as Parameters<typeof net.cpo.client.call<'PushPricingProductData'>>[1]['PricingProductData'];
      expect((await net.cpo.client.call('PushPricingProductData', { ActionType: 'fullLoad', PricingProductData: data })).ok).toBe(true);
      expect((await net.cpo.client.call('PushEvsePricing', { ActionType: 'fullLoad', EVSEPricing: [{ EvseID: 'DE*ABC*E1', ProviderID: EMP_ID, EvseIDProductList: ['AC 1'] }, { EvseID: 'DE*ABC*E3', ProviderID: 'DE-OTH', EvseIDProductList: ['AC 1'] }] })).ok).toBe(true);
      expect(await net.emp.client.call('PullPricingProductData', { OperatorIDs: [CPO_ID] })).toMatchObject({ ok: true, value: { PricingProductData: [{ OperatorID: CPO_ID, ProviderID: '*' }] } });
      expect(await net.emp.client.call('PullEvsePricing', { ProviderID: EMP_ID, OperatorIDs: [CPO_ID] })).toMatchObject({
        ok: true,
        value: { EVSEPricing: [{ OperatorID: CPO_ID, EVSEPricing: [{ EvseID: 'DE*ABC*E1', ProviderID: EMP_ID, EvseIDProductList: ['AC 1'] }] }] },
      });
    });
  });

  describe('mutual TLS and identities', () => {
    it('refuses a client certificate from an unknown CA at the handshake', async () => {
      const stranger = net.client({ as: 'CPO', partyId: CPO_ID }, { cert: net.pki.strangerCert, key: net.pki.strangerKey });
      expect(await stranger.call('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [] } })).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    });

    it('answers 017 when the path names another operator than the certificate', async () => {
      const impostor = net.client({ as: 'CPO', partyId: 'DE*XYZ' });
      const result = await impostor.call('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: 'DE*XYZ', EvseStatusRecord: [{ EvseID: 'DE*XYZ*E1', EvseStatus: 'Available' }] } });
      expect(result).toMatchObject({ ok: false, error: { kind: 'refused', httpStatus: refusedWith(wire, 403), statusCode: { Code: '017' } } });
      expect(net.hub.state.evseStatus.has('DEXYZ')).toBe(false);
    });

    it('answers 017 when the body names another provider than the path', async () => {
      const result = await net.emp.client.call('PullEvseStatus', { ProviderID: 'DE-OTH' });
      expect(result).toMatchObject({ ok: false, error: { statusCode: { Code: '017' } } });
    });
  });

  describe('client behaviour', () => {
    it('refuses to send a request that breaks the schema, naming the field', async () => {
      const sent = net.hub.traffic.length;
      const result = await net.cpo.client.call('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Broken' as 'Available' }] } });
      expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-request', findings: [expect.objectContaining({ path: 'OperatorEvseStatus.EvseStatusRecord[0].EvseStatus' })] } });
      expect(net.hub.traffic).toHaveLength(sent);
    });

    it('does not send operations of the other role', async () => {
      expect(await net.cpo.client.call('PullEvseStatus', { ProviderID: EMP_ID })).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    });

    it('surfaces an injected hub failure, a slow hub and a hub that is down', async () => {
      const status = { ActionType: 'update' as const, OperatorEvseStatus: { OperatorID: CPO_ID, EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' as const }] } };
      net.hub.failNext('PushEvseStatus', '001', 500);
      expect(await net.cpo.client.call('PushEvseStatus', status)).toMatchObject({ ok: false, error: { kind: 'refused', httpStatus: 500, statusCode: { Code: '001' } } });
      expect((await net.cpo.client.call('PushEvseStatus', status)).ok).toBe(true);

      const impatient = net.client({ as: 'CPO', partyId: CPO_ID, timeoutsMs: { PushEvseStatus: 50 } });
      net.hub.setDelay(300);
      try {
        expect(await impatient.call('PushEvseStatus', status)).toMatchObject({ ok: false, error: { kind: 'timeout' } });
      } finally {
        net.hub.setDelay(0);
      }

      net.hub.setDown(true);
      try {
        expect(await net.cpo.client.call('PushEvseStatus', status)).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
      } finally {
        net.hub.setDown(false);
      }
    });

    it('reports a partner that does not answer as 310 to the caller', async () => {
      const saved = net.hub.partners.splice(0, net.hub.partners.length, { role: 'CPO', id: CPO_ID, url: 'https://127.0.0.1:1' });
      try {
        const result = await net.emp.client.call('AuthorizeRemoteStart', { SessionID: OTHER_SESSION, ProviderID: EMP_ID, EvseID: 'DE*ABC*E1', Identification: card });
        expect(result).toMatchObject({ ok: false, error: { statusCode: { Code: '310' } } });
      } finally {
        net.hub.partners.splice(0, net.hub.partners.length, ...saved);
      }
    });
  });

  describe('conformance of everything on the wire', () => {
    it('every request and every successful answer of this suite validates against the official OpenAPI', () => {
      const problems: string[] = [];
      for (const entry of net.hub.traffic) {
        const operation: OicpOperation = OPERATIONS[entry.operation];
        const path = operationPath(entry.operation, { param: 'partyId' });
        // A request travels under the caller's document when sent to the hub, under the server's when forwarded.
        const api = (entry.direction === 'in' ? operation.caller : operation.servedBy!).toLowerCase() as 'cpo' | 'emp';
        const requestErrors = oicpOperationErrors(api, path, 'request', entry.request);
        if (entry.httpStatus === 200 && requestErrors.length > 0) problems.push(`${entry.direction} ${entry.operation} request: ${requestErrors.join('; ')}`);
        if (entry.httpStatus === 200 && entry.direction === 'in') {
          const responseErrors = oicpOperationErrors(api, path, 'response', entry.response);
          if (responseErrors.length > 0) problems.push(`${entry.operation} response: ${responseErrors.join('; ')}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('drove every operation of the table to the hub, and every partner-served one on to a partner, successfully', () => {
      const succeeded = (direction: 'in' | 'out') => new Set(net.hub.traffic.filter((t) => t.direction === direction && t.httpStatus === 200).map((t) => t.operation));
      expect([...succeeded('in')].sort()).toEqual([...OPERATION_NAMES].sort());
      expect([...succeeded('out')].sort()).toEqual(OPERATION_NAMES.filter((name) => (OPERATIONS[name] as OicpOperation).servedBy).sort());
    });
  });
});
