/**
 * CPO side, remote start/stop and reservations end to end (issue 7): an eMSP's AuthorizeRemoteStart
 * (or reservation) at the Hubject simulator reaches the bridge (REST or SOAP), becomes an OCPI
 * command at the CPO simulator, is acknowledged from the backend's synchronous answer, and the
 * backend's later CommandResult is matched to it; a start the charge point then fails reaches the
 * eMSP as a ChargingNotification Error.
 */
import { randomUUID } from 'node:crypto';
import { COMMAND_KIND } from '../../src/flows/cpo/remote';
import { OicpClient } from '../../src/oicp/client';
import type { Session, StartSession } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';
import { quietLogger } from '../support/oicp-network';
import { oicpErrors } from '../support/oicp-schema';
import { startCpoScene, until, type CpoScene } from '../support/cpo-scene';

const EVCO_ID = 'DE-DCB-C12345678-X';

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO remote start and stop over %s', (protocol) => {
  let scene: CpoScene;
  let emp: OicpClient;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
    await scene.withCard('AABBCCDD');
    emp = new OicpClient({ baseUrl: scene.hubUrl, as: 'EMP', partyId: 'DE-DCB', logger: quietLogger() });
  }, 30_000);
  afterAll(async () => {
    emp?.close();
    await scene?.close();
  });

  it('starts a session at the backend, answers Hubject from the backend’s answer, and matches the later result', async () => {
    const sessionId = randomUUID();
    const answer = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: EVCO_ID } }, SessionID: sessionId });
    expect(answer).toMatchObject({ ok: true, value: { Result: true, StatusCode: { Code: '000' }, SessionID: sessionId } });
    const sent = scene.backend.backend.platform.traffic.filter((t) => t.what === 'POST START_SESSION').at(-1)!.body;
    expect(sent).toMatchObject({ location_id: 'LOC1', evse_uid: '3256', authorization_reference: sessionId, token: { contract_id: EVCO_ID, country_code: 'DE', party_id: 'DCB' } });
    // The simulated charge point posts its result a moment after answering.
    for (let i = 0; i < 200; i++) {
      if ((await scene.bridge.store.correlations.byOicp(COMMAND_KIND, `START_SESSION/${sessionId}`))?.attrs.result === 'ACCEPTED') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await scene.bridge.store.correlations.byOicp(COMMAND_KIND, `START_SESSION/${sessionId}`)).toMatchObject({ attrs: { type: 'START_SESSION', sessionId, result: 'ACCEPTED' } });
  });

  it('notifies Hubject of the session the backend opens for a remote start (it names the start by authorization_reference)', async () => {
    const sessionId = randomUUID();
    const answer = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: EVCO_ID } }, SessionID: sessionId });
    expect(answer).toMatchObject({ ok: true, value: { Result: true } });
    const start = scene.backend.backend.platform.traffic.filter((t) => t.what === 'POST START_SESSION').at(-1)!.body as StartSession;
    const official = corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session;
    const session: Session = { ...official, id: 'S-REMOTE', country_code: 'NL', party_id: 'SIM', status: 'ACTIVE', auth_method: 'COMMAND', authorization_reference: start.authorization_reference!, cdr_token: { country_code: 'DE', party_id: 'DCB', uid: start.token.uid, type: start.token.type, contract_id: start.token.contract_id } };
    const peer = (await scene.backend.backend.peer('bridge'))!;
    expect(await peer.put('sessions', { countryCode: 'NL', partyId: 'SIM' }, ['S-REMOTE'], session)).toMatchObject({ ok: true });
    await until('Start arrived', () => scene.notifications.some((n) => n.SessionID === sessionId && n.Type === 'Start'));
    expect(scene.notifications.find((n) => n.SessionID === sessionId)).toMatchObject({ Type: 'Start', CPOPartnerSessionID: 'S-REMOTE', EvseID: 'BE*BEC*E041503001' });
  });

  it('refuses a start at an EVSE the backend never pushed (603) and a stop of a session it does not know (400), sending nothing', async () => {
    const before = scene.backend.backend.platform.traffic.length;
    const start = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E999', Identification: { RemoteIdentification: { EvcoID: EVCO_ID } }, SessionID: randomUUID() });
    expect(start).toMatchObject({ ok: false, error: { kind: 'refused', statusCode: { Code: '603' } } });
    const stop = await emp.call('AuthorizeRemoteStop', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E999', SessionID: randomUUID() });
    expect(stop.ok).toBe(false);
    expect(scene.backend.backend.platform.traffic).toHaveLength(before);
  });

  it('reserves with Hubject’s SessionID as the OCPI reservation_id, and cancels that reservation', async () => {
    const reserved = await emp.call('AuthorizeRemoteReservationStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: EVCO_ID } }, Duration: 20 });
    expect(reserved).toMatchObject({ ok: true, value: { Result: true, StatusCode: { Code: '000' } } });
    const sessionId = reserved.ok ? reserved.value.SessionID! : '';
    const traffic = scene.backend.backend.platform.traffic;
    const reserve = traffic.filter((t) => t.what === 'POST RESERVE_NOW').at(-1)!.body as { expiry_date: string };
    expect(reserve).toMatchObject({ location_id: 'LOC1', evse_uid: '3256', reservation_id: sessionId, authorization_reference: sessionId, token: { contract_id: EVCO_ID } });
    // Twenty minutes from now, to the second.
    expect(Math.abs(Date.parse(reserve.expiry_date) - (Date.now() + 20 * 60_000))).toBeLessThan(5_000);

    const cancelled = await emp.call('AuthorizeRemoteReservationStop', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', SessionID: sessionId });
    expect(cancelled).toMatchObject({ ok: true, value: { Result: true, SessionID: sessionId } });
    expect(traffic.filter((t) => t.what === 'POST CANCEL_RESERVATION').at(-1)!.body).toMatchObject({ reservation_id: sessionId });
  });

  it('tells the eMSP with a ChargingNotification Error when the charge point fails a start it had accepted, once', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    const changes = scene.backend.backend.platform.setEvseStatus('LOC1', '3257', 'OUTOFORDER', new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    expect(await peer.patch('locations', { countryCode: 'NL', partyId: 'SIM' }, ['LOC1', '3257'], changes)).toMatchObject({ ok: true });
    const sessionId = randomUUID();
    const identification = { RemoteIdentification: { EvcoID: EVCO_ID } };
    const answer = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503002', Identification: identification, SessionID: sessionId });
    // The backend took the command: Hubject hears yes; the charge point's answer comes after.
    expect(answer).toMatchObject({ ok: true, value: { Result: true } });
    await until('the eMSP heard of the failure', () => scene.notifications.some((n) => n.SessionID === sessionId));
    const errors = scene.notifications.filter((n) => n.SessionID === sessionId);
    expect(errors).toEqual([
      {
        Type: 'Error',
        SessionID: sessionId,
        EvseID: 'BE*BEC*E041503002',
        OperatorID: 'BE*BEC',
        ErrorType: 'CriticalError',
        ErrorAdditionalInfo: 'remote start failed at the charge point: EVSE_INOPERATIVE',
        Identification: identification,
      },
    ]);
    expect(oicpErrors('cpo', 'eRoamingChargingNotificationError', errors[0])).toEqual([]);
    // The backend posts its result again (its retry): the eMSP is not told twice.
    const command = scene.backend.backend.platform.traffic.filter((t) => t.what === 'POST START_SESSION').at(-1)!.body as { response_url: string };
    expect(await peer.commandResult(command.response_url, { result: 'EVSE_INOPERATIVE' })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(scene.notifications.filter((n) => n.SessionID === sessionId)).toHaveLength(1);
    expect(await scene.bridge.store.correlations.byOicp(COMMAND_KIND, `START_SESSION/${sessionId}`)).toMatchObject({ attrs: { result: 'EVSE_INOPERATIVE' } });
  });
});
