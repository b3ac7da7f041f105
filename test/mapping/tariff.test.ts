import { join } from 'node:path';
import { loadMappingRules } from '../../src/config/load';
import { ocpiLocationEvsePricing, ocpiTariffsToOicp } from '../../src/mapping/tariff/to-oicp';
import { oicpEvsePricingToTariffIds, oicpPricingToTariffs as oicpPricingToTariffsUnchecked } from '../../src/mapping/tariff/from-oicp';
import { tariffIdsOfProduct } from '../../src/mapping/tariff/products';
import { NO_RULES } from '../../src/mapping/rules';
import { Tariff, type Location } from '../../src/ocpi/wire/schemas';
import { tariff211To221 } from '../../src/mapping/ocpi-211/locations';
import { check, withoutNulls } from '../../src/core/typebox';
import { corpusFiles, corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';
import { differences, unexplained } from '../support/round-trip';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const oicpPricingToTariffs = writesOcpi(oicpPricingToTariffsUnchecked, '2.2.1', 'tariff');

const rules = loadMappingRules(join(__dirname, '..', '..', 'fixtures', 'mapping-rules.example.yaml'));
const NOW = new Date('2025-01-15T12:00:00Z');
const TARIFFS_221 = corpusFiles('2.2.1', 'tariff');
const NL_TNM = { countryCode: 'NL', partyId: 'TNM' };

/** Every corpus tariff as OCPI 2.2.1 (2.1.1 ones go up first); the PUT example lacks last_updated. */
const everyTariff = [
  ...TARIFFS_221.map((file) => [`2.2.1/${file}`, corpusJson('2.2.1', file)] as const),
  ...corpusFiles('2.1.1', 'tariff').map((file) => [`2.1.1/${file}`, tariff211To221(corpusJson('2.1.1', file), { party: NL_TNM }).value] as const),
];

describe('OCPI Tariff -> OICP PricingProductData, every corpus tariff', () => {
  it.each(everyTariff.filter(([name]) => !name.includes('put')))('%s validates against the OICP OpenAPI', (_name, tariff) => {
    const { value, findings } = ocpiTariffsToOicp(tariff, { rules });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(oicpErrors('cpo', 'eRoamingPushPricingProductData', { ActionType: 'fullLoad', PricingProductData: value })).toEqual([]);
    expect(oicpErrors('emp', 'eRoamingPricingProductData', { PricingProductData: [value] })).toEqual([]);
  });

  it.each(everyTariff.filter(([name]) => !name.includes('put')))('%s: OCPI -> OICP -> OCPI changes exactly what the findings list', (_name, tariff) => {
    const there = ocpiTariffsToOicp(tariff, { rules });
    const back = oicpPricingToTariffs(there.value, { rules, now: NOW });
    expect(back.value).toHaveLength(1);
    expect(check(Tariff, back.value[0]).findings).toEqual([]);
    expect(unexplained(differences(withoutNulls(tariff), back.value[0]), there.findings)).toEqual([]);
  });

  it.each([
    ['2.2.1', 'tariff_put_example.json'],
    ['2.1.1', 'tariff_put_2eur_hour.json'],
  ] as const)('%s %s (known defective: no last_updated) is refused with the path', (version, file) => {
    const tariff = version === '2.2.1' ? corpusJson(version, file) : { ...(corpusJson(version, file) as object), country_code: 'NL', party_id: 'TNM' };
    const { value, findings } = ocpiTariffsToOicp(tariff, { rules });
    expect(value).toBeUndefined();
    expect(findings).toContainEqual({ kind: 'invalid', path: 'last_updated', message: 'is required' });
  });

  it('time-of-day elements become products id, id@2, id@3 with availability times (tariff_14)', () => {
    const { value, findings } = ocpiTariffsToOicp(corpusJson('2.2.1', 'tariff_14_step_size.json'), { rules });
    expect(value!.PricingProductDataRecords.map((r) => [r.ProductID, r.PricePerReferenceUnit, r.ProductAvailabilityTimes])).toEqual([
      ['22', 1.2, [{ Periods: [{ begin: '00:00', end: '17:00' }], on: 'Everyday' }]],
      ['22@2', 2.4, [{ Periods: [{ begin: '17:00', end: '20:00' }], on: 'Everyday' }]],
      ['22@3', 2.4, [{ Periods: [{ begin: '20:00', end: '24:00' }], on: 'Everyday' }]],
    ]);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'elements[0].price_components[0].step_size' }));
  });

  it('FLAT, PARKING_TIME and min/max price become fees; weekdays become day sets (tariff_4, tariff_6)', () => {
    const complex = ocpiTariffsToOicp(corpusJson('2.2.1', 'tariff_4_complex.json'), { rules }).value!;
    expect(complex.PricingProductDataRecords[1]).toMatchObject({ ProductID: '14@2', ReferenceUnit: 'HOUR', PricePerReferenceUnit: 2, IsValid24hours: false, ProductAvailabilityTimes: [{ on: 'Workdays' }] });
    expect(complex.PricingProductDataRecords[0]!.AdditionalReferences).toContainEqual({ AdditionalReference: 'START FEE', AdditionalReferenceUnit: 'HOUR', PricePerAdditionalReferenceUnit: 2.5 });
    const capped = ocpiTariffsToOicp(corpusJson('2.2.1', 'tariff_6_025kwh_start_max_price.json'), { rules }).value!;
    expect(capped.PricingProductDataRecords[0]!.AdditionalReferences).toContainEqual(expect.objectContaining({ AdditionalReference: 'MAXIMUM FEE', PricePerAdditionalReferenceUnit: 10 }));
  });

  it('a free tariff is a zero product with a zero FIXED FEE (tariff_5)', () => {
    const { value } = ocpiTariffsToOicp(corpusJson('2.2.1', 'tariff_5_free_of_charge.json'), { rules });
    expect(value!.PricingProductDataRecords).toEqual([
      expect.objectContaining({ PricePerReferenceUnit: 0, AdditionalReferences: [{ AdditionalReference: 'FIXED FEE', AdditionalReferenceUnit: 'HOUR', PricePerAdditionalReferenceUnit: 0 }] }),
    ]);
  });

  it.each([
    ['tariff_15_reservation_5_euro_per_hour.json', 'elements[0]', 'reservations'],
    ['tariffrestriction_example_max_duration.json', 'elements[0].restrictions.max_duration', 'duration'],
    ['tariff_9_025kwh_start.json', 'elements[0].price_components[0].vat', 'VAT'],
    ['tariff_3_alt_url.json', 'tariff_alt_url', 'URL'],
  ])('%s reports what OICP cannot express (%s)', (file, path, words) => {
    const { findings } = ocpiTariffsToOicp(corpusJson('2.2.1', file), { rules });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path, message: expect.stringContaining(words) }));
  });

  it('max_power restrictions become MaximumProductChargingPower', () => {
    const { value } = ocpiTariffsToOicp(corpusJson('2.2.1', 'tariffrestriction_example_max_power.json'), { rules });
    expect(value!.PricingProductDataRecords.map((r) => r.MaximumProductChargingPower)).toContain(16);
  });

  it('two priced dimensions in one element: ENERGY is the product, TIME is reported', () => {
    const tariff = { ...(corpusJson('2.2.1', 'tariff_8_simple_025kwh.json') as object), elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }, { type: 'TIME', price: 1, step_size: 1 }] }] };
    const { value, findings } = ocpiTariffsToOicp(tariff, { rules });
    expect(value!.PricingProductDataRecords[0]).toMatchObject({ ReferenceUnit: 'KILOWATT_HOUR', PricePerReferenceUnit: 0.3 });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'elements[0].price_components', message: expect.stringContaining('TIME') }));
  });

  it('uses the ProductID the mapping rules give a tariff, and maps it back', () => {
    const tariff = { ...(corpusJson('2.2.1', 'tariff_1_simple_2hour.json') as object), id: '12' };
    const { value } = ocpiTariffsToOicp(tariff, { rules });
    expect(value!.PricingProductDataRecords[0]!.ProductID).toBe('AC1');
    expect(oicpPricingToTariffs(value, { rules, now: NOW }).value[0]!.id).toBe('12');
  });

  it('names the tariffs a ProductID may come from, its own first: a CDR names the product it was charged under', () => {
    expect(tariffIdsOfProduct(rules, 'AC1')).toEqual(['12']);
    expect(tariffIdsOfProduct(rules, 'AC1@2')).toEqual(['AC1@2', '12']);
    expect(tariffIdsOfProduct(rules, 'DC 50')).toEqual(['DC 50']);
  });
});

describe('OICP pricing -> OCPI', () => {
  it('reads per-minute prices as per-hour TIME prices and keeps the currency per tariff', () => {
    const data = {
      OperatorID: 'DE*ABC',
      ProviderID: '*',
      PricingDefaultPrice: 0,
      PricingDefaultPriceCurrency: 'EUR',
      PricingDefaultReferenceUnit: 'MINUTE',
      PricingProductDataRecords: [
        { ProductID: 'AC 1', ReferenceUnit: 'MINUTE', ProductPriceCurrency: 'EUR', PricePerReferenceUnit: 0.05, MaximumProductChargingPower: 22, IsValid24hours: true, ProductAvailabilityTimes: [] },
      ],
    };
    const { value } = oicpPricingToTariffs(data, { rules: NO_RULES, now: NOW });
    expect(value).toEqual([
      expect.objectContaining({ country_code: 'DE', party_id: 'ABC', id: 'AC 1', currency: 'EUR', elements: [{ price_components: [{ type: 'TIME', price: 3, step_size: 1 }], restrictions: { max_power: 22 } }] }),
    ]);
  });

  it('refuses a block that breaks the OICP schema, with the path', () => {
    const { value, findings } = oicpPricingToTariffs({ OperatorID: 'DE*ABC' }, { rules, now: NOW });
    expect(value).toEqual([]);
    expect(findings).toContainEqual({ kind: 'invalid', path: 'PricingProductDataRecords', message: 'is required' });
  });
});

describe('EVSE pricing', () => {
  it('lists the products of each EVSE from its connectors (location_example) and maps back', () => {
    const location = corpusJson('2.2.1', 'location_example.json') as Location;
    const { value, findings } = ocpiLocationEvsePricing(location, rules);
    expect(value).toEqual([
      { EvseID: 'BE*BEC*E041503001', ProviderID: '*', EvseIDProductList: ['11', '13'] },
      { EvseID: 'BE*BEC*E041503002', ProviderID: '*', EvseIDProductList: ['AC1'] },
    ]);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'evses[0].connectors' }));
    expect(oicpErrors('cpo', 'eRoamingPushEVSEPricing', { ActionType: 'fullLoad', EVSEPricing: value })).toEqual([]);
    expect(oicpEvsePricingToTariffIds(value, rules).value).toEqual([
      { evse_id: 'BE*BEC*E041503001', tariff_ids: ['11', '13'] },
      { evse_id: 'BE*BEC*E041503002', tariff_ids: ['12'] },
    ]);
  });
});
