import { notificationToOcpiSession as notificationToOcpiSessionUnchecked, ocpiSessionToNotification } from '../../src/mapping/session';
import { NO_RULES } from '../../src/mapping/rules';
import type { Location, Tariff } from '../../src/ocpi/wire/schemas';
import { Session } from '../../src/ocpi/wire/transaction-schemas';
import { session211To221 } from '../../src/mapping/ocpi-211/transactions';
import { check } from '../../src/core/typebox';
import { corpusFiles, corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const notificationToOcpiSession = writesOcpi(notificationToOcpiSessionUnchecked, '2.2.1', 'session');

const NOW = new Date('2015-06-29T23:50:17Z');
const SESSION_ID = 'b2688855-7f00-0002-6d8e-48d883f6abb6';
const LOCATION = corpusJson('2.2.1', 'location_example.json') as Location;
const TARIFF = corpusJson('2.2.1', 'tariff_13_simple_3hour_5parking.json') as Tariff;
const NOTIFICATION_SCHEMA = { Start: 'eRoamingChargingNotificationStart', Progress: 'eRoamingChargingNotificationProgress', End: 'eRoamingChargingNotificationEnd', Error: 'eRoamingChargingNotificationError' };
const options = { sessionId: SESSION_ID, location: LOCATION };

/** Every full corpus session as 2.2.1 (2.1.1 ones brought up for party BE/BEC). */
const SESSIONS = [
  ...corpusFiles('2.2.1', 'session_example').map((file) => [`2.2.1/${file}`, corpusJson('2.2.1', file)] as const),
  ...corpusFiles('2.1.1', 'session_example').map((file) => [`2.1.1/${file}`, session211To221(corpusJson('2.1.1', file), { party: { countryCode: 'BE', partyId: 'BEC' } }).value] as const),
];

describe('OCPI Session -> OICP ChargingNotification, every corpus session', () => {
  it.each(SESSIONS)('%s: the notification (if any) validates against the OpenAPI', (_name, session) => {
    for (const started of [false, true]) {
      const { value, findings } = ocpiSessionToNotification(session, { ...options, started });
      expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
      if (value) expect(oicpErrors('cpo', NOTIFICATION_SCHEMA[value.Type], value)).toEqual([]);
    }
  });

  it('a PENDING session has no notification', () => {
    expect(ocpiSessionToNotification(corpusJson('2.2.1', 'session_example_1_simple_start.json'), options).value).toBeNull();
  });

  it('ACTIVE is Start first, then Progress with the energy so far', () => {
    const active = { ...(corpusJson('2.2.1', 'session_example_2_short_finished.json') as Session), status: 'ACTIVE', end_date_time: undefined };
    expect(ocpiSessionToNotification(active, options).value).toMatchObject({ Type: 'Start', ChargingStart: '2015-06-29T22:39:09Z', EvseID: 'BE*BEC*E041503001', OperatorID: 'BE*BEC', CPOPartnerSessionID: '101' });
    expect(ocpiSessionToNotification(active, { ...options, started: true }).value).toMatchObject({ Type: 'Progress', ConsumedEnergyProgress: 41.12, EventOccurred: '2015-06-29T23:50:17Z' });
  });

  it('COMPLETED is End; Wh-sized ENERGY volumes are read as Wh and reported', () => {
    const { value, findings } = ocpiSessionToNotification(corpusJson('2.2.1', 'session_example_2_short_finished.json'), options);
    expect(value).toMatchObject({ Type: 'End', ChargingStart: '2015-06-29T22:39:09Z', ChargingEnd: '2015-06-29T23:07:09Z', SessionEnd: '2015-06-29T23:50:16Z', ConsumedEnergy: 41.12 });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'charging_periods', message: expect.stringContaining('Wh') as string }));
  });

  it('without a Hubject SessionID nothing is sent', () => {
    expect(ocpiSessionToNotification(corpusJson('2.2.1', 'session_example_2_short_finished.json'), { location: LOCATION }).findings).toContainEqual(
      expect.objectContaining({ kind: 'invalid', path: 'authorization_reference' }),
    );
  });
});

describe('OICP ChargingNotification -> OCPI Session', () => {
  const start = { Type: 'Start', SessionID: SESSION_ID, EvseID: 'BE*BEC*E041503002', OperatorID: 'BE*BEC', Identification: { RemoteIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, ChargingStart: '2015-06-29T22:39:09Z' };

  it('Start opens an ACTIVE session at the cached EVSE, priced when the tariff is known', () => {
    const { value, findings } = notificationToOcpiSession(start, { location: LOCATION, tariff: TARIFF, now: NOW });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(check(Session, value).findings).toEqual([]);
    expect(value).toMatchObject({ id: SESSION_ID, status: 'ACTIVE', location_id: 'LOC1', evse_uid: '3257', connector_id: '1', auth_method: 'COMMAND', currency: 'EUR', kwh: 0 });
  });

  it('End completes it: energy, end time, charging then parking periods, and the cost', () => {
    const previous = notificationToOcpiSession(start, { location: LOCATION, tariff: TARIFF, now: NOW }).value!;
    // 150 minutes charging and 42 parking: tariff 13's worked example, 11.25 / 12.75.
    const end = { ...start, Type: 'End', Identification: undefined, SessionStart: '2015-06-29T22:39:09Z', ChargingEnd: '2015-06-30T01:09:09Z', SessionEnd: '2015-06-30T01:51:09Z', ConsumedEnergy: 20 };
    const { value } = notificationToOcpiSession(end, { previous, location: LOCATION, tariff: TARIFF, now: NOW });
    expect(check(Session, value).findings).toEqual([]);
    expect(value).toMatchObject({ status: 'COMPLETED', kwh: 20, end_date_time: '2015-06-30T01:51:09Z', total_cost: { excl_vat: 11.25, incl_vat: 12.75 } });
    expect(value?.charging_periods?.map((p) => p.dimensions.map((d) => d.type).join('+'))).toEqual(['ENERGY+TIME', 'PARKING_TIME']);
  });

  it('without a tariff of the EVSE, the one contracted in the rules gives currency and cost', () => {
    const contracted = { id: 'BEC-CONTRACT', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY' as const, price: 0.3, step_size: 1 }] }], last_updated: '2015-01-01T00:00:00Z' };
    const rules = { ...NO_RULES, tariffs: { ...NO_RULES.tariffs, contracted: { 'BE*BEC': contracted } } };
    const previous = notificationToOcpiSession(start, { rules, location: LOCATION, now: NOW }).value!;
    const end = { ...start, Type: 'End', Identification: undefined, SessionStart: '2015-06-29T22:39:09Z', ChargingEnd: '2015-06-30T01:09:09Z', SessionEnd: '2015-06-30T01:09:09Z', ConsumedEnergy: 20 };
    const { value, findings } = notificationToOcpiSession(end, { rules, previous, location: LOCATION, now: NOW });
    expect(check(Session, value).findings).toEqual([]);
    expect(value).toMatchObject({ currency: 'EUR', total_cost: { excl_vat: 6 } });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'PartnerProductID' }));
  });

  it('Error marks the session INVALID, and needs the session seen before', () => {
    const previous = notificationToOcpiSession(start, { location: LOCATION, tariff: TARIFF, now: NOW }).value!;
    const error = { Type: 'Error', SessionID: SESSION_ID, EvseID: 'BE*BEC*E041503002', OperatorID: 'BE*BEC', ErrorType: 'ConnectorError' };
    expect(notificationToOcpiSession(error, { previous, now: NOW }).value?.status).toBe('INVALID');
    expect(notificationToOcpiSession(error, { now: NOW }).findings[0]).toMatchObject({ kind: 'invalid' });
  });

  it('a Start without identification, tariff or location is refused with the reasons', () => {
    const { value, findings } = notificationToOcpiSession({ ...start, Identification: undefined }, { now: NOW });
    expect(value).toBeUndefined();
    expect(findings.map((f) => f.path)).toEqual(expect.arrayContaining(['EvseID', 'Identification', 'PartnerProductID']));
  });
});

describe('OCPI 2.1.1 session raised to 2.2.1', () => {
  it('uses the #NA marker for an embedded location without EVSE, and says so', () => {
    const session = corpusJson('2.1.1', 'session_example_start.json') as { location: object };
    const party = { countryCode: 'BE', partyId: 'BEC' };
    const noEvse = session211To221({ ...session, location: { ...session.location, evses: [] } }, { party });
    expect(noEvse.value).toMatchObject({ evse_uid: '#NA', connector_id: '#NA' });
    expect(noEvse.findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'location.evses' }));
  });
});
