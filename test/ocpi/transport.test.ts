/**
 * OCPI transport rules and the configuration modules' objects: the official examples of both
 * versions read with our schemas; tokens in every header form peers use; version negotiation;
 * credentials written and read in each version's shape.
 */
import { Type } from '@sinclair/typebox';
import { Credentials, Credentials211, Version, VersionDetails, readCredentials, writeCredentials } from '../../src/ocpi/wire/credentials';
import { negotiateVersion } from '../../src/ocpi/registration';
import { Envelope, authorizationHeader, envelope, knownVersion, presentedTokens } from '../../src/ocpi/wire/transport';
import { check } from '../../src/core/typebox';
import { corpusJson } from '../support/corpus';
import { ocpi211Errors } from '../support/ocpi-schema';

const findings = (schema: Parameters<typeof check>[0], data: unknown) => check(schema, data).findings;

describe('official examples', () => {
  it.each(['credentials_example.json', 'credentials_example2.json', 'credentials_example3.json', 'credentials_example4.json'])('2.2.1 %s is a Credentials object', (file) => {
    expect(findings(Credentials, corpusJson('2.2.1', file))).toEqual([]);
  });

  it('2.1.1 credentials_example.json is a 2.1.1 Credentials object', () => {
    expect(findings(Credentials211, corpusJson('2.1.1', 'credentials_example.json'))).toEqual([]);
  });

  it.each([
    ['2.2.1', 'versions_info_example.json'],
    ['2.1.1', 'versions_example.json'],
  ] as const)('%s %s is a version list', (version, file) => {
    expect(findings(Type.Array(Version), corpusJson(version, file))).toEqual([]);
  });

  it.each([
    ['2.2.1', 'version_details_example.json'],
    ['2.2.1', 'version_details_example2.json'],
    ['2.1.1', 'version_details_example.json'],
  ] as const)('%s %s is a version details object', (version, file) => {
    expect(findings(VersionDetails, corpusJson(version, file))).toEqual([]);
  });

  it.each([
    ['2.2.1', 'transport_and_format_version_details_example.json'],
    ['2.2.1', 'transport_and_format_version_info_example.json'],
    ['2.1.1', 'response_version_info.json'],
    ['2.1.1', 'response_version_details.json'],
  ] as const)('%s %s is a response envelope', (version, file) => {
    expect(findings(Envelope, corpusJson(version, file))).toEqual([]);
  });

  it('an envelope without a timestamp or with a text status code is not one', () => {
    expect(findings(Envelope, { data: [], status_code: 1000 })).not.toEqual([]);
    expect(findings(Envelope, { status_code: '1000', timestamp: '2026-01-01T00:00:00Z' })).not.toEqual([]);
  });
});

describe('Authorization: Token', () => {
  it('reads the token as written and Base64-decoded, trimming the newline of the spec’s examples', () => {
    expect(presentedTokens('Token example-token')).toEqual(['example-token']);
    expect(presentedTokens('Token ZXhhbXBsZS10b2tlbg==')).toEqual(['ZXhhbXBsZS10b2tlbg==', 'example-token']);
    // 2.2.1's own example header: "example-token\n" encoded.
    expect(presentedTokens('Token ZXhhbXBsZS10b2tlbgo=')).toContain('example-token');
    expect(presentedTokens(undefined)).toEqual([]);
    expect(presentedTokens('Bearer example-token')).toEqual([]);
    expect(presentedTokens('Token two words')).toEqual([]);
  });

  it('writes the token plain for 2.1.1 and Base64 for 2.2.1', () => {
    expect(authorizationHeader('example-token', 'plain')).toBe('Token example-token');
    expect(authorizationHeader('example-token', 'base64')).toBe('Token ZXhhbXBsZS10b2tlbg==');
  });
});

describe('versions', () => {
  it('tolerates 2.1 for 2.1.1 and ignores versions we do not speak', () => {
    expect([knownVersion('2.1'), knownVersion('2.1.1'), knownVersion('2.2.1'), knownVersion('2.2'), knownVersion('2.0')]).toEqual(['2.1.1', '2.1.1', '2.2.1', undefined, undefined]);
  });

  it('negotiates the highest common version', () => {
    const theirs = [
      { version: '2.1', url: 'https://peer/2.1' },
      { version: '2.2.1', url: 'https://peer/2.2.1' },
      { version: '3.0', url: 'https://peer/3.0' },
    ];
    expect(negotiateVersion(theirs, ['2.1.1', '2.2.1'])).toEqual({ version: '2.2.1', url: 'https://peer/2.2.1' });
    expect(negotiateVersion(theirs, ['2.1.1'])).toEqual({ version: '2.1.1', url: 'https://peer/2.1' });
    expect(negotiateVersion([{ version: '2.0', url: 'https://peer/2.0' }], ['2.1.1', '2.2.1'])).toBeUndefined();
  });
});

describe('credentials in each version’s shape', () => {
  const own = { token: 'tok', url: 'https://bridge.example/ocpi/versions', roles: [{ role: 'EMSP', countryCode: 'DE', partyId: 'BRG', businessDetails: { name: 'Bridge', website: 'https://bridge.example' } }] };

  it('2.2.1: roles; 2.1.1: the first role’s party, which the official 2.1.1 schema accepts', () => {
    expect(writeCredentials('2.2.1', own)).toEqual({ token: 'tok', url: own.url, roles: [{ role: 'EMSP', party_id: 'BRG', country_code: 'DE', business_details: { name: 'Bridge', website: 'https://bridge.example' } }] });
    const old = writeCredentials('2.1.1', own);
    expect(old).toEqual({ token: 'tok', url: own.url, party_id: 'BRG', country_code: 'DE', business_details: { name: 'Bridge', website: 'https://bridge.example' } });
    expect(ocpi211Errors('credentials', old)).toEqual([]);
  });

  it('reads a 2.1.1 peer as the counterpart of our role, and 2.2.1 roles as they are (ids upper-cased: they are CiStrings)', () => {
    const example211 = check(Credentials211, corpusJson('2.1.1', 'credentials_example.json')).value;
    expect(readCredentials('2.1.1', example211, 'EMSP').roles).toEqual([{ role: 'CPO', countryCode: 'NL', partyId: 'EXA', businessDetails: { name: 'Example Operator', website: 'http://example.com' } }]);
    const example = check(Credentials, corpusJson('2.2.1', 'credentials_example2.json')).value;
    expect(readCredentials('2.2.1', { ...example, roles: example.roles.map((r) => ({ ...r, party_id: r.party_id.toLowerCase() })) }, 'EMSP').roles.map((r) => `${r.role} ${r.countryCode}*${r.partyId}`)).toEqual(['CPO NL*EXA', 'EMSP NL*EXA']);
  });

  it('an envelope carries data only when there is some', () => {
    const at = new Date('2026-11-24T10:00:00.123Z');
    expect(envelope(undefined, at)).toEqual({ status_code: 1000, timestamp: '2026-11-24T10:00:00Z' });
    expect(envelope([], at, 2001, 'bad')).toEqual({ data: [], status_code: 2001, status_message: 'bad', timestamp: '2026-11-24T10:00:00Z' });
  });
});
