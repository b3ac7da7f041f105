/**
 * The bulk writer's shortcuts (members compiled once per prefix and kept across documents, the
 * elements of enumeration and boolean values made once per value, a list's records flattened in
 * batches) must not change what is written: a push of many records is, record for record, the push
 * of each alone, in text and in findings, whatever was written before it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Finding } from '../../src/core/findings';
import { readSoapRequest, soapRequest } from '../../src/oicp/soap/envelope';
import { SOAP_RELEASES, type SoapRelease } from '../../src/oicp/wire/soap-services';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';

const official = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'PushEvseData', 'request-eRoamingPushEvseData.json'), 'utf8')) as PushEvseDataRequest;
const template = official.OperatorEvseData.EvseDataRecord[0]!;

/** Text with what needs escaping, what XML cannot carry (a control character, a lone surrogate) and what UTF-8 needs several bytes for. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '&', '<', '>', '"', "'", '\u0001', '\uD800', 'é', '€', '😀'), maxLength: 12 });
/** An enumeration's values, one older releases narrow away, and values outside it. */
const accessibility = fc.oneof(fc.constantFrom('Free publicly accessible', 'Restricted access', 'Paying publicly accessible', 'Test Station'), text);
const authentication = fc.oneof(fc.constantFrom('NFC RFID Classic', 'REMOTE', 'PnC', 'Direct Payment', 'Autocharge'), text);

const record = fc.record({
  EvseID: text,
  Accessibility: accessibility,
  AuthenticationModes: fc.array(authentication, { maxLength: 3 }),
  IsOpen24Hours: fc.boolean(),
  DynamicPowerLevel: fc.option(fc.boolean(), { nil: undefined }),
  MaxCapacity: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
  HotlinePhoneNumber: text,
  ChargingStationNames: fc.array(fc.record({ lang: fc.constantFrom('de', 'en', 'fr'), value: text }), { minLength: 1, maxLength: 3 }),
  AdditionalInfo: fc.array(fc.record({ lang: fc.constantFrom('de', 'en'), value: text }), { maxLength: 2 }),
  Address: fc.record({ City: text, Street: text }),
  Extra: fc.option(text, { nil: undefined }),
});

type Varied = typeof record extends fc.Arbitrary<infer T> ? T : never;

function evseRecord(varied: Varied): Record<string, unknown> {
  const { Address, Extra, ...rest } = varied;
  return { ...template, ...rest, Address: { ...template.Address, ...Address }, ...(Extra !== undefined && { Extra }) };
}

const push = (records: unknown[]) => ({ ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: records } });

const RECORD = /(?:\n *)?<EVSEData:EvseDataRecord[ >][\s\S]*?<\/EVSEData:EvseDataRecord>|(?:\n *)?<EVSEData:EvseDataRecord[^>]*\/>/g;
const recordsOf = (xml: string) => xml.match(RECORD) ?? [];
const RECORD_PATH = /^OperatorEvseData\.EvseDataRecord\[\d+\]/;
const inRecord = (findings: Finding[], index: number) => findings.map((f) => ({ ...f, path: f.path.replace(RECORD_PATH, `OperatorEvseData.EvseDataRecord[${index}]`) }));

describe('the bulk writer (PushEvseData of varied records)', () => {
  it.each(SOAP_RELEASES.flatMap((release) => [false, true].map((pretty) => [release, pretty] as [SoapRelease, boolean])))('in %s (pretty: %s), writes a push of many records as the pushes of each alone', (release, pretty) => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), (varied) => {
        const records = varied.map(evseRecord);
        const alone = records.map((r) => soapRequest('PushEvseData', push([r]), { release, pretty }));
        const together = soapRequest('PushEvseData', push(records), { release, pretty });
        const written = recordsOf(together.value);
        expect(written).toHaveLength(records.length);
        expect(written).toEqual(alone.map((a) => recordsOf(a.value)[0]));
        // Nothing outside the records differs either.
        expect(together.value.replace(RECORD, '')).toBe(alone[0]!.value.replace(RECORD, ''));
        expect(together.findings).toEqual(alone.flatMap((a, i) => inRecord(a.findings, i)));
      }),
      { numRuns: 60 },
    );
  });

  it('indents a document written after compact ones: every element on its own line', () => {
    soapRequest('PushEvseData', push([template]));
    const pretty = soapRequest('PushEvseData', push([template, template]), { pretty: true }).value;
    expect(pretty).toContain('\n            <EVSEData:Plug>Type 2 Outlet</EVSEData:Plug>');
    expect(pretty).not.toMatch(/<\/[^>]+><[^/]/);
  });

  it('writes what reads back: the records of a push are read as the pushes of each alone are', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), (varied) => {
        const records = varied.map(evseRecord);
        const read = readSoapRequest('evsedata', soapRequest('PushEvseData', push(records)).value).value as PushEvseDataRequest;
        const alone = records.map((r) => (readSoapRequest('evsedata', soapRequest('PushEvseData', push([r])).value).value as PushEvseDataRequest).OperatorEvseData.EvseDataRecord[0]);
        expect(read.OperatorEvseData.EvseDataRecord).toEqual(alone);
      }),
      { numRuns: 40 },
    );
  });

  it('says a loss for every record that has one, also when the same value was written before', () => {
    // An enumeration's element is made once per value: one outside it (here with a control character) never is.
    const bad = { ...template, EvseID: 'DE*XYZ*E\u0001', AuthenticationModes: ['REMOTE', 'REMOTE\u0001'] };
    for (let round = 0; round < 2; round++) {
      const { value, findings } = soapRequest('PushEvseData', push([bad, bad, bad]));
      expect(findings.map((f) => f.path)).toEqual([0, 1, 2].flatMap((i) => [`OperatorEvseData.EvseDataRecord[${i}].EvseID`, `OperatorEvseData.EvseDataRecord[${i}].AuthenticationModes[1]`]));
      expect(value.split('<EVSEData:AuthenticationMode>REMOTE\uFFFD</EVSEData:AuthenticationMode>')).toHaveLength(4);
    }
  });
});
