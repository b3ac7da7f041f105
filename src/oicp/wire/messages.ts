/**
 * The OICP 2.3 request and response envelopes around the business objects of `schemas.ts` and
 * `transaction-schemas.ts`: what each operation carries on the wire. The operation table
 * (`operations.ts`) names one request and one response schema from here per operation; the client,
 * the server routes and the simulator validate with them, and the tests check them against the
 * official OpenAPI.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: cdr-forwarder-spelling (src/oicp/errata.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../../core/typebox';
import { CALIBRATION_LAW_DATA, EvseDataRecord, EvseId, EvsePricing, EvseStatusRecord, GeoCoordinates, OperatorId, PricingProductData } from './schemas';
import { ChargeDetailRecord, DateTime, Identification, ProviderId, SessionId, StatusCode } from './transaction-schemas';
import { OICP_EVSE_STATUSES } from './vocabulary';
import { OICP_ACCESSIBILITIES } from './vocabulary';
import { OICP_AUTHENTICATION_MODES } from './vocabulary';

const OperatorName = Type.String({ maxLength: 100 });

const ACTION_TYPES = ['fullLoad', 'update', 'insert', 'delete'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
const Action = StringEnum(ACTION_TYPES);

export const PushEvseDataRequest = Type.Object({
  ActionType: Action,
  OperatorEvseData: Type.Object({ OperatorID: OperatorId, OperatorName, EvseDataRecord: Type.Array(EvseDataRecord) }),
});
export type PushEvseDataRequest = Static<typeof PushEvseDataRequest>;

export const PushEvseStatusRequest = Type.Object({
  ActionType: Action,
  OperatorEvseStatus: Type.Object({ OperatorID: OperatorId, OperatorName: Type.Optional(OperatorName), EvseStatusRecord: Type.Array(EvseStatusRecord) }),
});
export type PushEvseStatusRequest = Static<typeof PushEvseStatusRequest>;

const SearchCenter = Type.Object({ GeoCoordinates, Radius: Type.Number({ minimum: 0, description: 'Kilometres.' }) });

const GEO_RESPONSE_FORMATS = ['Google', 'DegreeMinuteSeconds', 'DecimalDegree'] as const;

export const PullEvseDataRequest = Type.Object(
  {
    ProviderID: ProviderId,
    SearchCenter: Type.Optional(SearchCenter),
    LastCall: Type.Optional(DateTime),
    GeoCoordinatesResponseFormat: StringEnum(GEO_RESPONSE_FORMATS),
    CountryCodes: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{3}$' }))),
    OperatorIds: Type.Optional(Type.Array(OperatorId)),
    AuthenticationModes: Type.Optional(Type.Array(StringEnum(OICP_AUTHENTICATION_MODES))),
    Accessibility: Type.Optional(Type.Array(StringEnum(OICP_ACCESSIBILITIES))),
    CalibrationLawDataAvailability: Type.Optional(Type.Array(StringEnum(CALIBRATION_LAW_DATA))),
    RenewableEnergy: Type.Optional(Type.Boolean()),
    IsHubjectCompatible: Type.Optional(Type.Boolean()),
    IsOpen24Hours: Type.Optional(Type.Boolean()),
  },
);
export type PullEvseDataRequest = Static<typeof PullEvseDataRequest>;

/** Hubject's Spring-style page around the records of a paged pull. */
const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    content: Type.Array(item),
    number: Type.Integer({ minimum: 0 }),
    size: Type.Integer({ minimum: 0 }),
    totalElements: Type.Integer({ minimum: 0 }),
    totalPages: Type.Integer({ minimum: 0 }),
    numberOfElements: Type.Integer({ minimum: 0 }),
    first: Type.Boolean(),
    last: Type.Boolean(),
    StatusCode,
  });

export const EvseDataPage = Page(EvseDataRecord);
export type EvseDataPage = Static<typeof EvseDataPage>;

/**
 * The three PullEvseStatus variants (all, by EvseID, by OperatorID) as one object: the OpenAPI's
 * oneOf would report every variant's errors for one mistake. The operation table allows one selector.
 */
export const PullEvseStatusRequest = Type.Object(
  {
    ProviderID: ProviderId,
    SearchCenter: Type.Optional(SearchCenter),
    EvseStatus: Type.Optional(StringEnum(OICP_EVSE_STATUSES)),
    EvseID: Type.Optional(Type.Array(EvseId, { minItems: 1, maxItems: 100 })),
    OperatorID: Type.Optional(Type.Array(OperatorId, { minItems: 1 })),
  },
);
export type PullEvseStatusRequest = Static<typeof PullEvseStatusRequest>;

const OperatorEvseStatus = Type.Object({ OperatorID: OperatorId, OperatorName: Type.Optional(OperatorName), EvseStatusRecord: Type.Array(EvseStatusRecord) });

/** eRoamingEVSEStatus (grouped by operator) or, for a pull by EvseID, eRoamingEVSEStatusByID. */
export const EvseStatusResponse = Type.Object({
  EvseStatuses: Type.Optional(Type.Object({ OperatorEvseStatus: Type.Array(OperatorEvseStatus) })),
  EVSEStatusRecords: Type.Optional(Type.Object({ EvseStatusRecord: Type.Array(EvseStatusRecord) })),
  StatusCode: Type.Optional(StatusCode),
});
export type EvseStatusResponse = Static<typeof EvseStatusResponse>;

export const GetChargeDetailRecordsRequest = Type.Object({
  ProviderID: ProviderId,
  From: DateTime,
  To: DateTime,
  SessionID: Type.Optional(Type.Array(SessionId)),
  OperatorID: Type.Optional(OperatorId),
  /** The OpenAPI's property; its example spells it CDRForwarded. Read both. */
  CDRForwarder: Type.Optional(Type.Boolean()),
  CDRForwarded: Type.Optional(Type.Boolean()),
});
export type GetChargeDetailRecordsRequest = Static<typeof GetChargeDetailRecordsRequest>;

export const ChargeDetailRecordPage = Page(ChargeDetailRecord);
export type ChargeDetailRecordPage = Static<typeof ChargeDetailRecordPage>;

export const PushAuthenticationDataRequest = Type.Object({
  ActionType: Action,
  ProviderAuthenticationData: Type.Object({ ProviderID: ProviderId, AuthenticationDataRecord: Type.Array(Type.Object({ Identification })) }),
});
export type PushAuthenticationDataRequest = Static<typeof PushAuthenticationDataRequest>;

export const PushPricingProductDataRequest = Type.Object({ ActionType: Action, PricingProductData });
export type PushPricingProductDataRequest = Static<typeof PushPricingProductDataRequest>;

export const PushEvsePricingRequest = Type.Object({ ActionType: Action, EVSEPricing: Type.Array(EvsePricing) });
export type PushEvsePricingRequest = Static<typeof PushEvsePricingRequest>;

export const PullPricingProductDataRequest = Type.Object({ LastCall: Type.Optional(DateTime), OperatorIDs: Type.Array(OperatorId) });
export type PullPricingProductDataRequest = Static<typeof PullPricingProductDataRequest>;

export const PricingProductDataResponse = Type.Object({ PricingProductData: Type.Array(PricingProductData), StatusCode: Type.Optional(StatusCode) });
export type PricingProductDataResponse = Static<typeof PricingProductDataResponse>;

export const PullEvsePricingRequest = Type.Object({ ProviderID: ProviderId, LastCall: Type.Optional(DateTime), OperatorIDs: Type.Array(OperatorId) });
export type PullEvsePricingRequest = Static<typeof PullEvsePricingRequest>;

export const EvsePricingResponse = Type.Object({
  EVSEPricing: Type.Array(Type.Object({ OperatorID: OperatorId, OperatorName: Type.Optional(OperatorName), EVSEPricing: Type.Array(EvsePricing) })),
  StatusCode: Type.Optional(StatusCode),
});
export type EvsePricingResponse = Static<typeof EvsePricingResponse>;
