import fc from 'fast-check';
import {
  hubjectEvseIdOf,
  isEvseId,
  isoEvseIdOf,
  isoOperatorIdOf,
  oicpEvseIdToOcpi,
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
    ['+49*810', { countryCode: 'DE', partyId: '810' }],
    ['33*123', { countryCode: 'FR', partyId: '123' }],
    ['+420*555', { countryCode: 'CZ', partyId: '555' }],
  ])('OperatorID %s names OCPI party %j', (operatorId, party) => {
    expect(operatorIdToParty(operatorId)).toEqual({ value: party, findings: [] });
  });

  it('reports a DIN OperatorID of a shared calling code, or a malformed one, instead of guessing a party', () => {
    expect(operatorIdToParty('+1*810', 'oicp.operatorId')).toEqual({
      value: undefined,
      findings: [{ kind: 'invalid', path: 'oicp.operatorId', message: expect.stringContaining('DIN OperatorID +1*810 names no single country') }],
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

describe('DIN ids in their eMI3/ISO form', () => {
  it.each([
    ['+49*810*000*438', 'DE*810*E000*438'],
    ['49*810*000*438', 'DE*810*E000*438'],
    ['+31*745*123456', 'NL*745*E123456'],
    ['+43*001*1*2*3', 'AT*001*E1*2*3'],
    ['DE*AB7*E840*6487', 'DE*AB7*E840*6487'],
    ['+1*810*000*438', undefined],
    ['+7*810*000*438', undefined],
    [`+49*810*${'1'.repeat(31)}`, undefined],
  ])('%s -> %s', (din, iso) => {
    expect(isoEvseIdOf(din)).toBe(iso);
  });

  it('writes the ISO operator of a DIN OperatorID', () => {
    expect(isoOperatorIdOf('+49*810')).toBe('DE*810');
    expect(isoOperatorIdOf('DE*ABC')).toBe('DE*ABC');
    expect(isoOperatorIdOf('+1*810')).toBeUndefined();
  });

  it('keeps Hubject’s form, saying why, where no ISO form exists', () => {
    expect(oicpEvseIdToOcpi('+1*810*000*438')).toEqual({ value: '+1*810*000*438', findings: [{ kind: 'loss', path: 'EvseID', message: expect.stringContaining('no unambiguous ISO form') }] });
    expect(oicpEvseIdToOcpi('+49*810*000*438')).toEqual({ value: 'DE*810*E000*438', findings: [] });
  });

  it('finds Hubject’s spelling of an EVSE written in ISO form in its uid, and nowhere else', () => {
    expect(hubjectEvseIdOf({ uid: '+49*810*000*438', evse_id: 'DE*810*E000*438' })).toBe('+49*810*000*438');
    expect(hubjectEvseIdOf({ uid: 'whatever', evse_id: 'DE*810*E000*438' })).toBe('DE*810*E000*438');
    // A uid that is some other DIN EvseID is not Hubject's spelling of this EVSE.
    expect(hubjectEvseIdOf({ uid: '+49*810*000*439', evse_id: 'DE*810*E000*438' })).toBe('DE*810*E000*438');
    expect(hubjectEvseIdOf({ uid: '1' })).toBeUndefined();
  });

  it('every convertible DIN EvseID becomes a valid ISO EvseID of the converted operator, and Hubject’s form is recovered', () => {
    const din = fc
      .tuple(fc.constantFrom('+49', '49', '+33', '+31', '+43', '+420', '+358'), fc.stringMatching(/^[0-9]{3}$/), fc.stringMatching(/^[0-9][0-9*]{0,29}$/))
      .map(([code, operator, rest]) => `${code}*${operator}*${rest}`);
    fc.assert(
      fc.property(din, (evseId) => {
        const iso = isoEvseIdOf(evseId)!;
        expect(isEvseId(iso)).toBe(true);
        expect(operatorOfEvseId(iso)).toBe(isoOperatorIdOf(operatorOfEvseId(evseId)!));
        expect(hubjectEvseIdOf({ uid: evseId, evse_id: iso })).toBe(evseId);
      }),
    );
  });
});
