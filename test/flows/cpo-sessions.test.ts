/**
 * CPO side, sessions end to end (issue 7): a session the backend pushes after a Hubject
 * authorization becomes charging notifications at the eMSP behind the Hubject simulator — Start
 * once, Progress rate-limited, End once — over REST and SOAP.
 */
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { Session } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';
import { startCpoScene, until, type CpoScene } from '../support/cpo-scene';

const CARD = 'AABBCCDD';
const OWNER = { countryCode: 'NL', partyId: 'SIM' };

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO sessions over %s', (protocol) => {
  let scene: CpoScene;
  let peer: OcpiPeer;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
    peer = await scene.withCard(CARD);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  it('notifies Start once, Progress at most once a minute, and End once, for the Hubject session', async () => {
    const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
    const reference = (answer as { value: { authorization_reference: string } }).value.authorization_reference;
    const official = corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session;
    const session: Session = { ...official, id: 'S-1', country_code: 'NL', party_id: 'SIM', status: 'ACTIVE', authorization_reference: reference, cdr_token: { ...official.cdr_token, uid: CARD } };
    const types = () => scene.notifications.filter((n) => n.SessionID === reference).map((n) => n.Type);

    expect(await peer.put('sessions', OWNER, ['S-1'], session)).toMatchObject({ ok: true });
    await until('Start arrived', () => types().includes('Start'));
    expect(scene.notifications.find((n) => n.Type === 'Start' && n.SessionID === reference)).toMatchObject({ SessionID: reference, CPOPartnerSessionID: 'S-1', EvseID: 'BE*BEC*E041503001', OperatorID: 'BE*BEC' });

    // The same session pushed again: no second Start. Two progress PATCHes a moment apart: one Progress.
    expect(await peer.put('sessions', OWNER, ['S-1'], session)).toMatchObject({ ok: true });
    for (const kwh of [1.5, 2]) expect(await peer.patch('sessions', OWNER, ['S-1'], { kwh, last_updated: '2020-03-09T10:30:00Z' })).toMatchObject({ ok: true });
    await until('Progress arrived', () => types().includes('Progress'));
    expect(await peer.patch('sessions', OWNER, ['S-1'], { status: 'COMPLETED', kwh: 3, end_date_time: '2020-03-09T11:00:00Z', last_updated: '2020-03-09T11:00:00Z' })).toMatchObject({ ok: true });
    await until('End arrived', () => types().includes('End'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(types()).toEqual(['Start', 'Progress', 'End']);
    expect(scene.notifications.find((n) => n.Type === 'End' && n.SessionID === reference)).toMatchObject({ ConsumedEnergy: 3, SessionEnd: '2020-03-09T11:00:00Z' });
  });

  it('keeps a session Hubject did not authorize, and notifies nothing for it', async () => {
    const official = corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session;
    const before = scene.notifications.length;
    expect(await peer.put('sessions', OWNER, ['S-2'], { ...official, id: 'S-2', country_code: 'NL', party_id: 'SIM', status: 'ACTIVE' })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(scene.notifications).toHaveLength(before);
    expect(await scene.bridge.store.objects.get('sessions', 'NL*SIM', 'S-2')).toBeDefined();
  });
});
