/**
 * The EMP flows toward an eMSP backend that speaks only OCPI 2.1.1: the bridge writes what it sends in
 * 2.1.1 (sessions and CDRs embed the stored location and name the token by its auth_id, the backend's
 * contract id) while the middle stays 2.2.1. The simulated backend reads each 2.1.1 object strictly and
 * records it raised to 2.2.1, which is what is checked here.
 */
import type { Cdr, Session } from '../../src/ocpi/wire/transaction-schemas';
import { CARD, startPulledEmpScene, type EmpScene } from '../support/emp-scene';
import { until } from '../support/cpo-scene';

/** The contract behind the backend's card (the official full RFID token example). */
const CONTRACT = 'DE8ACC12E46L89';

describe('EMP flows toward an OCPI 2.1.1 eMSP backend', () => {
  let scene: EmpScene;
  beforeAll(async () => {
    scene = await startPulledEmpScene('rest-2.3', {}, { backendVersions: ['2.1.1'] });
  });
  afterAll(() => scene.close());

  it('registers in 2.1.1 and delivers the network and its tariffs', async () => {
    expect((await scene.peer()).version).toBe('2.1.1');
    expect(scene.received('locations', 'PUT location').map((t) => (t.body as { id: string }).id)).toEqual(expect.arrayContaining(['DEXYZ-1', 'DEXYZ-2']));
    expect(scene.received('tariffs', 'PUT tariff').map((t) => (t.body as { id: string }).id)).toEqual(['DEXYZ-AC 1']);
    expect(await scene.bridge.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });

  it('authorizes a backend card in real time, then delivers the session and the priced CDR under the card\'s contract', async () => {
    const { sessionId, authorized } = await scene.cpo.charge('DE*XYZ*E1*1', { RFIDMifareFamilyIdentification: { UID: CARD } }, 10);
    expect(authorized).toBe(true);
    expect(scene.received('tokens', 'POST authorize').at(-1)!.body).toMatchObject({ uid: CARD });
    await scene.delivered();
    await until('the CDR reached the backend', () => scene.received('cdrs', 'POST cdr').length > 0);

    // 2.1.1 names the token by auth_id (the contract) alone; the backend resolves it among its own tokens.
    const session = scene.received('sessions', 'PUT session').at(-1)!.body as Session;
    expect(session).toMatchObject({ id: sessionId, status: 'COMPLETED', kwh: 10, currency: 'EUR', location_id: 'DEXYZ-1', evse_uid: 'DE*XYZ*E1*1', cdr_token: { contract_id: CONTRACT } });
    const cdr = scene.received('cdrs', 'POST cdr')[0]!.body as Cdr;
    expect(cdr).toMatchObject({ id: sessionId, total_energy: 10, currency: 'EUR', cdr_location: { id: 'DEXYZ-1', evse_uid: 'DE*XYZ*E1*1' }, cdr_token: { contract_id: CONTRACT } });
    expect(cdr.total_cost.excl_vat).toBeGreaterThanOrEqual(0);
    expect(await scene.bridge.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });
});
