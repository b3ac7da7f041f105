/**
 * The cost of the JSON hazard guard (src/http/json-body.ts: nesting, NUL) that runs before every
 * request body is parsed: the byte scan against the JSON.parse that follows it, on the same bodies.
 * The ratio is what the guard adds to parsing; well below 1 means it is cheap next to the parse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_DEPTH_LIMIT, jsonHazard } from '../src/http/json-body';
import { measure, type Comparison } from './measure';

const CORPUS = join(__dirname, '..', '..', 'shared', 'corpus', 'ocpi', '2.2.1');
const example = (file: string) => JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as Record<string, unknown>;

/** A full-sync page of locations, and a CDR with many charging periods: the largest bodies a backend sends. */
function bodies(): { name: string; body: Buffer }[] {
  const location = example('location_example.json');
  const cdr = example('cdr_example.json') as { charging_periods: unknown[] };
  return [
    { name: 'OCPI location list, 1,000 locations', body: Buffer.from(JSON.stringify(Array.from({ length: 1_000 }, (_, i) => ({ ...location, id: `LOC${i}` })))) },
    { name: 'OCPI CDR, 2,000 charging periods', body: Buffer.from(JSON.stringify({ ...cdr, charging_periods: Array.from({ length: 2_000 }, () => cdr.charging_periods[0]) })) },
  ];
}

export async function jsonHazardBenchmarks(): Promise<Comparison[]> {
  const results: Comparison[] = [];
  for (const { name, body } of bodies()) {
    results.push(
      await measure(`${name} (${(body.length / 1e6).toFixed(1)} MB): hazard scan vs JSON.parse`, {
        baseline: () => Promise.resolve(JSON.parse(body.toString('utf8'))),
        ours: () => Promise.resolve(jsonHazard(body, JSON_DEPTH_LIMIT)),
      }),
    );
  }
  return results;
}
