/**
 * CPO side, CDRs end to end (issue 7): a CDR the backend posts after a Hubject authorization reaches
 * the Hubject simulator once, as the mapper makes it, over REST and SOAP; retries, a second CDR for
 * the session, and a Hubject outage change nothing about that; a CDR Hubject cannot take is refused
 * to the backend before anything is stored.
 */
import { ocpiCdrToOicp } from '../../src/mapping/cdr';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { Cdr } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';
import { RULES, startCpoScene, until, type CpoScene } from '../support/cpo-scene';

const CARD = 'AABBCCDD';

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO CDRs over %s', (protocol) => {
  let scene: CpoScene;
  let peer: OcpiPeer;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
    peer = await scene.withCard(CARD);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  /** A session authorized through the bridge, and the official CDR for it. */
  async function authorizedCdr(id: string): Promise<Cdr> {
    const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
    if (!answer.ok) throw new Error(answer.failure.message);
    const reference = (answer.value as { authorization_reference: string }).authorization_reference;
    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    return { ...official, id, country_code: 'NL', party_id: 'SIM', authorization_reference: reference, cdr_token: { ...official.cdr_token, uid: CARD } };
  }
  const cdrsAtHub = () => scene.received<ChargeDetailRecord>('ChargeDetailRecord');

  it('sends the CDR once, as the mapper makes it; a retried POST is answered as the first, a second CDR for the session is refused', async () => {
    const cdr = await authorizedCdr('CDR-1');
    expect(await peer.postCdr(cdr)).toMatchObject({ ok: true });
    await until('the hub has the CDR', () => cdrsAtHub().length === 1);
    const expected = ocpiCdrToOicp(cdr, { rules: RULES, correlation: { sessionId: cdr.authorization_reference } }).value!;
    expect(cdrsAtHub()[0]).toEqual(expected);
    expect(expected.SessionID).toBe(cdr.authorization_reference);
    // Accepted, not only received: the hub holds it as the session's CDR.
    await until('the hub accepted it', () => scene.hub.state.sessions.get(expected.SessionID)?.cdr !== undefined);

    expect(await peer.postCdr(cdr)).toMatchObject({ ok: true });
    // OICP takes one CDR per session: a second one would be acknowledged and never delivered.
    const second = await peer.postCdr({ ...cdr, id: 'CDR-1b' });
    expect(second).toMatchObject({ ok: false, failure: { kind: 'ocpi', statusCode: 2001, message: expect.stringContaining(`Hubject session ${cdr.authorization_reference} already has CDR CDR-1`) } });
    expect(await scene.bridge.store.objects.get('cdrs', 'NL*SIM', 'CDR-1b')).toBeUndefined();
    const conflicting = await peer.postCdr({ ...cdr, total_energy: cdr.total_energy + 1 });
    expect(conflicting).toMatchObject({ ok: false, failure: { kind: 'ocpi', statusCode: 2001 } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(cdrsAtHub()).toHaveLength(1);
  });

  it('refuses a CDR of a session Hubject did not authorize, storing nothing', async () => {
    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    const refused = await peer.postCdr({ ...official, id: 'CDR-X', country_code: 'NL', party_id: 'SIM' });
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'ocpi', statusCode: 2001, message: expect.stringContaining('no Hubject SessionID') } });
    expect(await scene.bridge.store.objects.get('cdrs', 'NL*SIM', 'CDR-X')).toBeUndefined();
  });

  it('refuses a CDR whose authorization_reference names no authorization Hubject gave, storing nothing', async () => {
    const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
    const unknown = '3a0c2f8e-8b9c-4a57-9f0e-5b1f0c8d2e71';
    const refused = await peer.postCdr({ ...official, id: 'CDR-Y', country_code: 'NL', party_id: 'SIM', authorization_reference: unknown });
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'ocpi', statusCode: 2001, message: expect.stringContaining(`authorization_reference ${unknown} names no authorization`) } });
    expect(await scene.bridge.store.objects.get('cdrs', 'NL*SIM', 'CDR-Y')).toBeUndefined();
    // One that would not map either (no OICP EvseID): the authorization is the reason given.
    const unmappable = await peer.postCdr({ ...official, id: 'CDR-Z', country_code: 'NL', party_id: 'SIM', authorization_reference: unknown, cdr_location: { ...official.cdr_location, evse_id: 'EVSE 3' } });
    expect(unmappable).toMatchObject({ ok: false, failure: { kind: 'ocpi', statusCode: 2001, message: expect.stringContaining(`authorization_reference ${unknown} names no authorization`) } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(cdrsAtHub().filter((c) => c.SessionID === unknown)).toEqual([]);
  });

  it('keeps a CDR posted while Hubject is down and delivers it once when it is back', async () => {
    const cdr = await authorizedCdr('CDR-2');
    const before = cdrsAtHub().length;
    scene.hub.setDown(true);
    try {
      expect(await peer.postCdr(cdr)).toMatchObject({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(cdrsAtHub()).toHaveLength(before);
    } finally {
      scene.hub.setDown(false);
    }
    await until('the CDR arrived after the outage', () => scene.hub.state.sessions.get(cdr.authorization_reference!)?.cdr !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Received once: no retry reached the hub after it accepted the CDR.
    expect(cdrsAtHub().slice(before).map((c) => c.SessionID)).toEqual([cdr.authorization_reference]);
    expect(await scene.bridge.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });
});
