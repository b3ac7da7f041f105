import { contractIdToEvcoId, emaidCheckDigit, identificationToCdrToken, identificationToOcpiToken as identificationToOcpiTokenUnchecked, rfidUid, tokenToIdentification } from '../../src/mapping/identification';
import { Token } from '../../src/ocpi/wire/transaction-schemas';
import { check } from '../../src/core/typebox';
import { corpusCases, corpusJson } from '../support/corpus';
import { oicpErrors } from '../support/oicp-schema';
import { token211To221 } from '../../src/mapping/ocpi-211/transactions';
import { writesOcpi } from '../support/ocpi-outbound';

// Every OCPI object these mappers write in this file is also checked against the spec's limits.
const identificationToOcpiToken = writesOcpi(identificationToOcpiTokenUnchecked, '2.2.1', 'token');

const NOW = new Date('2025-01-15T12:00:00Z');

describe('eMAID check digit (eMI3 "Check Digit Calculation for Contract-IDs")', () => {
  it.each([
    ['NN123ABCDEFGHI', 'T'],
    ['FRXYZ123456789', '2'],
    ['ITA1B2C3E4F5G6', '4'],
    ['ESZU8WOX834H1D', 'R'],
    ['PT73902837ABCZ', 'Z'],
    ['DE83DUIEN83QGZ', 'D'],
    ['DE83DUIEN83ZGQ', 'M'],
    ['DE8AA001234567', '0'],
  ])('%s -> %s', (emaid, digit) => expect(emaidCheckDigit(emaid)).toBe(digit));
});

describe('contract_id -> EvcoID', () => {
  it('keeps an ISO or DIN EvcoID with check digit as written', () => {
    expect(contractIdToEvcoId('DE-83D-CUIEN83QG-Z').value).toBe('DE-83D-CUIEN83QG-Z');
    expect(contractIdToEvcoId('DE*8EO*Aet5e4*3')).toEqual({ value: 'DE*8EO*Aet5e4*3', findings: [] });
  });

  it('appends the computed check digit to an ISO eMAID without one, reported', () => {
    const { value, findings } = contractIdToEvcoId('NL-TST-C12345678');
    expect(value).toBe(`NL-TST-C12345678-${emaidCheckDigit('NLTSTC12345678')}`);
    expect(findings).toEqual([expect.objectContaining({ kind: 'default', path: 'contract_id' })]);
    expect(oicpErrors('cpo', 'EvcoID', value)).toEqual([]);
  });

  it('refuses a DIN EvcoID without check digit and what is no eMAID at all', () => {
    expect(contractIdToEvcoId('DE*8EO*Aet5e4').findings[0]).toMatchObject({ kind: 'invalid', message: expect.stringContaining('DIN') as string });
    expect(contractIdToEvcoId('not-a-contract').findings[0]).toMatchObject({ kind: 'invalid', path: 'contract_id' });
  });
});

describe('RFID UID normalisation', () => {
  it.each([
    ['7568290fff765f', '7568290FFF765F'],
    ['75:68:29:0F', '7568290F'],
    ['12345678905880', '12345678905880'],
  ])('%s -> %s', (uid, hex) => expect(rfidUid(uid).value).toBe(hex));

  it.each(['012345678', 'bdf21bce-fc97-11e8-8eb2-f2801f1b9fd1', '123abc'])('%s is refused with a clear finding', (uid) => {
    const { value, findings } = rfidUid(uid);
    expect(value).toBeUndefined();
    expect(findings[0]?.message).toContain('8, 14 or 20 hexadecimal digits');
  });
});

/** Every token of the corpus, 2.1.1 ones brought up first. */
const TOKENS = corpusCases('token_')
  .filter(([, file]) => !file.includes('patch'))
  .map(([version, file]) => {
    const json = corpusJson(version, file);
    return [`${version}/${file}`, (version === '2.2.1' ? json : token211To221(json, { party: { countryCode: 'NL', partyId: 'TNM' } }).value) as Token] as const;
  });

describe('OCPI Token -> OICP Identification, every corpus token', () => {
  it.each(TOKENS)('%s is a valid OCPI 2.2.1 token', (_name, token) => expect(check(Token, token).findings).toEqual([]));

  it.each(TOKENS)('%s: as a record identification, validates against the OpenAPI', (_name, token) => {
    const { value, findings } = tokenToIdentification(token, 'record');
    expect(findings.filter((f) => f.kind === 'invalid')).toEqual([]);
    expect(oicpErrors('cpo', 'Identification', value)).toEqual([]);
    expect(Object.keys(value!)).toHaveLength(1);
  });

  it('an RFID card authorizes by RFIDMifareFamilyIdentification with its UID', () => {
    const token = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
    const { value, findings } = tokenToIdentification(token, 'authorization');
    expect(value).toEqual({ RFIDMifareFamilyIdentification: { UID: '12345678905880' } });
    expect(findings).toEqual([expect.objectContaining({ kind: 'loss', path: 'visual_number' })]);
  });

  it('an RFID card whose UID OICP cannot carry is refused for authorization', () => {
    const token = corpusJson('2.2.1', 'token_put_example.json') as Token;
    const { value, findings } = tokenToIdentification(token, 'authorization');
    expect(value).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ kind: 'invalid', path: 'uid' })]);
  });

  it('an app user is identified remotely by the contract id, with its check digit', () => {
    const token = corpusJson('2.2.1', 'token_example_1_app_user.json') as Token;
    expect(tokenToIdentification(token, 'authorization').value).toEqual({ RemoteIdentification: { EvcoID: `DE8ACC12E46L89${emaidCheckDigit('DE8ACC12E46L89')}` } });
  });
});

describe('OICP Identification -> OCPI token', () => {
  it.each([
    [{ RFIDMifareFamilyIdentification: { UID: '7568290FFF765F' } }, { uid: '7568290FFF765F', type: 'RFID', auth_method: 'AUTH_REQUEST' }],
    [{ RFIDIdentification: { UID: '7568290FFF765F', RFID: 'mifareCls', EvcoID: 'DE*8EO*Aet5e4*3', PrintedNumber: 'X1' } }, { uid: '7568290FFF765F', type: 'RFID', contract_id: 'DE*8EO*Aet5e4*3' }],
    [{ QRCodeIdentification: { EvcoID: 'DE*8EO*Aet5e4*3', PIN: '1234' } }, { uid: 'DE*8EO*Aet5e4*3', type: 'APP_USER' }],
    [{ PlugAndChargeIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, { type: 'OTHER' }],
    [{ RemoteIdentification: { EvcoID: 'DE*8EO*Aet5e4*3' } }, { type: 'APP_USER', auth_method: 'COMMAND' }],
  ] as const)('%j', (identification, expected) => {
    const { value } = identificationToCdrToken(identification, { countryCode: 'DE', partyId: 'ICE' });
    expect(value).toMatchObject({ country_code: 'DE', party_id: 'ICE', ...expected });
  });

  it('the PIN of a QR code is never passed on', () => {
    const { value, findings } = identificationToOcpiToken({ QRCodeIdentification: { EvcoID: 'DE*8EO*Aet5e4*3', PIN: '1234' } }, undefined, NOW);
    expect(JSON.stringify(value)).not.toContain('1234');
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'loss', message: 'the PIN is not passed on' }));
    expect(value).toMatchObject({ country_code: 'DE', party_id: '8EO', issuer: 'DE-8EO' });
    expect(check(Token, value).findings).toEqual([]);
  });

  it('the eMSP\'s own token for the card gives the contract and owner; another card\'s token is not used', () => {
    const card = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;
    const { value } = identificationToCdrToken({ RFIDMifareFamilyIdentification: { UID: card.uid } }, undefined, 'Identification', card);
    expect(value).toEqual({ country_code: 'DE', party_id: 'TNM', uid: '12345678905880', type: 'RFID', contract_id: 'DE8ACC12E46L89', auth_method: 'AUTH_REQUEST' });
    const other = identificationToCdrToken({ RFIDMifareFamilyIdentification: { UID: '7568290F' } }, { countryCode: 'DE', partyId: 'ICE' }, 'Identification', card);
    expect(other.value).toMatchObject({ party_id: 'ICE', uid: '7568290F', contract_id: '7568290F' });
  });

  it('an RFID UID without EvcoID and without a known eMSP has no owner', () => {
    expect(identificationToCdrToken({ RFIDMifareFamilyIdentification: { UID: '7568290F' } }, undefined).findings).toContainEqual(
      expect.objectContaining({ kind: 'invalid', message: expect.stringContaining('owner') as string }),
    );
  });
});
