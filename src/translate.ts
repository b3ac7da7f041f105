/**
 * The document translations `ocpi-oicp-bridge translate` offers, as one table: each pair of kinds
 * names the function that does it. Pairs from OCPI 2.1.1 go up to 2.2.1 first, pairs to 2.1.1 come
 * down from 2.2.1 last, so every mapper is written once against OCPI 2.2.1.
 */
import type { Finding, Mapped } from './mapping/findings';
import { childPath, FindingLog, underPath } from './mapping/findings';
import { partyToOperatorId, type OcpiParty } from './mapping/identifiers';
import { ocpiLocationToOicp, oicpEvseDataToLocations } from './mapping/location';
import { evseDefaults, type MappingRules } from './mapping/rules';
import { ocpiEvseToStatusRecord, oicpStatusRecordToOcpi } from './mapping/evse-status';
import { ocpiLocationEvsePricing, ocpiTariffsToOicp, oicpEvsePricingToTariffIds, oicpPricingToTariffs } from './mapping/tariff';
import { EvseStatusRecords } from './oicp/schemas';
import { checkLocation } from './ocpi/schemas';
import { location211To221, location221To211, tariff211To221, tariff221To211 } from './ocpi/versions';
import { check, soundItems } from './schema/typebox';

export const KINDS = [
  'ocpi-2.2.1:location',
  'ocpi-2.1.1:location',
  'ocpi-2.2.1:tariff',
  'ocpi-2.1.1:tariff',
  'ocpi-2.2.1:evse-status',
  'ocpi-2.2.1:connector-tariffs',
  'oicp-2.3:evse-data-records',
  'oicp-2.3:evse-status-records',
  'oicp-2.3:pricing-product-data',
  'oicp-2.3:evse-pricing',
] as const;
export type Kind = (typeof KINDS)[number];

export interface TranslateContext {
  rules: MappingRules;
  /** The instant standing for "now": time zone offsets, and last_updated where OICP gives none. */
  now: Date;
  /** Owner of OCPI 2.1.1 objects (their URL names it, the object does not). */
  party?: OcpiParty;
}

type Translation = (input: unknown, ctx: TranslateContext) => Mapped<unknown>;

interface Pair {
  from: Kind;
  to: Kind;
  description: string;
  run: Translation;
}

const locationRecords: Translation = (input, ctx) => {
  const mapped = ocpiLocationToOicp(input, { rules: ctx.rules, at: ctx.now });
  return { value: mapped.value?.records, findings: mapped.findings };
};

const locationStatuses: Translation = (input, ctx) => {
  const log = new FindingLog();
  const checked = checkLocation(input, log);
  if (checked === undefined) return log.result(undefined);
  const records = checked.evses.flatMap(({ item: evse, path }) => {
    const record = log.take(ocpiEvseToStatusRecord(evse, path, { overrides: ctx.rules.status }));
    return record ? [record] : [];
  });
  return log.result(records);
};

const locationPricing: Translation = (input, ctx) => ocpiLocationEvsePricing(input, ctx.rules);

const statusRecords: Translation = (input, ctx) => {
  const log = new FindingLog();
  const checked = check(EvseStatusRecords, input);
  log.findings.push(...checked.findings);
  const statuses = soundItems(checked.refused, checked.value, '').flatMap(({ item: record, path }) => {
    const status = log.take(oicpStatusRecordToOcpi(record, path, ctx.rules.status));
    return status ? [status] : [];
  });
  return log.result(statuses);
};

const recordsToLocations: Translation = (input, ctx) => oicpEvseDataToLocations(input, { rules: ctx.rules, now: ctx.now });
const pricingToTariffs: Translation = (input, ctx) => oicpPricingToTariffs(input, { rules: ctx.rules, now: ctx.now });

/** Runs `then` on the value of `first`, or stops where `first` refused; findings of both are kept. */
function compose(first: Translation, then: Translation): Translation {
  return (input, ctx) => {
    const a = first(input, ctx);
    if (a.value === undefined) return a;
    const b = then(a.value, ctx);
    return { value: b.value, findings: [...a.findings, ...b.findings] };
  };
}

/** Applies a single-object translation to each element of a list. */
function each(one: Translation): Translation {
  return (input, ctx) => {
    const log = new FindingLog();
    const list = Array.isArray(input) ? (input as unknown[]) : [];
    const values = list.flatMap((item, i) => {
      const mapped = one(item, ctx);
      log.findings.push(...mapped.findings.map((f) => ({ ...f, path: underPath(childPath('', i), f.path) })));
      return mapped.value === undefined ? [] : [mapped.value];
    });
    return log.result(values);
  };
}

const locationUp: Translation = (input, ctx) =>
  location211To221(input, { party: ctx.party, timeZoneOf: (party) => evseDefaults(ctx.rules, partyToOperatorId(party)).timeZone });
const tariffUp: Translation = (input, ctx) => tariff211To221(input, { party: ctx.party });
const locationDown: Translation = (input) => location221To211(input);
const tariffDown: Translation = (input) => tariff221To211(input);

export const PAIRS: readonly Pair[] = [
  { from: 'ocpi-2.2.1:location', to: 'oicp-2.3:evse-data-records', description: 'one EvseDataRecord per EVSE (REMOVED and PLANNED EVSEs left out)', run: locationRecords },
  { from: 'ocpi-2.2.1:location', to: 'oicp-2.3:evse-status-records', description: 'one EvseStatusRecord per EVSE', run: locationStatuses },
  { from: 'ocpi-2.2.1:location', to: 'oicp-2.3:evse-pricing', description: 'EVSEPricing from the connectors’ tariff_ids', run: locationPricing },
  { from: 'ocpi-2.2.1:location', to: 'ocpi-2.1.1:location', description: 'down to OCPI 2.1.1', run: locationDown },
  { from: 'ocpi-2.1.1:location', to: 'ocpi-2.2.1:location', description: 'up to OCPI 2.2.1 (--party, or the operator of an evse_id)', run: locationUp },
  { from: 'ocpi-2.1.1:location', to: 'oicp-2.3:evse-data-records', description: 'up to 2.2.1, then EVSE data', run: compose(locationUp, locationRecords) },
  { from: 'ocpi-2.1.1:location', to: 'oicp-2.3:evse-status-records', description: 'up to 2.2.1, then EVSE status', run: compose(locationUp, locationStatuses) },
  { from: 'ocpi-2.1.1:location', to: 'oicp-2.3:evse-pricing', description: 'up to 2.2.1, then EVSE pricing', run: compose(locationUp, locationPricing) },
  { from: 'ocpi-2.2.1:tariff', to: 'oicp-2.3:pricing-product-data', description: 'a PricingProductData block (a tariff or a list of tariffs)', run: (input, ctx) => ocpiTariffsToOicp(input, { rules: ctx.rules }) },
  { from: 'ocpi-2.2.1:tariff', to: 'ocpi-2.1.1:tariff', description: 'down to OCPI 2.1.1', run: tariffDown },
  { from: 'ocpi-2.1.1:tariff', to: 'ocpi-2.2.1:tariff', description: 'up to OCPI 2.2.1 (needs --party)', run: tariffUp },
  { from: 'ocpi-2.1.1:tariff', to: 'oicp-2.3:pricing-product-data', description: 'up to 2.2.1, then pricing products (needs --party)', run: compose(tariffUp, (input, ctx) => ocpiTariffsToOicp(input, { rules: ctx.rules })) },
  { from: 'oicp-2.3:evse-data-records', to: 'ocpi-2.2.1:location', description: 'records grouped into locations (a list)', run: recordsToLocations },
  { from: 'oicp-2.3:evse-data-records', to: 'ocpi-2.1.1:location', description: 'records grouped into locations, down to 2.1.1 (a list)', run: compose(recordsToLocations, each(locationDown)) },
  { from: 'oicp-2.3:evse-status-records', to: 'ocpi-2.2.1:evse-status', description: 'the OCPI status of each EvseID', run: statusRecords },
  { from: 'oicp-2.3:pricing-product-data', to: 'ocpi-2.2.1:tariff', description: 'tariffs (a list); products id, id@2, ... form one tariff', run: pricingToTariffs },
  { from: 'oicp-2.3:pricing-product-data', to: 'ocpi-2.1.1:tariff', description: 'tariffs down to 2.1.1 (a list)', run: compose(pricingToTariffs, each(tariffDown)) },
  { from: 'oicp-2.3:evse-pricing', to: 'ocpi-2.2.1:connector-tariffs', description: 'the OCPI tariff ids of each EvseID', run: (input, ctx) => oicpEvsePricingToTariffIds(input, ctx.rules) },
];

export function findPair(from: string, to: string): Pair | undefined {
  return PAIRS.find((pair) => pair.from === from && pair.to === to);
}

export interface Translated {
  value: unknown;
  findings: Finding[];
  /** The input broke its specification somewhere (an `invalid` finding), or nothing could be produced. */
  refused: boolean;
}

export function translate(pair: Pair, input: unknown, ctx: TranslateContext): Translated {
  const { value, findings } = pair.run(input, ctx);
  return { value, findings, refused: value === undefined || findings.some((f) => f.kind === 'invalid') };
}
