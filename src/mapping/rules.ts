/**
 * Mapping rules: the operator's answers where one protocol needs a value the other does not carry,
 * and the operator's overrides where our documented choice does not suit a partner contract. This
 * schema is the `mapping` section of the bridge configuration and the `--rules` file of `translate`.
 * Every value taken from here is reported as a `default` finding by the mapper that used it.
 */
import { Type, type Static, type TOptional, type TUnsafe } from '@sinclair/typebox';
import { StringEnum } from '../core/typebox';
import { OICP_ACCESSIBILITIES } from '../oicp/wire/vocabulary';
import { OICP_AUTHENTICATION_MODES, OICP_PAYMENT_OPTIONS } from '../oicp/wire/vocabulary';
import { OCPI_EVSE_STATUSES } from '../ocpi/wire/vocabulary';
import { OICP_EVSE_STATUSES } from '../oicp/wire/vocabulary';
import type { Mapped } from '../core/findings';
import { operatorIdToParty, sameOperator, type OcpiParty } from './identifiers';
import { OPERATOR_ID_PATTERN, PROVIDER_ID_PATTERN } from '../oicp/wire/vocabulary';
import { OICP_PLUGS } from '../oicp/wire/vocabulary';
import { Tariff, withoutOcpiMarks } from '../ocpi/wire/schemas';

const EvseDefaults = Type.Object(
  {
    operatorName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'OICP OperatorName when OCPI gives no `operator`.' })),
    hotlinePhoneNumber: Type.Optional(
      Type.String({ pattern: '^\\+[0-9]{5,15}$', description: 'OICP HotlinePhoneNumber (mandatory in OICP, absent in OCPI), e.g. `+4930123456`.' }),
    ),
    authenticationModes: Type.Optional(
      Type.Array(StringEnum(OICP_AUTHENTICATION_MODES), { minItems: 1, uniqueItems: true, description: 'OICP AuthenticationModes when no OCPI capability says.' }),
    ),
    paymentOptions: Type.Optional(
      Type.Array(StringEnum(OICP_PAYMENT_OPTIONS), { minItems: 1, uniqueItems: true, description: 'OICP PaymentOptions when no OCPI capability says.' }),
    ),
    accessibility: Type.Optional(StringEnum(OICP_ACCESSIBILITIES, { description: 'OICP Accessibility of public sites (OCPI does not say whether parking is paid).' })),
    calibrationLawDataAvailability: Type.Optional(
      StringEnum(['Local', 'External', 'Not Available'] as const, { description: 'OICP CalibrationLawDataAvailability (Eichrecht); OCPI has no such field.' }),
    ),
    renewableEnergy: Type.Optional(Type.Boolean({ description: 'OICP RenewableEnergy when the OCPI location has no `energy_mix`.' })),
    timeZone: Type.Optional(
      Type.String({ minLength: 1, description: 'IANA time zone (e.g. `Europe/Berlin`) of OCPI locations built from OICP records: overrides the zone found at their coordinates (OICP gives a UTC offset only).' }),
    ),
    language: Type.Optional(
      Type.String({ pattern: '^[a-z]{2}$', description: 'Language (ISO 639-1) of OCPI texts that carry none (location name) when OICP needs one.' }),
    ),
    countryCode: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'OCPI country_code of this operator (needed for DIN OperatorIDs).' })),
    partyId: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{3}$', description: 'OCPI party_id of this operator (needed for DIN OperatorIDs).' })),
  },
  { additionalProperties: false },
);
export type EvseDefaults = Static<typeof EvseDefaults>;

/** An object whose keys are enumeration values, each optional: one table entry per key. */
function enumMap<const K extends readonly string[], const V extends readonly string[]>(keys: K, values: V, description: string) {
  const properties = Object.fromEntries(keys.map((key) => [key, Type.Optional(StringEnum(values))])) as Record<K[number], TOptional<TUnsafe<V[number]>>>;
  return Type.Object(properties, { additionalProperties: false, description });
}

const StatusOverrides = Type.Object(
  {
    toOicp: Type.Optional(enumMap(OCPI_EVSE_STATUSES, OICP_EVSE_STATUSES, 'OCPI status -> OICP EvseStatus, replacing the default table entry.')),
    toOcpi: Type.Optional(enumMap(OICP_EVSE_STATUSES, OCPI_EVSE_STATUSES, 'OICP EvseStatus -> OCPI status, replacing the default table entry.')),
  },
  { additionalProperties: false, default: {}, description: 'Replace single entries of the EVSE status tables (docs/mapping-decisions.md, EVSE status).' },
);

const PlugOverride = Type.Object(
  {
    standard: Type.String({ minLength: 1, description: 'OCPI connector standard, e.g. `IEC_62196_T2`.' }),
    format: Type.Optional(StringEnum(['SOCKET', 'CABLE'] as const, { description: 'Only for this format (both when absent).' })),
    plug: StringEnum(OICP_PLUGS, { description: 'OICP Plug to use.' }),
  },
  { additionalProperties: false },
);

export const MappingRulesSchema = Type.Object(
  {
    operators: Type.Record(Type.String({ pattern: `(${OPERATOR_ID_PATTERN})|^\\*$` }), EvseDefaults, {
      default: {},
      description: 'Defaults per OICP OperatorID (`DE*ABC`); `"*"` applies to every operator. The more specific entry wins field by field.',
    }),
    evses: Type.Array(
      Type.Object(
        {
          match: Type.String({ minLength: 1, description: 'EvseID pattern; `*` in it is literal, `%` matches any characters (e.g. `DE*ABC*E12%`).' }),
          set: EvseDefaults,
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Overrides for EVSEs whose EvseID matches, applied in order after the operator defaults.' },
    ),
    status: StatusOverrides,
    plugs: Type.Array(PlugOverride, { default: [], description: 'OCPI connector -> OICP Plug overrides, first match wins.' }),
    tariffs: Type.Object(
      {
        providerId: Type.String({
          pattern: `(${PROVIDER_ID_PATTERN})|^\\*$`,
          default: '*',
          description: 'ProviderID of pricing products and EVSE pricing: `*` offers them to every EMP.',
        }),
        defaultPrice: Type.Number({ minimum: 0, default: 0, description: 'OICP PricingDefaultPrice (price at EVSEs without a product).' }),
        maximumProductChargingPower: Type.Number({
          exclusiveMinimum: 0,
          default: 350,
          description: 'OICP MaximumProductChargingPower (kW) of products whose OCPI tariff has no max_power restriction.',
        }),
        products: Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1, maxLength: 50 }), {
          default: {},
          description: 'OCPI tariff id -> OICP ProductID, when the partner contract names products (e.g. `AC1`).',
        }),
        contracted: Type.Record(Type.String({ pattern: `(${OPERATOR_ID_PATTERN})|^\\*$` }), withoutOcpiMarks(Type.Omit(Tariff, ['country_code', 'party_id'])), {
          default: {},
          description:
            'EMP side: the tariff agreed with an operator outside Hubject (the roaming contract), by OperatorID or `"*"`, as an OCPI tariff without country_code/party_id. Sessions and CDRs at EVSEs with no pricing product at Hubject are priced with it; without one their CDRs are held unpriced (see `unpricedCdrs`).',
        }),
        unpricedCdrs: Type.Union([Type.Literal('hold'), Type.Literal('forward')], {
          default: 'hold',
          description:
            'EMP side: a CDR from Hubject that neither a pricing product at Hubject nor a contracted tariff can price is always accepted and stored (Hubject does not send a refused CDR again). `hold`: it waits, listed as held (`outbox held`, `bridge_held_items{kind="cdr"}`), and goes to the backend once a pricing pull or a contracted tariff can price it. `forward`: it goes at once, at cost 0, with a remark saying it was not priced.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'OCPI tariffs <-> OICP dynamic pricing.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Mapping rules: per-operator defaults for OICP-mandatory fields OCPI lacks, and overrides.' },
);
export type MappingRules = Static<typeof MappingRulesSchema>;

/** The language of location names when the rules name none. */
export const DEFAULT_LANGUAGE = 'en';

/** Rules with nothing configured: every mapper still works, and reports each value it lacks. */
export const NO_RULES: MappingRules = {
  operators: {},
  evses: [],
  status: {},
  plugs: [],
  tariffs: { providerId: '*', defaultPrice: 0, maximumProductChargingPower: 350, products: {}, contracted: {}, unpricedCdrs: 'hold' },
};

/** `%` is the wildcard because `*` is part of EvseIDs. */
function evsePattern(match: string): RegExp {
  const literal = match.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`, 'i');
}

/** The defaults that apply to one EVSE: `"*"`, then its operator, then matching EVSE overrides. */
export function evseDefaults(rules: MappingRules, operatorId: string | undefined, evseId?: string): EvseDefaults {
  const operator = operatorId === undefined ? undefined : Object.entries(rules.operators).find(([id]) => id !== '*' && sameOperator(id, operatorId))?.[1];
  const overrides = evseId === undefined ? [] : rules.evses.filter((rule) => evsePattern(rule.match).test(evseId)).map((rule) => rule.set);
  return Object.assign({}, rules.operators['*'], operator, ...overrides) as EvseDefaults;
}

/** The tariff contracted with an operator outside Hubject: its own entry, else `"*"`'s, else none. */
export function contractedTariff(rules: MappingRules, operatorId: string): { tariff: MappingRules['tariffs']['contracted'][string]; for: string } | undefined {
  const own = Object.entries(rules.tariffs.contracted).find(([id]) => id !== '*' && sameOperator(id, operatorId));
  if (own) return { tariff: own[1], for: own[0] };
  const everyone = rules.tariffs.contracted['*'];
  return everyone && { tariff: everyone, for: '*' };
}

/** The OCPI party of an operator: configured (required for DIN OperatorIDs), else read from the ISO OperatorID. */
export function operatorParty(rules: MappingRules, operatorId: string, path = 'OperatorID'): Mapped<OcpiParty | undefined> {
  const { countryCode, partyId } = evseDefaults(rules, operatorId);
  if (countryCode !== undefined && partyId !== undefined) return { value: { countryCode, partyId }, findings: [] };
  return operatorIdToParty(operatorId, path);
}
