/**
 * What the reader remembers for the life of the process (the names a peer writes, on the plans)
 * holds no part of the document it was read from: saxes' names are slices of the text, and a slice
 * kept alive keeps the whole text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readSoapRequest, soapRequest } from '../../src/oicp/soap/envelope';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const official = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'PushEvseData', 'request-eRoamingPushEvseData.json'), 'utf8')) as PushEvseDataRequest;
const record = official.OperatorEvseData.EvseDataRecord[0]!;
const push: PushEvseDataRequest = { ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: Array.from({ length: 1_000 }, (_, i) => ({ ...record, EvseID: `DE*XYZ*E${i}` })) } };

/** Heap in use after full collections (two: objects made while the collector marks outlive one). */
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe('the SOAP reader', () => {
  it('keeps nothing of a document read once its result is dropped', () => {
    // Decoded from bytes, the document is one string in the heap (the writer's own text is held outside it).
    const document = () => Buffer.from(soapRequest('PushEvseData', push).value).toString('utf8');
    const bytes = document().length;
    const before = heapUsed();
    // The first document read with these names: the plans remember them from this one. Read in a
    // function of its own, so that nothing of this frame holds the result.
    const findings = (() => readSoapRequest('evsedata', document()).findings.length)();
    expect(findings).toBe(1_000);
    expect(heapUsed() - before).toBeLessThan(bytes / 4);
  });
});
