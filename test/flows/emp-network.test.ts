import type { Evse, Location, Tariff } from '../../src/ocpi/wire/schemas';
import { startEmpScene, type EmpScene, type Protocol } from '../support/emp-scene';
import { until } from '../support/cpo-scene';

describe.each<Protocol>(['rest-2.3', 'soap-2.2'])('EMP network data over %s', (protocol) => {
  let scene: EmpScene;
  beforeAll(async () => {
    scene = await startEmpScene(protocol);
    await scene.pullAll();
  });
  afterAll(() => scene.close());

  const lastPut = (id: string) => scene.received('locations', 'PUT location').filter((t) => t.ref?.ids[0] === id).at(-1)?.body as Location | undefined;

  it('pushes Hubject\'s EVSE data to the backend as the bridge\'s Locations, one per charging pool, with the pricing as Tariffs', async () => {
    await scene.delivered();
    const location = lastPut('DEXYZ-1')!;
    const ref = scene.received('locations', 'PUT location').at(-1)!.ref!;
    expect([ref.countryCode, ref.partyId]).toEqual(['DE', 'BRG']);
    expect(location).toMatchObject({
      country_code: 'DE',
      party_id: 'BRG',
      id: 'DEXYZ-1',
      operator: { name: 'XYZ Technologies' },
      city: 'Berlin',
      country: 'DEU',
      coordinates: { latitude: '52.480000', longitude: '13.356000' },
    });
    expect(location.evses!.map((e: Evse) => [e.uid, e.evse_id, e.status])).toEqual([
      ['DE*XYZ*E1*1', 'DE*XYZ*E1*1', 'AVAILABLE'],
      ['DE*XYZ*E1*2', 'DE*XYZ*E1*2', 'AVAILABLE'],
    ]);
    expect(location.evses![0]!.connectors[0]).toMatchObject({ standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', tariff_ids: ['DEXYZ-AC 1'] });
    const tariff = scene.received('tariffs', 'PUT tariff').at(-1)!.body as Tariff;
    expect(tariff).toMatchObject({ country_code: 'DE', party_id: 'BRG', id: 'DEXYZ-AC 1', currency: 'EUR' });
    expect(tariff.elements[0]!.price_components).toEqual([
      { type: 'TIME', price: 1, step_size: 1 },
      { type: 'PARKING_TIME', price: 2, step_size: 1 },
    ]);
  });

  it('PATCHes an EVSE whose status changed, and only that one', async () => {
    await scene.delivered();
    const before = scene.received('locations', 'PATCH evse').length;
    await scene.cpo.setStatus('DE*XYZ*E2*1', 'Occupied');
    await scene.bridge.runJob('EVSE status');
    await until('the PATCH arrived', () => scene.received('locations', 'PATCH evse').length > before);
    const patches = scene.received('locations', 'PATCH evse').slice(before);
    expect(patches.map((p) => [p.ref!.ids, (p.body as { status: string }).status])).toEqual([[['DEXYZ-2', 'DE*XYZ*E2*1'], 'CHARGING']]);
  });

  it('pulls only the changes after the first pull: a new EVSE is added to its location, a deleted one becomes REMOVED', async () => {
    const { hub } = scene;
    const records = [...hub.state.evseData.get('DEXYZ')!.values()].map((s) => s.record);
    const added = { ...records[0]!, EvseID: 'DE*XYZ*E1*3' };
    await scene.cpo.client.call('PushEvseData', { ActionType: 'insert', OperatorEvseData: { OperatorID: 'DE*XYZ', OperatorName: 'XYZ Technologies', EvseDataRecord: [added] } });
    await scene.cpo.client.call('PushEvseData', { ActionType: 'delete', OperatorEvseData: { OperatorID: 'DE*XYZ', OperatorName: 'XYZ Technologies', EvseDataRecord: [records.find((r) => r.EvseID === 'DE*XYZ*E2*2')!] } });
    const pulls = hub.traffic.filter((t) => t.operation === 'PullEvseData').length;
    await scene.bridge.runJob('EVSE data');
    const pull = hub.traffic.filter((t) => t.operation === 'PullEvseData')[pulls]!.request as { LastCall?: string };
    expect(pull.LastCall).toBeDefined();
    await until('both locations were PUT again', () => lastPut('DEXYZ-1')?.evses?.length === 3 && lastPut('DEXYZ-2')?.evses?.some((e) => e.status === 'REMOVED') === true);
    expect(lastPut('DEXYZ-1')!.evses!.map((e) => e.uid)).toEqual(['DE*XYZ*E1*1', 'DE*XYZ*E1*2', 'DE*XYZ*E1*3']);
    expect(lastPut('DEXYZ-2')!.evses!.map((e) => [e.uid, e.status])).toEqual([
      ['DE*XYZ*E2*1', 'CHARGING'],
      ['DE*XYZ*E2*2', 'REMOVED'],
    ]);
  });

  it('serves the network to a backend that pulls: paginated and filtered on last_updated', async () => {
    const peer = await scene.peer();
    const all: Location[] = [];
    for await (const location of peer.pull('locations', { limit: 1 })) all.push(location as Location);
    expect(all.map((l) => l.id)).toEqual(['DEXYZ-1', 'DEXYZ-2']);
    const future: unknown[] = [];
    for await (const location of peer.pull('locations', { dateFrom: new Date(Date.now() + 60_000) })) future.push(location);
    expect(future).toEqual([]);
    const tariffs: unknown[] = [];
    for await (const tariff of peer.pull('tariffs')) tariffs.push(tariff);
    expect(tariffs).toHaveLength(1);
  });

  it('lists an EVSE OCPI cannot carry (no plug with an OCPI standard) as held, with the reason, until it can be carried', async () => {
    const { hub } = scene;
    const [template] = [...hub.state.evseData.get('DEXYZ')!.values()].map((s) => s.record);
    const avcon = { ...template!, EvseID: 'DE*XYZ*E9*1', ChargingPoolID: undefined, ChargingStationID: 'AVCON-ONLY', Plugs: ['AVCON Connector' as const] };
    const push = (record: typeof avcon) => scene.cpo.client.call('PushEvseData', { ActionType: 'update', OperatorEvseData: { OperatorID: 'DE*XYZ', OperatorName: 'XYZ Technologies', EvseDataRecord: [record] } });
    expect((await push(avcon)).ok).toBe(true);
    await scene.bridge.runJob('EVSE data');
    expect(await scene.bridge.store.held.list({ kind: 'hubject-evse' })).toEqual([
      expect.objectContaining({ ref: 'DE*XYZ*E9*1', reason: expect.stringContaining('not carried'), details: { operatorId: 'DE*XYZ' } }),
    ]);
    // The operator fixes the record: the next pull carries the EVSE and it leaves the list.
    expect((await push({ ...avcon, Plugs: ['Type 2 Outlet'] as never })).ok).toBe(true);
    await scene.bridge.runJob('EVSE data');
    expect(await scene.bridge.store.held.list({ kind: 'hubject-evse' })).toEqual([]);
    await scene.delivered();
    expect(scene.received('locations', 'PUT location').some((t) => (t.body as Location).evses!.some((e) => e.evse_id === 'DE*XYZ*E9*1'))).toBe(true);
  });
});
