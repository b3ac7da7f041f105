/**
 * CPO side, remote start and stop end to end (issue 7): an eMSP's AuthorizeRemoteStart at the
 * Hubject simulator reaches the bridge (REST or SOAP), becomes an OCPI START_SESSION at the CPO
 * simulator, is acknowledged from the backend's synchronous answer, and the backend's later
 * CommandResult is matched to it.
 */
import { randomUUID } from 'node:crypto';
import { COMMAND_KIND } from '../../src/flows/cpo/remote';
import { OicpClient } from '../../src/oicp/client';
import { quietLogger } from '../support/oicp-network';
import { startCpoScene, type CpoScene } from '../support/cpo-scene';

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

  it('refuses a start at an EVSE the backend never pushed (603) and a stop of a session it does not know (400), sending nothing', async () => {
    const before = scene.backend.backend.platform.traffic.length;
    const start = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E999', Identification: { RemoteIdentification: { EvcoID: EVCO_ID } }, SessionID: randomUUID() });
    expect(start).toMatchObject({ ok: false, error: { kind: 'refused', statusCode: { Code: '603' } } });
    const stop = await emp.call('AuthorizeRemoteStop', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E999', SessionID: randomUUID() });
    expect(stop.ok).toBe(false);
    expect(scene.backend.backend.platform.traffic).toHaveLength(before);
  });
});
