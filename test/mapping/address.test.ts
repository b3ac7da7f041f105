import { ocpiToOicpAddress, oicpToOcpiAddress } from '../../src/mapping/address';
import { oicpErrors } from '../support/oicp-schema';

const base = { city: 'Gent', postal_code: '9000', country: 'BEL' };

describe('address line -> OICP Street + HouseNum', () => {
  it.each([
    ['F.Rooseveltlaan 3A', 'F.Rooseveltlaan', '3A', undefined],
    ['Claesgatan 6', 'Claesgatan', '6', undefined],
    ['Hauptstraße 12-14', 'Hauptstraße', '12-14', undefined],
    ['221B Baker Street', 'Baker Street', '221B', 'loss'],
    ['Marktplatz', 'Marktplatz', '', 'default'],
  ])('%s -> %s / %s', (address, street, houseNum, finding) => {
    const { value, findings } = ocpiToOicpAddress({ ...base, address });
    expect(value).toMatchObject({ Street: street, HouseNum: houseNum });
    expect(findings.map((f) => f.kind)).toEqual(finding ? [finding] : []);
    expect(oicpErrors('cpo', 'AddressIso19773', value)).toEqual([]);
  });

  it('reports a missing postal code and carries the state as Region', () => {
    const { value, findings } = ocpiToOicpAddress({ address: 'Main St 1', city: 'X', country: 'USA', state: 'CA' });
    expect(value).toMatchObject({ PostalCode: '', Region: 'CA' });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'default', path: 'postal_code' }));
  });

  it('writes "Street HouseNum" on the way back and reports what OCPI has no field for', () => {
    const { value, findings } = oicpToOcpiAddress({ Country: 'DEU', City: 'Berlin', Street: 'EUREF CAMPUS', HouseNum: '22', PostalCode: '10829', ParkingSpot: 'E36' });
    expect(value).toEqual({ address: 'EUREF CAMPUS 22', city: 'Berlin', postal_code: '10829', country: 'DEU' });
    expect(findings.map((f) => f.path)).toEqual(['Address.ParkingSpot']);
  });
});
