/**
 * OCPI EVSE `capabilities` <-> OICP AuthenticationModes, PaymentOptions and ValueAddedServices.
 * OCPI says what the hardware can do; OICP asks how drivers authenticate and pay. Choices:
 * ../shared/spec/mapping.md §4.4. Lists come out in the OICP enumeration order, so equal inputs give
 * equal records.
 */
import { childPath, FindingLog, type Mapped } from '../core/findings';
import { recurringPath, recurringText } from './recurring-text';
import { isKeyOf } from './table';
import { OICP_AUTHENTICATION_MODES, OICP_PAYMENT_OPTIONS, OICP_VALUE_ADDED_SERVICES } from '../oicp/wire/vocabulary';
import { OCPI_CAPABILITIES } from '../ocpi/wire/vocabulary';

type OicpAuthenticationMode = (typeof OICP_AUTHENTICATION_MODES)[number];
type OicpPaymentOption = (typeof OICP_PAYMENT_OPTIONS)[number];
type OicpValueAddedService = (typeof OICP_VALUE_ADDED_SERVICES)[number];

type OcpiCapability = (typeof OCPI_CAPABILITIES)[number];

interface OicpFacts {
  authentication?: OicpAuthenticationMode;
  payment?: OicpPaymentOption;
  service?: OicpValueAddedService;
}

const CARD_PAYMENT: OicpFacts = { authentication: 'Direct Payment', payment: 'Direct' };

/** What each capability says in OICP terms; `null`: nothing OICP can carry. */
const CAPABILITY_TO_OICP: Record<OcpiCapability, OicpFacts | null> = {
  RFID_READER: { authentication: 'NFC RFID Classic', payment: 'Contract' },
  REMOTE_START_STOP_CAPABLE: { authentication: 'REMOTE', payment: 'Contract' },
  CREDIT_CARD_PAYABLE: CARD_PAYMENT,
  DEBIT_CARD_PAYABLE: CARD_PAYMENT,
  CHIP_CARD_SUPPORT: CARD_PAYMENT,
  CONTACTLESS_CARD_SUPPORT: CARD_PAYMENT,
  PED_TERMINAL: CARD_PAYMENT,
  RESERVABLE: { service: 'Reservation' },
  CHARGING_PROFILE_CAPABLE: null,
  CHARGING_PREFERENCES_CAPABLE: null,
  TOKEN_GROUP_CAPABLE: null,
  UNLOCK_CAPABLE: null,
  START_SESSION_CONNECTOR_REQUIRED: null,
};

export interface OicpAccessFacts {
  AuthenticationModes: OicpAuthenticationMode[];
  PaymentOptions: OicpPaymentOption[];
  ValueAddedServices: OicpValueAddedService[];
}

/** Per-operator answers for what OCPI capabilities may not say (from the mapping rules). */
interface AccessDefaults {
  authenticationModes?: OicpAuthenticationMode[];
  paymentOptions?: OicpPaymentOption[];
}

// filter grows its result as it goes and keeps the spare room, which every record then holds (three
// lists per EVSE record: 1.2 KB per location of 4 EVSEs, measured); the slice is exactly as long.
const inOrder = <T extends string>(order: readonly T[], values: Set<T>): T[] => order.filter((value) => values.has(value)).slice();

const noCounterpart = recurringText((capability: string) => `OICP has no counterpart of ${capability}`);

/** The operator's defaults where no capability said anything of the kind (`what`). */
function fillFromDefaults<T extends string>(found: Set<T>, fallback: T[] | undefined, what: string, path: string, log: FindingLog): void {
  if (found.size > 0) return;
  if (fallback && fallback.length > 0) {
    for (const value of fallback) found.add(value);
    log.defaulted(path, `no capability says ${what}; the operator default ${JSON.stringify(fallback)} applies`);
  } else {
    log.invalid(path, `no capability says ${what}, and no operator default is configured; Hubject needs at least one`);
  }
}

export function ocpiCapabilitiesToOicp(capabilities: readonly string[] | undefined, path = 'capabilities', defaults: AccessDefaults = {}): Mapped<OicpAccessFacts> {
  const log = new FindingLog();
  const authentication = new Set<OicpAuthenticationMode>();
  const payment = new Set<OicpPaymentOption>();
  const services = new Set<OicpValueAddedService>();
  (capabilities ?? []).forEach((capability, i) => {
    if (!isKeyOf(CAPABILITY_TO_OICP, capability)) {
      log.invalid(childPath(path, i), `${JSON.stringify(capability)} is not an OCPI capability`);
      return;
    }
    const facts = CAPABILITY_TO_OICP[capability];
    if (facts === null) {
      log.loss(recurringPath(path, i), noCounterpart(capability));
      return;
    }
    if (facts.authentication) authentication.add(facts.authentication);
    if (facts.payment) payment.add(facts.payment);
    if (facts.service) services.add(facts.service);
  });
  fillFromDefaults(authentication, defaults.authenticationModes, 'how drivers authenticate (AuthenticationModes)', path, log);
  fillFromDefaults(payment, defaults.paymentOptions, 'how drivers pay (PaymentOptions)', path, log);
  return log.result({
    AuthenticationModes: inOrder(OICP_AUTHENTICATION_MODES, authentication),
    PaymentOptions: inOrder(OICP_PAYMENT_OPTIONS, payment),
    ValueAddedServices: services.size > 0 ? inOrder(OICP_VALUE_ADDED_SERVICES, services) : ['None'],
  });
}

type Reading = { capability: OcpiCapability; assumed?: string } | { loss: string } | 'implied';

const AUTHENTICATION_TO_OCPI: Record<OicpAuthenticationMode, Reading> = {
  'NFC RFID Classic': { capability: 'RFID_READER' },
  'NFC RFID DESFire': { capability: 'RFID_READER' },
  REMOTE: { capability: 'REMOTE_START_STOP_CAPABLE' },
  'Direct Payment': { capability: 'CREDIT_CARD_PAYABLE', assumed: 'OICP does not say which cards are taken; CREDIT_CARD_PAYABLE assumed' },
  PnC: { loss: 'OCPI 2.2.1 has no Plug & Charge (ISO 15118) capability' },
  'No Authentication Required': { loss: 'OCPI has no capability for charging without authentication' },
};

const PAYMENT_TO_OCPI: Record<OicpPaymentOption, Reading> = {
  // Roaming through OCPI is contract-based by definition; direct payment shows as a card capability.
  Contract: 'implied',
  Direct: 'implied',
  'No Payment': { loss: 'OCPI expresses free charging through the tariff, not a capability' },
};

const SERVICE_TO_OCPI: Record<OicpValueAddedService, Reading> = {
  Reservation: { capability: 'RESERVABLE' },
  None: 'implied',
  DynamicPricing: 'implied',
  ParkingSensors: { loss: 'OCPI has no capability for parking sensors' },
  MaximumPowerCharging: { loss: 'OCPI has no capability for maximum power charging' },
  PredictiveChargePointUsage: { loss: 'OCPI has no capability for predictive usage' },
  ChargingPlans: { loss: 'OCPI has no capability for charging plans' },
  RoofProvided: { loss: 'OCPI has no capability for a roof (see Location.facilities)' },
};

export function oicpToOcpiCapabilities(facts: { AuthenticationModes?: readonly string[]; PaymentOptions?: readonly string[]; ValueAddedServices?: readonly string[] }, path = ''): Mapped<OcpiCapability[]> {
  const log = new FindingLog();
  const capabilities = new Set<OcpiCapability>();
  const read = <K extends string>(table: Record<K, Reading>, values: readonly string[] | undefined, field: string, noun: string) =>
    (values ?? []).forEach((value, i) => {
      const at = childPath(childPath(path, field), i);
      if (!isKeyOf(table, value)) return log.invalid(at, `${JSON.stringify(value)} is not an OICP ${noun}`);
      const reading: Reading = table[value];
      if (reading === 'implied') return;
      if ('loss' in reading) return log.loss(at, reading.loss);
      capabilities.add(reading.capability);
      if (reading.assumed) log.defaulted(at, reading.assumed);
    });
  read(AUTHENTICATION_TO_OCPI, facts.AuthenticationModes, 'AuthenticationModes', 'AuthenticationMode');
  read(PAYMENT_TO_OCPI, facts.PaymentOptions, 'PaymentOptions', 'PaymentOption');
  read(SERVICE_TO_OCPI, facts.ValueAddedServices, 'ValueAddedServices', 'ValueAddedService');
  return log.result(inOrder(OCPI_CAPABILITIES, capabilities));
}
