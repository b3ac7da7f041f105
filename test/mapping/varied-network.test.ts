/**
 * A Hubject network as varied as the field (fixtures/varied-network/): ISO and DIN operators, pools of
 * several EVSEs, the three coordinate encodings, triple chargers, every plug and facility form, overnight
 * and midnight opening times, long names and addresses, every Accessibility value — and the OCPI
 * locations of such sites for the CPO direction. Each is mapped the way the flows map it and checked
 * field by field for what a driver or integrator would look at: the map position, the opening hours in
 * local time, each connector's type, power and voltage, the tariff ids.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocpiLocationToOicp as ocpiLocationToOicpUnchecked } from '../../src/mapping/location/to-oicp';
import { oicpEvseDataToLocations as oicpEvseDataToLocationsUnchecked } from '../../src/mapping/location/from-oicp';
import { NO_RULES, type MappingRules } from '../../src/mapping/rules';
import { ocpiLocationEvsePricing } from '../../src/mapping/tariff/to-oicp';
import type { Connector, Location } from '../../src/ocpi/wire/schemas';
import { location221To211 as location221To211Unchecked } from '../../src/mapping/ocpi-211/locations';
import { oicpErrors } from '../support/oicp-schema';
import { writesOcpi } from '../support/ocpi-outbound';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'varied-network');
const RECORDS = JSON.parse(readFileSync(join(FIXTURES, 'hubject-evse-data.json'), 'utf8')) as Record<string, unknown>[];
const OCPI_LOCATIONS = JSON.parse(readFileSync(join(FIXTURES, 'ocpi-locations.json'), 'utf8')) as Location[];
const WINTER = new Date('2026-01-15T12:00:00Z');
const SUMMER = new Date('2026-07-15T12:00:00Z');

// Every OCPI object made here is checked against the spec's limits (and, in 2.1.1, the official schemas).
const oicpEvseDataToLocations = writesOcpi(oicpEvseDataToLocationsUnchecked, '2.2.1', 'location');
const location221To211 = writesOcpi(location221To211Unchecked, '2.1.1', 'location');

/** The +1 operator's calling code names no single country: the operator's rule names its party. */
const EMP_RULES: MappingRules = { ...NO_RULES, operators: { '+1*555': { countryCode: 'US', partyId: '555' } } };
const CPO_RULES: MappingRules = { ...NO_RULES, operators: { 'DE*VRD': { hotlinePhoneNumber: '+493012345678', accessibility: 'Free publicly accessible', language: 'de' } } };

/** What a connector offers, as a driver's app shows it. */
const offer = (c: Connector) => [c.standard, c.format, c.power_type, c.max_voltage, c.max_amperage, c.max_electric_power];

/** Whether the location is open at `instant`, read as the backend reads it: regular hours in the location's own time zone. */
function openAt(location: Location, instant: Date): boolean {
  const hours = location.opening_times;
  if (hours === undefined || hours.twentyfourseven) return true;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: location.time_zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant).map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
  const time = `${parts.hour}:${parts.minute}`;
  return (hours.regular_hours ?? []).some((h) => h.weekday === weekday && h.period_begin <= time && time <= h.period_end);
}

describe('the varied Hubject network, as the eMSP backend receives it (OICP -> OCPI 2.2.1 and 2.1.1)', () => {
  const { value: locations, findings } = oicpEvseDataToLocations(RECORDS, { rules: EMP_RULES, now: WINTER });
  const byId = new Map(locations.map((l) => [l.id, l]));
  const at = (id: string) => byId.get(id)!;

  it('carries every operator, ISO and DIN, and refuses nothing', () => {
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(locations.map((l) => [l.id, `${l.country_code}/${l.party_id}`, l.evses!.length])).toEqual([
      ['BERLIN1', 'DE/VRD', 3],
      ['BER-NIGHT', 'DE/VRD', 1],
      ['MUC-LONG', 'DE/VRD', 1],
      ['PLUGS', 'DE/VRD', 15],
      ['KEHL-RATHAUS', 'DE/810', 2],
      ['STRAS-GARE', 'FR/123', 1],
      ['NYC-1', 'US/555', 1],
      ['TORNIO-1', 'FI/TOR', 1],
      ['FUNCHAL-1', 'PT/MAD', 1],
    ]);
  });

  it('writes DIN EvseIDs in ISO form where they convert, keeping Hubject’s spelling in the uid', () => {
    expect(at('KEHL-RATHAUS').evses!.map((e) => [e.uid, e.evse_id])).toEqual([
      ['+49*810*000*438', 'DE*810*E000*438'],
      ['+49*810*000*439', 'DE*810*E000*439'],
    ]);
    expect(at('STRAS-GARE').evses!.map((e) => [e.uid, e.evse_id])).toEqual([['+33*123*456*7', 'FR*123*E456*7']]);
    expect(at('NYC-1').evses![0]!.evse_id).toBe('+1*555*100*1');
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', message: expect.stringContaining('+1*555*100*1 has no unambiguous ISO form') }));
  });

  it('puts every site where it is, whatever the coordinate encoding', () => {
    expect(Object.fromEntries(locations.map((l) => [l.id, [l.coordinates.latitude, l.coordinates.longitude]]))).toEqual({
      BERLIN1: ['52.520008', '13.404954'],
      'BER-NIGHT': ['52.524000', '13.343000'],
      'MUC-LONG': ['48.137153', '11.576125'],
      PLUGS: ['53.541200', '9.996700'],
      'KEHL-RATHAUS': ['48.572400', '7.815600'],
      'STRAS-GARE': ['48.573400', '7.752100'],
      'NYC-1': ['40.753600', '-74.001900'],
      'TORNIO-1': ['65.848100', '24.146600'],
      'FUNCHAL-1': ['32.646200', '-16.909900'],
    });
  });

  it('gives each site the IANA zone of its place, across borders and without a TimeZone', () => {
    expect(Object.fromEntries(locations.map((l) => [l.id, l.time_zone]))).toEqual({
      BERLIN1: 'Europe/Berlin',
      'BER-NIGHT': 'Europe/Berlin',
      'MUC-LONG': 'Europe/Berlin',
      PLUGS: 'Europe/Berlin',
      'KEHL-RATHAUS': 'Europe/Berlin',
      'STRAS-GARE': 'Europe/Paris',
      'NYC-1': 'America/New_York',
      'TORNIO-1': 'Europe/Helsinki',
      'FUNCHAL-1': 'Atlantic/Madeira',
    });
  });

  it('opens and closes in local time, summer and winter (a backend reading regular hours in time_zone)', () => {
    // Berlin opens 06:00 local on workdays: 05:00 UTC in winter, 04:00 UTC in summer.
    expect(openAt(at('BERLIN1'), new Date('2026-01-12T04:59:00Z'))).toBe(false);
    expect(openAt(at('BERLIN1'), new Date('2026-01-12T05:00:00Z'))).toBe(true);
    expect(openAt(at('BERLIN1'), new Date('2026-07-13T04:00:00Z'))).toBe(true);
    expect(openAt(at('BERLIN1'), new Date('2026-07-13T10:30:00Z'))).toBe(false); // the lunch break, 12:30 local
    // Open overnight (22:00-06:00): 03:00 local on a Wednesday in summer is 01:00 UTC.
    expect(openAt(at('BER-NIGHT'), new Date('2026-07-15T01:00:00Z'))).toBe(true);
    expect(openAt(at('BER-NIGHT'), new Date('2026-07-15T10:00:00Z'))).toBe(false);
    // Tornio is an hour ahead of Haparanda across the river: 06:00 in Finland is 04:00 UTC in winter.
    expect(openAt(at('TORNIO-1'), new Date('2026-01-15T04:00:00Z'))).toBe(true);
    expect(openAt(at('TORNIO-1'), new Date('2026-01-15T03:59:00Z'))).toBe(false);
  });

  it('writes opening times with overnight ranges split at midnight and 24:00 as 23:59', () => {
    expect(at('BER-NIGHT').opening_times!.regular_hours!.filter((h) => h.weekday === 1)).toEqual([
      { weekday: 1, period_begin: '00:00', period_end: '06:00' },
      { weekday: 1, period_begin: '22:00', period_end: '23:59' },
    ]);
    expect(at('TORNIO-1').opening_times).toEqual({ twentyfourseven: false, regular_hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, period_begin: '06:00', period_end: '23:59' })) });
    expect(at('KEHL-RATHAUS').opening_times!.regular_hours!.map((h) => `${h.weekday} ${h.period_begin}-${h.period_end}`)).toEqual([
      '1 07:00-19:00',
      '2 07:00-19:00',
      '3 07:00-19:00',
      '4 07:00-19:00',
      '5 07:00-19:00',
      '6 08:00-14:00',
    ]);
  });

  it('gives each plug of a triple charger the facility of its current, voltage line to neutral', () => {
    expect(at('BERLIN1').evses!.map((e) => e.connectors.map(offer))).toEqual([
      [
        ['IEC_62196_T2_COMBO', 'CABLE', 'DC', 500, 100, undefined],
        ['CHADEMO', 'CABLE', 'DC', 500, 100, undefined],
        ['IEC_62196_T2', 'CABLE', 'AC_3_PHASE', 230, 63, 43000],
      ],
      // Power only: 22 kW three-phase is 230 V and 32 A.
      [['IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 230, 32, 22000]],
      [
        ['IEC_62196_T2_COMBO', 'CABLE', 'DC', 920, 99, undefined],
        ['IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 230, 16, 11000],
      ],
    ]);
    expect(at('NYC-1').evses![0]!.connectors.map(offer)).toEqual([
      ['IEC_62196_T1_COMBO', 'CABLE', 'DC', 500, 124, undefined],
      ['IEC_62196_T1', 'CABLE', 'AC_1_PHASE', 240, 32, 7000],
    ]);
    expect(at('FUNCHAL-1').evses![0]!.connectors.map(offer)).toEqual([
      ['TESLA_R', 'CABLE', 'DC', 400, 300, undefined],
      ['IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 230, 32, 22000],
    ]);
    expect(at('STRAS-GARE').evses![0]!.connectors.map(offer)).toEqual([['CHADEMO', 'CABLE', 'DC', 400, 125, undefined]]);
  });

  it('carries every plug OCPI can name, and reports each EVSE with none per EVSE and operator', () => {
    expect(at('PLUGS').evses!.map((e) => offer(e.connectors[0]!).slice(0, 4))).toEqual([
      ['IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 230],
      ['IEC_62196_T2', 'CABLE', 'AC_3_PHASE', 230],
      ['IEC_62196_T1', 'CABLE', 'AC_1_PHASE', 230],
      ['IEC_62196_T3C', 'SOCKET', 'AC_1_PHASE', 230],
      ['IEC_62196_T2_COMBO', 'CABLE', 'DC', 920],
      ['IEC_62196_T1_COMBO', 'CABLE', 'DC', 400],
      ['CHADEMO', 'CABLE', 'DC', 500],
      ['DOMESTIC_E', 'SOCKET', 'AC_1_PHASE', 230],
      ['DOMESTIC_F', 'SOCKET', 'AC_1_PHASE', 230],
      ['DOMESTIC_G', 'SOCKET', 'AC_1_PHASE', 230],
      ['DOMESTIC_J', 'SOCKET', 'AC_1_PHASE', 230],
      ['IEC_60309_2_single_16', 'SOCKET', 'AC_1_PHASE', 230],
      ['IEC_60309_2_three_16', 'SOCKET', 'AC_3_PHASE', 230],
      ['NEMA_5_20', 'SOCKET', 'AC_1_PHASE', 120],
      ['TESLA_R', 'CABLE', 'DC', 400],
    ]);
    const dropped = findings.filter((f) => f.kind === 'loss' && f.message.includes('the EVSE is not carried')).map((f) => f.subject);
    expect(dropped).toEqual([
      { operatorId: 'DE*VRD', evseId: 'DE*VRD*E9015' },
      { operatorId: 'DE*VRD', evseId: 'DE*VRD*E9016' },
      { operatorId: 'DE*VRD', evseId: 'DE*VRD*E9017' },
    ]);
  });

  it('fits long names and addresses into their OCPI fields, saying what was cut', () => {
    const munich = at('MUC-LONG');
    expect(munich.name).toBe(
      'Ladestation im Innenhof des Verwaltungsgebäudes der Bayerischen Landesanstalt für Landwirtschaft, Zufahrt über die Tiefgarage, Ebene minus zwei, nur für Mitarbeitende',
    );
    // Street and house number make a 94-character line; OCPI's address holds 45.
    expect(munich.address).toBe('Prinzregent-Luitpold-Straße zwischen Maximili');
    expect([...munich.address].length).toBe(45);
    expect(munich.city).toBe('München-Ludwigsvorstadt-Isarvorstadt Süd-West');
    expect(munich.state).toBe('Bayern');
    expect(findings.filter((f) => f.kind === 'loss' && /\.(address|city)$/.test(f.path)).map((f) => f.path)).toEqual(['[4].address', '[4].city']);
  });

  it('says for every Accessibility value what OCPI cannot show', () => {
    const accessibilityLosses = findings.filter((f) => f.path.endsWith('Accessibility')).map((f) => f.message);
    expect(new Set(accessibilityLosses)).toEqual(new Set(['OCPI has no field for "Paying publicly accessible"', 'OCPI has no field for "Restricted access"', 'OCPI has no field for "Test Station"']));
    expect(Object.fromEntries(locations.map((l) => [l.id, l.parking_type]))).toMatchObject({ BERLIN1: 'PARKING_LOT', 'BER-NIGHT': 'PARKING_GARAGE', 'MUC-LONG': 'UNDERGROUND_GARAGE', 'KEHL-RATHAUS': 'ON_STREET' });
  });

  it('writes every location to a 2.1.1 backend within 2.1.1’s limits and the official 2.1.1 schemas', () => {
    for (const location of locations) expect(location221To211(location).value).toBeDefined();
    const munich = location221To211(at('MUC-LONG')).value!;
    expect(munich.address).toBe('Prinzregent-Luitpold-Strasse zwischen Maximil');
    expect(munich.city).toBe('Munchen-Ludwigsvorstadt-Isarvorstadt Sud-West');
  });
});

describe('OCPI locations of such sites, as Hubject receives them (OCPI 2.2.1 -> OICP)', () => {
  const mapped = (location: Location, at = WINTER) => ocpiLocationToOicpUnchecked(location, { rules: CPO_RULES, at });
  const byId = new Map(OCPI_LOCATIONS.map((l) => [l.id, l]));
  const records = (id: string, at = WINTER) => mapped(byId.get(id)!, at).value!.records;

  it('writes records Hubject’s own OpenAPI accepts, and refuses none', () => {
    for (const location of OCPI_LOCATIONS) {
      const { value, findings } = mapped(location);
      expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
      for (const record of value!.records) expect(oicpErrors('cpo', 'EvseDataRecord', record)).toEqual([]);
    }
  });

  it('keeps the position as written and sends the UTC offset of the season', () => {
    expect(records('BERLIN1').map((r) => r.GeoCoordinates)).toEqual(Array(3).fill({ DecimalDegree: { Latitude: '52.520008', Longitude: '13.404954' } }));
    expect(records('BERLIN1', WINTER)[0]!.Address.TimeZone).toBe('UTC+01:00');
    expect(records('BERLIN1', SUMMER)[0]!.Address.TimeZone).toBe('UTC+02:00');
    expect(records('TORNIO-1', WINTER)[0]!.Address.TimeZone).toBe('UTC+02:00');
    expect(records('FUNCHAL-1', SUMMER)[0]!.Address.TimeZone).toBe('UTC+01:00');
  });

  it('folds local opening hours into OICP day sets', () => {
    expect(records('BERLIN1')[0]).toMatchObject({
      IsOpen24Hours: false,
      OpeningTimes: [
        { on: 'Workdays', Period: [{ begin: '06:00', end: '12:00' }, { begin: '13:00', end: '22:00' }] },
        { on: 'Weekend', Period: [{ begin: '08:00', end: '23:59' }] },
      ],
    });
    expect(records('MUC-LONG')[0]).toMatchObject({ IsOpen24Hours: true });
  });

  it('sends the triple charger’s plugs with their own facilities, three-phase voltage line to line', () => {
    expect(records('BERLIN1').map((r) => [r.Plugs, r.ChargingFacilities])).toEqual([
      [
        ['CCS Combo 2 Plug (Cable Attached)', 'CHAdeMO', 'Type 2 Connector (Cable Attached)'],
        // 100 A is above the OICP schema's 99: left out (a finding), Power says it.
        [
          { PowerType: 'DC', Voltage: 500, Power: 50 },
          { PowerType: 'DC', Voltage: 500, Power: 50 },
          { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 63, Power: 43 },
        ],
      ],
      [['Type 2 Outlet'], [{ PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 32, Power: 22 }]],
      [
        ['CCS Combo 2 Plug (Cable Attached)', 'Type 2 Outlet'],
        [
          { PowerType: 'DC', Voltage: 920, Power: 350 },
          { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 16, Power: 11 },
        ],
      ],
    ]);
    // Read back, the CHAdeMO is DC again and the Type 2 three-phase at 230 V.
    const back = oicpEvseDataToLocations(records('BERLIN1').map((r) => ({ ...r, OperatorID: 'DE*VRD' })), { rules: NO_RULES, now: WINTER }).value[0]!;
    expect(back.evses![0]!.connectors.map(offer)).toEqual(byId.get('BERLIN1')!.evses![0]!.connectors.map((c) => offer({ ...c, max_electric_power: c.max_electric_power === c.max_voltage * c.max_amperage ? undefined : c.max_electric_power })));
  });

  it('splits the street from the house number, wherever it stands, and leaves out an EVSE with no OICP plug', () => {
    expect(records('MUC-LONG').map((r) => [r.EvseID, r.Address.Street, r.Address.HouseNum, r.Address.Floor])).toEqual([['DE*VRD*E5001', 'Prinzregent-Luitpold-Straße', '221B', '-2']]);
    expect(records('STRAS-GARE')[0]!.Address).toMatchObject({ Street: 'Avenue du Général de Gaulle, Résidence les Jardins du Parc, Bâtiment C', HouseNum: '', Country: 'FRA' });
    expect(mapped(byId.get('MUC-LONG')!).findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'evses[1].connectors[0].standard' }));
  });

  it('offers the connectors’ tariffs as EVSE pricing', () => {
    const pricing = ocpiLocationEvsePricing(byId.get('BERLIN1'), CPO_RULES).value!;
    expect(pricing.map((p) => [p.EvseID, p.EvseIDProductList])).toEqual([
      ['DE*VRD*E1001', ['DC-FAST', 'AC-STD']],
      ['DE*VRD*E1002', ['AC-STD']],
      ['DE*VRD*E1003', ['DC-FAST', 'AC-STD']],
    ]);
  });
});
