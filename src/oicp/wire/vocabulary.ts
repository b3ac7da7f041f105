/**
 * OICP's enumerations and identifier grammar (../shared/spec/oicp.md, the official OpenAPI): the values
 * and patterns the wire schemas, the mappers and the flows share, below the mappers, so a schema never
 * depends on a mapper.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: id-pattern-separator-class (src/oicp/errata.ts).

export const OICP_EVSE_STATUSES = ['Available', 'Reserved', 'Occupied', 'OutOfService', 'EvseNotFound', 'Unknown'] as const;

export const OICP_AUTHENTICATION_MODES = ['NFC RFID Classic', 'NFC RFID DESFire', 'PnC', 'REMOTE', 'Direct Payment', 'No Authentication Required'] as const;

export const OICP_PAYMENT_OPTIONS = ['No Payment', 'Direct', 'Contract'] as const;

export const OICP_VALUE_ADDED_SERVICES = ['Reservation', 'DynamicPricing', 'ParkingSensors', 'MaximumPowerCharging', 'PredictiveChargePointUsage', 'ChargingPlans', 'RoofProvided', 'None'] as const;

export const OICP_ACCESSIBILITIES = ['Free publicly accessible', 'Restricted access', 'Paying publicly accessible', 'Test Station'] as const;

export const OICP_ACCESSIBILITY_LOCATIONS = ['OnStreet', 'ParkingLot', 'ParkingGarage', 'UndergroundParkingGarage'] as const;

export const OICP_PLUGS = [
  'Small Paddle Inductive',
  'Large Paddle Inductive',
  'AVCON Connector',
  'Tesla Connector',
  'NEMA 5-20',
  'Type E French Standard',
  'Type F Schuko',
  'Type G British Standard',
  'Type J Swiss Standard',
  'Type 1 Connector (Cable Attached)',
  'Type 2 Outlet',
  'Type 2 Connector (Cable Attached)',
  'Type 3 Outlet',
  'IEC 60309 Single Phase',
  'IEC 60309 Three Phase',
  'CCS Combo 2 Plug (Cable Attached)',
  'CCS Combo 1 Plug (Cable Attached)',
  'CHAdeMO',
] as const;

export const EVSE_ID_PATTERN = '^(([A-Za-z]{2}\\*?[A-Za-z0-9]{3}\\*?E[A-Za-z0-9\\*]{1,30})|(\\+?[0-9]{1,3}\\*[0-9]{3}\\*[0-9\\*]{1,32}))$';

export const OPERATOR_ID_PATTERN = '^(([A-Za-z]{2}\\*?[A-Za-z0-9]{3})|(\\+?[0-9]{1,3}\\*[0-9]{3}))$';

export const PROVIDER_ID_PATTERN = '^[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}$';

/** Hubject's SessionID (SessionID.yaml): GUID-shaped. */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9]{8}(-[A-Za-z0-9]{4}){3}-[A-Za-z0-9]{12}$';
