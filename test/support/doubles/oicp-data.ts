import type { Json } from './http';
import { pick, seededRandom, someOf } from './http';
import { inFormat, type GeoFormat } from './oicp-geo';

/**
 * Generated OICP 2.3 EVSE data for the Hubject double's pulls: N varied records that validate
 * against the official PullEvseDataRecord schema (the doubles' tests check every one). Enumerations
 * are the official ones (Plug.yaml, ChargingFacility.yaml, ...); ids follow EvseID.yaml in both the
 * ISO and the DIN grammar, with and without the optional ISO separators.
 */

const PLUGS = ['Type 2 Outlet', 'Type 2 Connector (Cable Attached)', 'CCS Combo 2 Plug (Cable Attached)', 'CHAdeMO', 'Type F Schuko', 'Type 1 Connector (Cable Attached)', 'CCS Combo 1 Plug (Cable Attached)', 'Tesla Connector', 'Type 3 Outlet', 'IEC 60309 Single Phase', 'IEC 60309 Three Phase', 'Type E French Standard', 'Type G British Standard', 'Type J Swiss Standard', 'NEMA 5-20', 'AVCON Connector', 'Small Paddle Inductive', 'Large Paddle Inductive'] as const;
const DC_PLUGS = new Set<string>(['CCS Combo 2 Plug (Cable Attached)', 'CHAdeMO', 'CCS Combo 1 Plug (Cable Attached)', 'Tesla Connector']);
const AUTH_MODES = ['NFC RFID Classic', 'NFC RFID DESFire', 'PnC', 'REMOTE', 'Direct Payment', 'No Authentication Required'] as const;
const VALUE_ADDED = ['Reservation', 'DynamicPricing', 'ParkingSensors', 'MaximumPowerCharging', 'PredictiveChargePointUsage', 'ChargingPlans', 'RoofProvided'] as const;
const ACCESSIBILITY = ['Free publicly accessible', 'Restricted access', 'Paying publicly accessible', 'Test Station'] as const;
const LOCATIONS = ['OnStreet', 'ParkingLot', 'ParkingGarage', 'UndergroundParkingGarage'] as const;
const CALIBRATION = ['Local', 'External', 'Not Available'] as const;
const ENERGY = ['Solar', 'Wind', 'HydroPower', 'GeothermalEnergy', 'Biomass', 'Coal', 'NuclearEnergy', 'Petroleum', 'NaturalGas'] as const;
const DAYS = ['Everyday', 'Workdays', 'Weekend', 'Monday', 'Saturday', 'Sunday'] as const;
const PLACES = [
  { Country: 'DEU', City: 'Berlin', TimeZone: 'UTC+01:00', lat: 52.52, lon: 13.405, lang: 'de' },
  { Country: 'DEU', City: 'München', TimeZone: 'UTC+01:00', lat: 48.137, lon: 11.575, lang: 'de' },
  { Country: 'AUT', City: 'Wien', TimeZone: 'UTC+01:00', lat: 48.208, lon: 16.373, lang: 'de' },
  { Country: 'FRA', City: 'Saint-Étienne', TimeZone: 'UTC+01:00', lat: 45.439, lon: 4.387, lang: 'fr' },
  { Country: 'NLD', City: 'Den Haag', TimeZone: 'UTC+01:00', lat: 52.07, lon: 4.3, lang: 'nl' },
  { Country: 'PRT', City: 'Lisboa', TimeZone: 'UTC+00:00', lat: 38.722, lon: -9.139, lang: 'pt' },
  { Country: 'GBR', City: 'Edinburgh', TimeZone: 'UTC+00:00', lat: 55.953, lon: -3.188, lang: 'en' },
  { Country: 'USA', City: 'Seattle', TimeZone: 'UTC-08:00', lat: 47.606, lon: -122.332, lang: 'en' },
] as const;

export interface OperatorSpec {
  OperatorID: string;
  OperatorName: string;
}

/** One ISO operator and one DIN operator unless the test names its own. */
export const DEFAULT_OPERATORS: OperatorSpec[] = [
  { OperatorID: 'DE*ABC', OperatorName: 'ABC Charging GmbH' },
  { OperatorID: '+49*810', OperatorName: 'Stadtwerke Beispiel' },
];

/** An EvseID of the operator: ISO ids in the separated or the compact spelling, DIN ids always separated. */
export function evseIdOf(operatorId: string, n: number, compact = false): string {
  if (operatorId.startsWith('+') || /^\d/.test(operatorId)) return `${operatorId}*${String(n).padStart(3, '0')}*${n % 10}`;
  return compact ? `${operatorId.replace('*', '')}E${String(n).padStart(5, '0')}` : `${operatorId}*E${String(n).padStart(5, '0')}*${n % 10}`;
}

function facilitiesFor(random: () => number, plugs: string[]): Json[] {
  const dc = plugs.some((p) => DC_PLUGS.has(p));
  const ac = plugs.some((p) => !DC_PLUGS.has(p));
  const facilities: Json[] = [];
  if (ac) {
    const three = random() < 0.7;
    const amperage = pick(random, [16, 32, 63]);
    facilities.push({
      PowerType: three ? 'AC_3_PHASE' : 'AC_1_PHASE',
      Voltage: three ? 400 : 230,
      Amperage: amperage,
      Power: Math.round(((three ? 3 : 1) * 230 * amperage) / 1000),
      ChargingModes: [pick(random, ['Mode_2', 'Mode_3'] as const)],
    });
  }
  if (dc) facilities.push({ PowerType: 'DC', Power: pick(random, [50, 150, 300, 350]), ...(random() < 0.5 ? { Voltage: 920, Amperage: 99 } : {}), ChargingModes: plugs.includes('CHAdeMO') ? ['Mode_4', 'CHAdeMO'] : ['Mode_4'] });
  return facilities;
}

export interface EvseDataOptions {
  count: number;
  operators?: OperatorSpec[];
  seed?: number;
  /** Notation of the coordinates; varied across records when unset. */
  geoFormat?: GeoFormat;
}

/** `count` official PullEvseDataRecords spread over the operators, varied in every optional field. */
export function generateEvseDataRecords(options: EvseDataOptions): Json[] {
  const random = seededRandom(options.seed ?? 7);
  const operators = options.operators ?? DEFAULT_OPERATORS;
  const formats: GeoFormat[] = ['DecimalDegree', 'Google', 'DegreeMinuteSeconds'];
  return Array.from({ length: options.count }, (_, i) => {
    const operator = operators[i % operators.length]!;
    const place = pick(random, PLACES);
    const point = { lat: place.lat + (random() - 0.5) / 10, lon: place.lon + (random() - 0.5) / 10 };
    const plugs = someOf(random, PLUGS, 3);
    const open24 = random() < 0.6;
    const renewable = random() < 0.5;
    const noPayment = random() < 0.2;
    const iso = !operator.OperatorID.startsWith('+');
    const record: Json = {
      EvseID: evseIdOf(operator.OperatorID, i + 1, iso && i % 5 === 4),
      ChargingStationNames: [
        { lang: place.lang, value: `${place.City} ${['Marktplatz', 'Bahnhof', 'Parkhaus Süd', 'Rathaus'][i % 4]!} ${i + 1}` },
        ...(place.lang === 'en' ? [] : [{ lang: 'en', value: `${place.City} charging ${i + 1}` }]),
      ],
      Address: {
        Country: place.Country,
        City: place.City,
        Street: pick(random, ['Hauptstraße', 'Rue de la Paix', "Queen's Road", 'Avenida da Liberdade', 'Lange Voorhout']),
        PostalCode: String(10000 + Math.floor(random() * 89999)),
        HouseNum: String(1 + Math.floor(random() * 200)),
        ...(random() < 0.5 ? { TimeZone: place.TimeZone } : {}),
        ...(random() < 0.3 ? { Floor: '-1', ParkingFacility: true, ParkingSpot: String(1 + (i % 99)) } : {}),
      },
      GeoCoordinates: inFormat(point, options.geoFormat ?? formats[i % formats.length]!),
      Plugs: plugs,
      ChargingFacilities: facilitiesFor(random, plugs),
      RenewableEnergy: renewable,
      CalibrationLawDataAvailability: pick(random, CALIBRATION),
      AuthenticationModes: someOf(random, AUTH_MODES, 3),
      PaymentOptions: noPayment ? ['No Payment'] : someOf(random, ['Direct', 'Contract'] as const),
      ValueAddedServices: random() < 0.3 ? ['None'] : someOf(random, VALUE_ADDED, 3),
      Accessibility: pick(random, ACCESSIBILITY),
      HotlinePhoneNumber: `+${49 + (i % 3)}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`,
      IsOpen24Hours: open24,
      IsHubjectCompatible: random() < 0.9,
      DynamicInfoAvailable: pick(random, ['true', 'false', 'auto'] as const),
      OperatorID: operator.OperatorID,
      OperatorName: operator.OperatorName,
    };
    if (!open24) record.OpeningTimes = [{ Period: [{ begin: '06:00', end: '22:00' }], on: pick(random, DAYS) }];
    if (random() < 0.5) record.AccessibilityLocation = pick(random, LOCATIONS);
    if (renewable) record.EnergySource = [{ Energy: pick(random, ENERGY.slice(0, 5)), Percentage: 60 }, { Energy: 'Wind', Percentage: 39 }];
    if (random() < 0.3) record.EnvironmentalImpact = { CO2Emission: Math.round(random() * 500), NuclearWaste: Math.round(random() * 10) / 10 };
    if (iso && random() < 0.5) record.ChargingPoolID = `${operator.OperatorID}*P${String(1 + Math.floor(i / 4)).padStart(4, '0')}`;
    if (random() < 0.4) record.HardwareManufacturer = pick(random, ['ABB', 'Alfen', 'Wallbe', 'Mennekes']);
    if (random() < 0.3) record.AdditionalInfo = [{ lang: 'en', value: 'Access via the barrier; ask at the desk after 8 pm.' }];
    if (random() < 0.2) record.MaxCapacity = 50 + Math.floor(random() * 100);
    if (random() < 0.3) record.GeoChargingPointEntrance = inFormat({ lat: point.lat + 0.0005, lon: point.lon - 0.0005 }, 'DecimalDegree');
    return record;
  });
}

/** An eRoamingPushEvseData body (the CPO's shape: records without OperatorID/OperatorName). */
export function pushEvseDataBody(operator: OperatorSpec, records: Json[], action: 'fullLoad' | 'update' | 'insert' | 'delete' = 'update'): Json {
  return {
    ActionType: action,
    OperatorEvseData: {
      OperatorID: operator.OperatorID,
      OperatorName: operator.OperatorName,
      EvseDataRecord: records.map(({ OperatorID: _id, OperatorName: _name, ...record }) => record),
    },
  };
}
