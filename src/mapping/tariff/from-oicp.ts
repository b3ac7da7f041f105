/**
 * OICP pricing products -> OCPI Tariffs (the products of one tariff joined again), and OICP EVSE
 * pricing -> the tariff ids of each EVSE's connectors.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: maximum-product-charging-power-unit (src/oicp/errata.ts).
import type { Price, PriceComponent, Tariff, TariffElement, TariffRestrictions } from '../../ocpi/wire/schemas';
import { Tariff as TariffSchema } from '../../ocpi/wire/schemas';
import { EvsePricings, PricingProductData as PricingProductDataSchema, type PricingProductDataRecord, type ReferenceUnit } from '../../oicp/wire/schemas';
import { brokenAt, check, soundItems } from '../../core/typebox';
import { childPath, FindingLog, type Mapped } from '../../core/findings';
import { writtenOcpi } from '../text-limits';
import { NO_RULES, operatorParty, type MappingRules } from '../rules';
import { sixDecimals } from '../decimals';
import { DAY_SET, END_OF_DAY, OCPI_DAY, tariffIdsByProduct } from './products';

// ---------------------------------------------------------------------------------------------------
// OICP -> OCPI

export interface OicpToTariffOptions {
  rules?: MappingRules;
  /** Stands for last_updated: pricing products carry no timestamp. */
  now: Date;
}


const perHour = (price: number, unit: ReferenceUnit) => (unit === 'MINUTE' ? sixDecimals(price * 60) : price);

function restrictionsOf(product: PricingProductDataRecord, rules: MappingRules, path: string, log: FindingLog): (TariffRestrictions | undefined)[] {
  const power = product.MaximumProductChargingPower === rules.tariffs.maximumProductChargingPower ? {} : { max_power: product.MaximumProductChargingPower };
  if (product.IsValid24hours || product.ProductAvailabilityTimes.length === 0) {
    if (!product.IsValid24hours) log.loss(childPath(path, 'IsValid24hours'), 'not valid around the clock, but no availability times given; read as always valid');
    return [Object.keys(power).length > 0 ? power : undefined];
  }
  return product.ProductAvailabilityTimes.flatMap((times) =>
    times.Periods.map((period) => {
      const restriction: TariffRestrictions = { ...power };
      if (!(period.begin === '00:00' && period.end === END_OF_DAY)) {
        restriction.start_time = period.begin;
        restriction.end_time = period.end === END_OF_DAY ? '00:00' : period.end;
      }
      const days = DAY_SET[times.on] ?? [OCPI_DAY[times.on]!];
      if (days.length < 7) restriction.day_of_week = [...days];
      return restriction;
    }),
  );
}

function productElements(product: PricingProductDataRecord, rules: MappingRules, path: string, log: FindingLog, limits: { min?: Price; max?: Price }): TariffElement[] {
  const components: PriceComponent[] = [];
  const fees = product.AdditionalReferences ?? [];
  const fixed = fees.some((f) => f.AdditionalReference === 'FIXED FEE');
  if (!(fixed && product.PricePerReferenceUnit === 0)) {
    components.push({ type: product.ReferenceUnit === 'KILOWATT_HOUR' ? 'ENERGY' : 'TIME', price: perHour(product.PricePerReferenceUnit, product.ReferenceUnit), step_size: 1 });
  }
  fees.forEach((fee, k) => {
    const at = childPath(childPath(path, 'AdditionalReferences'), k);
    switch (fee.AdditionalReference) {
      case 'START FEE':
      case 'FIXED FEE':
        components.push({ type: 'FLAT', price: fee.PricePerAdditionalReferenceUnit, step_size: 1 });
        return;
      case 'PARKING FEE':
        if (fee.AdditionalReferenceUnit === 'KILOWATT_HOUR') return log.loss(at, 'OCPI prices parking by time, not energy');
        components.push({ type: 'PARKING_TIME', price: perHour(fee.PricePerAdditionalReferenceUnit, fee.AdditionalReferenceUnit), step_size: 1 });
        return;
      case 'MINIMUM FEE':
        limits.min = { excl_vat: fee.PricePerAdditionalReferenceUnit };
        return;
      case 'MAXIMUM FEE':
        limits.max = { excl_vat: fee.PricePerAdditionalReferenceUnit };
        return;
    }
  });
  if (components.length === 0) components.push({ type: 'FLAT', price: 0, step_size: 1 });
  return restrictionsOf(product, rules, path, log).map((restrictions) => (restrictions ? { price_components: components, restrictions } : { price_components: components }));
}

/** One PricingProductData block -> OCPI tariffs, products of one tariff (`id`, `id@2`, ...) joined again. */
export function oicpPricingToTariffs(input: unknown, options: OicpToTariffOptions): Mapped<Tariff[]> {
  const log = new FindingLog();
  const rules = options.rules ?? NO_RULES;
  const checked = check(PricingProductDataSchema, input);
  log.findings.push(...checked.findings);
  if (brokenAt(checked.refused, '', ['PricingProductDataRecords'])) return log.result([]);
  const data = checked.value;
  const party = log.take(operatorParty(rules, data.OperatorID, 'OperatorID'));
  if (party === undefined) return log.result([]);
  const tariffIdOf = tariffIdsByProduct(rules);
  const known = new Set(data.PricingProductDataRecords.map((r) => r.ProductID));
  const tariffs = new Map<string, Tariff>();
  const limits = new Map<string, { min?: Price; max?: Price }>();
  for (const { item: product, path } of soundItems(checked.refused, data.PricingProductDataRecords, 'PricingProductDataRecords')) {
    const id = tariffIdOf(product.ProductID, known);
    if (id.length > 36) {
      log.invalid(childPath(path, 'ProductID'), `OCPI tariff ids hold 36 characters; "${id}" is longer`);
      continue;
    }
    const tariff = tariffs.get(id) ?? { country_code: party.countryCode, party_id: party.partyId, id, currency: product.ProductPriceCurrency, elements: [], last_updated: options.now.toISOString() };
    if (tariff.currency !== product.ProductPriceCurrency) {
      log.loss(childPath(path, 'ProductPriceCurrency'), `one OCPI tariff has one currency; this ${product.ProductPriceCurrency} product of tariff ${id} is not carried`);
      continue;
    }
    const limit = limits.get(id) ?? {};
    tariff.elements.push(...productElements(product, rules, path, log, limit));
    limits.set(id, limit);
    tariffs.set(id, tariff);
  }
  for (const [id, tariff] of tariffs) {
    const limit = limits.get(id)!;
    if (limit.min) tariff.min_price = limit.min;
    if (limit.max) tariff.max_price = limit.max;
  }
  if (tariffs.size > 0) log.defaulted('PricingProductDataRecords', 'OICP has no billing steps; every price component gets step_size 1');
  if (data.PricingDefaultPrice !== 0) log.loss('PricingDefaultPrice', 'OCPI has no default price for EVSEs without a tariff');
  return log.result([...tariffs.values()].map((tariff) => writtenOcpi(TariffSchema, tariff, log)));
}

/** OICP EVSE pricing -> the OCPI tariff ids per EvseID (to set on the EVSE's connectors). */
export function oicpEvsePricingToTariffIds(input: unknown, rules: MappingRules = NO_RULES): Mapped<{ evse_id: string; tariff_ids: string[] }[]> {
  const log = new FindingLog();
  const checked = check(EvsePricings, input);
  log.findings.push(...checked.findings);
  const tariffIdOf = tariffIdsByProduct(rules);
  const result: { evse_id: string; tariff_ids: string[] }[] = [];
  for (const { item: pricing, path } of soundItems(checked.refused, checked.value, '')) {
    const known = new Set(pricing.EvseIDProductList);
    const ids = [...new Set(pricing.EvseIDProductList.map((product) => tariffIdOf(product, known)))];
    if (pricing.ProviderID !== '*') log.loss(childPath(path, 'ProviderID'), `OCPI connectors do not say which eMSP a tariff is for (${pricing.ProviderID})`);
    result.push({ evse_id: pricing.EvseID, tariff_ids: ids });
  }
  return log.result(result);
}
