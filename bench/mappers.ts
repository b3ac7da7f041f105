/**
 * The mappers at network scale (issue 21), each against a floor measured in the same run: the
 * JSON.parse + JSON.stringify round trip of the same data, per unit of work the mapper is given (a
 * location, a page of records, a CDR). That floor is what any bridge pays to read and write the data;
 * the ratio says how much mapping adds on top of it, on whatever machine it runs.
 *
 * The data is a varied network: every location has multi-plug EVSEs (DC and AC on one EVSE), some
 * have opening hours, and the locations lie in time zones with and without daylight saving time. The
 * records of the reverse direction are those locations as Hubject serves them, in pages of 2,000.
 *
 * The retained heap is measured in a child process run with --expose-gc (this file is its entry).
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ocpiLocationToOicp } from '../src/mapping/location/to-oicp';
import { oicpEvseDataToLocations } from '../src/mapping/location/from-oicp';
import { ocpiCdrToOicp } from '../src/mapping/cdr';
import { NO_RULES, type MappingRules } from '../src/mapping/rules';
import type { EvseDataRecord } from '../src/oicp/wire/schemas';
import { generateCdr, generateLocations, type OcpiLocation } from '../test/support/doubles/ocpi-data';
import { table, type BenchOptions, type BenchRow } from './table';

const OPERATOR = 'DE*ABC';
const OPERATOR_NAME = 'ABC Charging';
const EVSES_PER_LOCATION = 4;
const PAGE = 2_000;
const AT = new Date('2026-03-15T12:00:00Z');
/** The operator defaults a CPO configures (bridge.example.yaml) without a time zone: the way back reads it off the coordinates. */
const RULES: MappingRules = {
  ...NO_RULES,
  operators: {
    [OPERATOR]: { hotlinePhoneNumber: '+493012345678', authenticationModes: ['NFC RFID Classic', 'REMOTE'], paymentOptions: ['Contract'], accessibility: 'Free publicly accessible', language: 'de' },
  },
};
/** Real zones, with daylight saving time (north and south) and without it. */
const ZONES = ['Europe/Berlin', 'Europe/Lisbon', 'Europe/Helsinki', 'America/New_York', 'Australia/Sydney', 'Asia/Tokyo', 'Asia/Kolkata', 'America/Sao_Paulo'];
/** A triple charger: two DC plugs and an AC socket on one EVSE, as fast-charging sites have them. */
const TRIPLE = [
  { id: '1', standard: 'IEC_62196_T2_COMBO', format: 'CABLE', power_type: 'DC', max_voltage: 920, max_amperage: 200, max_electric_power: 150000 },
  { id: '2', standard: 'CHADEMO', format: 'CABLE', power_type: 'DC', max_voltage: 500, max_amperage: 125, max_electric_power: 50000 },
  { id: '3', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 63, max_electric_power: 43000 },
];

/** `count` locations of 4 EVSEs each, the even EVSEs triple chargers, spread over ZONES. */
export function networkLocations(count: number): OcpiLocation[] {
  const lastUpdated = AT.toISOString();
  return generateLocations({ operator: OPERATOR, count, evsesPerLocation: EVSES_PER_LOCATION, lastUpdated, seed: 21 }).map((location, i) => ({
    ...location,
    time_zone: ZONES[i % ZONES.length]!,
    evses: location.evses.map((evse, e) => (e % 2 === 0 ? { ...evse, connectors: TRIPLE.map((c) => ({ ...c, last_updated: lastUpdated })) } : evse)),
  }));
}

/** The locations as Hubject serves them to a pull: their EVSE records with operator and stamp, in pages. */
export function networkPages(locations: readonly OcpiLocation[]): EvseDataRecord[][] {
  const records = locations.flatMap((location) => ocpiLocationToOicp(location, { rules: RULES, at: AT }).value!.records);
  const pulled = records.map((record) => ({ ...record, OperatorID: OPERATOR, OperatorName: OPERATOR_NAME, lastUpdate: AT.toISOString() }));
  return Array.from({ length: Math.ceil(pulled.length / PAGE) }, (_, p) => pulled.slice(p * PAGE, (p + 1) * PAGE));
}

/** One CDR per location, with a Hubject SessionID correlated as the CDR flow does. */
export function networkCdrs(locations: readonly OcpiLocation[]): { cdr: unknown; sessionId: string }[] {
  const token = { country_code: 'DE', party_id: 'DCB', uid: '04A1B2C3D4E5F6', type: 'RFID' as const, contract_id: 'DE-DCB-C12345678-X' };
  return locations.map((location, i) => ({
    cdr: generateCdr({ id: `CDR${i}`, location, token, start: new Date(AT.getTime() + i * 60_000).toISOString(), kwh: 5 + (i % 40), minutes: 20 + (i % 90) }),
    sessionId: `b2688855-7f00-0002-6d8e-${String(i).padStart(12, '0')}`,
  }));
}

const roundTrip = (data: unknown) => JSON.parse(JSON.stringify(data)) as unknown;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Timing {
  floorMs: number;
  oursMs: number;
  /** The same medians in CPU time (process.cpuUsage, GC threads included): steadier than wall time on a shared machine. */
  floorCpuMs: number;
  oursCpuMs: number;
}

/** Floor and ours alternately (a machine that slows mid-run slows both), after one warm-up each: the median ms of each. */
function timed(rounds: number, floor: () => unknown, ours: () => unknown): Timing {
  // The output of a round stays alive until the next round replaces it, as a caller would hold it.
  const kept: unknown[] = [];
  const run = (work: () => unknown) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    kept[0] = work();
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { wall, cpu: (used.user + used.system) / 1000 };
  };
  run(floor);
  run(ours);
  const floors: { wall: number; cpu: number }[] = [];
  const ourTimes: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    floors.push(run(floor));
    ourTimes.push(run(ours));
  }
  kept.length = 0;
  return {
    floorMs: median(floors.map((t) => t.wall)),
    oursMs: median(ourTimes.map((t) => t.wall)),
    floorCpuMs: median(floors.map((t) => t.cpu)),
    oursCpuMs: median(ourTimes.map((t) => t.cpu)),
  };
}

const count = (n: number) => n.toLocaleString('en-US');
const ms = (value: number) => `${value.toFixed(0)} ms`;

function timeRow(path: string, limit: number, timing: Timing): BenchRow {
  const ratio = timing.oursMs / timing.floorMs;
  const cpu = `CPU ${ms(timing.oursCpuMs)}: ${(timing.oursCpuMs / timing.floorCpuMs).toFixed(2)}x`;
  return { path, figure: `${ms(timing.oursMs)} (${cpu})`, floor: `${ms(timing.floorMs)} (CPU ${ms(timing.floorCpuMs)}) JSON round trip`, ratio, target: `<= ${limit}x`, met: ratio <= limit };
}

/** The number of locations: `--records N`, else 20,000 (2,000 with --quick). */
export const locationCount = (opts: BenchOptions) => opts.records ?? (opts.quick ? 2_000 : 20_000);

/** The data of the rows, each part made when a row first asks for it (one row alone need not make the others'). */
class NetworkData {
  private cache: { locations?: OcpiLocation[]; pages?: EvseDataRecord[][]; cdrs?: { cdr: unknown; sessionId: string }[] } = {};
  constructor(readonly n: number) {}
  get locations() {
    return (this.cache.locations ??= networkLocations(this.n));
  }
  get pages() {
    return (this.cache.pages ??= networkPages(this.locations));
  }
  get cdrs() {
    return (this.cache.cdrs ??= networkCdrs(this.locations));
  }
}

/** The rows by name, in the table's order; `npx tsx bench/mappers.ts row NAME [N]` runs one alone (e.g. under --cpu-prof). */
const ROWS = {
  location: (data: NetworkData, rounds: number) =>
    timeRow(
      `OCPI Location -> EvseDataRecords, ${count(data.n)} x ${EVSES_PER_LOCATION}`,
      3,
      timed(
        rounds,
        () => data.locations.map(roundTrip),
        () => data.locations.map((l) => ocpiLocationToOicp(l, { rules: RULES, at: AT })),
      ),
    ),
  grouping: (data: NetworkData, rounds: number) =>
    timeRow(
      `EvseDataRecords -> Locations, ${count(data.pages.reduce((sum, page) => sum + page.length, 0))} in pages of ${count(PAGE)}`,
      3,
      timed(
        rounds,
        () => data.pages.map(roundTrip),
        () => data.pages.map((p) => oicpEvseDataToLocations(p, { rules: RULES, now: AT })),
      ),
    ),
  cdr: (data: NetworkData, rounds: number) =>
    timeRow(
      `CDR OCPI -> OICP, ${count(data.n)}`,
      1.5,
      timed(
        rounds,
        () => data.cdrs.map((c) => roundTrip(c.cdr)),
        () => data.cdrs.map((c) => ocpiCdrToOicp(c.cdr, { rules: RULES, correlation: { sessionId: c.sessionId } })),
      ),
    ),
  heap: (data: NetworkData) => heapRow(data.n),
};
type RowName = keyof typeof ROWS;

export async function mapperBenchmarks(opts: BenchOptions): Promise<BenchRow[]> {
  const data = new NetworkData(locationCount(opts));
  const rounds = opts.quick ? 3 : 5;
  const rows: BenchRow[] = [];
  for (const name of Object.keys(ROWS) as RowName[]) rows.push(await ROWS[name](data, rounds));
  return rows;
}

/** Bytes retained by what `make` returns (kept alive), measured after full collections. */
function retained(make: () => unknown): { bytes: number; kept: unknown } {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc();
  gc();
  return { bytes: process.memoryUsage().heapUsed - before, kept };
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/**
 * The location mapper's retained heap, in a child with --expose-gc: its results (records and
 * findings) for `n` locations against the floor of its records as parsed JSON, the least that holding
 * its output costs. The parsed input locations are printed beside it for scale.
 */
async function heapRow(n: number): Promise<BenchRow> {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(process.execPath, ['--expose-gc', '--import', tsx, __filename, 'heap', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the heap measurement exited with ${code}: ${out}`);
  const { floor, input, ours, findings } = JSON.parse(out) as { floor: number; input: number; ours: number; findings: number };
  const ratio = ours / floor;
  return {
    path: `retained heap of the location mapper, ${count(n)} locations (${(findings / n).toFixed(0)} findings each)`,
    figure: mb(ours),
    floor: `${mb(floor)} its records as parsed JSON (the input: ${mb(input)})`,
    ratio,
    target: '<= 1.5x',
    met: ratio <= 1.5,
  };
}

/** Child entry: prints the heap retained by the mapper's results for `n` locations, by its records as parsed JSON, and by the parsed input. */
function measureHeap(n: number): void {
  const locations = networkLocations(n);
  const inputTexts = locations.map((l) => JSON.stringify(l));
  const parse = (texts: string[]) => () => texts.map((t) => JSON.parse(t) as unknown);
  // Ours first, while the mapper has made nothing yet: what it keeps between calls counts too.
  const ours = retained(() => locations.map((l) => ocpiLocationToOicp(l, { rules: RULES, at: AT })));
  const results = ours.kept as { value: unknown; findings: unknown[] }[];
  const findings = results.reduce((sum, m) => sum + m.findings.length, 0);
  const recordTexts = results.map((m) => JSON.stringify(m.value));
  ours.kept = undefined;
  const input = retained(parse(inputTexts));
  input.kept = undefined;
  const floor = retained(parse(recordTexts));
  floor.kept = undefined;
  process.stdout.write(JSON.stringify({ floor: floor.bytes, input: input.bytes, ours: ours.bytes, findings }));
}

/** Entry `row NAME [N]`: one row alone. */
async function oneRow(name: string, n: number): Promise<void> {
  if (!(name in ROWS)) throw new Error(`no mapper row ${name}; rows: ${Object.keys(ROWS).join(', ')}`);
  const row = await ROWS[name as RowName](new NetworkData(n), 5);
  console.log(table(`Mapper row ${name}`, [row]));
}

if (require.main === module && process.argv[2] === 'heap') measureHeap(Number(process.argv[3]));
if (require.main === module && process.argv[2] === 'row') void oneRow(process.argv[3] ?? '', Number(process.argv[4] ?? 20_000));

