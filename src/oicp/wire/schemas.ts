/**
 * OICP 2.3 objects of the EVSE data, EVSE status and dynamic pricing services, written once: types and
 * the validation of what Hubject sends. The official OpenAPI (../shared/schemas/oicp-2.3) is the
 * reference; the tests check our output against it. Where the OpenAPI and Hubject's service
 * definitions disagree we read both spellings (ChargingStationID/Id) and write the service's.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: charging-station-id-spelling, charging-facility-power-decimal, string-maximum-as-max-length, energy-source-percentage-100 (src/oicp/errata.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EVSE_ID_PATTERN, OPERATOR_ID_PATTERN, PROVIDER_ID_PATTERN } from './vocabulary';
import { OICP_ACCESSIBILITIES, OICP_ACCESSIBILITY_LOCATIONS } from './vocabulary';
import { OICP_AUTHENTICATION_MODES, OICP_PAYMENT_OPTIONS, OICP_VALUE_ADDED_SERVICES } from './vocabulary';
import { OICP_EVSE_STATUSES } from './vocabulary';
import { OICP_PLUGS } from './vocabulary';
import { StringEnum } from '../../core/typebox';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

export const EvseId = Type.String({ pattern: EVSE_ID_PATTERN });
export const OperatorId = Type.String({ pattern: OPERATOR_ID_PATTERN });
const CHARGING_POOL_ID_PATTERN = '^[A-Za-z]{2}\\*?[A-Za-z0-9]{3}\\*?P[A-Za-z0-9*]{1,30}$';

export const InfoText = Type.Object({ lang: Type.String({ pattern: '^[a-z]{2,3}(?:-[A-Z]{2,3}(?:-[a-zA-Z]{4})?)?(?:-x-[a-zA-Z0-9]{1,8})?$' }), value: Type.String() });
export type InfoText = Static<typeof InfoText>;

const TIME_ZONE_PATTERN = '^UTC[+-][0-9]{2}:[0-9]{2}$';
export const Address = Type.Object({
  Country: Type.String({ pattern: '^[A-Z]{3}$' }),
  City: Type.String({ minLength: 1, maxLength: 50 }),
  Street: Type.String({ maxLength: 100 }),
  PostalCode: Type.String({ maxLength: 10 }),
  HouseNum: Type.String({ maxLength: 10 }),
  Floor: Opt(Type.String({ maxLength: 5 })),
  Region: Opt(Type.String({ maxLength: 50 })),
  ParkingFacility: Opt(Type.Boolean()),
  ParkingSpot: Opt(Type.String({ maxLength: 5 })),
  TimeZone: Opt(Type.String({ pattern: TIME_ZONE_PATTERN })),
});
export type Address = Static<typeof Address>;

const Pair = Type.Object({ Latitude: Type.String(), Longitude: Type.String() });
export const GeoCoordinates = Type.Object({
  Google: Opt(Type.Object({ Coordinates: Type.String() })),
  DecimalDegree: Opt(Pair),
  DegreeMinuteSeconds: Opt(Pair),
});

export const POWER_TYPES = ['AC_1_PHASE', 'AC_3_PHASE', 'DC'] as const;
export type OicpPowerType = (typeof POWER_TYPES)[number];
const CHARGING_MODES = ['Mode_1', 'Mode_2', 'Mode_3', 'Mode_4', 'CHAdeMO'] as const;
export const ChargingFacility = Type.Object({
  PowerType: StringEnum(POWER_TYPES),
  Voltage: Opt(Type.Integer({ minimum: 0, maximum: 999 })),
  Amperage: Opt(Type.Integer({ minimum: 0, maximum: 99 })),
  // The leading document says integer; older clients send decimals, which we read (errata; docs/mapping-decisions.md, Locations).
  Power: Type.Number({ minimum: 0, maximum: 999 }),
  ChargingModes: Opt(Type.Array(StringEnum(CHARGING_MODES))),
});
export type ChargingFacility = Static<typeof ChargingFacility>;

const ENERGY_SOURCES = ['Solar', 'Wind', 'HydroPower', 'GeothermalEnergy', 'Biomass', 'Coal', 'NuclearEnergy', 'Petroleum', 'NaturalGas'] as const;
export type OicpEnergySource = (typeof ENERGY_SOURCES)[number];
export const CALIBRATION_LAW_DATA = ['Local', 'External', 'Not Available'] as const;
const WEEKDAY_SETS = ['Everyday', 'Workdays', 'Weekend', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export type OicpDays = (typeof WEEKDAY_SETS)[number];
const HourMinute = Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' });
export const Period = Type.Object({ begin: HourMinute, end: HourMinute });
export type Period = Static<typeof Period>;
export const OpeningTimes = Type.Object({ Period: Type.Array(Period), on: StringEnum(WEEKDAY_SETS) });
export type OpeningTimes = Static<typeof OpeningTimes>;

export const EvseDataRecord = Type.Object({
  deltaType: Opt(StringEnum(['update', 'insert', 'delete'] as const)),
  lastUpdate: Opt(Type.String()),
  EvseID: EvseId,
  ChargingPoolID: Opt(Type.String({ pattern: CHARGING_POOL_ID_PATTERN })),
  ChargingStationID: Opt(Type.String({ maxLength: 50 })),
  /** The OpenAPI's spelling; read, never written. */
  ChargingStationId: Opt(Type.String({ maxLength: 50 })),
  ChargingStationNames: Type.Array(InfoText),
  HardwareManufacturer: Opt(Type.String({ maxLength: 50 })),
  ChargingStationImage: Opt(Type.String({ maxLength: 200 })),
  SubOperatorName: Opt(Type.String({ maxLength: 100 })),
  Address,
  GeoCoordinates,
  Plugs: Type.Array(StringEnum(OICP_PLUGS)),
  DynamicPowerLevel: Opt(Type.Boolean()),
  ChargingFacilities: Type.Array(ChargingFacility),
  RenewableEnergy: Type.Boolean(),
  EnergySource: Opt(Type.Array(Type.Object({ Energy: Opt(StringEnum(ENERGY_SOURCES)), Percentage: Opt(Type.Integer({ minimum: 0, maximum: 100 })) }))),
  EnvironmentalImpact: Opt(Type.Object({ CO2Emission: Opt(Type.Number({ minimum: 0 })), NuclearWaste: Opt(Type.Number({ minimum: 0 })) })),
  CalibrationLawDataAvailability: StringEnum(CALIBRATION_LAW_DATA),
  AuthenticationModes: Type.Array(StringEnum(OICP_AUTHENTICATION_MODES)),
  MaxCapacity: Opt(Type.Integer({ minimum: 0 })),
  PaymentOptions: Type.Array(StringEnum(OICP_PAYMENT_OPTIONS)),
  ValueAddedServices: Type.Array(StringEnum(OICP_VALUE_ADDED_SERVICES)),
  Accessibility: StringEnum(OICP_ACCESSIBILITIES),
  AccessibilityLocation: Opt(StringEnum(OICP_ACCESSIBILITY_LOCATIONS)),
  HotlinePhoneNumber: Type.String({ pattern: '^\\+[0-9]{5,15}$' }),
  AdditionalInfo: Opt(Type.Array(InfoText)),
  ChargingStationLocationReference: Opt(Type.Array(InfoText)),
  GeoChargingPointEntrance: Opt(GeoCoordinates),
  IsOpen24Hours: Type.Boolean(),
  OpeningTimes: Opt(Type.Array(OpeningTimes)),
  HubOperatorID: Opt(OperatorId),
  ClearinghouseID: Opt(Type.String({ maxLength: 20 })),
  IsHubjectCompatible: Type.Boolean(),
  DynamicInfoAvailable: StringEnum(['true', 'false', 'auto'] as const),
  /** Present on pulled records (PullEvseDataRecord): the operator the record belongs to. */
  OperatorID: Opt(OperatorId),
  OperatorName: Opt(Type.String({ maxLength: 100 })),
});
export type EvseDataRecord = Static<typeof EvseDataRecord>;
export const EvseDataRecords = Type.Array(EvseDataRecord);

export const EvseStatusRecord = Type.Object({ EvseID: EvseId, EvseStatus: StringEnum(OICP_EVSE_STATUSES) });
export type EvseStatusRecord = Static<typeof EvseStatusRecord>;
export const EvseStatusRecords = Type.Array(EvseStatusRecord);

const REFERENCE_UNITS = ['HOUR', 'KILOWATT_HOUR', 'MINUTE'] as const;
export type ReferenceUnit = (typeof REFERENCE_UNITS)[number];
const ADDITIONAL_REFERENCES = ['START FEE', 'FIXED FEE', 'PARKING FEE', 'MINIMUM FEE', 'MAXIMUM FEE'] as const;
const ProductId = Type.String({ minLength: 1, maxLength: 50 });
const ProviderIdOrAll = Type.String({ pattern: `(${PROVIDER_ID_PATTERN})|^\\*$` });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });

export const AdditionalReference = Type.Object({
  AdditionalReference: StringEnum(ADDITIONAL_REFERENCES),
  AdditionalReferenceUnit: StringEnum(REFERENCE_UNITS),
  PricePerAdditionalReferenceUnit: Type.Number(),
});
export type AdditionalReference = Static<typeof AdditionalReference>;

export const ProductAvailabilityTimes = Type.Object({ Periods: Type.Array(Period), on: StringEnum(WEEKDAY_SETS) });
export type ProductAvailabilityTimes = Static<typeof ProductAvailabilityTimes>;

export const PricingProductDataRecord = Type.Object({
  ProductID: ProductId,
  ReferenceUnit: StringEnum(REFERENCE_UNITS),
  ProductPriceCurrency: Currency,
  PricePerReferenceUnit: Type.Number({ minimum: 0 }),
  MaximumProductChargingPower: Type.Number({ minimum: 0 }),
  IsValid24hours: Type.Boolean(),
  ProductAvailabilityTimes: Type.Array(ProductAvailabilityTimes),
  AdditionalReferences: Opt(Type.Array(AdditionalReference)),
});
export type PricingProductDataRecord = Static<typeof PricingProductDataRecord>;

export const PricingProductData = Type.Object({
  OperatorID: OperatorId,
  OperatorName: Opt(Type.String({ maxLength: 100 })),
  ProviderID: ProviderIdOrAll,
  PricingDefaultPrice: Type.Number({ minimum: 0 }),
  PricingDefaultPriceCurrency: Currency,
  PricingDefaultReferenceUnit: StringEnum(REFERENCE_UNITS),
  PricingProductDataRecords: Type.Array(PricingProductDataRecord),
});
export type PricingProductData = Static<typeof PricingProductData>;

export const EvsePricing = Type.Object({ EvseID: EvseId, ProviderID: ProviderIdOrAll, EvseIDProductList: Type.Array(ProductId) });
export type EvsePricing = Static<typeof EvsePricing>;
export const EvsePricings = Type.Array(EvsePricing);
