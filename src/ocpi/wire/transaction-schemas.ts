/**
 * OCPI 2.2.1 and 2.1.1 wire objects of the Tokens, Sessions, CDRs and Commands modules, written once:
 * the types are derived from these schemas and the same schemas validate what peers send. Field
 * tables: ../shared/spec/ocpi.md §4.2, §4.3, §4.5, §4.6; version differences §5.3, §5.4, §5.6, §5.7.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: location-address-length, signed-value-plain-data-length (src/ocpi/errata.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../../core/typebox';
import { CONNECTOR_TYPES, DateTime, DisplayText, GeoLocation, Id, Location211, POWER_TYPES, Tariff, Tariff211, Text, TOKEN_TYPES, Url } from './schemas';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$' });
const PartyId = Type.String({ pattern: '^[A-Za-z0-9]{3}$' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });

const TOKEN_TYPES_211 = ['OTHER', 'RFID'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
const WHITELIST_TYPES = ['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] as const;
const PROFILE_TYPES = ['CHEAP', 'FAST', 'GREEN', 'REGULAR'] as const;
const ALLOWED_TYPES = ['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED'] as const;
export type AllowedType = (typeof ALLOWED_TYPES)[number];
export const AUTH_METHODS = ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
const AUTH_METHODS_211 = ['AUTH_REQUEST', 'WHITELIST'] as const;
export const SESSION_STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION'] as const;
const SESSION_STATUSES_211 = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING'] as const;

const tokenCommon = {
  uid: Id(36),
  visual_number: Opt(Text(64)),
  issuer: Text(64),
  valid: Type.Boolean(),
  whitelist: StringEnum(WHITELIST_TYPES),
  language: Opt(Id(2)),
  last_updated: DateTime,
};

export const Token = Type.Object({
  country_code: CountryCode,
  party_id: PartyId,
  ...tokenCommon,
  type: StringEnum(TOKEN_TYPES),
  contract_id: Id(36),
  group_id: Opt(Id(36)),
  default_profile_type: Opt(StringEnum(PROFILE_TYPES)),
  energy_contract: Opt(Type.Object({ supplier_name: Id(64), contract_id: Opt(Id(64)) })),
});
export type Token = Static<typeof Token>;

export const Token211 = Type.Object({ ...tokenCommon, type: StringEnum(TOKEN_TYPES_211), auth_id: Id(36) });
export type Token211 = Static<typeof Token211>;

export const LocationReferences = Type.Object({ location_id: Id(36), evse_uids: Opt(Type.Array(Id(36))) });
export type LocationReferences = Static<typeof LocationReferences>;
export const LocationReferences211 = Type.Object({ location_id: Id(39), evse_uids: Opt(Type.Array(Id(39))), connector_ids: Opt(Type.Array(Id(36))) });

export const AuthorizationInfo = Type.Object({
  allowed: StringEnum(ALLOWED_TYPES),
  token: Token,
  location: Opt(LocationReferences),
  authorization_reference: Opt(Id(36)),
  info: Opt(DisplayText),
});
export type AuthorizationInfo = Static<typeof AuthorizationInfo>;

export const AuthorizationInfo211 = Type.Object({ allowed: StringEnum(ALLOWED_TYPES), location: Opt(LocationReferences211), info: Opt(DisplayText) });
export type AuthorizationInfo211 = Static<typeof AuthorizationInfo211>;

export const CdrToken = Type.Object({ country_code: CountryCode, party_id: PartyId, uid: Id(36), type: StringEnum(TOKEN_TYPES), contract_id: Id(36) });
export type CdrToken = Static<typeof CdrToken>;

export const CDR_DIMENSIONS = [
  'CURRENT', 'ENERGY', 'ENERGY_EXPORT', 'ENERGY_IMPORT', 'MAX_CURRENT', 'MIN_CURRENT', 'MAX_POWER', 'MIN_POWER', 'PARKING_TIME', 'POWER', 'RESERVATION_TIME', 'STATE_OF_CHARGE', 'TIME',
] as const;
export type CdrDimensionType = (typeof CDR_DIMENSIONS)[number];
export const CDR_DIMENSIONS_211 = ['ENERGY', 'FLAT', 'MAX_CURRENT', 'MIN_CURRENT', 'PARKING_TIME', 'TIME'] as const;

export const ChargingPeriod = Type.Object({
  start_date_time: DateTime,
  dimensions: Type.Array(Type.Object({ type: StringEnum(CDR_DIMENSIONS), volume: Type.Number() }), { minItems: 1 }),
  tariff_id: Opt(Id(36)),
});
export type ChargingPeriod = Static<typeof ChargingPeriod>;
export const ChargingPeriod211 = Type.Object({
  start_date_time: DateTime,
  dimensions: Type.Array(Type.Object({ type: StringEnum(CDR_DIMENSIONS_211), volume: Type.Number() }), { minItems: 1 }),
});
export type ChargingPeriod211 = Static<typeof ChargingPeriod211>;

/** Price is signed here: credit CDRs carry negative totals. */
export const Price = Type.Object({ excl_vat: Type.Number(), incl_vat: Opt(Type.Number()) });
export type Price = Static<typeof Price>;

export const Session = Type.Object({
  country_code: CountryCode,
  party_id: PartyId,
  id: Id(36),
  start_date_time: DateTime,
  end_date_time: Opt(DateTime),
  kwh: Type.Number({ minimum: 0 }),
  cdr_token: CdrToken,
  auth_method: StringEnum(AUTH_METHODS),
  authorization_reference: Opt(Id(36)),
  location_id: Id(36),
  evse_uid: Id(36),
  connector_id: Id(36),
  meter_id: Opt(Id(255)),
  currency: Currency,
  charging_periods: Opt(Type.Array(ChargingPeriod)),
  total_cost: Opt(Price),
  status: StringEnum(SESSION_STATUSES),
  last_updated: DateTime,
});
export type Session = Static<typeof Session>;

export const Session211 = Type.Object({
  id: Id(36),
  start_datetime: DateTime,
  end_datetime: Opt(DateTime),
  kwh: Type.Number({ minimum: 0 }),
  auth_id: Id(36),
  auth_method: StringEnum(AUTH_METHODS_211),
  location: Location211,
  meter_id: Opt(Id(255)),
  currency: Currency,
  charging_periods: Opt(Type.Array(ChargingPeriod211)),
  total_cost: Opt(Type.Number()),
  status: StringEnum(SESSION_STATUSES_211),
  last_updated: DateTime,
});
export type Session211 = Static<typeof Session211>;

export const SignedValue = Type.Object({ nature: Id(32), plain_data: Text(5000, 512), signed_data: Id(5000) });
export type SignedValue = Static<typeof SignedValue>;
export const SignedData = Type.Object({
  encoding_method: Id(36),
  encoding_method_version: Opt(Type.Integer()),
  public_key: Opt(Id(512)),
  signed_values: Type.Array(SignedValue, { minItems: 1 }),
  url: Opt(Url(512)),
});
export type SignedData = Static<typeof SignedData>;

/** `address` is 45 in the object table; Location.address became 255 by errata and a CdrLocation copies it. */
export const CdrLocation = Type.Object({
  id: Id(36),
  name: Opt(Text(255)),
  address: Text(255, 45),
  city: Text(45),
  postal_code: Opt(Text(10)),
  state: Opt(Text(20)),
  country: Type.String({ pattern: '^[A-Z]{3}$' }),
  coordinates: GeoLocation,
  evse_uid: Id(36),
  evse_id: Id(48),
  connector_id: Id(36),
  connector_standard: StringEnum(CONNECTOR_TYPES),
  connector_format: StringEnum(['SOCKET', 'CABLE'] as const),
  connector_power_type: StringEnum(POWER_TYPES),
});
export type CdrLocation = Static<typeof CdrLocation>;

export const Cdr = Type.Object({
  country_code: CountryCode,
  party_id: PartyId,
  id: Id(39),
  start_date_time: DateTime,
  end_date_time: DateTime,
  session_id: Opt(Id(36)),
  cdr_token: CdrToken,
  auth_method: StringEnum(AUTH_METHODS),
  authorization_reference: Opt(Id(36)),
  cdr_location: CdrLocation,
  meter_id: Opt(Id(255)),
  currency: Currency,
  tariffs: Opt(Type.Array(Tariff)),
  charging_periods: Type.Array(ChargingPeriod, { minItems: 1 }),
  signed_data: Opt(SignedData),
  total_cost: Price,
  total_fixed_cost: Opt(Price),
  total_energy: Type.Number(),
  total_energy_cost: Opt(Price),
  total_time: Type.Number({ minimum: 0 }),
  total_time_cost: Opt(Price),
  total_parking_time: Opt(Type.Number({ minimum: 0 })),
  total_parking_cost: Opt(Price),
  total_reservation_cost: Opt(Price),
  remark: Opt(Text(255)),
  invoice_reference_id: Opt(Id(39)),
  credit: Opt(Type.Boolean()),
  credit_reference_id: Opt(Id(39)),
  home_charging_compensation: Opt(Type.Boolean()),
  last_updated: DateTime,
});
export type Cdr = Static<typeof Cdr>;

export const Cdr211 = Type.Object({
  id: Id(36),
  start_date_time: DateTime,
  stop_date_time: DateTime,
  auth_id: Id(36),
  auth_method: StringEnum(AUTH_METHODS_211),
  location: Location211,
  meter_id: Opt(Id(255)),
  currency: Currency,
  tariffs: Opt(Type.Array(Tariff211)),
  charging_periods: Type.Array(ChargingPeriod211, { minItems: 1 }),
  total_cost: Type.Number(),
  total_energy: Type.Number(),
  total_time: Type.Number({ minimum: 0 }),
  total_parking_time: Opt(Type.Number({ minimum: 0 })),
  remark: Opt(Text(255)),
  last_updated: DateTime,
});
export type Cdr211 = Static<typeof Cdr211>;

const ResponseUrl = Url();

export const StartSession = Type.Object({
  response_url: ResponseUrl,
  token: Token,
  location_id: Id(36),
  evse_uid: Opt(Id(36)),
  connector_id: Opt(Id(36)),
  authorization_reference: Opt(Id(36)),
});
export type StartSession = Static<typeof StartSession>;
export const StartSession211 = Type.Object({ response_url: ResponseUrl, token: Token211, location_id: Id(39), evse_uid: Opt(Id(39)) });
export type StartSession211 = Static<typeof StartSession211>;

export const StopSession = Type.Object({ response_url: ResponseUrl, session_id: Id(36) });
export type StopSession = Static<typeof StopSession>;

export const ReserveNow = Type.Object({
  response_url: ResponseUrl,
  token: Token,
  expiry_date: DateTime,
  reservation_id: Id(36),
  location_id: Id(36),
  evse_uid: Opt(Id(36)),
  authorization_reference: Opt(Id(36)),
});
export type ReserveNow = Static<typeof ReserveNow>;
export const ReserveNow211 = Type.Object({
  response_url: ResponseUrl,
  token: Token211,
  expiry_date: DateTime,
  reservation_id: Type.Integer(),
  location_id: Id(39),
  evse_uid: Opt(Id(39)),
});
export type ReserveNow211 = Static<typeof ReserveNow211>;

export const CancelReservation = Type.Object({ response_url: ResponseUrl, reservation_id: Id(36) });
export type CancelReservation = Static<typeof CancelReservation>;

export const UnlockConnector = Type.Object({ response_url: ResponseUrl, location_id: Id(39), evse_uid: Id(39), connector_id: Id(36) });
export type UnlockConnector = Static<typeof UnlockConnector>;

const COMMAND_RESPONSE_TYPES = ['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'UNKNOWN_SESSION'] as const;
export type CommandResponseType = (typeof COMMAND_RESPONSE_TYPES)[number];
const COMMAND_RESPONSE_TYPES_211 = [...COMMAND_RESPONSE_TYPES, 'TIMEOUT'] as const;
const COMMAND_RESULT_TYPES = [
  'ACCEPTED', 'CANCELED_RESERVATION', 'EVSE_OCCUPIED', 'EVSE_INOPERATIVE', 'FAILED', 'NOT_SUPPORTED', 'REJECTED', 'TIMEOUT', 'UNKNOWN_RESERVATION',
] as const;
export type CommandResultType = (typeof COMMAND_RESULT_TYPES)[number];

export const CommandResponse = Type.Object({ result: StringEnum(COMMAND_RESPONSE_TYPES), timeout: Type.Integer({ minimum: 0 }), message: Opt(Type.Array(DisplayText)) });
export type CommandResponse = Static<typeof CommandResponse>;
export const CommandResult = Type.Object({ result: StringEnum(COMMAND_RESULT_TYPES), message: Opt(Type.Array(DisplayText)) });
export type CommandResult = Static<typeof CommandResult>;
export const CommandResponse211 = Type.Object({ result: StringEnum(COMMAND_RESPONSE_TYPES_211) });
export type CommandResponse211 = Static<typeof CommandResponse211>;

// Sessions' charging preferences (2.2.1 only, §4.2).
export const ChargingPreferences = Type.Object({
  profile_type: StringEnum(PROFILE_TYPES),
  departure_time: Opt(DateTime),
  energy_need: Opt(Type.Number({ minimum: 0 })),
  discharge_allowed: Opt(Type.Boolean()),
});
export type ChargingPreferences = Static<typeof ChargingPreferences>;
export const CHARGING_PREFERENCES_RESPONSES = ['ACCEPTED', 'DEPARTURE_REQUIRED', 'ENERGY_NEED_REQUIRED', 'NOT_POSSIBLE', 'PROFILE_TYPE_NOT_SUPPORTED'] as const;
export type ChargingPreferencesResponse = (typeof CHARGING_PREFERENCES_RESPONSES)[number];
