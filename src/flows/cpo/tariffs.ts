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
import { ocpiLocationEvsePricing, ocpiTariffsToOicp } from '../../mapping/tariff/to-oicp';
import type { PushEvsePricingRequest, PushPricingProductDataRequest } from '../../oicp/wire/messages';
import type { EvsePricing, PricingProductData } from '../../oicp/wire/schemas';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import type { Location, Tariff } from '../../ocpi/wire/schemas';
import { ownerKey, type Store, type StoreRepositories } from '../../store';
import { isStale, type StaleReporter } from '../freshness';

export const PRICING_PRODUCTS_TOPIC = 'oicp:PushPricingProductData';
export const EVSE_PRICING_TOPIC = 'oicp:PushEvsePricing';
/** What was last announced to Hubject, kept beside the OCPI objects: per tariff the product block, per location EvseID -> ProductIDs. */
const ANNOUNCED_PRODUCTS = 'announced:pricing-products';
const ANNOUNCED_EVSE_PRICING = 'announced:evse-pricing';

interface CpoTariffsOptions {
  store: Store;
  rules: MappingRules;
  /** Our OperatorID toward Hubject. */
  operatorId: string;
  logger: Logger;
  stale: StaleReporter;
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
  /** Pricing pushes go one at a time, in the order announced: products before the EVSE pricing naming them, an update before its delete. */
  const order = `pricing:${options.operatorId}`;

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
    if (changed.length > 0) await tx.outbox.enqueue({ topic: EVSE_PRICING_TOPIC, payload: { ActionType: 'update', EVSEPricing: changed } satisfies PushEvsePricingRequest, order });
    if (gone.length > 0) await tx.outbox.enqueue({ topic: EVSE_PRICING_TOPIC, payload: { ActionType: 'delete', EVSEPricing: gone } satisfies PushEvsePricingRequest, order });
    if (changed.length > 0 || gone.length > 0) await tx.objects.put(ANNOUNCED_EVSE_PRICING, owner, location.id, Object.fromEntries(current));
  }

  /**
   * Stores a tariff (or forgets it) and announces the products that changed, and the EVSE pricing that
   * follows, in one transaction that holds the tariff. `change` gets the cached tariff and answers the
   * new one (undefined: delete), or `stale` to leave it as it is.
   */
  const apply = (ref: ObjectRef, change: (cached: Tariff | undefined) => Tariff | undefined | 'stale') =>
    store.transaction(async (tx) => {
      const owner = ownerKey(ref);
      const id = ref.ids[0]!;
      await tx.objects.lock('tariffs', owner, id);
      const cachedTariff = (await tx.objects.get<Tariff>('tariffs', owner, id))?.body;
      const tariff = change(cachedTariff);
      if (tariff === 'stale') return;
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
      if (now && changed.length > 0) await tx.outbox.enqueue({ topic: PRICING_PRODUCTS_TOPIC, payload: { ActionType: 'update', PricingProductData: { ...now, PricingProductDataRecords: changed } } satisfies PushPricingProductDataRequest, order });
      if (before && gone.length > 0) await tx.outbox.enqueue({ topic: PRICING_PRODUCTS_TOPIC, payload: { ActionType: 'delete', PricingProductData: { ...before, PricingProductDataRecords: gone } } satisfies PushPricingProductDataRequest, order });
      if (now) await tx.objects.put(ANNOUNCED_PRODUCTS, owner, id, now);
      else await tx.objects.delete(ANNOUNCED_PRODUCTS, owner, id);
      // New or vanished ProductIDs change the EVSE pricing of every location using the tariff.
      if (same(before && [...previous.keys()], now && [...current])) return;
      for (const { owner: locationOwner, body } of await tx.objects.list<Location>('locations')) {
        if (locationOwner === owner && usesTariff(body, id)) await announceEvsePricing(tx, owner, body);
      }
    });

  const cached = async (ref: ObjectRef) => (await store.objects.get<Tariff>('tariffs', ownerKey(ref), ref.ids[0]!))?.body;
  const stale = (ref: ObjectRef, incoming: unknown, held: unknown) => {
    options.stale({ module: 'tariffs', ref: `${ownerKey(ref)}/${ref.ids[0]!}`, incoming, held });
    return 'stale' as const;
  };

  return {
    announceEvsePricing,
    receiver: {
      put: (_level, ref, object) => apply(ref, (known) => (isStale(object, known) ? stale(ref, object, known) : (object as Tariff))),
      // 2.1.1 only: 2.2.1 replaces tariffs whole.
      async patch(_level, ref, changes) {
        let found = true;
        await apply(ref, (known) => {
          found = known !== undefined;
          if (!known) return 'stale';
          return isStale(changes, known) ? stale(ref, changes, known) : { ...known, ...changes };
        });
        return found;
      },
      get: (_level, ref) => cached(ref),
      async delete(_level, ref) {
        let found = true;
        await apply(ref, (known) => {
          found = known !== undefined;
          return known === undefined ? 'stale' : undefined;
        });
        return found;
      },
    },
  };
}
