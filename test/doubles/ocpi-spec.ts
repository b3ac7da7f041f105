/**
 * The OCPI 2.2.1 field rules the generated objects must follow, transcribed from the spec digest's
 * tables (ocpi.md 2.9, 4.1-4.4): types, cardinality, lengths, enums, DateTime and coordinate formats.
 * There is no official 2.2.1 schema; this is the doubles' check that their data is what the spec
 * says, independent of the project's own OCPI schemas.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z?$/;
const LATITUDE = /^-?[0-9]{1,2}\.[0-9]{5,7}$/;
const LONGITUDE = /^-?[0-9]{1,3}\.[0-9]{5,7}$/;
const HOURS = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;
const CONNECTOR_TYPES = ['CHADEMO', 'CHAOJI', ...'ABCDEFGHIJKLMNO'.split('').map((c) => `DOMESTIC_${c}`), 'GBT_AC', 'GBT_DC', 'IEC_60309_2_single_16', 'IEC_60309_2_three_16', 'IEC_60309_2_three_32', 'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2', 'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'NEMA_5_20', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30', 'NEMA_10_50', 'NEMA_14_30', 'NEMA_14_50', 'PANTOGRAPH_BOTTOM_UP', 'PANTOGRAPH_TOP_DOWN', 'TESLA_R', 'TESLA_S'];
const POWER_TYPES = ['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC'];
const EVSE_STATUSES = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'];
const CAPABILITIES = ['CHARGING_PROFILE_CAPABLE', 'CHARGING_PREFERENCES_CAPABLE', 'CHIP_CARD_SUPPORT', 'CONTACTLESS_CARD_SUPPORT', 'CREDIT_CARD_PAYABLE', 'DEBIT_CARD_PAYABLE', 'PED_TERMINAL', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'START_SESSION_CONNECTOR_REQUIRED', 'TOKEN_GROUP_CAPABLE', 'UNLOCK_CAPABLE'];
const FACILITIES = ['HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BIKE_SHARING', 'BUS_STOP', 'TAXI_STAND', 'TRAM_STOP', 'METRO_STATION', 'TRAIN_STATION', 'AIRPORT', 'PARKING_LOT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI'];
const PARKING_TYPES = ['ALONG_MOTORWAY', 'PARKING_GARAGE', 'PARKING_LOT', 'ON_DRIVEWAY', 'ON_STREET', 'UNDERGROUND_GARAGE'];
const PARKING_RESTRICTIONS = ['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES'];
const TOKEN_TYPES = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];
const AUTH_METHODS = ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'];
const CDR_DIMENSIONS = ['ENERGY', 'MAX_CURRENT', 'MIN_CURRENT', 'MAX_POWER', 'MIN_POWER', 'PARKING_TIME', 'RESERVATION_TIME', 'TIME'];
const SESSION_STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION'];

class Checker {
  readonly errors: string[] = [];
  constructor(private readonly object: Obj, private readonly path: string) {}
  private fail(field: string, rule: string) {
    this.errors.push(`${this.path}.${field}: ${rule}`);
  }
  private present(field: string, required: boolean): unknown {
    const value = this.object[field];
    if (value === undefined && required) this.fail(field, 'required');
    return value;
  }
  /** string(max): printable UTF-8 without control characters. */
  string(field: string, max: number, required = true) {
    const v = this.present(field, required);
    if (v !== undefined && (typeof v !== 'string' || v.length > max || /\p{Cc}/u.test(v))) this.fail(field, `string(${max})`);
  }
  /** CiString(max): printable ASCII. */
  ci(field: string, max: number, required = true) {
    const v = this.present(field, required);
    if (v !== undefined && (typeof v !== 'string' || v.length > max || !/^[\x20-\x7e]*$/.test(v))) this.fail(field, `CiString(${max})`);
  }
  dateTime(field: string, required = true) {
    const v = this.present(field, required);
    if (v !== undefined && (typeof v !== 'string' || !DATETIME.test(v))) this.fail(field, 'DateTime');
  }
  oneOf(field: string, values: string[], required = true) {
    const v = this.present(field, required);
    if (v !== undefined && !values.includes(v as string)) this.fail(field, `one of ${values.join(', ')}`);
  }
  listOf(field: string, values: string[]) {
    const v = this.present(field, false);
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => !values.includes(x as string)))) this.fail(field, `list of ${values.join(', ')}`);
  }
  type(field: string, kind: 'boolean' | 'number' | 'integer', required = true) {
    const v = this.present(field, required);
    if (v !== undefined && (kind === 'integer' ? !Number.isInteger(v) : typeof v !== kind)) this.fail(field, kind);
  }
  geo(field: string, required = true) {
    const v = this.present(field, required);
    if (v !== undefined && (!isObj(v) || !LATITUDE.test(String(v.latitude)) || !LONGITUDE.test(String(v.longitude)))) this.fail(field, 'GeoLocation (2.2.1: 5-7 decimals)');
  }
  nested(field: string, required: boolean, check: (value: Obj, path: string) => string[], list = false) {
    const v = this.present(field, required);
    if (v === undefined) return;
    const items = list ? (Array.isArray(v) ? v : [null]) : [v];
    if (list && required && items.length === 0) this.fail(field, 'at least one');
    items.forEach((item, i) => (isObj(item) ? this.errors.push(...check(item, `${this.path}.${field}${list ? `[${i}]` : ''}`)) : this.fail(field, 'object')));
  }
}

function connectorErrors(c: Obj, path: string): string[] {
  const k = new Checker(c, path);
  k.ci('id', 36);
  k.oneOf('standard', CONNECTOR_TYPES);
  k.oneOf('format', ['SOCKET', 'CABLE']);
  k.oneOf('power_type', POWER_TYPES);
  k.type('max_voltage', 'integer');
  k.type('max_amperage', 'integer');
  k.type('max_electric_power', 'integer', false);
  k.dateTime('last_updated');
  return k.errors;
}

export function evseErrors(e: Obj, path = 'evse'): string[] {
  const k = new Checker(e, path);
  k.ci('uid', 36);
  k.ci('evse_id', 48, false);
  k.oneOf('status', EVSE_STATUSES);
  k.listOf('capabilities', CAPABILITIES);
  k.nested('connectors', true, connectorErrors, true);
  k.string('floor_level', 4, false);
  k.geo('coordinates', false);
  k.string('physical_reference', 16, false);
  k.listOf('parking_restrictions', PARKING_RESTRICTIONS);
  k.dateTime('last_updated');
  return k.errors;
}

export function locationErrors(l: Obj, path = 'location'): string[] {
  const k = new Checker(l, path);
  k.ci('country_code', 2);
  k.ci('party_id', 3);
  k.ci('id', 36);
  k.type('publish', 'boolean');
  k.string('name', 255, false);
  k.string('address', 45);
  k.string('city', 45);
  k.string('postal_code', 10, false);
  k.string('country', 3);
  k.geo('coordinates');
  k.oneOf('parking_type', PARKING_TYPES, false);
  k.nested('evses', false, evseErrors, true);
  k.listOf('facilities', FACILITIES);
  k.string('time_zone', 255);
  k.nested('opening_times', false, (hours, p) => {
    const h = new Checker(hours, p);
    h.type('twentyfourseven', 'boolean');
    if (hours.twentyfourseven === false) {
      h.nested('regular_hours', true, (r, rp) => {
        const errors: string[] = [];
        if (!Number.isInteger(r.weekday) || (r.weekday as number) < 1 || (r.weekday as number) > 7) errors.push(`${rp}.weekday: 1..7`);
        if (!HOURS.test(String(r.period_begin)) || !HOURS.test(String(r.period_end)) || String(r.period_end) <= String(r.period_begin)) errors.push(`${rp}: period_begin < period_end, HH:MM`);
        return errors;
      }, true);
    }
    return h.errors;
  });
  k.dateTime('last_updated');
  return k.errors;
}

function tokenErrors(t: Obj, path: string): string[] {
  const k = new Checker(t, path);
  k.ci('country_code', 2);
  k.ci('party_id', 3);
  k.ci('uid', 36);
  k.oneOf('type', TOKEN_TYPES);
  k.ci('contract_id', 36);
  return k.errors;
}

const priceErrors = (p: Obj, path: string) => {
  const k = new Checker(p, path);
  k.type('excl_vat', 'number');
  k.type('incl_vat', 'number', false);
  return k.errors;
};

export function sessionErrors(s: Obj, path = 'session'): string[] {
  const k = new Checker(s, path);
  k.ci('country_code', 2);
  k.ci('party_id', 3);
  k.ci('id', 36);
  k.dateTime('start_date_time');
  k.dateTime('end_date_time', false);
  k.type('kwh', 'number');
  k.nested('cdr_token', true, tokenErrors);
  k.oneOf('auth_method', AUTH_METHODS);
  k.ci('authorization_reference', 36, false);
  k.ci('location_id', 36);
  k.ci('evse_uid', 36);
  k.ci('connector_id', 36);
  k.string('currency', 3);
  k.oneOf('status', SESSION_STATUSES);
  k.dateTime('last_updated');
  return k.errors;
}

export function cdrErrors(c: Obj, path = 'cdr'): string[] {
  const k = new Checker(c, path);
  k.ci('country_code', 2);
  k.ci('party_id', 3);
  k.ci('id', 39);
  k.dateTime('start_date_time');
  k.dateTime('end_date_time');
  k.ci('session_id', 36, false);
  k.nested('cdr_token', true, tokenErrors);
  k.oneOf('auth_method', AUTH_METHODS);
  k.ci('authorization_reference', 36, false);
  k.nested('cdr_location', true, (l, p) => {
    const lk = new Checker(l, p);
    lk.ci('id', 36);
    lk.string('address', 45);
    lk.string('city', 45);
    lk.string('country', 3);
    lk.geo('coordinates');
    lk.ci('evse_uid', 36);
    lk.ci('evse_id', 48);
    lk.ci('connector_id', 36);
    lk.oneOf('connector_standard', CONNECTOR_TYPES);
    lk.oneOf('connector_format', ['SOCKET', 'CABLE']);
    lk.oneOf('connector_power_type', POWER_TYPES);
    return lk.errors;
  });
  k.string('currency', 3);
  k.nested('charging_periods', true, (period, p) => {
    const pk = new Checker(period, p);
    pk.dateTime('start_date_time');
    pk.nested('dimensions', true, (d, dp) => {
      const dk = new Checker(d, dp);
      dk.oneOf('type', CDR_DIMENSIONS);
      dk.type('volume', 'number');
      return dk.errors;
    }, true);
    return pk.errors;
  }, true);
  k.nested('total_cost', true, priceErrors);
  k.type('total_energy', 'number');
  k.type('total_time', 'number');
  k.dateTime('last_updated');
  return k.errors;
}
