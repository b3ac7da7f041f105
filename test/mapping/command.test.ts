import {
  acknowledgementToCommandResult as acknowledgementToCommandResultUnchecked,
  cancelReservationToOicp,
  commandOutcomeToAcknowledgement,
  failedCommandToNotification,
  remoteStartToOcpi as remoteStartToOcpiUnchecked,
  remoteStopToOcpi as remoteStopToOcpiUnchecked,
  reservationStartToOcpi as reservationStartToOcpiUnchecked,
  reservationStopToOcpi as reservationStopToOcpiUnchecked,
  reserveNowToOicp,
  startSessionToOicp,
  stopSessionToOicp,
} from '../../src/mapping/command';
import type { Location } from '../../src/ocpi/wire/schemas';
import { CancelReservation, ReserveNow, StartSession, StopSession, type Token } from '../../src/ocpi/wire/transaction-schemas';
import { startSession211To221 } from '../../src/mapping/ocpi-211/transactions';
import { check } from '../../src/core/typebox';
import { corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const acknowledgementToCommandResult = writesOcpi(acknowledgementToCommandResultUnchecked, '2.2.1', 'command-result');
const remoteStartToOcpi = writesOcpi(remoteStartToOcpiUnchecked, '2.2.1', 'start-session');
const remoteStopToOcpi = writesOcpi(remoteStopToOcpiUnchecked, '2.2.1', 'stop-session');
const reservationStartToOcpi = writesOcpi(reservationStartToOcpiUnchecked, '2.2.1', 'reserve-now');
const reservationStopToOcpi = writesOcpi(reservationStopToOcpiUnchecked, '2.2.1', 'cancel-reservation');

const NOW = new Date('2025-01-15T12:00:00Z');
const SESSION_ID = 'b2688855-7f00-0002-6d8e-48d883f6abb6';
const LOCATION = corpusJson('2.2.1', 'location_example.json') as Location;
const APP_USER = corpusJson('2.2.1', 'token_example_1_app_user.json') as Token;
const URL = 'https://emsp.example.com/ocpi/2.2.1/commands/START_SESSION/1';
const start = { response_url: URL, token: APP_USER, location_id: 'LOC1', evse_uid: '3256', connector_id: '1', authorization_reference: 'REF-7' };

describe('OCPI commands -> OICP remote operations', () => {
  it('START_SESSION is AuthorizeRemoteStart with RemoteIdentification, validated', () => {
    const { value, findings } = startSessionToOicp(start, { sessionId: SESSION_ID, location: LOCATION });
    expect(value).toMatchObject({ SessionID: SESSION_ID, EMPPartnerSessionID: 'REF-7', ProviderID: 'DE-TNM', EvseID: 'BE*BEC*E041503001' });
    expect(value?.Identification.RemoteIdentification?.EvcoID).toMatch(/^DE8ACC12E46L89.$/);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'connector_id' }));
    expect(oicpErrors('emp', 'eRoamingAuthorizeRemoteStart', value)).toEqual([]);
  });

  it('a 2.1.1 START_SESSION goes up first', () => {
    const token211 = corpusJson('2.1.1', 'token_example.json');
    const up = startSession211To221({ response_url: URL, token: token211, location_id: 'LOC1', evse_uid: '3256' }, { party: { countryCode: 'DE', partyId: 'TNM' } });
    expect(check(StartSession, up.value).findings).toEqual([]);
    expect(oicpErrors('emp', 'eRoamingAuthorizeRemoteStart', startSessionToOicp(up.value, { sessionId: SESSION_ID, location: LOCATION }).value)).toEqual([]);
  });

  it('START_SESSION without an EVSE cannot target OICP', () => {
    const { evse_uid: _uid, ...noEvse } = start;
    expect(startSessionToOicp(noEvse, { sessionId: SESSION_ID, location: LOCATION }).findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'evse_uid' }));
  });

  it('STOP_SESSION needs the session correlation', () => {
    const stop = { response_url: URL, session_id: 'S-1' };
    expect(stopSessionToOicp(stop).findings.every((f) => f.kind === 'invalid' && f.path === 'session_id')).toBe(true);
    const { value } = stopSessionToOicp(stop, { sessionId: SESSION_ID, evseId: 'BE*BEC*E041503001', providerId: 'DE-TNM' });
    expect(oicpErrors('emp', 'eRoamingAuthorizeRemoteStop', value)).toEqual([]);
  });

  it('RESERVE_NOW is a reservation of the minutes until expiry (1 to 99)', () => {
    const reserve = { response_url: URL, token: APP_USER, expiry_date: '2025-01-15T12:30:00Z', reservation_id: 'R-1', location_id: 'LOC1', evse_uid: '3257' };
    const { value } = reserveNowToOicp(reserve, { location: LOCATION, now: NOW });
    expect(value).toMatchObject({ Duration: 30, EvseID: 'BE*BEC*E041503002', EMPPartnerSessionId: 'R-1' });
    expect(oicpErrors('emp', 'eRoamingAuthorizeRemoteReservationStart', value)).toEqual([]);
    const long = reserveNowToOicp({ ...reserve, expiry_date: '2025-01-15T18:00:00Z' }, { location: LOCATION, now: NOW });
    expect(long.value?.Duration).toBe(99);
    expect(long.findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'expiry_date' }));
  });

  it('CANCEL_RESERVATION is AuthorizeRemoteReservationStop', () => {
    const { value } = cancelReservationToOicp({ response_url: URL, reservation_id: 'R-1' }, { sessionId: SESSION_ID, evseId: 'BE*BEC*E041503002', providerId: 'DE-TNM' });
    expect(oicpErrors('emp', 'eRoamingAuthorizeRemoteReservationStop', value)).toEqual([]);
  });
});

describe('OICP remote operations -> OCPI commands', () => {
  const remote = { SessionID: SESSION_ID, ProviderID: 'DE-TNM', EvseID: 'BE*BEC*E041503002', Identification: { RemoteIdentification: { EvcoID: 'DE-TNM-C12345678-9' } } };
  const options = { responseUrl: URL, location: LOCATION, now: NOW };

  it('AuthorizeRemoteStart is START_SESSION at the cached EVSE, Hubject SessionID as authorization_reference', () => {
    const { value } = remoteStartToOcpi(remote, options);
    expect(check(StartSession, value).findings).toEqual([]);
    expect(value).toMatchObject({ location_id: 'LOC1', evse_uid: '3257', authorization_reference: SESSION_ID, token: { country_code: 'DE', party_id: 'TNM', type: 'APP_USER', contract_id: 'DE-TNM-C12345678-9' } });
  });

  it('AuthorizeRemoteStop is STOP_SESSION of the correlated (or CPO partner) session', () => {
    expect(remoteStopToOcpi({ ...remote, Identification: undefined, CPOPartnerSessionID: 'S-9' }, options).value).toEqual({ response_url: URL, session_id: 'S-9' });
    expect(check(StopSession, remoteStopToOcpi({ SessionID: SESSION_ID, ProviderID: 'DE-TNM', EvseID: 'BE*BEC*E041503002' }, { ...options, sessionId: 'S-1' }).value).findings).toEqual([]);
    expect(remoteStopToOcpi({ SessionID: SESSION_ID, ProviderID: 'DE-TNM', EvseID: 'BE*BEC*E041503002' }, options).value).toBeUndefined();
  });

  it('reservation start and stop are RESERVE_NOW and CANCEL_RESERVATION', () => {
    const reserve = reservationStartToOcpi({ ...remote, Duration: 20 }, options).value;
    expect(check(ReserveNow, reserve).findings).toEqual([]);
    expect(reserve).toMatchObject({ expiry_date: '2025-01-15T12:20:00Z', reservation_id: SESSION_ID });
    expect(check(CancelReservation, reservationStopToOcpi(remote, options).value).findings).toEqual([]);
  });
});

describe('command outcomes <-> Acknowledgement', () => {
  it.each([
    [{ result: 'ACCEPTED' }, 'start', true, '000'],
    [{ result: 'EVSE_OCCUPIED' }, 'start', false, '602'],
    [{ result: 'EVSE_INOPERATIVE' }, 'start', false, '700'],
    [{ result: 'TIMEOUT' }, 'start', false, '510'],
    [{ result: 'FAILED' }, 'start', false, '501'],
    [{ result: 'UNKNOWN_RESERVATION' }, 'cancel', false, '400'],
    [{ result: 'REJECTED' }, 'stop', false, '400'],
    [{ result: 'ACCEPTED', timeout: 30 }, 'start', true, '000'],
    [{ result: 'UNKNOWN_SESSION', timeout: 30 }, 'stop', false, '400'],
    [{ result: 'NOT_SUPPORTED', timeout: 30 }, 'reserve', false, '320'],
  ] as const)('%j of a %s -> Result %s, %s', (outcome, operation, result, statusCode) => {
    const { value } = commandOutcomeToAcknowledgement(outcome, { operation, sessionId: SESSION_ID });
    expect(value).toMatchObject({ Result: result, StatusCode: { Code: statusCode }, SessionID: SESSION_ID });
    expect(oicpErrors('cpo', 'eRoamingAcknowledgment', value)).toEqual([]);
  });

  it.each([
    ['000', true, 'ACCEPTED'],
    ['602', false, 'EVSE_OCCUPIED'],
    ['700', false, 'EVSE_INOPERATIVE'],
    ['510', false, 'TIMEOUT'],
    ['603', false, 'REJECTED'],
    ['021', false, 'FAILED'],
  ] as const)('Acknowledgement %s -> %s', (Code, Result, result) => {
    expect(acknowledgementToCommandResult({ Result, StatusCode: { Code } }).value?.result).toBe(result);
  });
});

describe('a failed command result -> ChargingNotification Error', () => {
  const context = { operation: 'start', sessionId: SESSION_ID, evseId: 'BE*BEC*E041503001', operatorId: 'BE*BEC' } as const;

  it.each([
    ['EVSE_INOPERATIVE', 'CriticalError'],
    ['EVSE_OCCUPIED', 'ConnectorError'],
    ['FAILED', 'ConnectorError'],
    ['TIMEOUT', 'ConnectorError'],
  ] as const)('%s is an Error of type %s, the result named, validated', (result, errorType) => {
    const { value, findings } = failedCommandToNotification({ result, message: [{ language: 'en', text: 'cable locked' }] }, context);
    expect(value).toEqual({ Type: 'Error', SessionID: SESSION_ID, EvseID: 'BE*BEC*E041503001', OperatorID: 'BE*BEC', ErrorType: errorType, ErrorAdditionalInfo: `remote start failed at the charge point: ${result} (cable locked)` });
    expect(findings).toEqual([expect.objectContaining({ kind: 'loss', path: 'result' })]);
    expect(oicpErrors('cpo', 'eRoamingChargingNotificationError', value)).toEqual([]);
  });

  it('ACCEPTED is nothing to tell; a body that is no CommandResult is refused', () => {
    expect(failedCommandToNotification({ result: 'ACCEPTED' }, context).value).toBeNull();
    expect(failedCommandToNotification({ result: 'MAYBE' }, context).value).toBeUndefined();
  });

  it('keeps ErrorAdditionalInfo within 250 characters and says so', () => {
    const { value, findings } = failedCommandToNotification({ result: 'FAILED', message: [{ language: 'en', text: 'x'.repeat(512) }] }, { ...context, operation: 'stop' });
    expect(value?.ErrorAdditionalInfo).toHaveLength(250);
    expect(value?.ErrorAdditionalInfo).toMatch(/^remote stop failed/);
    expect(findings.map((f) => f.path)).toEqual(['result', 'message']);
  });
});
