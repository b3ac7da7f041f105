/**
 * Library entry. Two ways to use the bridge from another program:
 * - the translation alone (docs/library.md): the mappers in both directions, each a pure function
 *   from an unchecked document to `{ value, findings }`; the translation table the `translate`
 *   command uses; the wire schemas and types of both protocols; the mapping rules and their loader;
 * - the whole bridge: configuration, store and runtime, as `npm start` runs them.
 * Everything not exported here is internal and may change without notice.
 */

// Findings: what every mapper reports beside its value.
export type { Finding, FindingKind, Mapped } from './core/findings';

// Mapping rules.
export { NO_RULES, MappingRulesSchema, type MappingRules, type EvseDefaults } from './mapping/rules';
export { loadMappingRules, parseMappingRules } from './config/load';
export type { OcpiParty } from './mapping/identifiers';

// Translations as a table: every pair `ocpi-oicp-bridge translate` offers, by kind.
export { KINDS, PAIRS, findPair, translate, type Kind, type TranslateContext, type Translated } from './translate';

// Mappers, OCPI 2.2.1 <-> OICP 2.3.
export { ocpiLocationToOicp, type LocationToOicpOptions, type OicpEvseData } from './mapping/location/to-oicp';
export { oicpEvseDataToLocations, type OicpToLocationOptions } from './mapping/location/from-oicp';
export { ocpiEvseToStatusRecord, oicpStatusRecordToOcpi, ocpiToOicpStatus, oicpToOcpiStatus, type StatusOverrides } from './mapping/evse-status';
export { ocpiTariffsToOicp, ocpiLocationEvsePricing, type TariffToOicpOptions } from './mapping/tariff/to-oicp';
export { oicpPricingToTariffs, oicpEvsePricingToTariffIds, type OicpToTariffOptions } from './mapping/tariff/from-oicp';
export { tokenToIdentification, identificationToOcpiToken } from './mapping/identification';
export { ocpiAuthorizationToOicp, oicpAuthorizationToOcpi, type AuthorizationContext, type AuthorizationToOcpiOptions } from './mapping/authorization';
export { ocpiSessionToNotification, notificationToOcpiSession, type SessionToOicpOptions, type NotificationToOcpiOptions } from './mapping/session';
export { ocpiCdrToOicp, oicpCdrToOcpi, type CdrToOicpOptions, type CdrToOcpiOptions, type CdrCorrelation } from './mapping/cdr';
export {
  startSessionToOicp,
  stopSessionToOicp,
  reserveNowToOicp,
  cancelReservationToOicp,
  remoteStartToOcpi,
  remoteStopToOcpi,
  reservationStartToOcpi,
  reservationStopToOcpi,
  acknowledgementToCommandResult,
  commandOutcomeToAcknowledgement,
  type CommandToOicpOptions,
  type CommandToOcpiOptions,
} from './mapping/command';

// Mappers, OCPI 2.1.1 <-> 2.2.1 (the OICP mappers read and write 2.2.1).
export { location211To221, location221To211, tariff211To221, tariff221To211 } from './mapping/ocpi-211/locations';
export { token211To221, token221To211, session211To221, session221To211, cdr211To221, cdr221To211 } from './mapping/ocpi-211/transactions';

// Wire schemas (TypeBox: JSON Schema objects and their static types under one name).
export { Connector, Connector211, Evse, Evse211, Location, Location211, Tariff, Tariff211 } from './ocpi/wire/schemas';
export {
  AuthorizationInfo,
  AuthorizationInfo211,
  CancelReservation,
  Cdr,
  Cdr211,
  CommandResponse,
  CommandResult,
  ReserveNow,
  Session,
  Session211,
  StartSession,
  StopSession,
  Token,
  Token211,
} from './ocpi/wire/transaction-schemas';
export { EvseDataRecord, EvsePricing, EvseStatusRecord, PricingProductData } from './oicp/wire/schemas';
export {
  Acknowledgement,
  AuthorizationStart,
  AuthorizationStop,
  AuthorizeRemoteReservationStart,
  AuthorizeRemoteReservationStop,
  AuthorizeRemoteStart,
  AuthorizeRemoteStop,
  AuthorizeStart,
  AuthorizeStop,
  ChargeDetailRecord,
  ChargingNotification,
  Identification,
} from './oicp/wire/transaction-schemas';

// The whole bridge.
export { ConfigError, loadConfigFile, loadDeploymentFile, parseConfig, parseDeployment, type ConfigProblem, type TenantConfig } from './config/load';
export { ConfigSchema, type BridgeConfig } from './config/schema';
export { sandboxConfig } from './config/sandbox';
export { createLogger, type Logger } from './observability/logger';
export { createApp, startServer, type AppDeps, type RunningServer } from './server';
export { startBridge, type ReloadOutcome, type RunningBridge, type RunningTenant } from './runtime';
export { openStore, type Store, type StoreRepositories } from './store';
