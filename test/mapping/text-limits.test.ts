import fc from 'fast-check';
import { fitOcpiStrings } from '../../src/mapping/text-limits';
import { Location, Location211, type Location as LocationType } from '../../src/ocpi/wire/schemas';
import { Cdr, type Cdr as CdrType } from '../../src/ocpi/wire/transaction-schemas';
import { location221To211 } from '../../src/mapping/ocpi-211/locations';
import { corpusJson } from '../support/corpus';
import { ocpiOutboundErrors } from '../support/ocpi-outbound';

const EXAMPLE = corpusJson('2.2.1', 'location_example.json') as LocationType;
const STREET_68 = 'Avenue du Général de Gaulle, Résidence les Jardins du Parc, Bâtiment C';
const OCMF = `OCMF|${JSON.stringify({ FV: '1.0', GI: 'SEAL AG', GS: '1850006a', PG: 'T9289', RD: [{ TM: '2026-11-30T09:00:00,000+0100 S', TX: 'B', RV: 0.42, RI: '1-b:1.8.0', RU: 'kWh', ST: 'G' }] })}|${JSON.stringify({ SD: 'A'.repeat(400) })}`;

describe('the outbound check sees what a strict backend refuses', () => {
  it('accepts the official 2.2.1 location example as written', () => {
    expect(ocpiOutboundErrors('2.2.1', 'location', EXAMPLE)).toEqual([]);
  });

  it('refuses a 68-character street in Location.address (string(45)), though a reader takes 255 by the errata', () => {
    expect(STREET_68.length).toBeGreaterThan(45);
    expect(ocpiOutboundErrors('2.2.1', 'location', { ...EXAMPLE, address: STREET_68 })).toEqual(['spec limits: /address must NOT have more than 45 characters']);
  });

  it('refuses DateTimes with fractions toward 2.1.1, by our schema and by the official one', () => {
    const evse = { ...EXAMPLE.evses![0]!, last_updated: '2026-11-30T09:02:35.337Z' };
    const down = location221To211({ ...EXAMPLE, evses: [] }).value!;
    const errors = ocpiOutboundErrors('2.1.1', 'location', { ...down, evses: [{ ...evse, capabilities: undefined, connectors: [] }] });
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^spec limits: \/evses\/0\/last_updated must match pattern/), expect.stringMatching(/^official 2.1.1 schema: \/evses\/0\/last_updated/)]));
  });

  it('refuses control characters in 2.2.1 text, non-ASCII in 2.1.1, and members OCPI does not define', () => {
    expect(ocpiOutboundErrors('2.2.1', 'location', { ...EXAMPLE, name: 'Gent\nZuid' })).toEqual([expect.stringMatching(/^spec limits: \/name must match pattern/)]);
    expect(ocpiOutboundErrors('2.1.1', 'evse-patch', { status: 'AVAILABLE', last_updated: '2026-11-30T09:02:35Z', directions: [{ language: 'sv', text: 'Malmö' }] })).toEqual([
      expect.stringMatching(/^spec limits: \/directions\/0\/text must match pattern/),
    ]);
    expect(ocpiOutboundErrors('2.2.1', 'location', { ...EXAMPLE, subject: 'internal' })).toEqual(['spec limits: / must NOT have additional properties (subject)']);
  });

  it('refuses a 2.2.1 PATCH without last_updated and an object kind the version lacks', () => {
    expect(ocpiOutboundErrors('2.2.1', 'evse-patch', { status: 'AVAILABLE' })).toEqual(["spec limits: / must have required property 'last_updated'"]);
    expect(ocpiOutboundErrors('2.1.1', 'cancel-reservation', {})).toEqual(['OCPI 2.1.1 has no cancel-reservation']);
  });
});

describe('strings fitted to their OCPI field', () => {
  it('cuts a long street to 45 characters at a character boundary, saying so', () => {
    const { value, findings } = fitOcpiStrings(Location, { ...EXAMPLE, address: STREET_68 }, '2.2.1');
    expect(value.address).toBe(STREET_68.slice(0, 45));
    expect(findings).toEqual([{ kind: 'loss', path: 'address', message: expect.stringContaining('holds 45 characters') }]);
    expect(ocpiOutboundErrors('2.2.1', 'location', value)).toEqual([]);
  });

  it('never splits a character: an emoji or accented letter at the limit goes whole or not at all', () => {
    const { value } = fitOcpiStrings(Location, { ...EXAMPLE, city: `${'x'.repeat(44)}e\u0301tage`, address: `${'y'.repeat(44)}🔌 Street` }, '2.2.1');
    expect(value.city).toBe('x'.repeat(44));
    expect(value.address).toBe(`${'y'.repeat(44)}🔌`);
  });

  it('writes control characters in 2.2.1 text as spaces and leaves out an optional URL that is too long', () => {
    const tooLong = `https://example.com/${'a'.repeat(260)}.png`;
    const { value, findings } = fitOcpiStrings(Location, { ...EXAMPLE, name: 'Gent\tZuid', operator: { name: 'BeCharged', website: tooLong } }, '2.2.1');
    expect(value.name).toBe('Gent Zuid');
    expect(value.operator).toEqual({ name: 'BeCharged' });
    expect(findings.map((f) => f.path)).toEqual(['name', 'operator.website']);
  });

  it('cuts an OCMF document in plain_data to 512 characters; the whole container stays in signed_data', () => {
    const cdr = { signed_data: { encoding_method: 'OCMF', signed_values: [{ nature: 'End', plain_data: OCMF, signed_data: OCMF }] } } as unknown as CdrType;
    const { value, findings } = fitOcpiStrings(Cdr, cdr, '2.2.1');
    expect(OCMF.length).toBeGreaterThan(512);
    expect(value.signed_data!.signed_values[0]).toEqual({ nature: 'End', plain_data: OCMF.slice(0, 512), signed_data: OCMF });
    expect(findings.map((f) => f.path)).toEqual(['signed_data.signed_values[0].plain_data']);
  });

  it('fits 2.1.1 lengths after 2.1.1 characters (a 2.1.1 address holds 45)', () => {
    const down = location221To211({ ...EXAMPLE, address: STREET_68 });
    expect(down.value!.address).toBe('Avenue du General de Gaulle, Residence les Ja');
    expect(down.findings.filter((f) => f.path === 'address').map((f) => f.kind)).toEqual(['loss', 'loss']);
    expect(ocpiOutboundErrors('2.1.1', 'location', down.value)).toEqual([]);
  });

  it('any name, address and city, fitted, passes the outbound check of both versions', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 300 });
    fc.assert(
      fc.property(text, text, text, (name, address, city) => {
        const fitted = fitOcpiStrings(Location, { ...EXAMPLE, name, address: address || 'x', city: city || 'x' }, '2.2.1').value;
        expect(ocpiOutboundErrors('2.2.1', 'location', fitted)).toEqual([]);
        const down = location221To211(fitted).value!;
        expect(ocpiOutboundErrors('2.1.1', 'location', down).filter((e) => e.startsWith('spec limits'))).toEqual([]);
        expect(fitOcpiStrings(Location211, down, '2.1.1').findings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
