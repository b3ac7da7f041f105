/**
 * The reader's shortcut for bulk pushes (each plan remembers the order of the children of the first
 * element it read, and the reader compares the next names with the ones expected instead of looking
 * each up) must not change what is read: a record reads the same in a push of many, whatever the
 * records before it held and in whatever order, as alone; and a finding made on every meeting of an
 * element (an element OICP 2.3 lacks, a one-language name) is made for every record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Finding } from '../../src/core/findings';
import { readSoapRequest, soapRequest } from '../../src/oicp/soap/envelope';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';
import type { SoapRelease } from '../../src/oicp/wire/soap-services';

const official = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'PushEvseData', 'request-eRoamingPushEvseData.json'), 'utf8')) as PushEvseDataRequest;
const template = official.OperatorEvseData.EvseDataRecord[0]! as unknown as Record<string, unknown>;
const OPTIONAL = ['ChargingPoolID', 'ChargingStationID', 'HardwareManufacturer', 'ChargingStationImage', 'SubOperatorName', 'GeoChargingPointEntrance', 'EnergySource', 'MaxCapacity', 'PaymentOptions', 'ValueAddedServices', 'AdditionalInfo', 'OpeningTimes', 'ClearinghouseID'];

const RECORD = /<EVSEData:EvseDataRecord[ >][\s\S]*?<\/EVSEData:EvseDataRecord>/;

/** The top-level child elements of an element's compact XML content. */
function children(content: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let start = 0;
  for (const tag of content.matchAll(/<(\/?)[^>]*?(\/?)>/g)) {
    if (tag[2] === '/') {
      if (depth === 0) found.push(tag[0]);
      continue;
    }
    if (tag[1] === '/') {
      depth--;
      if (depth === 0) found.push(content.slice(start, tag.index + tag[0].length));
    } else if (depth++ === 0) start = tag.index;
  }
  return found;
}

/** A record as a peer may write it: some optional members left out, the children in another order, an element OICP 2.3 lacks. */
const peerRecord = fc.record({
  left: fc.subarray(OPTIONAL),
  order: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  unknown: fc.option(fc.nat(40), { nil: undefined }),
});
type PeerRecord = typeof peerRecord extends fc.Arbitrary<infer T> ? T : never;

/** The XML of one record as `peer` has it (in `release`), numbered `index`. */
function recordXml(peer: PeerRecord, index: number, release: SoapRelease): string {
  const record = Object.fromEntries(Object.entries({ ...template, EvseID: `DE*XYZ*E${index}` }).filter(([key]) => !peer.left.includes(key)));
  const written = soapRequest('PushEvseData', { ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: [record] } }, { release }).value.match(RECORD)![0];
  const open = written.slice(0, written.indexOf('>') + 1);
  const inner = children(written.slice(open.length, -'</EVSEData:EvseDataRecord>'.length));
  // A stable sort by the drawn keys: another order of the same children.
  const shuffled = inner.map((child, i) => ({ child, key: peer.order[i] ?? 0 })).sort((a, b) => a.key - b.key).map((c) => c.child);
  if (peer.unknown !== undefined) shuffled.splice(peer.unknown % (shuffled.length + 1), 0, '<EVSEData:Colour>green</EVSEData:Colour>');
  return `${open}${shuffled.join('')}</EVSEData:EvseDataRecord>`;
}

const envelopeOf = (records: string[], release: SoapRelease) => soapRequest('PushEvseData', { ...official, OperatorEvseData: { ...official.OperatorEvseData, EvseDataRecord: [template] } }, { release }).value.replace(RECORD, records.join(''));
const atIndex = (findings: Finding[], index: number) => findings.map((f) => ({ ...f, path: f.path.replace(/^OperatorEvseData\.EvseDataRecord\[\d+\]/, `OperatorEvseData.EvseDataRecord[${index}]`) }));

describe('the reader, records of a push as peers write them', () => {
  it.each(['2.1', '2.2'] as SoapRelease[])('in %s, reads each record of a push as the push of that record alone, findings included', (release) => {
    fc.assert(
      fc.property(fc.array(peerRecord, { minLength: 1, maxLength: 6 }), (peers) => {
        const records = peers.map((peer, i) => recordXml(peer, i, release));
        const together = readSoapRequest('evsedata', envelopeOf(records, release));
        const alone = records.map((record) => readSoapRequest('evsedata', envelopeOf([record], release)));
        expect((together.value as PushEvseDataRequest).OperatorEvseData.EvseDataRecord).toEqual(alone.map((a) => (a.value as PushEvseDataRequest).OperatorEvseData.EvseDataRecord[0]));
        expect(together.findings).toEqual(alone.flatMap((a, i) => atIndex(a.findings, i)));
        // Said for every record that has it, not only the first.
        const unknown = peers.flatMap((peer, i) => (peer.unknown === undefined ? [] : [`OperatorEvseData.EvseDataRecord[${i}].Colour`]));
        expect(together.findings.filter((f) => f.path.endsWith('.Colour')).map((f) => f.path)).toEqual(unknown);
        expect(together.findings.filter((f) => f.path.endsWith('.ChargingStationName'))).toHaveLength(peers.length);
      }),
      { numRuns: 60 },
    );
  });
});
