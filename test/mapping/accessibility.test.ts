import { ocpiToOicpAccess, oicpToOcpiAccess } from '../../src/mapping/accessibility';
import { OCPI_PARKING_TYPES } from '../../src/ocpi/wire/vocabulary';
import { corpusFiles, corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';

const PATHS = { location: 'location', evse: 'location.evses[0]' };

describe('accessibility OCPI -> OICP', () => {
  it.each([
    ['ON_STREET', 'OnStreet'],
    ['PARKING_LOT', 'ParkingLot'],
    ['PARKING_GARAGE', 'ParkingGarage'],
    ['UNDERGROUND_GARAGE', 'UndergroundParkingGarage'],
  ])('parking type %s -> %s', (parking_type, location) => {
    const mapped = ocpiToOicpAccess({ parking_type, publish: true }, 'Free publicly accessible', PATHS);
    expect(mapped.value).toEqual({ AccessibilityLocation: location, Accessibility: 'Free publicly accessible' });
    expect(oicpErrors('cpo', 'EvseDataRecord#/properties/AccessibilityLocation', location)).toEqual([]);
  });

  it('checks locations against the official enumeration', () => {
    expect(oicpErrors('cpo', 'EvseDataRecord#/properties/AccessibilityLocation', 'Driveway')).toEqual(['/ must be equal to one of the allowed values']);
  });

  it.each(['ALONG_MOTORWAY', 'ON_DRIVEWAY'])('parking type %s has no OICP location and is reported', (parking_type) => {
    const { value, findings } = ocpiToOicpAccess({ parking_type }, 'Paying publicly accessible', PATHS);
    expect(value.AccessibilityLocation).toBeUndefined();
    expect(findings[0]).toEqual({ kind: 'loss', path: 'location.parking_type', message: expect.stringContaining('left out') });
  });

  it('refuses an unknown parking type or restriction', () => {
    const { findings } = ocpiToOicpAccess({ parking_type: 'GARAGE', parking_restrictions: ['EV_ONLY', 'NO_TRUCKS'] }, 'Free publicly accessible', PATHS);
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([
      { kind: 'invalid', path: 'location.parking_type', message: '"GARAGE" is not an OCPI parking type' },
      { kind: 'invalid', path: 'location.evses[0].parking_restrictions[1]', message: '"NO_TRUCKS" is not an OCPI parking restriction' },
    ]);
  });

  it('marks customer-only and unpublished sites as restricted, without needing a default', () => {
    expect(ocpiToOicpAccess({ parking_restrictions: ['CUSTOMERS'] }, undefined, PATHS)).toEqual({ value: { Accessibility: 'Restricted access' }, findings: [] });
    expect(ocpiToOicpAccess({ publish: false }, undefined, PATHS)).toEqual({ value: { Accessibility: 'Restricted access' }, findings: [] });
  });

  it('takes free or paying public access from the operator default and says so, or reports it missing', () => {
    expect(ocpiToOicpAccess({ publish: true }, 'Paying publicly accessible', PATHS)).toEqual({
      value: { Accessibility: 'Paying publicly accessible' },
      findings: [{ kind: 'default', path: 'location.parking_type', message: expect.stringContaining('operator default "Paying publicly accessible"') }],
    });
    expect(ocpiToOicpAccess({ publish: true }, undefined, PATHS).findings).toEqual([
      { kind: 'invalid', path: 'location', message: expect.stringContaining('no operator default is configured') },
    ]);
  });

  it('covers every OCPI parking type', () => {
    for (const parking_type of OCPI_PARKING_TYPES) {
      expect(ocpiToOicpAccess({ parking_type }, 'Free publicly accessible').findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    }
  });

  it.each(corpusFiles('2.2.1', 'location_example').map((f) => [f]))('official example %s gives access facts Hubject accepts', (file) => {
    const location = corpusJson('2.2.1', file) as { parking_type?: string; publish?: boolean; evses?: { parking_restrictions?: string[] }[] };
    for (const evse of location.evses ?? []) {
      const { value, findings } = ocpiToOicpAccess({ ...location, parking_restrictions: evse.parking_restrictions }, 'Free publicly accessible', PATHS);
      expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
      expect(oicpErrors('cpo', 'Accessibility', value.Accessibility)).toEqual([]);
      if (value.AccessibilityLocation) expect(OCPI_PARKING_TYPES).toContain(oicpToOcpiAccess(value).value.parking_type);
      const restricted = location.publish === false || Boolean(evse.parking_restrictions?.includes('CUSTOMERS'));
      expect(value.Accessibility).toBe(restricted ? 'Restricted access' : 'Free publicly accessible');
    }
  });
});

describe('accessibility OICP -> OCPI', () => {
  it.each([
    ['OnStreet', 'ON_STREET'],
    ['ParkingLot', 'PARKING_LOT'],
    ['ParkingGarage', 'PARKING_GARAGE'],
    ['UndergroundParkingGarage', 'UNDERGROUND_GARAGE'],
  ])('%s -> %s', (AccessibilityLocation, parking_type) => {
    expect(oicpToOcpiAccess({ AccessibilityLocation, Accessibility: 'Free publicly accessible' })).toEqual({ value: { parking_type }, findings: [] });
  });

  it.each(['Restricted access', 'Paying publicly accessible', 'Test Station'])('reports that OCPI cannot say "%s"', (Accessibility) => {
    expect(oicpToOcpiAccess({ Accessibility }, 'EvseDataRecord[3]').findings).toEqual([
      { kind: 'loss', path: 'EvseDataRecord[3].Accessibility', message: `OCPI has no field for "${Accessibility}"` },
    ]);
  });

  it('refuses values outside the OICP enumerations', () => {
    expect(oicpToOcpiAccess({ Accessibility: 'Public', AccessibilityLocation: 'Garage' }).findings.map((f) => [f.kind, f.path])).toEqual([
      ['invalid', 'AccessibilityLocation'],
      ['invalid', 'Accessibility'],
    ]);
  });
});
