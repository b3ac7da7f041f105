/**
 * The bulk writer's shortcuts (members compiled once per prefix and kept across documents, the
 * elements of enumeration and boolean values made once per value, a list's records moved off the heap
 * in batches) must not change what is written: it writes what a plain walk of the plans writes
 * (`soap-reference-writer.ts`), and a push of many records is, record for record, the push of each
 * alone, in text and in findings, whatever was written before it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Finding } from '../../src/core/findings';
import { readSoapRequest, requestVariant, soapRequest } from '../../src/oicp/soap/envelope';
import { planOf } from '../../src/oicp/soap/plan';
import { XmlWriter } from '../../src/oicp/soap/writer';
import { OPERATIONS, OPERATION_NAMES, type OicpOperation, type OperationName } from '../../src/oicp/wire/operations';
import { SOAP_RELEASES, SOAP_SERVICES, type SoapRelease } from '../../src/oicp/wire/soap-services';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';
import { referenceXml } from './soap-reference-writer';

const official = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'PushEvseData', 'request-eRoamingPushEvseData.json'), 'utf8')) as PushEvseDataRequest;
const template = official.OperatorEvseData.EvseDataRecord[0]!;

/** Text with what needs escaping, what XML cannot carry (a control character, a lone surrogate) and what UTF-8 needs several bytes for. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '&', '<', '>', '"', "'", '\u0001', '\uD800', 'é', '€', '😀'), maxLength: 12 });
/** An enumeration's values, one older releases narrow away, and values outside it. */
const accessibility = fc.oneof(fc.constantFrom('Free publicly accessible', 'Restricted access', 'Paying publicly accessible', 'Test Station'), text);
const authentication = fc.oneof(fc.constantFrom('NFC RFID Classic', 'REMOTE', 'PnC', 'Direct Payment', 'Autocharge'), text);

const coordinates = fc.record({ Google: fc.record({ Coordinates: text }), DecimalDegree: fc.record({ Latitude: text, Longitude: text }) }, { requiredKeys: [] });
const mode = fc.constantFrom('Mode_1', 'Mode_2', 'Mode_3', 'Mode_4', 'CHAdeMO');
/** Facilities of the 2.1 words and others, with modes per facility (2.0–2.2 give them per record). */
const facility = fc.record(
  { PowerType: fc.constantFrom('AC_1_PHASE', 'AC_3_PHASE', 'DC'), Voltage: fc.constantFrom(230, 400, 480), Amperage: fc.constantFrom(16, 32, 63), Power: fc.constantFrom(3.7, 11, 22, 50, 150), ChargingModes: fc.array(mode, { maxLength: 3 }) },
  { requiredKeys: ['PowerType', 'Power'] },
);

/** Members of few values (enumerations, booleans) written as elements made once per value, and wrapped lists of them, empty ones included. */
const fewValued = {
  PaymentOptions: fc.array(fc.constantFrom('No Payment', 'Direct', 'Contract'), { maxLength: 3 }),
  ValueAddedServices: fc.array(fc.oneof(fc.constantFrom('Reservation', 'DynamicPricing', 'None'), text), { maxLength: 3 }),
  AccessibilityLocation: fc.option(fc.oneof(fc.constantFrom('OnStreet', 'ParkingGarage'), text), { nil: undefined }),
  IsHubjectCompatible: fc.option(fc.boolean(), { nil: undefined }),
  RenewableEnergy: fc.option(fc.boolean(), { nil: undefined }),
};

const record = fc.record({
  EvseID: text,
  Accessibility: accessibility,
  AuthenticationModes: fc.array(authentication, { maxLength: 3 }),
  IsOpen24Hours: fc.boolean(),
  DynamicPowerLevel: fc.option(fc.boolean(), { nil: undefined }),
  MaxCapacity: fc.option(fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constant(null)), { nil: undefined }),
  HotlinePhoneNumber: text,
  ChargingStationNames: fc.array(fc.record({ lang: fc.constantFrom('de', 'en', 'fr'), value: text }), { minLength: 1, maxLength: 3 }),
  AdditionalInfo: fc.array(fc.record({ lang: fc.constantFrom('de', 'en'), value: text }), { maxLength: 2 }),
  Address: fc.record({ City: text, Street: text, ParkingFacility: fc.option(fc.boolean(), { nil: undefined }), Floor: fc.option(text, { nil: undefined }) }),
  ...fewValued,
  Extra: fc.option(text, { nil: undefined }),
  GeoCoordinates: fc.option(coordinates, { nil: undefined }),
  ChargingFacilities: fc.option(fc.array(facility, { maxLength: 3 }), { nil: undefined }),
  Plugs: fc.option(fc.array(fc.constantFrom('Type 2 Outlet', 'CCS Combo 2 Plug (Cable Attached)', 'CHAdeMO'), { maxLength: 2 }), { nil: undefined }),
});

type Varied = typeof record extends fc.Arbitrary<infer T> ? T : never;

/** The official record with the varied members; members the arbitrary left out keep the official values. */
function evseRecord(varied: Varied): Record<string, unknown> {
  const { Address, Extra, ...rest } = varied;
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  // Members the arbitrary left out of the address are absent (an absent optional member between two written ones).
  const address = Object.fromEntries(Object.entries({ ...template.Address, ...Address }).filter(([, value]) => value !== undefined));
  return { ...template, ...given, Address: address, ...(Extra !== undefined && { Extra }) };
}

const push = (records: unknown[]) => ({ ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: records } });

const RECORD = /(?:\n *)?<EVSEData:EvseDataRecord[ >][\s\S]*?<\/EVSEData:EvseDataRecord>|(?:\n *)?<EVSEData:EvseDataRecord[^>]*\/>/g;
const recordsOf = (xml: string) => xml.match(RECORD) ?? [];
const RECORD_PATH = /^OperatorEvseData\.EvseDataRecord\[\d+\]/;
const inRecord = (findings: Finding[], index: number) => findings.map((f) => ({ ...f, path: f.path.replace(RECORD_PATH, `OperatorEvseData.EvseDataRecord[${index}]`) }));

/** The body element of a request as the writer writes it and as the plain walk does. */
function bothWays(name: OperationName, request: Record<string, unknown>, release: SoapRelease, pretty: boolean) {
  const operation: OicpOperation = OPERATIONS[name];
  const prefix = SOAP_SERVICES[operation.soap.service].prefix;
  const element = requestVariant(name, request, release).request;
  const plan = planOf(operation.request, element, release, operation.caller, false);
  const writer = new XmlWriter(prefix, release, pretty);
  writer.object(plan, request, `${prefix}:${element}`, 2);
  return { written: { text: writer.take(), findings: writer.findings }, reference: referenceXml(plan, request, `${prefix}:${element}`, 2, { prefix, release, pretty }) };
}

const RELEASES_AND_FORMS = SOAP_RELEASES.flatMap((release) => [false, true].map((pretty) => [release, pretty] as [SoapRelease, boolean]));

describe('the writer against a plain walk of the plans', () => {
  it.each(RELEASES_AND_FORMS)('in %s (pretty: %s), writes a push of varied records as the plain walk does', (release, pretty) => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), (varied) => {
        const { written, reference } = bothWays('PushEvseData', push(varied.map(evseRecord)), release, pretty);
        expect(written.text).toBe(reference.text);
        expect(written.findings).toEqual(reference.findings);
      }),
      { numRuns: 40 },
    );
  });

  it('writes a push of more than one piece of the sink (16 MB), its records varied, as the plain walk does', () => {
    const varied = fc.sample(record, { numRuns: 4500, seed: 21 }).map(evseRecord);
    const { written, reference } = bothWays('PushEvseData', push(varied), '2.2', false);
    expect(written.text.length).toBeGreaterThan(16 << 20);
    // Not toBe: its message would print both documents.
    expect(written.text === reference.text).toBe(true);
    expect(written.findings).toEqual(reference.findings);
  }, 60_000);

  const requests = OPERATION_NAMES.flatMap((name) =>
    readdirSync(join(__dirname, '..', '..', 'fixtures', 'oicp', name))
      .filter((file) => file.startsWith('request-') && file.endsWith('.json'))
      .map((file) => [name, file] as [OperationName, string]),
  );
  it.each(requests)('writes the %s fixture %s in every release and form as the plain walk does', (name, file) => {
    const request = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', name, file), 'utf8')) as Record<string, unknown>;
    for (const [release, pretty] of RELEASES_AND_FORMS) {
      const { written, reference } = bothWays(name, request, release, pretty);
      expect(written).toEqual(reference);
    }
  });
});

describe('the bulk writer (PushEvseData of varied records)', () => {
  it.each(RELEASES_AND_FORMS)('in %s (pretty: %s), writes a push of many records as the pushes of each alone', (release, pretty) => {
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
