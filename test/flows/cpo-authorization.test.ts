/**
 * CPO side, real-time authorization end to end (issue 7): the OCPI CPO simulator asks the bridge to
 * authorize a token; the bridge asks the Hubject simulator (AuthorizeStart, over REST and SOAP) and
 * answers what Hubject decided, with Hubject's SessionID as the authorization_reference.
 */
import type { AuthorizeStart } from '../../src/oicp/wire/transaction-schemas';
import { AUTHORIZATION_KIND } from '../../src/flows/cpo/authorization-index';
import { startCpoScene, type CpoScene } from '../support/cpo-scene';

const PROVIDER = 'DE-DCB'; // the eMSP the scene's card belongs to
const CARD = 'AABBCCDD';

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO real-time authorization over %s', (protocol) => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
    // Hubject knows the card; the bridge knows the EvseIDs of the backend's EVSEs.
    await scene.withCard(CARD);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  it('authorizes a known card at the EVSE the backend names; the SessionID is the authorization_reference and is kept', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
    expect(answer).toMatchObject({ ok: true, value: { allowed: 'ALLOWED', token: { uid: CARD, type: 'RFID', country_code: 'DE', party_id: 'DCB' }, location: { location_id: 'LOC1', evse_uids: ['3256'] } } });
    const reference = (answer as { value: { authorization_reference: string } }).value.authorization_reference;
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(scene.received<AuthorizeStart>('AuthorizeStart').at(-1)).toEqual({ OperatorID: 'BE*BEC', Identification: { RFIDMifareFamilyIdentification: { UID: CARD } }, EvseID: 'BE*BEC*E041503001' });
    expect(await scene.bridge.store.correlations.byOcpi(AUTHORIZATION_KIND, reference)).toMatchObject({ oicpId: reference, attrs: { providerId: PROVIDER, evseId: 'BE*BEC*E041503001' } });
  });

  it('answers NOT_ALLOWED for a card Hubject does not authorize, 2004 for a uid Hubject cannot be asked about, and 3000 when Hubject is down', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    expect(await peer.authorize('11223344', 'RFID')).toMatchObject({ ok: true, value: { allowed: 'NOT_ALLOWED', info: { text: 'RFID Authentication failed - invalid UID' } } });
    expect(await peer.authorize('not hex at all', 'RFID')).toMatchObject({ ok: false, failure: { kind: 'http', httpStatus: 404 } });
    scene.hub.setDown(true);
    try {
      expect(await peer.authorize(CARD, 'RFID')).toMatchObject({ ok: false, failure: { kind: 'ocpi', statusCode: 3000 } });
    } finally {
      scene.hub.setDown(false);
    }
  });
});
