/**
 * CPO side, tariffs end to end (issue 7), over REST 2.3 and SOAP: the backend's tariffs become
 * pricing products and its connectors' tariff_ids EVSE pricing at the Hubject simulator, field by
 * field as the mappers make them; sending the same again pushes nothing; a price change pushes that
 * product only; a new element adds a product and re-prices the EVSEs using the tariff; a deleted
 * tariff withdraws its products and the pricing that named them.
 */
import { ocpiTariffsToOicp } from '../../src/mapping/tariff/to-oicp';
import type { PushEvsePricingRequest, PushPricingProductDataRequest } from '../../src/oicp/wire/messages';
import type { Connector, Tariff } from '../../src/ocpi/wire/schemas';
import { RULES, startCpoScene, until, type CpoScene } from '../support/cpo-scene';

const OWNER = { countryCode: 'NL', partyId: 'SIM' };
const EVSE_1 = 'BE*BEC*E041503001';
const EVSE_2 = 'BE*BEC*E041503002';

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO tariffs over %s', (protocol) => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });
  const products = () => scene.received<PushPricingProductDataRequest>('PushPricingProductData');
  const evsePricing = () => scene.received<PushEvsePricingRequest>('PushEvsePricing');
  const tariff = (id: string) => scene.backend.backend.platform.own('tariffs').find((t) => t.id === id) as unknown as Tariff;
  const mapped = (t: Tariff) => ocpiTariffsToOicp(t, { rules: RULES, operatorId: 'BE*BEC' }).value!;
  /** What the hub holds for BE*BEC: products by ProductID, EVSE pricing by EvseID. */
  const atHub = () => ({
    products: Object.fromEntries((scene.hub.state.pricingProducts.get('BEBEC')?.get('*')?.PricingProductDataRecords ?? []).map((p) => [p.ProductID, p])),
    evses: Object.fromEntries([...(scene.hub.state.evsePricing.get('BEBEC')?.values() ?? [])].map((p) => [p.EvseID, p.EvseIDProductList])),
  });
  /** Until the outbox has delivered everything announced so far. */
  const settled = async () => {
    for (let i = 0; i < 100 && (await scene.bridge.store.outbox.depth()).pending > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it('pushes each tariff’s products and the EVSE pricing of the connectors, as the mappers make them', async () => {
    expect((await scene.backend.backend.pushAll('bridge')).failed).toEqual([]);
    await until('the hub has the pricing', () => products().length === 3 && evsePricing().length === 1);
    await settled();
    // One update per tariff, each carrying that tariff's products only.
    expect(products()).toEqual(['12', '14', '16'].map((id) => ({ ActionType: 'update', PricingProductData: mapped(tariff(id)) })));
    // LOC1: EVSE 2's connector names tariff 12, which the rules call product AC1; EVSE 1 names 11 and 13, which the backend never sent.
    expect(evsePricing()).toEqual([{ ActionType: 'update', EVSEPricing: [{ EvseID: EVSE_2, ProviderID: '*', EvseIDProductList: ['AC1'] }] }]);
    expect(Object.keys(atHub().products).sort()).toEqual(['14', '14@2', '14@3', '16', 'AC1']);
    expect(atHub().evses).toEqual({ [EVSE_2]: ['AC1'] });
  });

  it('pushes nothing when the same tariffs and locations come again', async () => {
    const before = [products().length, evsePricing().length];
    expect((await scene.backend.backend.pushAll('bridge')).failed).toEqual([]);
    await settled();
    expect([products().length, evsePricing().length]).toEqual(before);
  });

  it('re-pushes only the product whose price changed', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    const t14 = tariff('14');
    const changed: Tariff = { ...t14, elements: t14.elements.map((e, i) => (i === 2 ? { ...e, price_components: [{ ...e.price_components[0]!, price: 2.2 }] } : e)), last_updated: '2026-11-24T10:00:00Z' };
    const before = products().length;
    expect(await peer.put('tariffs', OWNER, ['14'], changed)).toMatchObject({ ok: true });
    await until('the change arrived', () => products().length > before);
    await settled();
    const sent = products().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.PricingProductData.PricingProductDataRecords.map((p) => [p.ProductID, p.PricePerReferenceUnit])).toEqual([['14@2', 2.2]]);
    expect(atHub().products['14@2']).toEqual(mapped(changed).PricingProductDataRecords[1]);
    expect(evsePricing()).toHaveLength(1);
  });

  it('a tariff with a new element adds a product and re-prices the EVSEs using it; a connector’s new tariff re-prices its EVSE', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    const t12 = tariff('12');
    const twoElements: Tariff = { ...t12, elements: [...t12.elements, { price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }], restrictions: { day_of_week: ['SATURDAY', 'SUNDAY'] } }], last_updated: '2026-11-24T10:00:00Z' };
    const before = evsePricing().length;
    expect(await peer.put('tariffs', OWNER, ['12'], twoElements)).toMatchObject({ ok: true });
    await until('EVSE 2 re-priced', () => evsePricing().length > before);
    expect(evsePricing().slice(before)).toEqual([{ ActionType: 'update', EVSEPricing: [{ EvseID: EVSE_2, ProviderID: '*', EvseIDProductList: ['AC1', 'AC1@2'] }] }]);

    const connector = scene.backend.backend.platform.own('locations').find((l) => l.id === 'LOC1') as unknown as { evses: { uid: string; connectors: Connector[] }[] };
    const first = connector.evses[0]!.connectors[0]!;
    expect(await peer.put('locations', OWNER, ['LOC1', connector.evses[0]!.uid, first.id], { ...first, tariff_ids: ['16'], last_updated: '2026-11-24T10:05:00Z' })).toMatchObject({ ok: true });
    await until('EVSE 1 priced', () => atHub().evses[EVSE_1] !== undefined);
    expect(atHub().evses).toEqual({ [EVSE_1]: ['16'], [EVSE_2]: ['AC1', 'AC1@2'] });
  });

  it('a deleted tariff withdraws its products and the EVSE pricing that named only them', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    const [productsBefore, pricingBefore] = [products().length, evsePricing().length];
    expect(await peer.delete('tariffs', OWNER, ['16'])).toMatchObject({ ok: true });
    await until('withdrawn', () => atHub().evses[EVSE_1] === undefined && atHub().products['16'] === undefined);
    await settled();
    expect(products().slice(productsBefore).map((r) => [r.ActionType, r.PricingProductData.PricingProductDataRecords.map((p) => p.ProductID)])).toEqual([['delete', ['16']]]);
    expect(evsePricing().slice(pricingBefore)).toEqual([{ ActionType: 'delete', EVSEPricing: [{ EvseID: EVSE_1, ProviderID: '*', EvseIDProductList: ['16'] }] }]);
    expect(await scene.bridge.store.objects.get('tariffs', 'NL*SIM', '16')).toBeUndefined();
    // Unknown now: a second DELETE is answered as such.
    expect(await peer.delete('tariffs', OWNER, ['16'])).toMatchObject({ ok: false });
  });
});
