import { connectorUp, location211To221, location221To211 as location221To211Unchecked, locationPatch221To211 as locationPatch221To211Unchecked, tariff211To221, tariff221To211 as tariff221To211Unchecked } from '../../src/mapping/ocpi-211/locations';
import { sessionPatch221To211 as sessionPatch221To211Unchecked, tokenPatch221To211 as tokenPatch221To211Unchecked } from '../../src/mapping/ocpi-211/transactions';
import { Location, Tariff } from '../../src/ocpi/wire/schemas';
import { check, withoutNulls } from '../../src/core/typebox';
import { corpusFiles, corpusJson } from '../support/corpus';
import { ocpi211Errors } from '../support/ocpi-schema';
import { differences, unexplained } from '../support/round-trip';
import { writesOcpi } from '../support/ocpi-outbound';

// Every 2.1.1 object and PATCH body written here is also checked against the spec's limits and the official 2.1.1 schemas.
const location221To211 = writesOcpi(location221To211Unchecked, '2.1.1', 'location');
const tariff221To211 = writesOcpi(tariff221To211Unchecked, '2.1.1', 'tariff');
const evsePatch221To211 = writesOcpi((changes: Record<string, unknown>) => locationPatch221To211Unchecked('evse', changes), '2.1.1', 'evse-patch');
const connectorPatch221To211 = writesOcpi((changes: Record<string, unknown>) => locationPatch221To211Unchecked('connector', changes), '2.1.1', 'connector-patch');
const locationPatch221To211 = writesOcpi((changes: Record<string, unknown>) => locationPatch221To211Unchecked('location', changes), '2.1.1', 'location-patch');
const sessionPatch221To211 = writesOcpi(sessionPatch221To211Unchecked, '2.1.1', 'session-patch');
const tokenPatch221To211 = writesOcpi(tokenPatch221To211Unchecked, '2.1.1', 'token-patch');

const BE_BEC = { countryCode: 'BE', partyId: 'BEC' };
const NL_TNM = { countryCode: 'NL', partyId: 'TNM' };

describe('OCPI 2.1.1 -> 2.2.1', () => {
  it('location_example.json: renames, party and time zone from the caller', () => {
    const { value, findings } = location211To221(corpusJson('2.1.1', 'location_example.json'), { party: BE_BEC, timeZoneOf: () => 'Europe/Brussels' });
    expect(check(Location, value).findings).toEqual([]);
    expect(value).toMatchObject({ country_code: 'BE', party_id: 'BEC', publish: true, parking_type: 'ON_STREET', time_zone: 'Europe/Brussels' });
    expect(value!.evses![0]!.connectors[0]).toMatchObject({ max_voltage: 220, max_amperage: 16, tariff_ids: ['11'] });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'time_zone' }));
  });

  it('a 2.1.1 location without time_zone and no configured zone gets the zone at its coordinates, said in a finding', () => {
    const { value, findings } = location211To221(corpusJson('2.1.1', 'location_example.json'), { party: BE_BEC });
    expect(value?.time_zone).toBe('Europe/Brussels');
    expect(findings).toContainEqual({ kind: 'default', path: 'time_zone', message: '2.1.1 location without time_zone; Europe/Brussels derived from its coordinates' });
  });

  it('location_example.json without a party: the hyphenated evse_ids name none, so it is refused', () => {
    const { value, findings } = location211To221(corpusJson('2.1.1', 'location_example.json'));
    expect(value).toBeUndefined();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'country_code' }));
  });

  it.each(corpusFiles('2.1.1', 'tariff').filter((f) => !f.includes('put')))('%s goes up to a valid 2.2.1 tariff and comes back unchanged', (file) => {
    const source = withoutNulls(corpusJson('2.1.1', file));
    const up = tariff211To221(source, { party: NL_TNM });
    expect(check(Tariff, up.value).findings).toEqual([]);
    const down = tariff221To211(up.value);
    expect(ocpi211Errors('tariffs', down.value)).toEqual([]);
    expect(unexplained(differences(source, down.value), [...up.findings, ...down.findings])).toEqual([]);
  });

  it('a connector tariff_id PATCH body (location_patch_tariff.json) reads as tariff_ids', () => {
    expect(connectorUp(corpusJson('2.1.1', 'location_patch_tariff.json') as object)).toEqual({ tariff_ids: ['15'] });
  });
});

describe('OCPI 2.2.1 -> 2.1.1', () => {
  it.each(corpusFiles('2.2.1', 'location_example').filter((f) => !f.includes('not_published') && !f.includes('uc4') && !f.includes('uc5')))(
    '%s comes down valid against the official 2.1.1 schema and goes up again unchanged but for the findings',
    (file) => {
      const source = withoutNulls(corpusJson('2.2.1', file)) as { country_code: string; party_id: string; time_zone: string };
      const down = location221To211(source);
      expect(ocpi211Errors('locations', down.value)).toEqual([]);
      const up = location211To221(down.value, { party: { countryCode: source.country_code, partyId: source.party_id } });
      expect(unexplained(differences(source, up.value), [...down.findings, ...up.findings])).toEqual([]);
    },
  );

  it.each(['location_example_uc3_destination_charger_not_published.json', 'location_example_uc5_home_charge_point.json'])('%s (publish=false) is not sent to 2.1.1 peers', (file) => {
    const { value, findings } = location221To211(corpusJson('2.2.1', file));
    expect(value).toBeUndefined();
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'publish' }));
  });

  it('transliterates non-ASCII text and reports it (Malmö)', () => {
    const { value, findings } = location221To211(corpusJson('2.2.1', 'location_example_parking_garage_opening_hours.json'));
    expect(value!.city).toBe('Malmo');
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'city' }));
  });

  it.each(corpusFiles('2.2.1', 'tariff').filter((f) => !f.includes('put')))('%s comes down valid against the official 2.1.1 schema', (file) => {
    const { value, findings } = tariff221To211(corpusJson('2.2.1', file));
    if (value === undefined) expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', path: 'elements' }));
    else expect(ocpi211Errors('tariffs', value)).toEqual([]);
  });

  it('drops reservation elements and reports min/max price and VAT', () => {
    const { value, findings } = tariff221To211(corpusJson('2.2.1', 'tariff_16_reservation_2_euro_fee_5_euro_per_hour.json'));
    expect(value!.elements.some((e) => JSON.stringify(e).includes('reservation'))).toBe(false);
    expect(findings.map((f) => f.path)).toEqual(expect.arrayContaining(['elements[0]', 'elements[1].price_components[0].vat']));
  });
});

describe('OCPI 2.2.1 PATCH bodies -> 2.1.1', () => {
  it('an EVSE status PATCH carries a DateTime without fraction (2.1.1 has none)', () => {
    expect(evsePatch221To211({ status: 'CHARGING', last_updated: '2026-11-30T09:02:35.337Z' })).toEqual({ value: { status: 'CHARGING', last_updated: '2026-11-30T09:02:35Z' }, findings: [] });
  });

  it('renames connector members and says what 2.1.1 cannot hold', () => {
    const { value, findings } = connectorPatch221To211({ max_voltage: 230, max_amperage: 32, max_electric_power: 22000, tariff_ids: ['A', 'B'], last_updated: '2026-11-30T09:02:35.5Z' });
    expect(value).toEqual({ voltage: 230, amperage: 32, tariff_id: 'A', last_updated: '2026-11-30T09:02:35Z' });
    expect(findings.map((f) => f.path)).toEqual(['max_electric_power', 'tariff_ids']);
  });

  it('lowers location members and transliterates text', () => {
    const { value, findings } = locationPatch221To211({ parking_type: 'ALONG_MOTORWAY', state: 'Skåne', name: 'Malmö Centralstation', last_updated: '2026-11-30T09:02:35.100Z' });
    expect(value).toEqual({ type: 'OTHER', name: 'Malmo Centralstation', last_updated: '2026-11-30T09:02:35Z' });
    expect(findings.map((f) => f.path)).toEqual(['state', 'name']);
  });

  it('renames session and token members', () => {
    expect(sessionPatch221To211({ end_date_time: '2026-11-30T10:00:00.001Z', total_cost: { excl_vat: 1.5, incl_vat: 1.8 }, status: 'COMPLETED', last_updated: '2026-11-30T10:00:00.002Z' }).value).toEqual({
      end_datetime: '2026-11-30T10:00:00Z',
      total_cost: 1.5,
      status: 'COMPLETED',
      last_updated: '2026-11-30T10:00:00Z',
    });
    expect(tokenPatch221To211({ valid: false, contract_id: 'DE-ICE-C12345678-X', last_updated: '2026-11-30T10:00:00.9Z' }).value).toEqual({ valid: false, auth_id: 'DE-ICE-C12345678-X', last_updated: '2026-11-30T10:00:00Z' });
  });
});
