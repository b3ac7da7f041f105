import type { Session } from '../../src/ocpi/wire/transaction-schemas';
import { PROVIDER_ID, startPulledEmpScene, type EmpScene, type Protocol } from '../support/emp-scene';
import { until } from '../support/cpo-scene';

describe.each<Protocol>(['rest-2.3', 'soap-2.2'])('EMP remote commands over %s', (protocol) => {
  let scene: EmpScene;
  beforeAll(async () => {
    scene = await startPulledEmpScene(protocol);
  });
  afterAll(() => scene.close());

  const token = { country_code: 'DE', party_id: 'DCB', uid: 'bdf21bce-fc97-11e8-8eb2-f2801f1b9fd1', type: 'APP_USER', contract_id: 'DE-8AC-C12E46L89-2', issuer: 'TheNewMotion', valid: true, whitelist: 'ALLOWED', last_updated: '2026-01-01T00:00:00Z' };
  const responseUrl = (type: string, id: string) => `${scene.backend.url}/ocpi/2.2.1/commands/${type}/${id}`;
  const resultOf = (id: string) => scene.backend.backend.platform.results.find((r) => r.id === id)?.result;

  it('starts a session remotely: immediate ACCEPTED, the CommandResult when Hubject answers, then the session; and stops it with its CDR', async () => {
    const peer = await scene.peer();
    const response = await peer.command('START_SESSION', { response_url: responseUrl('START_SESSION', 'start-1'), token, location_id: 'DEXYZ-2', evse_uid: 'DE*XYZ*E2*1' });
    expect(response.ok && response.value.result).toBe('ACCEPTED');
    await until('the result came', () => resultOf('start-1') !== undefined);
    expect(resultOf('start-1')).toEqual({ result: 'ACCEPTED' });
    const start = scene.hub.traffic.find((t) => t.direction === 'in' && t.operation === 'AuthorizeRemoteStart')!.request as { SessionID: string; ProviderID: string; EvseID: string; Identification: unknown };
    expect(start).toMatchObject({ ProviderID: PROVIDER_ID, EvseID: 'DE*XYZ*E2*1', Identification: { RemoteIdentification: { EvcoID: 'DE-8AC-C12E46L89-2' } } });

    await until('the session reached the backend', () => scene.received('sessions', 'PUT session').some((t) => (t.body as Session).id === start.SessionID));
    const stop = await peer.command('STOP_SESSION', { response_url: responseUrl('STOP_SESSION', 'stop-1'), session_id: start.SessionID });
    expect(stop.ok && stop.value.result).toBe('ACCEPTED');
    await until('the stop result and the CDR came', () => resultOf('stop-1') !== undefined && scene.received('cdrs', 'POST cdr').length > 0);
    expect(resultOf('stop-1')).toEqual({ result: 'ACCEPTED' });
    await scene.delivered();
    const session = scene.received('sessions', 'PUT session').filter((t) => (t.body as Session).id === start.SessionID).at(-1)!.body as Session;
    expect(session).toMatchObject({ status: 'COMPLETED', auth_method: 'COMMAND', kwh: 12.5, location_id: 'DEXYZ-2', evse_uid: 'DE*XYZ*E2*1' });
  });

  it('rejects at once what OICP cannot carry, and passes Hubject\'s refusal on as the result', async () => {
    const peer = await scene.peer();
    const unknown = await peer.command('START_SESSION', { response_url: responseUrl('START_SESSION', 'start-2'), token, location_id: 'NOWHERE', evse_uid: 'X' });
    expect(unknown.ok && unknown.value.result).toBe('REJECTED');
    const stop = await peer.command('STOP_SESSION', { response_url: responseUrl('STOP_SESSION', 'stop-2'), session_id: 'never-started' });
    expect(stop.ok && stop.value.result).toBe('REJECTED');

    scene.hub.failNext('AuthorizeRemoteStart', '603');
    const refused = await peer.command('START_SESSION', { response_url: responseUrl('START_SESSION', 'start-3'), token, location_id: 'DEXYZ-1', evse_uid: 'DE*XYZ*E1*2' });
    expect(refused.ok && refused.value.result).toBe('ACCEPTED');
    await until('the result came', () => resultOf('start-3') !== undefined);
    expect(resultOf('start-3')?.result).toBe('REJECTED');
  });

  it('reserves an EVSE and cancels the reservation', async () => {
    const peer = await scene.peer();
    const expiry = new Date(Date.now() + 15 * 60_000).toISOString();
    await peer.command('RESERVE_NOW', { response_url: responseUrl('RESERVE_NOW', 'res-1'), token, expiry_date: expiry, reservation_id: 'R1', location_id: 'DEXYZ-1', evse_uid: 'DE*XYZ*E1*2' });
    await until('the reservation result came', () => resultOf('res-1') !== undefined);
    expect(resultOf('res-1')).toEqual({ result: 'ACCEPTED' });
    const reservation = scene.hub.traffic.find((t) => t.direction === 'in' && t.operation === 'AuthorizeRemoteReservationStart')!.request as { SessionID: string; Duration: number };
    expect(reservation.Duration).toBe(15);
    await peer.command('CANCEL_RESERVATION', { response_url: responseUrl('CANCEL_RESERVATION', 'cancel-1'), reservation_id: 'R1' });
    await until('the cancel result came', () => resultOf('cancel-1') !== undefined);
    const cancel = scene.hub.traffic.find((t) => t.direction === 'in' && t.operation === 'AuthorizeRemoteReservationStop')!.request as { SessionID: string };
    expect(cancel.SessionID).toBe(reservation.SessionID);
  });
});
