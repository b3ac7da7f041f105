/**
 * EMP side, pricing (issue 8): the pricing products of the operators met in the network
 * (PullPricingProductData) become OCPI Tariffs, and their EVSE pricing (PullEVSEPricing) the tariff
 * ids of the EVSEs' connectors. Tariffs that changed are PUT to the backend, tariffs an operator no
 * longer offers DELETEd; locations whose connectors changed tariff are PUT again by the network flow.
 * A product addressed to our ProviderID wins over the same product for every provider (`*`).
 */
import { oicpEvsePricingToTariffIds, oicpPricingToTariffs } from '../../mapping/tariff/from-oicp';
import { OicpCallError } from '../../oicp/client';
import type { Tariff } from '../../ocpi/wire/schemas';
import { announcing, ourKey, qualifiedId, tally, type EmpContext } from './context';
import { OPERATORS_MODULE, type EmpNetwork } from './network';

export const TARIFF_TOPIC = 'ocpi:tariff';

const sameTariff = (a: Tariff | undefined, b: Tariff) => JSON.stringify({ ...a, last_updated: undefined }) === JSON.stringify({ ...b, last_updated: undefined });

export function empPricing(context: EmpContext, network: EmpNetwork): () => Promise<{ tariffs: number; changed: number; removed: number; locations: number }> {
  const { store, logger } = context;
  const owner = ourKey(context);
  return async () => {
    const operatorIds = (await store.objects.list<{ OperatorID: string }>(OPERATORS_MODULE)).map((o) => o.body.OperatorID);
    if (operatorIds.length === 0) return { tariffs: 0, changed: 0, removed: 0, locations: 0 };
    const products = await context.oicp.call('PullPricingProductData', { OperatorIDs: operatorIds }, { partyId: context.providerId });
    if (!products.ok) throw new OicpCallError(products.error);
    const pricing = await context.oicp.call('PullEvsePricing', { ProviderID: context.providerId, OperatorIDs: operatorIds });
    if (!pricing.ok) throw new OicpCallError(pricing.error);

    const now = context.now();
    const tariffs = new Map<string, Tariff>();
    // Blocks for every provider first, so ours overwrite them.
    const blocks = [...products.value.PricingProductData].sort((a, b) => Number(a.ProviderID !== '*') - Number(b.ProviderID !== '*'));
    for (const block of blocks) {
      const mapped = oicpPricingToTariffs(block, { rules: context.rules, now });
      if (mapped.findings.length > 0) logger.debug('pricing products mapped', { operator: block.OperatorID, findings: tally(mapped.findings) });
      for (const tariff of mapped.value) {
        const id = qualifiedId(block.OperatorID, tariff.id);
        tariffs.set(id, { ...tariff, country_code: context.us.countryCode, party_id: context.us.partyId, id });
      }
    }
    const evseTariffs = new Map<string, string[]>();
    for (const group of pricing.value.EVSEPricing) {
      for (const { evse_id, tariff_ids } of oicpEvsePricingToTariffIds(group.EVSEPricing, context.rules).value) {
        evseTariffs.set(evse_id, tariff_ids.map((id) => qualifiedId(group.OperatorID, id)).filter((id) => tariffs.has(id)));
      }
    }
    return store.transaction(async (tx) => {
      let changed = 0;
      let removed = 0;
      for (const tariff of tariffs.values()) {
        if (sameTariff((await tx.objects.get<Tariff>('tariffs', owner, tariff.id))?.body, tariff)) continue;
        await tx.objects.put('tariffs', owner, tariff.id, tariff);
        await tx.outbox.enqueue({ topic: TARIFF_TOPIC, payload: { id: tariff.id }, ...announcing(`tariff:${tariff.id}`) });
        changed++;
      }
      for (const known of await tx.objects.list<Tariff>('tariffs')) {
        if (known.owner !== owner || tariffs.has(known.id)) continue;
        await tx.objects.delete('tariffs', owner, known.id);
        await tx.outbox.enqueue({ topic: TARIFF_TOPIC, payload: { id: known.id }, ...announcing(`tariff:${known.id}`) });
        removed++;
      }
      const locations = await network.setTariffs(tx, evseTariffs);
      const summary = { tariffs: tariffs.size, changed, removed, locations };
      if (changed + removed + locations > 0) logger.info('pricing pulled from Hubject', summary);
      return summary;
    });
  };
}
