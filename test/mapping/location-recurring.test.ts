/**
 * The location mapper keeps what recurs from one location to the next (time zone answers, finding
 * paths and messages) and checks input in two passes (stop at the first problem, then
 * all problems of what does not conform). These pin what that must not change: each call answers for
 * its own instant and rules, records keep their member order, and broken input lists every problem.
 */
import { ocpiLocationToOicp } from '../../src/mapping/location/to-oicp';
import { NO_RULES, type MappingRules } from '../../src/mapping/rules';
import { generateLocations } from '../support/doubles/ocpi-data';

const OPERATOR = 'DE*ABC';
const rulesWith = (accessibility: 'Free publicly accessible' | 'Paying publicly accessible', calibration?: 'Local'): MappingRules => ({
  ...NO_RULES,
  operators: { [OPERATOR]: { hotlinePhoneNumber: '+493012345678', authenticationModes: ['REMOTE'], paymentOptions: ['Contract'], accessibility, ...(calibration && { calibrationLawDataAvailability: calibration }) } },
});
const RULES = rulesWith('Free publicly accessible');
const WINTER = new Date('2026-01-15T12:00:00Z');
const SUMMER = new Date('2026-07-15T12:00:00Z');

const [location] = generateLocations({ operator: OPERATOR, count: 1, evsesPerLocation: 2, lastUpdated: WINTER.toISOString(), seed: 5 });
const berlin = { ...location!, time_zone: 'Europe/Berlin' };
const zoneFinding = (at: Date) => ocpiLocationToOicp(berlin, { rules: RULES, at }).findings.find((f) => f.path === 'time_zone')?.message;

describe('location mapper: what recurs is answered per call', () => {
  it('gives each instant its own offset, also when the same zone was just mapped at another', () => {
    for (let round = 0; round < 2; round++) {
      expect(ocpiLocationToOicp(berlin, { rules: RULES, at: WINTER }).value!.records[0]!.Address.TimeZone).toBe('UTC+01:00');
      expect(zoneFinding(WINTER)).toBe('OICP holds a fixed offset: Europe/Berlin is sent as UTC+01:00 (in force at 2026-01-15T12:00:00.000Z); daylight saving time is not carried');
      expect(ocpiLocationToOicp(berlin, { rules: RULES, at: SUMMER }).value!.records[0]!.Address.TimeZone).toBe('UTC+02:00');
      expect(zoneFinding(SUMMER)).toBe('OICP holds a fixed offset: Europe/Berlin is sent as UTC+02:00 (in force at 2026-07-15T12:00:00.000Z); daylight saving time is not carried');
    }
    expect(ocpiLocationToOicp({ ...berlin, time_zone: 'Asia/Tokyo' }, { rules: RULES, at: WINTER }).findings.find((f) => f.path === 'time_zone')?.message).toBe(
      'OICP holds a fixed offset: Asia/Tokyo is sent as UTC+09:00; the zone name is not carried',
    );
  });

  it('words the findings after the rules of the call', () => {
    const messages = (rules: MappingRules) => ocpiLocationToOicp(berlin, { rules, at: WINTER }).findings.filter((f) => f.kind === 'default').map((f) => f.message);
    expect(messages(RULES)).toContain('OCPI does not say whether parking is free or paid; the operator default "Free publicly accessible" applies');
    expect(messages(RULES)).toContain('OCPI does not say where calibration law (Eichrecht) data is; CalibrationLawDataAvailability "Not Available" assumed');
    const paying = messages(rulesWith('Paying publicly accessible', 'Local'));
    expect(paying).toContain('OCPI does not say whether parking is free or paid; the operator default "Paying publicly accessible" applies');
    expect(paying).toContain('OCPI does not say where calibration law (Eichrecht) data is; CalibrationLawDataAvailability "Local" from the operator defaults');
    expect(ocpiLocationToOicp(berlin, { rules: rulesWith('Paying publicly accessible', 'Local'), at: WINTER }).value!.records[0]!.CalibrationLawDataAvailability).toBe('Local');
  });

  it('keeps the records’ member order: EvseID, the location’s members, then the EVSE’s', () => {
    const full = {
      ...berlin,
      name: 'Rathaus',
      directions: [{ language: 'de', text: 'Hinter dem Rathaus' }],
      suboperator: { name: 'Sub' },
      related_locations: [{ latitude: '52.520000', longitude: '13.405000' }],
      opening_times: { twentyfourseven: false, regular_hours: [{ weekday: 1, period_begin: '08:00', period_end: '18:00' }] },
      images: [{ url: 'https://example.com/a.png', category: 'LOCATION', type: 'png' }],
      evses: berlin.evses.map((evse) => ({ ...evse, floor_level: '2', coordinates: { latitude: '52.520001', longitude: '13.405001' }, directions: [{ language: 'en', text: 'left' }] })),
    };
    const record = ocpiLocationToOicp(full, { rules: RULES, at: WINTER }).value!.records[0]!;
    expect(Object.keys(record)).toEqual([
      'EvseID',
      'ChargingStationNames',
      'Address',
      'GeoCoordinates',
      'RenewableEnergy',
      'EnergySource',
      'IsOpen24Hours',
      'IsHubjectCompatible',
      'DynamicInfoAvailable',
      'OpeningTimes',
      'ChargingPoolID',
      'SubOperatorName',
      'ChargingStationLocationReference',
      'GeoChargingPointEntrance',
      'Plugs',
      'ChargingFacilities',
      'CalibrationLawDataAvailability',
      'AuthenticationModes',
      'PaymentOptions',
      'ValueAddedServices',
      'Accessibility',
      'HotlinePhoneNumber',
      'AccessibilityLocation',
      'AdditionalInfo',
      'ChargingStationImage',
    ]);
    expect(record.Address.Floor).toBe('2');
    expect(record.GeoCoordinates).toEqual({ DecimalDegree: { Latitude: '52.520001', Longitude: '13.405001' } });
  });

  it('gives each record the floor of its own EVSE, and none to an EVSE without one', () => {
    const evse = { ...berlin.evses[0]!, floor_level: undefined };
    const floors = ['1', undefined, '2', '1'];
    const onFloors = { ...berlin, evses: floors.map((floor, i) => ({ ...evse, uid: `F${i}`, evse_id: `DE*ABC*EF${i}`, ...(floor !== undefined && { floor_level: floor }) })) };
    const records = ocpiLocationToOicp(onFloors, { rules: RULES, at: WINTER }).value!.records;
    expect(records.map((r) => r.Address.Floor)).toEqual(floors);
    expect(records[0]!.Address).toEqual({ ...records[1]!.Address, Floor: '1' });
  });

  it('lists every problem of a location that does not conform, not only the first', () => {
    const broken = { ...berlin, party_id: 'TOO LONG', evses: [{ ...berlin.evses[0]!, status: 'BROKEN' }, berlin.evses[1]!] };
    const invalid = ocpiLocationToOicp(broken, { rules: RULES, at: WINTER }).findings.filter((f) => f.kind === 'invalid');
    expect(invalid.map((f) => f.path)).toEqual(['party_id', 'evses[0].status']);
  });
});
