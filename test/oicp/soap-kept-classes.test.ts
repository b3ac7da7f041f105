/**
 * The codec's optimized code survives a full collection made while no reader or writer is alive
 * (src/oicp/soap/kept-classes.ts): the classes it was optimized for are kept. Without them every
 * document after such a collection (a server idle between pushes) ran unoptimized until recompiled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext, runInThisContext } from 'node:vm';
import { readSoapRequest, soapRequest } from '../../src/oicp/soap/envelope';
import { EnvelopeReader } from '../../src/oicp/soap/reader';
import { XmlWriter } from '../../src/oicp/soap/writer';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';

setFlagsFromString('--expose-gc');
setFlagsFromString('--allow-natives-syntax');
const collect = runInNewContext('gc') as () => void;
/** Full collections: two, as objects made while the collector was marking outlive the one that ends it. */
const gc = () => {
  collect();
  collect();
};
/**
 * `method` optimized with the feedback of runs of `run`, and run optimized; again while a run
 * deoptimizes it (a first run's feedback is incomplete), compilations in the background finished.
 */
const optimize = runInThisContext(
  '(method, run) => { for (let round = 0; round < 5; round++) { %PrepareFunctionForOptimization(method); run(); run(); %OptimizeFunctionOnNextCall(method); run(); %FinalizeOptimization(); if (%GetOptimizationStatus(method) & (1 << 4)) return; } }',
) as (method: unknown, run: () => void) => void;
/** Whether `method` has optimized code not marked for deoptimization (V8's optimization status, bits 4 and 14). */
const optimized = runInThisContext('(method) => { const status = %GetOptimizationStatus(method); return (status & (1 << 4)) !== 0 && (status & (1 << 14)) === 0; }') as (method: unknown) => boolean;

const official = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'PushEvseData', 'request-eRoamingPushEvseData.json'), 'utf8')) as PushEvseDataRequest;
const record = official.OperatorEvseData.EvseDataRecord[0]!;
const push: PushEvseDataRequest = { ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: Array.from({ length: 20 }, (_, i) => ({ ...record, EvseID: `DE*XYZ*E${i}` })) } };
const xml = soapRequest('PushEvseData', push).value;

/** A method of a class's prototype, private ones included. */
const method = (owner: { prototype: unknown }, name: string) => (owner.prototype as Record<string, unknown>)[name];

describe('the SOAP codec across a full collection', () => {
  it("keeps the writer's optimized code", () => {
    const methods = ['element', 'raw', 'scalar', 'spill'].map((name) => method(XmlWriter, name));
    for (const m of methods) optimize(m, () => void soapRequest('PushEvseData', push));
    expect(methods.map(optimized)).toEqual([true, true, true, true]);
    gc();
    expect(methods.map(optimized)).toEqual([true, true, true, true]);
  });

  it("keeps the reader's optimized code", () => {
    const child = method(EnvelopeReader, 'child');
    optimize(child, () => void readSoapRequest('evsedata', xml));
    expect(optimized(child)).toBe(true);
    gc();
    expect(optimized(child)).toBe(true);
  });
});
