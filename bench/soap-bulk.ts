/**
 * The bulk SOAP codec on eRoamingPushEvseData of 5,000 and 50,000 copies of the official EVSE record
 * (about 4 KB of XML each), against floors measured in the same run on the same data: JSON.parse and
 * JSON.stringify of the equivalent JSON, and a bare saxes pass (the tokenizer our reader runs on,
 * with the same options and no handlers' work) over the same bytes. Targets: decode within 2x the
 * bare pass, encode within 3x JSON.stringify, and heap growth of a streamed decode that does not
 * grow with the number of records. `npx tsx bench/soap-bulk.ts` runs it all (minutes: the 50,000-record
 * decode dominates); `--encode` or `--decode` times one side alone, `--small` the 5,000-record push only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SaxesParser } from 'saxes';
import type { PushEvseDataRequest } from '../src/oicp/wire/messages';
import { SoapRequestReader, readSoapRequest, soapRequest } from '../src/oicp/soap/envelope';
import { FIXTURES } from '../scripts/oicp-fixtures';

const ROUNDS = 5;

/** The official record, `count` times with distinct EvseIDs. */
export function bulkPush(count: number): PushEvseDataRequest {
  const official = JSON.parse(readFileSync(join(FIXTURES, 'PushEvseData', 'request-eRoamingPushEvseData.json'), 'utf8')) as PushEvseDataRequest;
  const record = official.OperatorEvseData.EvseDataRecord[0]!;
  return { ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: Array.from({ length: count }, (_, i) => ({ ...record, EvseID: `DE*XYZ*E${i}` })) } };
}

/** The bare tokenizer pass: saxes with the reader's options, every event delivered to an empty handler. */
export function bareSaxes(xml: string): void {
  const parser = new SaxesParser({ position: true });
  parser.on('opentag', () => undefined);
  parser.on('text', () => undefined);
  parser.on('closetag', () => undefined);
  parser.write(xml).close();
}

const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall and CPU time of a case, ms. CPU (user + system, every thread of the process) is the steadier on a shared machine. */
interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall and CPU ms per case, the cases run in turn each round so a machine slowing down mid-run slows all of them. */
function timeAll(cases: Record<string, () => unknown>): Record<string, Timing> {
  const times: Record<string, Timing[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (const run of Object.values(cases)) run(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(cases)) {
      // Each case starts on a clean heap: no case pays for the garbage of the one before.
      gc();
      const cpu = process.cpuUsage();
      const started = performance.now();
      run();
      const wall = performance.now() - started;
      const used = process.cpuUsage(cpu);
      times[name]!.push({ wall, cpu: (used.user + used.system) / 1000 });
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, { wall: median(values.map((v) => v.wall)), cpu: median(values.map((v) => v.cpu)) }]));
}


/**
 * Heap growth while a push of `count` records arrives in 64 KB pieces and each record is handed out
 * (and dropped) as soon as it is read: what a streaming consumer holds. `live` is measured after a
 * collection every 4 MB read (what the reader keeps); `raw` samples the heap as it is, garbage the
 * collector has not yet taken included.
 */
function streamedPeak(bytes: Buffer): { live: number; raw: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  let live = 0;
  let raw = 0;
  let records = 0;
  const reader = new SoapRequestReader('evsedata', {}, { context: 'EvseDataRecord', take: () => records++ });
  const decoder = new TextDecoder();
  for (let at = 0, piece = 0; at < bytes.length; at += 65_536, piece++) {
    reader.write(decoder.decode(bytes.subarray(at, at + 65_536), { stream: true }));
    if (piece % 16 === 0) raw = Math.max(raw, process.memoryUsage().heapUsed - before);
    if (piece % 64 === 0) {
      gc();
      live = Math.max(live, process.memoryUsage().heapUsed - before);
    }
  }
  reader.write(decoder.decode());
  reader.end();
  if (records === 0) throw new Error('no record was handed out');
  return { live, raw };
}

export interface BulkLine {
  records: number;
  xmlMb: number;
  decode: Timing;
  jsonParse: Timing;
  saxes: Timing;
  encode: Timing;
  jsonStringify: Timing;
  streamedLiveMb: number;
  streamedRawMb: number;
}

export function bulkBenchmark(counts: readonly number[] = [5_000, 50_000]): BulkLine[] {
  return counts.map((records) => {
    const push = bulkPush(records);
    const xml = soapRequest('PushEvseData', push).value;
    const json = JSON.stringify(push);
    const t = timeAll({
      decode: () => readSoapRequest('evsedata', xml),
      jsonParse: () => JSON.parse(json) as unknown,
      saxes: () => bareSaxes(xml),
      encode: () => soapRequest('PushEvseData', push),
      jsonStringify: () => JSON.stringify(push),
    });
    const bytes = Buffer.from(xml);
    const streamed = streamedPeak(bytes);
    return {
      records,
      xmlMb: bytes.length / 1e6,
      decode: t.decode!,
      jsonParse: t.jsonParse!,
      saxes: t.saxes!,
      encode: t.encode!,
      jsonStringify: t.jsonStringify!,
      streamedLiveMb: streamed.live / 1e6,
      streamedRawMb: streamed.raw / 1e6,
    };
  });
}

/** `ms` of a case, wall / CPU. */
const ms = (t: Timing) => `${t.wall.toFixed(0)} / ${t.cpu.toFixed(0)}`;
/** A case's ratio to its floor, wall / CPU. */
const ratio = (ours: Timing, floor: Timing) => `${(ours.wall / floor.wall).toFixed(2)} / ${(ours.cpu / floor.cpu).toFixed(2)}`;

export function bulkReport(lines: BulkLine[]): string {
  const out = ['OICP SOAP bulk codec: eRoamingPushEvseData, official record repeated (medians of 5, one process; wall / CPU)'];
  out.push(
    `${'records'.padStart(8)} ${'XML MB'.padStart(7)} ${'decode ms'.padStart(12)} ${'÷JSON.parse'.padStart(12)} ${'÷saxes pass'.padStart(12)} ${'encode ms'.padStart(12)} ${'÷JSON.stringify'.padStart(16)} ${'streamed heap MB live/raw'.padStart(26)}`,
  );
  for (const l of lines) {
    out.push(
      `${String(l.records).padStart(8)} ${l.xmlMb.toFixed(1).padStart(7)} ${ms(l.decode).padStart(12)} ${ratio(l.decode, l.jsonParse).padStart(12)} ${ratio(l.decode, l.saxes).padStart(12)} ${ms(l.encode).padStart(12)} ${ratio(l.encode, l.jsonStringify).padStart(16)} ${`${l.streamedLiveMb.toFixed(1)} / ${l.streamedRawMb.toFixed(1)}`.padStart(26)}`,
    );
  }
  out.push('targets: decode ÷ saxes pass ≤ 2, encode ÷ JSON.stringify ≤ 3, streamed live heap flat in the record count (raw includes garbage not yet collected)');
  return out.join('\n');
}

const decodeTimes = (xml: string) => timeAll({ ours: () => readSoapRequest('evsedata', xml), floor: () => bareSaxes(xml) });

/** One side of the codec alone against its floor, in the same run: the short runs for work on the writer (`--encode`) or the reader (`--decode`). */
function sideReport(side: 'encode' | 'decode', counts: readonly number[] = [5_000, 50_000]): string {
  const floor = side === 'encode' ? 'JSON.stringify' : 'saxes pass';
  const out = [`OICP SOAP bulk ${side}: eRoamingPushEvseData, official record repeated (medians of 5, one process; wall / CPU)`];
  out.push(`${'records'.padStart(8)} ${'XML MB'.padStart(7)} ${`${side} ms`.padStart(12)} ${`${floor} ms`.padStart(18)} ${`÷${floor}`.padStart(16)}`);
  for (const records of counts) {
    const push = bulkPush(records);
    // The encoding is timed with no document held (a held one takes memory the next could reuse).
    const t = side === 'encode' ? timeAll({ ours: () => soapRequest('PushEvseData', push), floor: () => JSON.stringify(push) }) : decodeTimes(soapRequest('PushEvseData', push).value);
    const xmlMb = Buffer.byteLength(soapRequest('PushEvseData', push).value) / 1e6;
    out.push(`${String(records).padStart(8)} ${xmlMb.toFixed(1).padStart(7)} ${ms(t.ours!).padStart(12)} ${ms(t.floor!).padStart(18)} ${ratio(t.ours!, t.floor!).padStart(16)}`);
  }
  out.push(`target: ${side} ÷ ${floor} ≤ ${side === 'encode' ? 3 : 2}`);
  return out.join('\n');
}

if (require.main === module) {
  const side = process.argv.includes('--encode') ? 'encode' : process.argv.includes('--decode') ? 'decode' : undefined;
  const counts = process.argv.includes('--small') ? [5_000] : undefined;
  console.log(side ? sideReport(side, counts) : bulkReport(bulkBenchmark(counts)));
}
