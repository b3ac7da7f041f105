/**
 * The bulk SOAP codec on eRoamingPushEvseData of 5,000 and 50,000 copies of the official EVSE record
 * (about 4 KB of XML each), against floors measured in the same run on the same data: JSON.parse and
 * JSON.stringify of the equivalent JSON, and a bare saxes pass (the tokenizer our reader runs on,
 * with the same options and no handlers' work) over the same bytes. Targets: decode within 2x the
 * bare pass, encode within 3x JSON.stringify, and heap growth of a streamed decode that does not
 * grow with the number of records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SaxesParser } from 'saxes';
import type { PushEvseDataRequest } from '../src/oicp/messages';
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

/** Median ms per case, the cases run in turn each round so a machine slowing down mid-run slows all of them. */
function timeAll(cases: Record<string, () => unknown>): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (const run of Object.values(cases)) run(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(cases)) {
      // Each case starts on a clean heap: no case pays for the garbage of the one before.
      gc();
      const started = performance.now();
      run();
      times[name]!.push(performance.now() - started);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}


/**
 * Peak heap growth while a push of `count` records arrives in 64 KB pieces and each record is
 * handed out (and dropped) as soon as it is read: what a streaming consumer holds.
 */
function streamedPeak(bytes: Buffer): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = 0;
  let records = 0;
  const reader = new SoapRequestReader('evsedata', {}, { context: 'EvseDataRecord', take: () => records++ });
  const decoder = new TextDecoder();
  for (let at = 0; at < bytes.length; at += 65_536) {
    reader.write(decoder.decode(bytes.subarray(at, at + 65_536), { stream: true }));
    if ((at / 65_536) % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
  }
  reader.write(decoder.decode());
  reader.end();
  peak = Math.max(peak, process.memoryUsage().heapUsed - before);
  if (records === 0) throw new Error('no record was handed out');
  return peak;
}

export interface BulkLine {
  records: number;
  xmlMb: number;
  decodeMs: number;
  jsonParseMs: number;
  saxesMs: number;
  encodeMs: number;
  jsonStringifyMs: number;
  streamedPeakMb: number;
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
    return {
      records,
      xmlMb: bytes.length / 1e6,
      decodeMs: t.decode!,
      jsonParseMs: t.jsonParse!,
      saxesMs: t.saxes!,
      encodeMs: t.encode!,
      jsonStringifyMs: t.jsonStringify!,
      streamedPeakMb: streamedPeak(bytes) / 1e6,
    };
  });
}

export function bulkReport(lines: BulkLine[]): string {
  const out = ['OICP SOAP bulk codec: eRoamingPushEvseData, official record repeated (medians of 5, one process)'];
  out.push(
    `${'records'.padStart(8)} ${'XML MB'.padStart(7)} ${'decode ms'.padStart(10)} ${'÷JSON.parse'.padStart(12)} ${'÷saxes pass'.padStart(12)} ${'encode ms'.padStart(10)} ${'÷JSON.stringify'.padStart(16)} ${'streamed peak MB'.padStart(17)}`,
  );
  for (const l of lines) {
    out.push(
      `${String(l.records).padStart(8)} ${l.xmlMb.toFixed(1).padStart(7)} ${l.decodeMs.toFixed(0).padStart(10)} ${(l.decodeMs / l.jsonParseMs).toFixed(2).padStart(12)} ${(l.decodeMs / l.saxesMs).toFixed(2).padStart(12)} ${l.encodeMs.toFixed(0).padStart(10)} ${(l.encodeMs / l.jsonStringifyMs).toFixed(2).padStart(16)} ${l.streamedPeakMb.toFixed(1).padStart(17)}`,
    );
  }
  out.push('targets: decode ÷ saxes pass ≤ 2, encode ÷ JSON.stringify ≤ 3, streamed peak flat in the record count');
  return out.join('\n');
}

if (require.main === module) console.log(bulkReport(bulkBenchmark()));
