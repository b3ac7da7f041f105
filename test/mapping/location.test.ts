import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadMappingRules } from '../../src/config/load';
import { ocpiEnergyMixToOicp } from '../../src/mapping/energy-mix';
import { ocpiToOicpStatus } from '../../src/mapping/evse-status';
import { cachedEvse, oicpEvseDataToLocations as oicpEvseDataToLocationsUnchecked } from '../../src/mapping/location/from-oicp';
import { ocpiLocationToOicp } from '../../src/mapping/location/to-oicp';
import { ocpiHoursToOicp } from '../../src/mapping/opening-times';
import { NO_RULES } from '../../src/mapping/rules';
import { Evse, Evse211, type EnergyMix, type Hours } from '../../src/ocpi/wire/schemas';
import { check, withoutNulls } from '../../src/core/typebox';
import { corpusFiles, corpusJson } from '../support/corpus';
import { OICP_SCHEMAS, oicpErrors } from '../support/oicp-schema';
import { differences, unexplained } from '../support/round-trip';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const oicpEvseDataToLocations = writesOcpi(oicpEvseDataToLocationsUnchecked, '2.2.1', 'location');

const rules = loadMappingRules(join(__dirname, '..', '..', 'fixtures', 'mapping-rules.example.yaml'));
const WINTER = new Date('2025-01-15T12:00:00Z');
const SUMMER = new Date('2025-07-15T12:00:00Z');

/** Full 2.2.1 Location examples (the other location_* files are fragments and PATCH bodies). */
const FULL_LOCATIONS = corpusFiles('2.2.1', 'location_example');

describe('OCPI 2.2.1 Location -> OICP EvseDataRecords, every corpus location', () => {
  it.each(FULL_LOCATIONS)('%s maps without refusal and validates against the OICP OpenAPI', (file) => {
    const location = corpusJson('2.2.1', file);
    const { value, findings } = ocpiLocationToOicp(location, { rules, at: WINTER });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(value!.records.length).toBeGreaterThan(0);
    for (const record of value!.records) expect(oicpErrors('cpo', 'EvseDataRecord', record)).toEqual([]);
    const push = { ActionType: 'fullLoad', OperatorEvseData: { OperatorID: value!.OperatorID, OperatorName: value!.OperatorName, EvseDataRecord: value!.records } };
    expect(oicpErrors('cpo', 'eRoamingPushEvseData', push)).toEqual([]);
    // Pulled records carry their operator; the EMP side of the OpenAPI demands it.
    for (const record of value!.records) {
      expect(oicpErrors('emp', 'PullEvseDataRecord', { ...record, OperatorID: value!.OperatorID, OperatorName: value!.OperatorName })).toEqual([]);
    }
  });

  it.each(FULL_LOCATIONS)('%s: OCPI -> OICP -> OCPI changes exactly what the findings list', (file) => {
    const location = withoutNulls(corpusJson('2.2.1', file));
    const there = ocpiLocationToOicp(location, { rules, at: WINTER });
    const back = oicpEvseDataToLocations(there.value!.records, { rules, now: WINTER, operatorName: there.value!.OperatorName });
    expect(back.value).toHaveLength(1);
    expect(back.findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(unexplained(differences(location, back.value[0]), there.findings)).toEqual([]);
  });

  it('maps the main example field by field', () => {
    const { value, findings } = ocpiLocationToOicp(corpusJson('2.2.1', 'location_example.json'), { rules, at: WINTER });
    const [first, second] = value!.records;
    expect(value!.OperatorID).toBe('BE*BEC');
    expect(value!.OperatorName).toBe('BeCharged');
    expect(first).toMatchObject({
      EvseID: 'BE*BEC*E041503001',
      ChargingPoolID: 'BE*BEC*PLOC1',
      ChargingStationNames: [{ lang: 'en', value: 'Gent Zuid' }],
      Address: { Country: 'BEL', City: 'Gent', Street: 'F.Rooseveltlaan', HouseNum: '3A', PostalCode: '9000', Floor: '-1', TimeZone: 'UTC+01:00' },
      GeoCoordinates: { DecimalDegree: { Latitude: '51.047599', Longitude: '3.729944' } },
      // The cable-attached Type 2 and the Type 2 socket are two different OICP plugs.
      Plugs: ['Type 2 Connector (Cable Attached)', 'Type 2 Outlet'],
      ChargingFacilities: [{ PowerType: 'AC_3_PHASE', Voltage: 380, Amperage: 16, Power: 10 }],
      AccessibilityLocation: 'OnStreet',
      Accessibility: 'Free publicly accessible',
      ValueAddedServices: ['Reservation'],
      HotlinePhoneNumber: '+4930123456789',
      IsOpen24Hours: true,
      DynamicInfoAvailable: 'true',
    });
    expect(second).toMatchObject({ EvseID: 'BE*BEC*E041503002', Plugs: ['Type 2 Outlet'], Address: { Floor: '-2' } });
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'loss', path: 'evses[0].connectors[0].max_electric_power', message: expect.stringContaining('10560 W sent as 10 kW') }),
        expect.objectContaining({ kind: 'loss', path: 'evses[0].physical_reference' }),
        expect.objectContaining({ kind: 'loss', path: 'time_zone', message: expect.stringContaining('daylight saving') }),
        expect.objectContaining({ kind: 'default', path: 'evses[0].capabilities' }),
      ]),
    );
  });

  it('sends the time zone offset in force at the mapping instant', () => {
    const location = corpusJson('2.2.1', 'location_example.json');
    expect(ocpiLocationToOicp(location, { rules, at: SUMMER }).value!.records[0]!.Address.TimeZone).toBe('UTC+02:00');
    expect(ocpiLocationToOicp(location, { rules, at: WINTER }).value!.records[0]!.Address.TimeZone).toBe('UTC+01:00');
  });

  it('folds opening hours into OICP day sets (parking garage example)', () => {
    const { value, findings } = ocpiLocationToOicp(corpusJson('2.2.1', 'location_example_parking_garage_opening_hours.json'), { rules, at: WINTER });
    expect(value!.records[0]).toMatchObject({ IsOpen24Hours: false, OpeningTimes: [{ Period: [{ begin: '07:00', end: '18:00' }], on: 'Everyday' }], AccessibilityLocation: 'ParkingGarage' });
    expect(value!.records[0]!.ChargingStationID).toBe('cbb0df21-d17d-40ba-a4aa-dc588c8f98cb');
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'charging_when_closed' }));
  });

  it('marks unpublished locations as restricted and says so', () => {
    const { value, findings } = ocpiLocationToOicp(corpusJson('2.2.1', 'location_example_uc3_destination_charger_not_published.json'), { rules, at: WINTER });
    expect(value!.records.every((r) => r.Accessibility === 'Restricted access')).toBe(true);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'publish' }));
  });

  it('without mapping rules refuses the EVSEs for want of OICP-mandatory values, naming each', () => {
    const { value, findings } = ocpiLocationToOicp(corpusJson('2.2.1', 'location_example.json'), { rules: NO_RULES, at: WINTER });
    expect(value!.records).toEqual([]);
    const invalid = findings.filter((f) => f.kind === 'invalid').map((f) => `${f.path}: ${f.message}`);
    expect(invalid).toEqual(
      expect.arrayContaining([expect.stringMatching(/^evses\[0\]: OICP needs a HotlinePhoneNumber/), expect.stringMatching(/^evses\[0\]\.capabilities: no capability says how drivers authenticate/)]),
    );
  });

  it('deletes REMOVED EVSEs and withholds PLANNED ones', () => {
    const location = corpusJson('2.2.1', 'location_example.json') as { evses: { status: string }[] };
    location.evses[0]!.status = 'REMOVED';
    location.evses[1]!.status = 'PLANNED';
    const { value, findings } = ocpiLocationToOicp(location, { rules, at: WINTER });
    expect(value).toMatchObject({ records: [], deleted: ['BE*BEC*E041503001'] });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'evses[1].status', message: expect.stringContaining('PLANNED') }));
  });

  it('refuses an EVSE whose EvseID belongs to another operator (Hubject answers 018)', () => {
    const location = corpusJson('2.2.1', 'location_example.json') as { evses: { evse_id: string }[] };
    location.evses[1]!.evse_id = 'DE*ABC*E1';
    const { value, findings } = ocpiLocationToOicp(location, { rules, at: WINTER });
    expect(value!.records.map((r) => r.EvseID)).toEqual(['BE*BEC*E041503001']);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'evses[1].evse_id', message: expect.stringContaining('018') }));
  });

  it('drops one broken connector, keeps its EVSE, and names the field', () => {
    const location = corpusJson('2.2.1', 'location_example.json') as { evses: { connectors: Record<string, unknown>[] }[] };
    delete location.evses[0]!.connectors[1]!.power_type;
    const { value, findings } = ocpiLocationToOicp(location, { rules, at: WINTER });
    expect(findings).toContainEqual({ kind: 'invalid', path: 'evses[0].connectors[1].power_type', message: 'is required' });
    expect(value!.records[0]!.Plugs).toEqual(['Type 2 Connector (Cable Attached)']);
  });

  it('refuses a location that is not an OCPI location, with the paths', () => {
    const { value, findings } = ocpiLocationToOicp({ id: 'X' }, { rules });
    expect(value).toBeUndefined();
    expect(findings.map((f) => f.path)).toEqual(expect.arrayContaining(['country_code', 'coordinates', 'time_zone', 'last_updated']));
  });
});

describe('OCPI location fragments and PATCH bodies of the corpus', () => {
  it.each(corpusFiles('2.2.1', 'location_hours'))('%s: hours map to OICP opening times', (file) => {
    const hours = corpusJson('2.2.1', file) as Hours;
    const { value, findings } = ocpiHoursToOicp(hours);
    for (const times of value.OpeningTimes ?? []) expect(oicpErrors('cpo', 'OpeningTimes', times)).toEqual([]);
    expect(findings.map((f) => f.path)).toEqual(expect.arrayContaining(Object.keys(hours).filter((k) => k.startsWith('exceptional')).map((k) => `opening_times.${k}`)));
  });

  it('location_regularhours_example.json: weekday-only hours', () => {
    const { opening_times } = corpusJson('2.2.1', 'location_regularhours_example.json') as { opening_times: Hours };
    const { value } = ocpiHoursToOicp(opening_times);
    expect(value.IsOpen24Hours).toBe(false);
    for (const times of value.OpeningTimes!) expect(oicpErrors('cpo', 'OpeningTimes', times)).toEqual([]);
  });

  it('location_energymix_example_complete.json: sources, impact and what OICP cannot name', () => {
    const { energy_mix } = corpusJson('2.2.1', 'location_energymix_example_complete.json') as { energy_mix: EnergyMix };
    const { value, findings } = ocpiEnergyMixToOicp(energy_mix, undefined);
    expect(value).toEqual({
      RenewableEnergy: false,
      EnergySource: [
        { Energy: 'NaturalGas', Percentage: 6 },
        { Energy: 'Coal', Percentage: 33 },
        { Energy: 'NuclearEnergy', Percentage: 22 },
      ],
      EnvironmentalImpact: { NuclearWaste: 0.0006, CO2Emission: 372 },
    });
    for (const source of value.EnergySource!) expect(oicpErrors('cpo', 'EnergySource', source)).toEqual([]);
    expect(findings.map((f) => f.path)).toEqual(
      expect.arrayContaining(['energy_mix.energy_sources[0]', 'energy_mix.energy_sources[3]', 'energy_mix.supplier_name', 'energy_mix.energy_product_name']),
    );
  });

  it.each([
    ['2.2.1', 'location_patch_example_status.json'],
    ['2.2.1', 'location_patch_example_remove_evse.json'],
    ['2.1.1', 'location_patch_status.json'],
    ['2.1.1', 'location_patch_remove_evse.json'],
  ] as const)('%s %s: the status PATCH has an OICP meaning', (version, file) => {
    const { status } = corpusJson(version, file) as { status: string };
    expect(ocpiToOicpStatus(status).outcome).not.toBe('unmapped');
  });

  it.each([
    ['2.2.1', 'location_put_example_add_evse.json', ['physical_reference', 'connectors[0].power_type', 'connectors[0].max_voltage', 'connectors[0].max_amperage', 'connectors[0].last_updated']],
    [
      '2.1.1',
      'location_put_add_evse.json',
      ['floor_level', 'physical_reference', 'last_updated', 'connectors[0].power_type', 'connectors[0].voltage', 'connectors[0].amperage', 'connectors[0].last_updated'],
    ],
  ] as const)('%s %s (known defective): invalid findings name each broken field', (version, file, paths) => {
    // Each PUT body is checked against the EVSE schema of its own version.
    const { findings } = check(version === '2.2.1' ? Evse : Evse211, corpusJson(version, file));
    for (const path of paths) expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path }));
  });
});

describe('OICP EvseDataRecords -> OCPI Locations', () => {
  const example = parse(readFileSync(join(OICP_SCHEMAS, 'openapi-cpo', 'schemas', 'eRoamingPushEvseData.yaml'), 'utf8')) as {
    example: { OperatorEvseData: { EvseDataRecord: Record<string, unknown>[] } };
  };
  const officialRecord = example.example.OperatorEvseData.EvseDataRecord[0]!;

  it('reads the official example record, every field', () => {
    const { value, findings } = oicpEvseDataToLocations([officialRecord], { rules, now: WINTER });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(value).toHaveLength(1);
    const location = value[0]!;
    expect(location).toMatchObject({
      country_code: 'DE',
      party_id: 'XYZ',
      id: '1234TEST*1',
      name: 'ABC Charging Station Test',
      address: 'EUREF CAMPUS 22',
      city: 'Berlin',
      postal_code: '10829',
      state: 'Berlin',
      country: 'DEU',
      coordinates: { latitude: '52.480495', longitude: '13.356465' },
      related_locations: [{ latitude: '52.480495', longitude: '13.356465' }],
      parking_type: 'PARKING_GARAGE',
      time_zone: 'Europe/Berlin',
      suboperator: { name: 'XYZ Technologies' },
      opening_times: { twentyfourseven: false },
      energy_mix: { is_green_energy: true, energy_sources: [{ source: 'SOLAR', percentage: 85 }, { source: 'WIND', percentage: 15 }], environ_impact: [{ category: 'CARBON_DIOXIDE', amount: 30.3 }] },
      last_updated: '2018-01-23T14:04:29.377Z',
    });
    expect(location.opening_times!.regular_hours).toHaveLength(7);
    expect(location.evses).toEqual([
      expect.objectContaining({
        uid: 'DE*XYZ*ETEST1',
        evse_id: 'DE*XYZ*ETEST1',
        status: 'UNKNOWN',
        capabilities: ['REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER'],
        floor_level: '6OG',
        connectors: [expect.objectContaining({ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 277, max_amperage: 32, max_electric_power: 22000 })],
        images: [{ url: 'http://www.testlink.com', category: 'CHARGER', type: 'jpeg' }],
      }),
    ]);
    expect(check(Evse, location.evses![0]).findings).toEqual([]);
  });

  it('OICP -> OCPI -> OICP changes exactly what the findings list', () => {
    const back = oicpEvseDataToLocations([officialRecord], { rules, now: WINTER });
    const again = ocpiLocationToOicp(back.value[0], { rules, at: WINTER });
    expect(again.findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(unexplained(differences([officialRecord], again.value!.records), back.findings)).toEqual([]);
  });

  it('groups records by pool, then station, then address, in a stable order', () => {
    const base = { ...officialRecord, deltaType: undefined, lastUpdate: undefined, ChargingStationID: undefined };
    const records = [
      { ...base, EvseID: 'DE*XYZ*E1', ChargingPoolID: 'DE*XYZ*PA' },
      { ...base, EvseID: 'DE*XYZ*E2', ChargingPoolID: undefined, ChargingStationID: 'S1' },
      { ...base, EvseID: 'DE*XYZ*E3', ChargingPoolID: 'DE*XYZ*PA' },
      { ...base, EvseID: 'DE*XYZ*E4', ChargingPoolID: undefined },
      { ...base, EvseID: 'DE*XYZ*E5', ChargingPoolID: undefined },
    ];
    const first = oicpEvseDataToLocations(records, { rules, now: WINTER }).value;
    expect(first.map((l) => [l.id, l.evses!.map((e) => e.evse_id)])).toEqual([
      ['A', ['DE*XYZ*E1', 'DE*XYZ*E3']],
      ['S1', ['DE*XYZ*E2']],
      [expect.stringMatching(/^L[0-9a-f]{16}$/), ['DE*XYZ*E4', 'DE*XYZ*E5']],
    ]);
    expect(oicpEvseDataToLocations(records, { rules, now: SUMMER }).value.map((l) => l.id)).toEqual(first.map((l) => l.id));
  });

  it('uses the operator zone from the rules when it has the offset', () => {
    const record = { ...officialRecord, EvseID: 'DE*ABC*E1', ChargingPoolID: 'DE*ABC*P1' };
    expect(oicpEvseDataToLocations([record], { rules, now: WINTER }).value[0]!.time_zone).toBe('Europe/Berlin');
  });

  it('gives a triple charger’s CHAdeMO the DC facility, not the AC one (facilities by current, not by position)', () => {
    const record = {
      ...officialRecord,
      EvseID: 'DE*XYZ*ETRIPLE',
      Plugs: ['CCS Combo 2 Plug (Cable Attached)', 'CHAdeMO', 'Type 2 Connector (Cable Attached)'],
      ChargingFacilities: [
        { PowerType: 'AC_3_PHASE', Voltage: 400, Amperage: 63, Power: 43 },
        { PowerType: 'DC', Voltage: 500, Power: 50 },
      ],
    };
    const { value, findings } = oicpEvseDataToLocations([record], { rules, now: WINTER });
    const connectors = value[0]!.evses![0]!.connectors.map(({ standard, power_type, max_voltage, max_amperage, max_electric_power }) => ({ standard, power_type, max_voltage, max_amperage, max_electric_power }));
    expect(connectors).toEqual([
      { standard: 'IEC_62196_T2_COMBO', power_type: 'DC', max_voltage: 500, max_amperage: 100, max_electric_power: undefined },
      { standard: 'CHADEMO', power_type: 'DC', max_voltage: 500, max_amperage: 100, max_electric_power: undefined },
      { standard: 'IEC_62196_T2', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 63, max_electric_power: 43000 },
    ]);
    // Two DC plugs share one DC facility: the record does not say so, the finding does.
    expect(findings.filter((f) => f.kind === 'default' && f.path.startsWith('[0].Plugs')).map((f) => f.path)).toEqual(['[0].Plugs[0]', '[0].Plugs[1]']);
  });

  it('does not carry a DC plug the record gives no DC facility for, and says so', () => {
    const record = { ...officialRecord, EvseID: 'DE*XYZ*EDC', Plugs: ['Type 2 Outlet', 'CCS Combo 2 Plug (Cable Attached)'], ChargingFacilities: [{ PowerType: 'AC_3_PHASE', Power: 22 }] };
    const { value, findings } = oicpEvseDataToLocations([record], { rules, now: WINTER });
    expect(value[0]!.evses![0]!.connectors.map((c) => [c.standard, c.power_type])).toEqual([['IEC_62196_T2', 'AC_3_PHASE']]);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: '[0].Plugs[1]', message: expect.stringContaining('no DC charging facility') }));
  });

  it('leaves out an EVSE with no OCPI plug as a loss naming the EVSE and its operator', () => {
    const avcon = { ...officialRecord, EvseID: 'DE*XYZ*EAVCON', ChargingPoolID: 'DE*XYZ*PAV', Plugs: ['AVCON Connector'] };
    const { value, findings } = oicpEvseDataToLocations([officialRecord, avcon], { rules, now: WINTER });
    expect(value.flatMap((l) => l.evses!.map((e) => e.evse_id))).toEqual(['DE*XYZ*ETEST1']);
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(findings).toContainEqual({ kind: 'loss', path: '[1]', message: expect.stringContaining('EVSE DE*XYZ*EAVCON'), subject: { operatorId: 'DE*XYZ', evseId: 'DE*XYZ*EAVCON' } });
  });

  it('carries a DIN operator’s EVSE with its ISO evse_id and Hubject’s spelling in the uid, found again by Hubject’s EvseID', () => {
    const record = { ...officialRecord, EvseID: '+49*810*000*438', OperatorID: '+49*810', ChargingPoolID: undefined, ChargingStationID: 'S-810' };
    const { value, findings } = oicpEvseDataToLocations([record], { rules: NO_RULES, now: WINTER });
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(value[0]).toMatchObject({ country_code: 'DE', party_id: '810', id: 'S-810' });
    expect(value[0]!.evses!.map((e) => [e.uid, e.evse_id])).toEqual([['+49*810*000*438', 'DE*810*E000*438']]);
    expect(cachedEvse(value[0], '+49*810*000*438')?.evse_id).toBe('DE*810*E000*438');
  });

  it('refuses a record that breaks the OICP schema and keeps the others', () => {
    const broken = { ...officialRecord, EvseID: 'DE*XYZ*E2', Plugs: ['Type 9'] };
    const { value, findings } = oicpEvseDataToLocations([officialRecord, broken], { rules, now: WINTER });
    expect(value[0]!.evses!.map((e) => e.evse_id)).toEqual(['DE*XYZ*ETEST1']);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: '[1].Plugs[0]' }));
  });
});
