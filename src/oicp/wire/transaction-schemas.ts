/**
 * OICP 2.3 objects of the authorization, remote start/stop, reservation, charging notification and
 * CDR services, written once. The official OpenAPI (../shared/schemas/oicp-2.3) is the reference; the
 * tests check our output against it. The EvcoID check digit is optional when reading (hubject/oicp#101);
 * we always write one, as the OpenAPI demands.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: hub-provider-id-spelling, reservation-emp-partner-session-id-spelling, evco-id-check-digit-optional, id-pattern-separator-class, string-maximum-as-max-length (src/oicp/errata.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PROVIDER_ID_PATTERN, SESSION_ID_PATTERN } from './vocabulary';
import { StringEnum } from '../../core/typebox';
import { EvseId, OperatorId } from './schemas';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const PartnerSessionId = Opt(Type.String({ maxLength: 250 }));
export const DateTime = Type.String({ format: 'date-time' });

const UID_PATTERN = '^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$';
const EVCO_ID_PATTERN = '^(([A-Za-z]{2}-?[A-Za-z0-9]{3}-?C[A-Za-z0-9]{8}(-?[0-9A-Za-z])?)|([A-Za-z]{2}[*-]?[A-Za-z0-9]{3}[*-]?[A-Za-z0-9]{6}([*-]?[0-9X])?))$';

const EvcoId = Type.String({ pattern: EVCO_ID_PATTERN });
const Uid = Type.String({ pattern: UID_PATTERN });
export const SessionId = Type.String({ pattern: SESSION_ID_PATTERN });
export const ProviderId = Type.String({ pattern: PROVIDER_ID_PATTERN });
const ProductId = Opt(Type.String({ maxLength: 50 }));

const RFID_TYPES = ['mifareCls', 'mifareDes', 'calypso', 'nfc', 'mifareFamily'] as const;

export const Identification = Type.Object({
  RFIDMifareFamilyIdentification: Opt(Type.Object({ UID: Uid })),
  RFIDIdentification: Opt(
    Type.Object({ UID: Uid, EvcoID: Opt(EvcoId), RFID: StringEnum(RFID_TYPES), PrintedNumber: Opt(Type.String({ maxLength: 150 })), ExpiryDate: Opt(Type.String()) }),
  ),
  QRCodeIdentification: Opt(
    Type.Object({
      EvcoID: EvcoId,
      PIN: Opt(Type.String()),
      HashedPIN: Opt(Type.Object({ Value: Type.String(), Function: Type.String(), LegacyHashData: Opt(Type.Unknown()) })),
    }),
  ),
  PlugAndChargeIdentification: Opt(Type.Object({ EvcoID: EvcoId })),
  RemoteIdentification: Opt(Type.Object({ EvcoID: EvcoId })),
});
export type Identification = Static<typeof Identification>;

export const StatusCode = Type.Object({ Code: Type.String({ pattern: '^[0-9]{3}$' }), Description: Opt(Type.String({ maxLength: 200 })), AdditionalInfo: Opt(Type.String({ maxLength: 1000 })) });
export type StatusCode = Static<typeof StatusCode>;

const sessionIds = { CPOPartnerSessionID: PartnerSessionId, EMPPartnerSessionID: PartnerSessionId };

export const Acknowledgement = Type.Object({ Result: Type.Boolean(), StatusCode, SessionID: Opt(SessionId), ...sessionIds });
export type Acknowledgement = Static<typeof Acknowledgement>;

const AUTHORIZATION_STATUSES = ['Authorized', 'NotAuthorized'] as const;

export const AuthorizeStart = Type.Object({ SessionID: Opt(SessionId), ...sessionIds, OperatorID: OperatorId, EvseID: Opt(EvseId), Identification, PartnerProductID: ProductId });
export type AuthorizeStart = Static<typeof AuthorizeStart>;

export const AuthorizeStop = Type.Object({ SessionID: SessionId, ...sessionIds, OperatorID: OperatorId, EvseID: Opt(EvseId), Identification });
export type AuthorizeStop = Static<typeof AuthorizeStop>;

export const AuthorizationStart = Type.Object({
  SessionID: Opt(SessionId),
  ...sessionIds,
  ProviderID: Opt(ProviderId),
  AuthorizationStatus: StringEnum(AUTHORIZATION_STATUSES),
  StatusCode,
  AuthorizationStopIdentifications: Opt(Type.Array(Identification)),
});
export type AuthorizationStart = Static<typeof AuthorizationStart>;

export const AuthorizationStop = Type.Object({ SessionID: Opt(SessionId), ...sessionIds, ProviderID: Opt(ProviderId), AuthorizationStatus: StringEnum(AUTHORIZATION_STATUSES), StatusCode });
export type AuthorizationStop = Static<typeof AuthorizationStop>;

export const AuthorizeRemoteStart = Type.Object({ SessionID: SessionId, ...sessionIds, ProviderID: ProviderId, EvseID: EvseId, Identification, PartnerProductID: ProductId });
export type AuthorizeRemoteStart = Static<typeof AuthorizeRemoteStart>;

export const AuthorizeRemoteStop = Type.Object({ SessionID: SessionId, ...sessionIds, ProviderID: ProviderId, EvseID: EvseId });
export type AuthorizeRemoteStop = Static<typeof AuthorizeRemoteStop>;

/** The reservation service spells EMPPartnerSessionId; the ID spelling is read too (errata). */
const reservationIds = { CPOPartnerSessionID: PartnerSessionId, EMPPartnerSessionId: PartnerSessionId, EMPPartnerSessionID: PartnerSessionId };

export const AuthorizeRemoteReservationStart = Type.Object({
  SessionID: Opt(SessionId),
  ...reservationIds,
  ProviderID: ProviderId,
  EvseID: EvseId,
  Identification,
  PartnerProductID: ProductId,
  Duration: Opt(Type.Integer({ minimum: 1, maximum: 99 })),
});
export type AuthorizeRemoteReservationStart = Static<typeof AuthorizeRemoteReservationStart>;

export const AuthorizeRemoteReservationStop = Type.Object({ SessionID: SessionId, ...reservationIds, ProviderID: ProviderId, EvseID: EvseId });
export type AuthorizeRemoteReservationStop = Static<typeof AuthorizeRemoteReservationStop>;

const MeterValueInBetween = Opt(Type.Object({ meterValues: Type.Array(Type.Number()) }));

const CHARGING_NOTIFICATION_TYPES = ['Start', 'Progress', 'End', 'Error'] as const;
const ERROR_TYPES = ['ConnectorError', 'CriticalError'] as const;

/** One object for the four notification types: each type's own required fields are checked by the mappers. */
export const ChargingNotification = Type.Object({
  Type: StringEnum(CHARGING_NOTIFICATION_TYPES),
  SessionID: SessionId,
  ...sessionIds,
  Identification: Opt(Identification),
  EvseID: EvseId,
  OperatorID: OperatorId,
  PartnerProductID: ProductId,
  ChargingStart: Opt(DateTime),
  ChargingEnd: Opt(DateTime),
  SessionStart: Opt(DateTime),
  SessionEnd: Opt(DateTime),
  EventOccurred: Opt(DateTime),
  /** Milliseconds charged so far. */
  ChargingDuration: Opt(Type.Integer({ minimum: 0 })),
  ConsumedEnergyProgress: Opt(Type.Number()),
  ConsumedEnergy: Opt(Type.Number()),
  MeterValueStart: Opt(Type.Number()),
  MeterValueEnd: Opt(Type.Number()),
  MeterValueInBetween,
  PenaltyTimeStart: Opt(DateTime),
  ErrorType: Opt(StringEnum(ERROR_TYPES)),
  ErrorAdditionalInfo: Opt(Type.String({ maxLength: 250 })),
});
export type ChargingNotification = Static<typeof ChargingNotification>;

const METERING_STATUSES = ['Start', 'Progress', 'End'] as const;
export type MeteringStatus = (typeof METERING_STATUSES)[number];
export const SignedMeteringValue = Type.Object({ SignedMeteringValue: Type.String({ maxLength: 3000 }), MeteringStatus: StringEnum(METERING_STATUSES) });
export type SignedMeteringValue = Static<typeof SignedMeteringValue>;
export const CalibrationLawVerificationInfo = Type.Object({
  CalibrationLawCertificateID: Opt(Type.String({ maxLength: 100 })),
  PublicKey: Opt(Type.String({ maxLength: 1000 })),
  MeteringSignatureUrl: Opt(Type.String({ maxLength: 200 })),
  MeteringSignatureEncodingFormat: Opt(Type.String({ maxLength: 50 })),
  SignedMeteringValuesVerificationInstruction: Opt(Type.String({ maxLength: 400 })),
});
export type CalibrationLawVerificationInfo = Static<typeof CalibrationLawVerificationInfo>;

export const ChargeDetailRecord = Type.Object({
  SessionID: SessionId,
  ...sessionIds,
  PartnerProductID: ProductId,
  EvseID: EvseId,
  Identification,
  ChargingStart: DateTime,
  ChargingEnd: DateTime,
  SessionStart: DateTime,
  SessionEnd: DateTime,
  MeterValueStart: Opt(Type.Number()),
  MeterValueEnd: Opt(Type.Number()),
  MeterValueInBetween,
  ConsumedEnergy: Type.Number({ minimum: 0 }),
  SignedMeteringValues: Opt(Type.Array(SignedMeteringValue)),
  CalibrationLawVerificationInfo: Opt(CalibrationLawVerificationInfo),
  HubOperatorID: Opt(OperatorId),
  /** The OpenAPI's two spellings; read both. */
  HubProviderID: Opt(ProviderId),
  HubProviderId: Opt(ProviderId),
});
export type ChargeDetailRecord = Static<typeof ChargeDetailRecord>;
