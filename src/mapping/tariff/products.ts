/**
 * How OCPI tariffs and OICP pricing products correspond, whichever way a tariff travels: ProductIDs
 * (the tariff id, `<id>@2` for its further priced elements, or the name the rules give), the days of
 * the week in both vocabularies, and which tariff prices a session at an EVSE.
 */
import type { DayOfWeek, Tariff } from '../../ocpi/wire/schemas';
import { type OicpDays } from '../../oicp/wire/schemas';
import type { FindingLog } from '../../core/findings';
import { type OcpiParty } from '../identifiers';
import { contractedTariff, type MappingRules } from '../rules';

const WORKDAYS: readonly DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];
const WEEKEND: readonly DayOfWeek[] = ['SATURDAY', 'SUNDAY'];
export const ALL_DAYS: readonly DayOfWeek[] = [...WORKDAYS, ...WEEKEND];
export const DAY_SET: Partial<Record<OicpDays, readonly DayOfWeek[]>> = { Everyday: ALL_DAYS, Workdays: WORKDAYS, Weekend: WEEKEND };
export const OICP_DAY: Record<DayOfWeek, OicpDays> = {
  MONDAY: 'Monday',
  TUESDAY: 'Tuesday',
  WEDNESDAY: 'Wednesday',
  THURSDAY: 'Thursday',
  FRIDAY: 'Friday',
  SATURDAY: 'Saturday',
  SUNDAY: 'Sunday',
};
export const OCPI_DAY = Object.fromEntries(Object.entries(OICP_DAY).map(([ocpi, oicp]) => [oicp, ocpi])) as Record<string, DayOfWeek>;
/** OCPI writes the end of the day as `00:00`; OICP periods end at `24:00`. */
export const END_OF_DAY = '24:00';
/** Separates the tariff id from the element number in the ProductIDs of one tariff. */
export const PRODUCT_SEPARATOR = '@';

/** The ProductID of a tariff: the one the mapping rules name, else the tariff id. */
export const productIdOf = (rules: MappingRules, tariffId: string) => rules.tariffs.products[tariffId] ?? tariffId;

/**
 * The tariff a session or CDR at an operator's EVSE is priced with: the EVSE's (read from Hubject's pricing) when
 * there is one, else the one contracted in the mapping rules, owned by the session's party and reported as a default.
 */
export function applicableTariff(rules: MappingRules, evseTariff: Tariff | undefined, operatorId: string, owner: OcpiParty, path: string, log: FindingLog): Tariff | undefined {
  if (evseTariff !== undefined) return evseTariff;
  const contracted = contractedTariff(rules, operatorId);
  if (contracted === undefined) return undefined;
  const scope = contracted.for === '*' ? 'every operator' : contracted.for;
  log.defaulted(path, `no pricing product of the EVSE is known: priced with tariff ${contracted.tariff.id}, contracted with ${scope} (mapping rules)`);
  return { country_code: owner.countryCode, party_id: owner.partyId, ...contracted.tariff };
}

/** The OCPI tariff ids a ProductID may have come from, most likely first: its own, then for `AC1@2` that of `AC1`. */
export function tariffIdsOfProduct(rules: MappingRules, productId: string): string[] {
  const tariffIdOf = tariffIdsByProduct(rules);
  const base = productId.slice(0, productId.lastIndexOf(PRODUCT_SEPARATOR));
  return [...new Set([tariffIdOf(productId, new Set()), tariffIdOf(productId, new Set([base]))])];
}

/** The tariff a ProductID belongs to: `AC1@2` -> `AC1` when `AC1` is a product of the same block. */
function baseOf(productId: string, known: ReadonlySet<string>): string {
  const at = productId.lastIndexOf(PRODUCT_SEPARATOR);
  const base = at > 0 ? productId.slice(0, at) : productId;
  return base !== productId && known.has(base) && /^\d+$/.test(productId.slice(at + 1)) ? base : productId;
}

/**
 * ProductID -> OCPI tariff id: the product's tariff (`AC1@2` -> `AC1`, see baseOf), named back through
 * the mapping rules when they gave it a ProductID.
 */
export function tariffIdsByProduct(rules: MappingRules): (productId: string, known: ReadonlySet<string>) => string {
  const byProduct = new Map(Object.entries(rules.tariffs.products).map(([tariff, product]) => [product, tariff]));
  return (productId, known) => {
    const base = baseOf(productId, known);
    return byProduct.get(base) ?? base;
  };
}
