import { AUTHORIZATION_REFUSALS, ocpiAuthorizationToOicp, oicpAuthorizationToOcpi as oicpAuthorizationToOcpiUnchecked } from '../../src/mapping/authorization';
import { AuthorizationInfo, type Token } from '../../src/ocpi/wire/transaction-schemas';
import { check } from '../../src/core/typebox';
import { corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const oicpAuthorizationToOcpi = writesOcpi(oicpAuthorizationToOcpiUnchecked, '2.2.1', 'authorization-info');

const NOW = new Date('2025-01-15T12:00:00Z');
const TOKEN = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
const RFID = { RFIDMifareFamilyIdentification: { UID: '12345678905880' } };
const SESSION_ID = 'b2688855-7f00-0002-6d8e-48d883f6abb6';
const info = (allowed: string, extra: object = {}) => ({ allowed, token: TOKEN, ...extra });

describe('OCPI AuthorizationInfo -> OICP AuthorizationStart response', () => {
  it('ALLOWED is Authorized 000, echoing the session ids, with the card as stop identification', () => {
    const { value, findings } = ocpiAuthorizationToOicp(info('ALLOWED', { authorization_reference: 'REF-1' }), { identification: RFID, sessionId: SESSION_ID, cpoPartnerSessionId: 'cpo-1' });
    expect(value).toEqual({
      SessionID: SESSION_ID,
      CPOPartnerSessionID: 'cpo-1',
      EMPPartnerSessionID: 'REF-1',
      ProviderID: 'DE-TNM',
      AuthorizationStatus: 'Authorized',
      StatusCode: { Code: '000', Description: 'Success' },
      AuthorizationStopIdentifications: [RFID],
    });
    expect(findings).toEqual([]);
    expect(oicpErrors('emp', 'eRoamingAuthorizationStart', value)).toEqual([]);
  });

  it.each([
    ['BLOCKED', RFID, '200'],
    ['EXPIRED', RFID, '210'],
    ['NO_CREDIT', RFID, '210'],
    ['NOT_ALLOWED', RFID, '102'],
    ['NOT_ALLOWED', { QRCodeIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, '101'],
    ['NOT_ALLOWED', { PlugAndChargeIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, '105'],
    ['NOT_ALLOWED', { RemoteIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, '106'],
  ])('%s (%j) is NotAuthorized %s', (allowed, identification, code) => {
    const { value } = ocpiAuthorizationToOicp(info(allowed), { identification });
    expect(value).toMatchObject({ AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: code } });
    expect(oicpErrors('emp', 'eRoamingAuthorizationStart', value)).toEqual([]);
  });

  it('an unknown token (OCPI 2004) fails like a bad card; no answer from the eMSP is 310', () => {
    expect(ocpiAuthorizationToOicp('UNKNOWN_TOKEN', { identification: RFID }).value?.StatusCode.Code).toBe('102');
    expect(ocpiAuthorizationToOicp('NO_ANSWER', { identification: RFID }).value?.StatusCode.Code).toBe('310');
  });

  it('no refusal uses the blanket codes 022 or 320', () => {
    const codes = Object.values(AUTHORIZATION_REFUSALS).flatMap((c) => (typeof c === 'string' ? [] : [c.Code]));
    expect(codes).not.toContain('022');
    expect(codes).not.toContain('320');
  });

  it('a malformed AuthorizationInfo is refused with field paths', () => {
    const { value, findings } = ocpiAuthorizationToOicp({ allowed: 'MAYBE', token: TOKEN });
    expect(value).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ kind: 'invalid', path: 'allowed' })]);
  });
});

describe('OICP AuthorizationStart response -> OCPI AuthorizationInfo', () => {
  it('Authorized is ALLOWED, with Hubject SessionID as authorization_reference', () => {
    const response = { SessionID: SESSION_ID, ProviderID: 'DE-TNM', AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' } };
    const { value } = oicpAuthorizationToOcpi(response, { token: TOKEN, location: { location_id: 'LOC1', evse_uids: ['3256'] }, now: NOW });
    expect(value).toEqual({ allowed: 'ALLOWED', token: TOKEN, location: { location_id: 'LOC1', evse_uids: ['3256'] }, authorization_reference: SESSION_ID });
    expect(check(AuthorizationInfo, value).findings).toEqual([]);
  });

  it('200 is BLOCKED, other refusals NOT_ALLOWED with the description for the driver', () => {
    const refused = (Code: string) => oicpAuthorizationToOcpi({ AuthorizationStatus: 'NotAuthorized', StatusCode: { Code, Description: 'nope' } }, { token: TOKEN, now: NOW }).value;
    expect(refused('200')).toMatchObject({ allowed: 'BLOCKED', info: { language: 'en', text: 'nope' } });
    expect(refused('102')).toMatchObject({ allowed: 'NOT_ALLOWED' });
    expect(refused('102')?.authorization_reference).toBeUndefined();
  });

  it('without a given token, builds one from the stop identification and ProviderID', () => {
    const response = { SessionID: SESSION_ID, ProviderID: 'DE-TNM', AuthorizationStatus: 'Authorized', StatusCode: { Code: '000' }, AuthorizationStopIdentifications: [RFID] };
    const { value } = oicpAuthorizationToOcpi(response, { now: NOW });
    expect(value?.token).toMatchObject({ country_code: 'DE', party_id: 'TNM', uid: '12345678905880', type: 'RFID', whitelist: 'NEVER' });
    expect(check(AuthorizationInfo, value).findings).toEqual([]);
  });
});
