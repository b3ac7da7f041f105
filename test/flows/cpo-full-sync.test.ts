/**
 * CPO side, the full sync end to end (issue 7), over REST 2.3 and SOAP: the bridge pulls the CPO
 * simulator's whole network page by page (pages of two) and sends the Hubject simulator the EVSE data
 * and statuses as fullLoad — which repairs what Hubject held wrongly — and the tariffs as changes;
 * a location the backend no longer lists is gone from the cache and from Hubject after the next
 * sync; a pull that fails part-way replaces nothing.
 */
import { ocpiLocationToOicp } from '../../src/mapping/location/to-oicp';
import { OicpClient } from '../../src/oicp/client';
import type { PushEvseDataRequest, PushEvseStatusRequest, PushPricingProductDataRequest } from '../../src/oicp/wire/messages';
import type { Location } from '../../src/ocpi/wire/schemas';
import { corpusJson } from '../support/corpus';
import { RULES, startCpoScene, until, type CpoScene } from '../support/cpo-scene';
import { quietLogger } from '../support/oicp-network';

const LOC1 = { ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM' };

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO full sync over %s', (protocol) => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });
  const hubEvses = () => [...(scene.hub.state.evseData.get('BEBEC')?.values() ?? [])].filter((e) => e.deltaType !== 'delete').map((e) => e.record.EvseID).sort();
  const fullLoads = <T>(operation: string) => scene.received<T & { ActionType: string }>(operation).filter((r) => r.ActionType === 'fullLoad');

  it('pulls every page of the backend’s locations and tariffs and replaces what Hubject holds with a fullLoad', async () => {
    // Hubject holds an EVSE from a push long ago that the backend no longer has.
    const stale = new OicpClient({ baseUrl: scene.hubUrl, as: 'CPO', partyId: 'BE*BEC', logger: quietLogger(), wire: protocol === 'soap-2.2' ? 'soap' : 'rest' });
    const record = ocpiLocationToOicp(LOC1, { operatorId: 'BE*BEC', rules: RULES, at: new Date() }).value!.records[0]!;
    expect((await stale.call('PushEvseData', { ActionType: 'insert', OperatorEvseData: { OperatorID: 'BE*BEC', OperatorName: 'Old', EvseDataRecord: [{ ...record, EvseID: 'BE*BEC*E999' }] } })).ok).toBe(true);
    stale.close();
    expect(hubEvses()).toEqual(['BE*BEC*E999']);

    const lists = () => scene.backend.backend.platform.traffic.filter((t) => t.what === 'GET list').map((t) => t.module);
    const before = lists().length;
    expect(await scene.bridge.runJob('full sync')).toEqual({ done: true, locations: 3, evses: 2, tariffs: 3, skipped: 0 });
    // Three locations and three tariffs in pages of two.
    expect(lists().slice(before)).toEqual(['locations', 'locations', 'tariffs', 'tariffs']);

    await until('the fullLoads arrived', () => fullLoads('PushEvseData').length === 1 && fullLoads('PushEvseStatus').length === 1);
    const expected = ocpiLocationToOicp(LOC1, { operatorId: 'BE*BEC', rules: RULES, at: new Date() }).value!;
    expect(fullLoads<PushEvseDataRequest>('PushEvseData')).toEqual([{ ActionType: 'fullLoad', OperatorEvseData: { OperatorID: 'BE*BEC', OperatorName: expected.OperatorName, EvseDataRecord: expected.records } }]);
    expect(fullLoads<PushEvseStatusRequest>('PushEvseStatus')[0]!.OperatorEvseStatus.EvseStatusRecord).toEqual([
      { EvseID: 'BE*BEC*E041503001', EvseStatus: 'Available' },
      { EvseID: 'BE*BEC*E041503002', EvseStatus: 'Reserved' },
    ]);
    expect(hubEvses()).toEqual(['BE*BEC*E041503001', 'BE*BEC*E041503002']);
    await until('the pricing arrived', () => scene.received<PushPricingProductDataRequest>('PushPricingProductData').length === 3);
    // The cache now holds the backend's network: a remote start finds its EVSEs.
    expect((await scene.bridge.store.objects.list('locations')).map((o) => o.id)).toHaveLength(3);
  });

  it('forgets a location the backend no longer lists, in the cache and at Hubject', async () => {
    const platform = scene.backend.backend.platform;
    const saved = platform.objects.locations.get('NL/SIM/LOC1')!;
    platform.objects.locations.delete('NL/SIM/LOC1');
    try {
      expect(await scene.bridge.runJob('full sync')).toMatchObject({ done: true, locations: 2, evses: 0 });
      await until('the second fullLoad arrived', () => fullLoads('PushEvseData').length === 2);
      expect(fullLoads<PushEvseDataRequest>('PushEvseData')[1]!.OperatorEvseData.EvseDataRecord).toEqual([]);
      expect(hubEvses()).toEqual([]);
      expect(await scene.bridge.store.objects.get('locations', 'NL*SIM', 'LOC1')).toBeUndefined();
    } finally {
      platform.objects.locations.set('NL/SIM/LOC1', saved);
    }
  });

  it('replaces nothing when the pull fails part-way', async () => {
    const [cached, sent] = [(await scene.bridge.store.objects.list('locations')).length, fullLoads('PushEvseData').length];
    // The backend serves the first page, then fails every further one (the client retries once).
    const sender = scene.backend.backend.platform.sender;
    const list = sender.list.bind(sender);
    let pages = 0;
    sender.list = (module, query, context) => (++pages > 1 ? Promise.reject(new Error('database gone')) : list(module, query, context));
    try {
      expect(await scene.bridge.runJob('full sync')).toMatchObject({ done: false });
    } finally {
      sender.list = list;
    }
    expect(pages).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fullLoads('PushEvseData')).toHaveLength(sent);
    expect(await scene.bridge.store.objects.list('locations')).toHaveLength(cached);
    expect(await scene.bridge.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });
});
