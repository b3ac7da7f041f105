/**
 * The CPO flows with a backend that speaks only OCPI 2.1.1, which has no authorization_reference: the
 * bridge matches its sessions and CDRs to Hubject's authorization by token and EVSE (the latest
 * authorization shortly before the session), and resolves the 2.1.1 auth_id to the token Hubject
 * authorized. What reaches the Hubject simulator is checked.
 */
import { randomUUID } from 'node:crypto';
import { OicpClient } from '../../src/oicp/client';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { Cdr, Session, StartSession } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';
import { quietLogger } from '../support/oicp-network';
import { startCpoScene, until, type CpoScene } from '../support/cpo-scene';

const CARD = 'AABBCCDD';
const OWNER = { countryCode: 'NL', partyId: 'SIM' };

describe('CPO flows with an OCPI 2.1.1 backend', () => {
  let scene: CpoScene;
  let peer: OcpiPeer;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3', { backendVersions: ['2.1.1'] });
    peer = await scene.withCard(CARD);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  /** The official session, as the backend would open it at LOC1's EVSE 3256 for `token`, starting now. */
  function sessionFor(id: string, token: Session['cdr_token']): Session {
    const official = corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session;
    const { authorization_reference: _none, ...session } = { ...official, id, ...OWNER, country_code: 'NL', party_id: 'SIM', status: 'ACTIVE' as const, start_date_time: new Date().toISOString(), cdr_token: token };
    return session;
  }

  it('registers in 2.1.1 and sends the network to Hubject', async () => {
    expect(peer.version).toBe('2.1.1');
    await until('the EVSE data reached the hub', () => scene.received('PushEvseData').length > 0);
  });

  it('matches a session and its CDR after a real-time authorization by card and EVSE: notifications and the CDR carry Hubject\'s SessionID', async () => {
    const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
    expect(answer).toMatchObject({ ok: true, value: { allowed: 'ALLOWED' } });
    const sessionId = [...scene.hub.state.sessions.keys()].at(-1)!;
    // 2.1.1 names the token by auth_id: here the card's UID, as a CPO does for a token it was never sent.
    const token = { country_code: 'DE', party_id: 'BRG', uid: CARD, type: 'RFID' as const, contract_id: CARD };
    const first = sessionFor('S-211', token);
    expect(await peer.put('sessions', OWNER, ['S-211'], first)).toMatchObject({ ok: true });
    await until('Start arrived', () => scene.notifications.some((n) => n.SessionID === sessionId && n.Type === 'Start'));
    expect(scene.notifications.find((n) => n.SessionID === sessionId)).toMatchObject({ Type: 'Start', CPOPartnerSessionID: 'S-211', EvseID: 'BE*BEC*E041503001' });

    // The card is authorized again at the EVSE before this session's end is pushed: the end still belongs to the first.
    expect(await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] })).toMatchObject({ ok: true, value: { allowed: 'ALLOWED' } });
    expect([...scene.hub.state.sessions.keys()].at(-1)).not.toBe(sessionId);
    const ended = { ...first, status: 'COMPLETED' as const, kwh: 3, end_date_time: new Date(Date.now() + 60_000).toISOString() };
    expect(await peer.put('sessions', OWNER, ['S-211'], ended)).toMatchObject({ ok: true });
    await until('End arrived', () => scene.notifications.some((n) => n.CPOPartnerSessionID === 'S-211' && n.Type === 'End'));
    expect(scene.notifications.filter((n) => n.CPOPartnerSessionID === 'S-211').map((n) => [n.Type, n.SessionID])).toEqual([
      ['Start', sessionId],
      ['End', sessionId],
    ]);

    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    const { authorization_reference: _none, ...cdr } = { ...official, id: 'CDR-211', ...{ country_code: 'NL', party_id: 'SIM' }, cdr_token: token, start_date_time: first.start_date_time, end_date_time: ended.end_date_time };
    expect(await peer.postCdr(cdr)).toMatchObject({ ok: true });
    await until('the hub has the CDR', () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').length > 0);
    expect(scene.received<ChargeDetailRecord>('ChargeDetailRecord').map((c) => c.SessionID)).toEqual([sessionId]);
  });

  it('matches the session the backend opens for a remote start by the started token', async () => {
    const emp = new OicpClient({ baseUrl: scene.hubUrl, as: 'EMP', partyId: 'DE-DCB', logger: quietLogger() });
    const sessionId = randomUUID();
    try {
      const answer = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } }, SessionID: sessionId });
      expect(answer).toMatchObject({ ok: true, value: { Result: true } });
    } finally {
      emp.close();
    }
    const start = scene.backend.backend.platform.traffic.filter((t) => t.what === 'POST START_SESSION').at(-1)!.body as StartSession;
    expect(await peer.put('sessions', OWNER, ['S-211-REMOTE'], sessionFor('S-211-REMOTE', { country_code: start.token.country_code, party_id: start.token.party_id, uid: start.token.contract_id, type: 'OTHER', contract_id: start.token.contract_id }))).toMatchObject({ ok: true });
    await until('Start arrived', () => scene.notifications.some((n) => n.SessionID === sessionId && n.Type === 'Start'));
    // The earlier session's authorization is not taken again by this one.
    expect(scene.notifications.filter((n) => n.CPOPartnerSessionID === 'S-211-REMOTE').map((n) => n.SessionID)).toEqual([sessionId]);
  });

  it('reserves with a number the bridge keeps for Hubject\'s SessionID (2.1.1 reservation ids are integers), and says in OICP terms that 2.1.1 cannot cancel', async () => {
    const emp = new OicpClient({ baseUrl: scene.hubUrl, as: 'EMP', partyId: 'DE-DCB', logger: quietLogger() });
    try {
      const reserve = (Duration: number) => emp.call('AuthorizeRemoteReservationStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } }, Duration });
      const first = await reserve(20);
      expect(first).toMatchObject({ ok: true, value: { Result: true, StatusCode: { Code: '000' } } });
      const second = await reserve(10);
      expect(second).toMatchObject({ ok: true, value: { Result: true } });
      const sent = scene.backend.backend.platform.traffic.filter((t) => t.what === 'POST RESERVE_NOW').map((t) => t.body as { reservation_id: unknown });
      // One number per reservation (sent as 2.1.1 integers; the simulator records commands raised to 2.2.1, where they are strings).
      expect(sent.map((r) => r.reservation_id)).toEqual(['1', '2']);
      const sessionId = first.ok ? first.value.SessionID! : '';
      expect((await scene.bridge.store.correlations.byOicp('reservation-number', sessionId))?.ocpiId).toBe('1');

      const before = scene.backend.backend.platform.traffic.length;
      const cancelled = await emp.call('AuthorizeRemoteReservationStop', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', SessionID: sessionId });
      expect(cancelled).toMatchObject({ ok: false, error: { kind: 'refused', statusCode: { Code: '320', AdditionalInfo: expect.stringContaining('2.1.1') } } });
      expect(scene.backend.backend.platform.traffic).toHaveLength(before);
    } finally {
      emp.close();
    }
  });
});
