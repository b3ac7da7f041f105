import {
  isEvseId,
  operatorIdToParty,
  operatorOfEvseId,
  partyToOperatorId,
  partyToProviderId,
  providerIdToParty,
  sameOperator,
} from '../../src/mapping/identifiers';

describe('OICP identifiers', () => {
  it.each([
    ['DE*AB7*E840*6487', true, 'DE*AB7'],
    ['DEAB7E8406487', true, 'DEAB7'],
    ['+49*810*000*438', true, '+49*810'],
    ['49*810*000*438', true, '49*810'],
    ['BE*BEC*E041503001', true, 'BE*BEC'],
    ['BE-BEC-E041503001', false, undefined],
    ['DE*AB7*840*6487', false, undefined],
    ['+49*81*000*438', false, undefined],
    ['', false, undefined],
  ])('EvseID %s valid=%s, operator %s', (evseId, valid, operator) => {
    expect(isEvseId(evseId)).toBe(valid);
    expect(operatorOfEvseId(evseId)).toBe(operator);
  });

  it('compares operators whatever their separators and case, as Hubject does for 018', () => {
    expect(sameOperator('DE*AB7', 'deab7')).toBe(true);
    expect(sameOperator('+49*810', '49*810')).toBe(true);
    expect(sameOperator('DE*AB7', 'DE*AB8')).toBe(false);
  });

  it.each([
    ['DE*ABC', { countryCode: 'DE', partyId: 'ABC' }],
    ['DEABC', { countryCode: 'DE', partyId: 'ABC' }],
    ['de*a1c', { countryCode: 'DE', partyId: 'A1C' }],
  ])('OperatorID %s names OCPI party %j', (operatorId, party) => {
    expect(operatorIdToParty(operatorId)).toEqual({ value: party, findings: [] });
  });

  it('reports a DIN or malformed OperatorID instead of guessing a party', () => {
    expect(operatorIdToParty('+49*810', 'oicp.operatorId')).toEqual({
      value: undefined,
      findings: [{ kind: 'invalid', path: 'oicp.operatorId', message: expect.stringContaining('DIN OperatorID +49*810 has no OCPI country_code/party_id') }],
    });
    expect(operatorIdToParty('DE**ABC').findings[0]?.message).toBe('"DE**ABC" is not an OICP OperatorID');
  });

  it.each([
    ['DE-ICE', { countryCode: 'DE', partyId: 'ICE' }],
    ['DE*ICE', { countryCode: 'DE', partyId: 'ICE' }],
    ['deice', { countryCode: 'DE', partyId: 'ICE' }],
  ])('ProviderID %s names OCPI party %j', (providerId, party) => {
    expect(providerIdToParty(providerId)).toEqual({ value: party, findings: [] });
  });

  it('refuses a malformed ProviderID', () => {
    expect(providerIdToParty('DE|ICE').findings).toEqual([{ kind: 'invalid', path: 'ProviderID', message: '"DE|ICE" is not an OICP ProviderID' }]);
  });

  it('writes the ISO spellings Hubject documents', () => {
    expect(partyToOperatorId({ countryCode: 'nl', partyId: 'tnm' })).toBe('NL*TNM');
    expect(partyToProviderId({ countryCode: 'NL', partyId: 'TNM' })).toBe('NL-TNM');
  });
});
