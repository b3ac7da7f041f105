/**
 * EMP side, the crash fault test (issue 8): the bridge runs as its own process; Hubject forwards
 * CDRs, each acknowledged only once stored; the backend is down, so they wait in the outbox when the
 * bridge is killed with SIGKILL, and more CDRs reach Hubject while the bridge is dead. Started again
 * on the same store, the bridge delivers the waiting ones and reconciles the missed ones: the
 * backend gets every CDR Hubject accepted, each POSTed once.
 */
import type { Cdr } from '../../src/ocpi/wire/transaction-schemas';
import { CARD, startEmpSceneInChild, type EmpSceneInChild } from '../support/emp-scene';
import { until } from '../support/cpo-scene';

const card = { RFIDMifareFamilyIdentification: { UID: CARD } };

describe('EMP CDRs across a SIGKILL', () => {
  let scene: EmpSceneInChild;
  afterAll(async () => {
    await scene?.close();
  });

  it('loses and duplicates nothing when the bridge is killed with CDRs waiting and more arrive while it is dead', async () => {
    scene = await startEmpSceneInChild('rest-2.3');
    const first = await scene.startBridge();
    await until('the network and its pricing reached the backend', () => scene.received('locations', 'PUT location').length >= 2 && scene.received('tariffs', 'PUT tariff').length >= 1, 20_000);

    // The backend's tokens (whitelist ALLOWED) let the bridge authorize while the backend is down.
    await scene.backend.backend.pushAll('bridge');
    scene.backend.backend.setDown(true);
    const acknowledged = [];
    for (const evse of ['DE*XYZ*E1*1', 'DE*XYZ*E1*2', 'DE*XYZ*E2*1']) {
      const charge = await scene.cpo.charge(evse, card, 4);
      expect(charge.authorized).toBe(true);
      acknowledged.push(charge.sessionId);
    }
    first.process.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The bridge is dead: Hubject cannot ask it, and tells the CPO NotAuthorized, 310 (partner did not respond).
    const whileDead = await scene.cpo.charge('DE*XYZ*E2*2', card, 4);
    expect(whileDead.authorized).toBe(false);
    expect(scene.hub.traffic.filter((t) => t.direction === 'in' && t.operation === 'AuthorizeStart').at(-1)?.response).toMatchObject({ AuthorizationStatus: 'NotAuthorized', StatusCode: { Code: '310' } });
    const accepted = () => [...scene.hub.state.sessions.values()].filter((s) => s.cdr !== undefined).map((s) => s.sessionId);
    expect(accepted()).toEqual(expect.arrayContaining(acknowledged));

    scene.backend.backend.setDown(false);
    await scene.startBridge();
    const posted = () => scene.received('cdrs', 'POST cdr').map((t) => (t.body as Cdr).id);
    await until('the backend has every CDR Hubject accepted', () => new Set(posted()).size === accepted().length, 30_000);
    expect([...posted()].sort()).toEqual([...accepted()].sort());
  }, 90_000);
});
