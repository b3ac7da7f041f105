/**
 * CPO side, tariffs (issue 7): the backend's Tariffs become Hubject pricing products and the
 * connectors' `tariff_ids` become EVSE pricing. Hubject keeps every push as a new version, so only
 * what changed is pushed: the bridge remembers what it last announced (per tariff: its products; per
 * location: each EVSE's product list) and compares. A tariff whose products change re-announces the
 * EVSE pricing of the locations that use it (their ProductIDs follow the tariff's elements).
 */
import type { Logger } from '../../observability/logger';
import { isEvseOf } from '../../mapping/identifiers';
import type { MappingRules } from '../../mapping/rules';
import { ocpiLocationEvsePricing, ocpiTariffsToOicp } from '../../mapping/tariff';
import type { PushEvsePricingRequest, PushPricingProductDataRequest } from '../../oicp/messages';
import type { EvsePricing, PricingProductData } from '../../oicp/schemas';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import type { Location, Tariff } from '../../ocpi/schemas';
import { ownerKey, type Store, type StoreRepositories } from '../../store';

export const PRICING_PRODUCTS_TOPIC = 'oicp:PushPricingProductData';
export const EVSE_PRICING_TOPIC = 'oicp:PushEvsePricing';
/** What was last announced to Hubject, kept beside the OCPI objects: per tariff the product block, per location EvseID -> ProductIDs. */
const ANNOUNCED_PRODUCTS = 'announced:pricing-products';
const ANNOUNCED_EVSE_PRICING = 'announced:evse-pricing';

export interface CpoTariffsOptions {
  store: Store;
  rules: MappingRules;
  /** Our OperatorID toward Hubject. */
  operatorId: string;
  logger: Logger;
}

export interface CpoTariffs {
  receiver: ObjectReceiver;
  /** Announces what changed in a location's EVSE pricing, inside the transaction that stores the location. */
  announceEvsePricing: (tx: StoreRepositories, owner: string, location: Location) => Promise<void>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const usesTariff = (location: Location, tariffId: string) => (location.evses ?? []).some((e) => e.connectors.some((c) => (c.tariff_ids ?? []).includes(tariffId)));

export function cpoTariffs(options: CpoTariffsOptions): CpoTariffs {
  const { store, rules, logger } = options;

  /** The ProductIDs of each tariff a location names: as announced; a tariff not received yet has none unless the rules name its product. */
  async function productIdsFor(tx: StoreRepositories, owner: string, location: Location): Promise<Record<string, string[]>> {
    const ids = new Set((location.evses ?? []).flatMap((e) => e.connectors.flatMap((c) => c.tariff_ids ?? [])));
    const products: Record<string, string[]> = {};
    for (const id of ids) {
      const announced = (await tx.objects.get<PricingProductData>(ANNOUNCED_PRODUCTS, owner, id))?.body;
      const named = rules.tariffs.products[id];
      products[id] = announced ? announced.PricingProductDataRecords.map((p) => p.ProductID) : named !== undefined ? [named] : [];
      if (!announced && named === undefined) logger.info('EVSE pricing waits for a tariff the backend has not sent yet', { location: location.id, tariff: id });
    }
    return products;
  }

  async function announceEvsePricing(tx: StoreRepositories, owner: string, location: Location): Promise<void> {
    const mapped = ocpiLocationEvsePricing(location, rules, await productIdsFor(tx, owner, location));
    if (mapped.value === undefined) {
      logger.warn('EVSE pricing not mapped', { location: location.id, findings: mapped.findings });
      return;
    }
    const current = new Map<string, EvsePricing>();
    for (const pricing of mapped.value) {
      // Hubject refuses a whole push naming another operator's EVSE (018).
      if (!isEvseOf(pricing.EvseID, options.operatorId)) logger.warn('EVSE pricing not sent: the EvseID belongs to another operator', { evseId: pricing.EvseID });
      else if (pricing.EvseIDProductList.length > 0) current.set(pricing.EvseID, pricing);
    }
    const before = (await tx.objects.get<Record<string, EvsePricing>>(ANNOUNCED_EVSE_PRICING, owner, location.id))?.body ?? {};
    const changed = [...current.values()].filter((p) => !same(before[p.EvseID], p));
    const gone = Object.values(before).filter((p) => !current.has(p.EvseID));
    if (changed.length > 0) await tx.outbox.enqueue({ topic: EVSE_PRICING_TOPIC, payload: { ActionType: 'update', EVSEPricing: changed } satisfies PushEvsePricingRequest });
    if (gone.length > 0) await tx.outbox.enqueue({ topic: EVSE_PRICING_TOPIC, payload: { ActionType: 'delete', EVSEPricing: gone } satisfies PushEvsePricingRequest });
    if (changed.length > 0 || gone.length > 0) await tx.objects.put(ANNOUNCED_EVSE_PRICING, owner, location.id, Object.fromEntries(current));
  }

  /** Stores a tariff (or forgets it) and announces the products that changed, and the EVSE pricing that follows, in one transaction. */
  const apply = (owner: string, id: string, tariff: Tariff | undefined) =>
    store.transaction(async (tx) => {
      const mapped = tariff && ocpiTariffsToOicp(tariff, { rules, operatorId: options.operatorId });
      if (mapped?.value === undefined && tariff) logger.warn('tariff cannot become pricing products; what was announced for it is withdrawn', { tariff: id, findings: mapped?.findings });
      else if (mapped && mapped.findings.length > 0) logger.info('tariff mapped to pricing products', { tariff: id, findings: mapped.findings });
      const now = mapped?.value;
      const before = (await tx.objects.get<PricingProductData>(ANNOUNCED_PRODUCTS, owner, id))?.body;
      const previous = new Map((before?.PricingProductDataRecords ?? []).map((p) => [p.ProductID, p]));
      const changed = (now?.PricingProductDataRecords ?? []).filter((p) => !same(previous.get(p.ProductID), p));
      const current = new Set(now?.PricingProductDataRecords.map((p) => p.ProductID));
      const gone = [...previous.values()].filter((p) => !current.has(p.ProductID));
      if (tariff) await tx.objects.put('tariffs', owner, id, tariff);
      else await tx.objects.delete('tariffs', owner, id);
      if (now && changed.length > 0) await tx.outbox.enqueue({ topic: PRICING_PRODUCTS_TOPIC, payload: { ActionType: 'update', PricingProductData: { ...now, PricingProductDataRecords: changed } } satisfies PushPricingProductDataRequest });
      if (before && gone.length > 0) await tx.outbox.enqueue({ topic: PRICING_PRODUCTS_TOPIC, payload: { ActionType: 'delete', PricingProductData: { ...before, PricingProductDataRecords: gone } } satisfies PushPricingProductDataRequest });
      if (now) await tx.objects.put(ANNOUNCED_PRODUCTS, owner, id, now);
      else await tx.objects.delete(ANNOUNCED_PRODUCTS, owner, id);
      // New or vanished ProductIDs change the EVSE pricing of every location using the tariff.
      if (same(before && [...previous.keys()], now && [...current])) return;
      for (const { owner: locationOwner, body } of await tx.objects.list<Location>('locations')) {
        if (locationOwner === owner && usesTariff(body, id)) await announceEvsePricing(tx, owner, body);
      }
    });

  const cached = async (ref: ObjectRef) => (await store.objects.get<Tariff>('tariffs', ownerKey(ref), ref.ids[0]!))?.body;

  return {
    announceEvsePricing,
    receiver: {
      put: (_level, ref, object) => apply(ownerKey(ref), ref.ids[0]!, object as Tariff),
      // 2.1.1 only: 2.2.1 replaces tariffs whole.
      async patch(_level, ref, changes) {
        const tariff = await cached(ref);
        if (!tariff) return false;
        await apply(ownerKey(ref), ref.ids[0]!, { ...tariff, ...changes });
        return true;
      },
      get: (_level, ref) => cached(ref),
      async delete(_level, ref) {
        if (!(await cached(ref))) return false;
        await apply(ownerKey(ref), ref.ids[0]!, undefined);
        return true;
      },
    },
  };
}
