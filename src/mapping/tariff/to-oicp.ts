/**
 * OCPI Tariffs -> OICP pricing products, and a location's connector tariff_ids -> OICP EVSE pricing.
 * Each element with an ENERGY or TIME price becomes a product; FLAT, PARKING_TIME and min/max prices
 * become additional references; what OICP cannot carry is a finding.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: maximum-product-charging-power-unit (src/oicp/errata.ts).
import type { DayOfWeek, PriceComponent, Tariff, TariffElement, TariffRestrictions } from '../../ocpi/wire/schemas';
import { checkLocation, Tariff as TariffSchema } from '../../ocpi/wire/schemas';
import { type AdditionalReference, type EvsePricing, type OicpDays, type PricingProductData, type PricingProductDataRecord, type ProductAvailabilityTimes, type ReferenceUnit } from '../../oicp/wire/schemas';
import { brokenAt, check } from '../../core/typebox';
import { childPath, FindingLog, type Mapped } from '../../core/findings';
import { ocpiEvseIdOf, partyToOperatorId } from '../identifiers';
import { evseDefaults, NO_RULES, type MappingRules } from '../rules';
import { ALL_DAYS, DAY_SET, END_OF_DAY, OICP_DAY, PRODUCT_SEPARATOR, productIdOf } from './products';

/** Restrictions OICP products cannot express, with the reason. */
const UNSUPPORTED_RESTRICTIONS: Partial<Record<keyof TariffRestrictions, string>> = {
  start_date: 'OICP products have no validity dates',
  end_date: 'OICP products have no validity dates',
  min_kwh: 'OICP products cannot depend on the energy charged so far',
  max_kwh: 'OICP products cannot depend on the energy charged so far',
  min_current: 'OICP products cannot depend on the current',
  max_current: 'OICP products cannot depend on the current',
  min_power: 'OICP products have a maximum power only',
  min_duration: 'OICP products cannot depend on the session duration',
  max_duration: 'OICP products cannot depend on the session duration',
};

export interface TariffToOicpOptions {
  rules?: MappingRules;
  /** Our OperatorID toward Hubject; by default the tariff owner's party. */
  operatorId?: string;
  operatorName?: string;
}

/** The days an OCPI restriction names, as OICP day sets: the widest set that fits, else single days. */
function oicpDays(days: readonly DayOfWeek[] | undefined): OicpDays[] {
  const set = new Set(days && days.length > 0 ? days : ALL_DAYS);
  for (const [name, members] of Object.entries(DAY_SET) as [OicpDays, readonly DayOfWeek[]][]) {
    if (members.length === set.size && members.every((d) => set.has(d))) return [name];
  }
  return ALL_DAYS.filter((d) => set.has(d)).map((d) => OICP_DAY[d]);
}

function availability(restrictions: TariffRestrictions | undefined, path: string, log: FindingLog): { IsValid24hours: boolean; ProductAvailabilityTimes: ProductAvailabilityTimes[] } {
  const { start_time: start, end_time: end, day_of_week: days } = restrictions ?? {};
  if (start === undefined && end === undefined && (days ?? []).length === 0) return { IsValid24hours: true, ProductAvailabilityTimes: [] };
  const begin = start ?? '00:00';
  const until = end === undefined || end === '00:00' ? END_OF_DAY : end;
  let periods = [{ begin, end: until }];
  if (until !== END_OF_DAY && until <= begin) {
    log.loss(childPath(path, 'end_time'), `the window ${begin}-${until} crosses midnight; OICP gets two periods (${begin}-24:00, 00:00-${until})`);
    periods = [
      { begin, end: END_OF_DAY },
      { begin: '00:00', end: until },
    ];
  }
  return { IsValid24hours: false, ProductAvailabilityTimes: oicpDays(days).map((on) => ({ Periods: periods, on })) };
}

function feeOf(component: PriceComponent): AdditionalReference {
  const kind = component.type === 'PARKING_TIME' ? 'PARKING FEE' : 'START FEE';
  return { AdditionalReference: kind, AdditionalReferenceUnit: 'HOUR', PricePerAdditionalReferenceUnit: component.price };
}

/** Reports what a price component carries beyond its price. */
function componentLosses(component: PriceComponent, path: string, log: FindingLog): void {
  if (component.vat !== undefined) log.loss(childPath(path, 'vat'), `OICP prices carry no VAT rate; the price is sent excluding VAT (${component.vat}% not carried)`);
  if (component.type !== 'FLAT' && component.step_size !== 1) log.loss(childPath(path, 'step_size'), `OICP has no billing steps; step_size ${component.step_size} is not carried`);
}

/** One OCPI tariff -> its pricing product records, in element order. */
function tariffProducts(tariff: Tariff, path: string, rules: MappingRules, log: FindingLog): PricingProductDataRecord[] {
  const base = productIdOf(rules, tariff.id);
  if (base !== tariff.id) log.defaulted(childPath(path, 'id'), `ProductID "${base}" from the mapping rules`);
  const products: PricingProductDataRecord[] = [];
  const shared: AdditionalReference[] = [];
  let restructured = false;
  tariff.elements.forEach((element: TariffElement, i) => {
    const at = childPath(childPath(path, 'elements'), i);
    const restrictions = element.restrictions;
    if (restrictions?.reservation !== undefined) {
      restructured = true;
      return log.loss(at, `OICP pricing products do not price reservations (${restrictions.reservation}); the element is not carried`);
    }
    const seen = new Map<string, PriceComponent>();
    element.price_components.forEach((component, j) => {
      const cAt = childPath(childPath(at, 'price_components'), j);
      componentLosses(component, cAt, log);
      if (seen.has(component.type)) log.loss(cAt, `a second ${component.type} component in one element is never used by OCPI either`);
      else seen.set(component.type, component);
    });
    const energy = seen.get('ENERGY');
    const time = seen.get('TIME');
    const main = energy ?? time;
    if (energy && time) {
      log.loss(childPath(at, 'price_components'), 'an OICP product has one reference unit; ENERGY is priced, the TIME price of this element is not carried');
    }
    const flat = seen.get('FLAT');
    const parking = seen.get('PARKING_TIME');
    const restrictionsPath = childPath(at, 'restrictions');
    for (const [field, why] of Object.entries(UNSUPPORTED_RESTRICTIONS)) {
      if (restrictions?.[field as keyof TariffRestrictions] !== undefined) log.loss(childPath(restrictionsPath, field), why);
    }
    if (main === undefined) {
      // Fees without an energy or time price attach to every product of the tariff.
      if (flat) shared.push(feeOf(flat));
      if (parking) shared.push(feeOf(parking));
      if (restrictions && Object.keys(restrictions).length > 0) log.loss(restrictionsPath, 'OICP fees apply to the whole product; restrictions of a fee-only element are not carried');
      restructured = true;
      return;
    }
    const order = element.price_components.map((c) => c.type).filter((type, k, all) => all.indexOf(type) === k);
    const canonical = [main.type, 'FLAT', 'PARKING_TIME'].filter((type) => order.includes(type as PriceComponent['type']));
    if (order.join() !== canonical.join()) restructured = true;
    const fees: AdditionalReference[] = [];
    if (flat) fees.push(feeOf(flat));
    if (parking) fees.push(feeOf(parking));
    const unit: ReferenceUnit = main.type === 'ENERGY' ? 'KILOWATT_HOUR' : 'HOUR';
    const product: PricingProductDataRecord = {
      ProductID: products.length === 0 ? base : `${base}${PRODUCT_SEPARATOR}${products.length + 1}`,
      ReferenceUnit: unit,
      ProductPriceCurrency: tariff.currency,
      PricePerReferenceUnit: main.price,
      MaximumProductChargingPower: restrictions?.max_power ?? rules.tariffs.maximumProductChargingPower,
      ...availability(restrictions, restrictionsPath, log),
    };
    if (restrictions?.max_power === undefined) log.defaulted(at, `no max_power restriction; MaximumProductChargingPower ${rules.tariffs.maximumProductChargingPower} kW from the mapping rules`);
    if (fees.length > 0) product.AdditionalReferences = fees;
    products.push(product);
  });
  if (products.length === 0) {
    // Only fees: OICP's FIXED FEE, on a product whose base price is zero.
    const fixed = shared.map((fee) => (fee.AdditionalReference === 'START FEE' ? { ...fee, AdditionalReference: 'FIXED FEE' as const } : fee));
    log.defaulted(childPath(path, 'elements'), 'no ENERGY or TIME price: one product priced 0 per HOUR carries the fees (FLAT as FIXED FEE)');
    products.push({
      ProductID: base,
      ReferenceUnit: 'HOUR',
      ProductPriceCurrency: tariff.currency,
      PricePerReferenceUnit: 0,
      MaximumProductChargingPower: rules.tariffs.maximumProductChargingPower,
      IsValid24hours: true,
      ProductAvailabilityTimes: [],
      AdditionalReferences: fixed,
    });
    shared.length = 0;
  } else if (restructured) {
    log.loss(childPath(path, 'elements'), 'OICP has products, not elements: fees join the priced products and are read back inside each priced element');
  }
  for (const product of products) {
    const limits: AdditionalReference[] = [];
    if (tariff.min_price) limits.push({ AdditionalReference: 'MINIMUM FEE', AdditionalReferenceUnit: product.ReferenceUnit, PricePerAdditionalReferenceUnit: tariff.min_price.excl_vat });
    if (tariff.max_price) limits.push({ AdditionalReference: 'MAXIMUM FEE', AdditionalReferenceUnit: product.ReferenceUnit, PricePerAdditionalReferenceUnit: tariff.max_price.excl_vat });
    const references = [...(product.AdditionalReferences ?? []), ...shared, ...limits];
    if (references.length > 0) product.AdditionalReferences = references;
  }
  for (const which of ['min_price', 'max_price'] as const) {
    if (tariff[which]?.incl_vat !== undefined) log.loss(childPath(childPath(path, which), 'incl_vat'), 'OICP fees are one amount; the price excluding VAT is sent');
  }
  const lost: [keyof Tariff, string][] = [
    ['type', 'OICP products have no tariff type (ad hoc, profile)'],
    ['tariff_alt_text', 'OICP products have no description text'],
    ['tariff_alt_url', 'OICP products have no information URL'],
    ['start_date_time', 'OICP products have no validity period'],
    ['end_date_time', 'OICP products have no validity period'],
    ['energy_mix', 'OICP carries the energy mix with the EVSE, not the product'],
    ['last_updated', 'OICP products carry no timestamp'],
  ];
  for (const [field, why] of lost) if (tariff[field] !== undefined) log.loss(childPath(path, field), why);
  return products;
}

/**
 * OCPI tariffs (one object or a list) of one operator -> one PricingProductData block. `input` is
 * checked against the OCPI 2.2.1 Tariff schema; a broken tariff is refused, the others are mapped.
 */
export function ocpiTariffsToOicp(input: unknown, options: TariffToOicpOptions = {}): Mapped<PricingProductData | undefined> {
  const log = new FindingLog();
  const rules = options.rules ?? NO_RULES;
  const many = Array.isArray(input);
  const list: unknown[] = many ? input : [input];
  const records: PricingProductDataRecord[] = [];
  let operatorId = options.operatorId;
  let currency: string | undefined;
  list.forEach((item, i) => {
    const path = many ? childPath('', i) : '';
    const checked = check(TariffSchema, item, path);
    log.findings.push(...checked.findings);
    if (brokenAt(checked.refused, path)) return;
    const tariff = checked.value;
    operatorId ??= partyToOperatorId({ countryCode: tariff.country_code, partyId: tariff.party_id });
    currency ??= tariff.currency;
    records.push(...tariffProducts(tariff, path, rules, log));
  });
  if (operatorId === undefined || currency === undefined) return log.result(undefined);
  const data: PricingProductData = {
    OperatorID: operatorId,
    ProviderID: rules.tariffs.providerId,
    PricingDefaultPrice: rules.tariffs.defaultPrice,
    PricingDefaultPriceCurrency: currency,
    PricingDefaultReferenceUnit: records[0]?.ReferenceUnit ?? 'HOUR',
    PricingProductDataRecords: records,
  };
  const operatorName = options.operatorName ?? evseDefaults(rules, operatorId).operatorName;
  if (operatorName !== undefined) data.OperatorName = operatorName;
  return log.result(data);
}

/**
 * EVSE pricing from an OCPI location (checked against the 2.2.1 schema): the products of each EVSE's
 * connector tariffs. `productIds` gives the ProductIDs of each tariff (as `ocpiTariffsToOicp` made
 * them); without it a tariff is its ProductID from the rules, else its id.
 */
export function ocpiLocationEvsePricing(input: unknown, rules: MappingRules = NO_RULES, productIds: Readonly<Record<string, readonly string[]>> = {}): Mapped<EvsePricing[] | undefined> {
  const log = new FindingLog();
  const checked = checkLocation(input, log);
  if (checked === undefined) return log.result(undefined);
  const pricing: EvsePricing[] = [];
  for (const { item: evse, path: at } of checked.evses) {
    const tariffIds = [...new Set(evse.connectors.flatMap((c) => c.tariff_ids ?? []))];
    if (tariffIds.length === 0 || evse.status === 'REMOVED') continue;
    const evseId = log.take(ocpiEvseIdOf(evse, undefined, at));
    if (evseId === undefined) continue;
    if (new Set(evse.connectors.map((c) => (c.tariff_ids ?? []).join())).size > 1) {
      log.loss(childPath(at, 'connectors'), 'OICP prices the EVSE, not the connector: the tariffs of all connectors apply to the whole EVSE');
    }
    const products = tariffIds.flatMap((id) => productIds[id] ?? [productIdOf(rules, id)]);
    pricing.push({ EvseID: evseId, ProviderID: rules.tariffs.providerId, EvseIDProductList: products });
  }
  return log.result(pricing);
}
