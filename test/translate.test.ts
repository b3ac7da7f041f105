import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import { captured } from './support/io';
import { findPair, KINDS, PAIRS, translate } from '../src/translate';
import { loadMappingRules } from '../src/config/load';
import { location221To211 } from '../src/mapping/ocpi-211/locations';
import { OCPI_CORPUS } from './support/corpus';
import { CLI, runTs } from './support/child';
import { oicpErrors } from './support/oicp-schema';
import { ocpiOutboundErrors, type OutboundKind } from './support/ocpi-outbound';

const RULES = join(__dirname, '..', 'fixtures', 'mapping-rules.example.yaml');
const AT = ['--at', '2025-01-15T12:00:00Z'];


const findingsOf = (io: { err: () => string }) =>
  io
    .err()
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { kind: string; path: string; message: string });

describe('ocpi-oicp-bridge translate', () => {
  it('--list prints every supported pair, covering every kind the issue names', async () => {
    const io = captured();
    expect(await main(['translate', '--list'], io)).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(PAIRS.length);
    for (const kind of KINDS) expect(io.out()).toContain(kind);
  });

  it('translates a location to EVSE data: JSON on stdout, one JSON line per finding on stderr, exit 0', async () => {
    const io = captured();
    const code = await main(['translate', '--from', 'ocpi-2.2.1:location', '--to', 'oicp-2.3:evse-data-records', '--rules', RULES, ...AT, join(OCPI_CORPUS, '2.2.1', 'location_example.json')], io);
    expect(code).toBe(0);
    const records = JSON.parse(io.out()) as unknown[];
    expect(records).toHaveLength(2);
    for (const record of records) expect(oicpErrors('cpo', 'EvseDataRecord', record)).toEqual([]);
    expect(findingsOf(io)).toContainEqual({ kind: 'loss', path: 'evses[0].physical_reference', message: expect.any(String) });
  });

  it('exits 1 on input that breaks the spec, naming the field path', async () => {
    const io = captured();
    const code = await main(['translate', '--from', 'ocpi-2.2.1:tariff', '--to', 'oicp-2.3:pricing-product-data', join(OCPI_CORPUS, '2.2.1', 'tariff_put_example.json')], io);
    expect(code).toBe(1);
    expect(findingsOf(io)).toContainEqual({ kind: 'invalid', path: 'last_updated', message: 'is required' });
  });

  it('skips an EVSE that breaks the schema when pricing a location, and exits 1 naming it', async () => {
    const location = JSON.parse(readFileSync(join(OCPI_CORPUS, '2.2.1', 'location_example.json'), 'utf8')) as { evses: Record<string, unknown>[] };
    delete location.evses[0]!.connectors;
    const file = join(mkdtempSync(join(tmpdir(), 'translate-')), 'location.json');
    writeFileSync(file, JSON.stringify(location));
    const io = captured();
    expect(await main(['translate', '--from', 'ocpi-2.2.1:location', '--to', 'oicp-2.3:evse-pricing', file], io)).toBe(1);
    expect(findingsOf(io)).toContainEqual({ kind: 'invalid', path: 'evses[0].connectors', message: 'is required' });
    expect(JSON.parse(io.out())).toEqual([{ EvseID: 'BE*BEC*E041503002', ProviderID: '*', EvseIDProductList: ['12'] }]);
  });

  it('goes up from 2.1.1 with --party', async () => {
    const io = captured();
    const code = await main(['translate', '--from', 'ocpi-2.1.1:tariff', '--to', 'ocpi-2.2.1:tariff', '--party', 'NL*TNM', join(OCPI_CORPUS, '2.1.1', 'tariff_simple_2eur_hour.json')], io);
    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ country_code: 'NL', party_id: 'TNM', id: '12' });
  });

  it.each([
    [['translate', '--from', 'ocpi-2.2.1:location'], /needs --from KIND and --to KIND/],
    [['translate', '--from', 'ocpi-3.0:location', '--to', 'oicp-2.3:evse-data-records'], /unknown kind ocpi-3.0:location/],
    [['translate', '--from', 'ocpi-2.2.1:tariff', '--to', 'oicp-2.3:evse-data-records'], /no translation from ocpi-2.2.1:tariff to oicp-2.3:evse-data-records/],
    [['translate', '--from', 'ocpi-2.1.1:tariff', '--to', 'ocpi-2.2.1:tariff', '--party', 'nonsense', 'x.json'], /--party must be an ISO OperatorID/],
    [['translate', '--from', 'ocpi-2.1.1:tariff', '--to', 'ocpi-2.2.1:tariff', '--at', 'yesterday', 'x.json'], /--at must be an ISO 8601/],
    [['translate', '--from', 'ocpi-2.2.1:tariff', '--to', 'ocpi-2.1.1:tariff', '--rules', join(__dirname, '..', 'fixtures', 'config', 'three-mistakes.yaml'), 'x.json'], /configuration problem/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const io = captured();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('reads standard input in a real process', async () => {
    const child = runTs(CLI, ['translate', '--from', 'oicp-2.3:evse-status-records', '--to', 'ocpi-2.2.1:evse-status', '--rules', RULES, '-']);
    child.process.stdin.end(JSON.stringify([{ EvseID: 'DE*ABC*E1', EvseStatus: 'OutOfService' }, { EvseID: 'DE*ABC*E2', EvseStatus: 'Occupied' }]));
    const { code } = await child.exited;
    expect(code).toBe(0);
    // The example rules read OutOfService as OUTOFORDER (a status override).
    expect(child.output()).toContain('"status": "OUTOFORDER"');
    expect(child.output()).toContain('"status": "CHARGING"');
  });

  describe('transactions', () => {
    const SESSION_ID = 'b2688855-7f00-0002-6d8e-48d883f6abb6';
    const dir = mkdtempSync(join(tmpdir(), 'translate-cdr-'));
    const cdr = JSON.parse(readFileSync(join(OCPI_CORPUS, '2.2.1', 'cdr_example.json'), 'utf8')) as { tariffs: unknown[] };
    const location = JSON.parse(readFileSync(join(OCPI_CORPUS, '2.2.1', 'location_example.json'), 'utf8')) as { evses: { evse_id: string }[] };
    location.evses[0]!.evse_id = 'BE*BEC*E041503003';
    const tariffFile = join(dir, 'tariff.json');
    const locationFile = join(dir, 'location.json');
    writeFileSync(tariffFile, JSON.stringify(cdr.tariffs[0]));
    writeFileSync(locationFile, JSON.stringify(location));

    it('a CDR goes to OICP with --session-id and comes back priced with --tariff at --location', async () => {
      const there = captured();
      expect(await main(['translate', '--from', 'ocpi-2.2.1:cdr', '--to', 'oicp-2.3:charge-detail-record', '--session-id', SESSION_ID, join(OCPI_CORPUS, '2.2.1', 'cdr_example.json')], there)).toBe(0);
      const record = JSON.parse(there.out()) as unknown;
      expect(oicpErrors('cpo', 'eRoamingChargeDetailRecord', record)).toEqual([]);
      const recordFile = join(dir, 'record.json');
      writeFileSync(recordFile, JSON.stringify(record));
      const back = captured();
      const code = await main(['translate', '--from', 'oicp-2.3:charge-detail-record', '--to', 'ocpi-2.2.1:cdr', '--tariff', tariffFile, '--location', locationFile, ...AT, recordFile], back);
      expect(code).toBe(0);
      expect(JSON.parse(back.out())).toMatchObject({ id: SESSION_ID, total_cost: { excl_vat: 4, incl_vat: 4.4 } });
    });

    it('without --tariff the CDR is refused (exit 1) and the finding says to pass it', async () => {
      const io = captured();
      const record = join(dir, 'record-2.json');
      const there = captured();
      await main(['translate', '--from', 'ocpi-2.2.1:cdr', '--to', 'oicp-2.3:charge-detail-record', '--session-id', SESSION_ID, join(OCPI_CORPUS, '2.2.1', 'cdr_example.json')], there);
      writeFileSync(record, there.out());
      expect(await main(['translate', '--from', 'oicp-2.3:charge-detail-record', '--to', 'ocpi-2.2.1:cdr', '--location', locationFile, record], io)).toBe(1);
      expect(findingsOf(io)).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'PartnerProductID', message: expect.stringContaining('pass the tariff') as string }));
    });

    it('an invalid --tariff file is a usage error naming the field', async () => {
      const bad = join(dir, 'bad-tariff.json');
      writeFileSync(bad, JSON.stringify({ id: 'x' }));
      const io = captured();
      expect(await main(['translate', '--from', 'oicp-2.3:charge-detail-record', '--to', 'ocpi-2.2.1:cdr', '--tariff', bad, join(dir, 'record.json')], io)).toBe(2);
      expect(io.err()).toContain('--tariff');
      expect(io.err()).toContain('currency is required');
    });

    it('a 2.1.1 token becomes an OICP identification; the corpus card number is refused with a clear finding', async () => {
      const io = captured();
      expect(await main(['translate', '--from', 'ocpi-2.1.1:token', '--to', 'oicp-2.3:identification', '--party', 'DE*TNM', join(OCPI_CORPUS, '2.1.1', 'token_example.json')], io)).toBe(1);
      expect(findingsOf(io)).toContainEqual(expect.objectContaining({ kind: 'invalid', path: 'uid' }));
    });
  });
});

describe('what translate writes toward OCPI is within the spec’s limits', () => {
  const json = (...path: string[]) => JSON.parse(readFileSync(join(...path), 'utf8')) as unknown;
  const corpus = (version: '2.1.1' | '2.2.1', file: string) => json(OCPI_CORPUS, version, file);
  const oicp = (operation: string, file: string) => json(__dirname, '..', 'fixtures', 'oicp', operation, file);
  const varied = json(__dirname, '..', 'fixtures', 'varied-network', 'hubject-evse-data.json');
  const location = corpus('2.2.1', 'location_example.json') as { evses: { evse_id: string }[] };
  const rules = loadMappingRules(RULES);
  const ctx = { rules, now: new Date('2025-01-15T12:00:00Z'), party: { countryCode: 'NL', partyId: 'TNM' }, location: location as never, sessionId: 'b2688855-7f00-0002-6d8e-48d883f6abb6' };
  /** The OCPI object kind of a translate target, as ocpiOutboundErrors names it. */
  const KIND: Record<string, OutboundKind> = {
    location: 'location',
    tariff: 'tariff',
    token: 'token',
    session: 'session',
    cdr: 'cdr',
    'authorization-info': 'authorization-info',
    'command-start-session': 'start-session',
    'command-stop-session': 'stop-session',
    'command-reserve-now': 'reserve-now',
    'command-cancel-reservation': 'cancel-reservation',
    'command-result': 'command-result',
  };

  it.each([
    ['ocpi-2.2.1:location', 'ocpi-2.1.1:location', location],
    // The 2.1.1 corpus location has known defects (a two-letter country): the 2.2.1 one written down stands in.
    ['ocpi-2.1.1:location', 'ocpi-2.2.1:location', location221To211(location).value],
    ['oicp-2.3:evse-data-records', 'ocpi-2.2.1:location', varied],
    ['oicp-2.3:evse-data-records', 'ocpi-2.1.1:location', varied],
    ['ocpi-2.2.1:tariff', 'ocpi-2.1.1:tariff', corpus('2.2.1', 'tariff_4_complex.json')],
    ['ocpi-2.1.1:tariff', 'ocpi-2.2.1:tariff', corpus('2.1.1', 'tariff_complex.json')],
    ['oicp-2.3:pricing-product-data', 'ocpi-2.2.1:tariff', (oicp('PullPricingProductData', 'response-simulator.json') as { PricingProductData: unknown[] }).PricingProductData[0]],
    ['oicp-2.3:pricing-product-data', 'ocpi-2.1.1:tariff', (oicp('PullPricingProductData', 'response-simulator.json') as { PricingProductData: unknown[] }).PricingProductData[0]],
    ['ocpi-2.2.1:token', 'ocpi-2.1.1:token', corpus('2.2.1', 'token_example_2_full_rfid.json')],
    ['ocpi-2.1.1:token', 'ocpi-2.2.1:token', corpus('2.1.1', 'token_example.json')],
    ['oicp-2.3:identification', 'ocpi-2.2.1:token', { RFIDMifareFamilyIdentification: { UID: '1234ABCD' } }],
    ['oicp-2.3:authorize-remote-stop', 'ocpi-2.2.1:command-stop-session', oicp('AuthorizeRemoteStop', 'request-eRoamingAuthorizeRemoteStop.json')],
    ['oicp-2.3:acknowledgement', 'ocpi-2.2.1:command-result', oicp('AuthorizeRemoteStart', 'response-eRoamingAcknowledgment.json')],
  ] as const)('%s -> %s', (from, to, input) => {
    const pair = findPair(from, to)!;
    const { value } = translate(pair, input, ctx);
    const [version, kind] = to.split(':') as [string, string];
    expect(value).toBeDefined();
    const values = (Array.isArray(value) ? value : [value]) as unknown[];
    expect(values.length).toBeGreaterThan(0);
    for (const object of values) expect(ocpiOutboundErrors(version.slice('ocpi-'.length) as '2.2.1' | '2.1.1', KIND[kind]!, object)).toEqual([]);
  });
});
