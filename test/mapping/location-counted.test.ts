/**
 * The network pull's form of the way back (countedEvseDataToLocations, evseDataFindingsAbout) against
 * the listed one every other caller reads (checkedEvseDataToLocations), on the varied network: ISO and
 * DIN operators, EVSEs not carried (no OCPI plug) and a refused operator, so every kind of finding occurs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../src/core/findings';
import { checkedEvseDataToLocations, countedEvseDataToLocations, evseDataFindingsAbout } from '../../src/mapping/location/from-oicp';
import { NO_RULES } from '../../src/mapping/rules';
import type { EvseDataRecord } from '../../src/oicp/wire/schemas';

const RECORDS = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'varied-network', 'hubject-evse-data.json'), 'utf8')) as EvseDataRecord[];
const OPTIONS = { rules: NO_RULES, now: new Date('2026-01-15T12:00:00Z') };
const listed = checkedEvseDataToLocations(RECORDS, OPTIONS);
const carried = new Set(listed.value.flatMap((l) => l.evses!.map((e) => e.uid)));
const notCarried = RECORDS.filter((r) => !carried.has(r.EvseID)).map((r) => r.EvseID);

/** The findings about one record, as the pull reads them: naming its EVSE, or at its path. */
const aboutRecord = (findings: readonly Finding[], evseId: string) => {
  const index = RECORDS.findIndex((r) => r.EvseID === evseId);
  return findings.filter((f) => f.subject?.evseId === evseId || f.path === `[${index}]` || f.path.startsWith(`[${index}].`));
};

describe('EvseDataRecords -> Locations with the findings counted (the network pull)', () => {
  it('makes the same locations, and counts the findings the listed form lists, by kind', () => {
    const counted = countedEvseDataToLocations(RECORDS, OPTIONS);
    expect([...counted.value]).toEqual(listed.value);
    const kinds = (kind: Finding['kind']) => listed.findings.filter((f) => f.kind === kind).length;
    expect(counted.counts).toEqual({ loss: kinds('loss'), default: kinds('default'), invalid: kinds('invalid') });
    expect(counted.counts.invalid).toBeGreaterThan(0);
  });

  it('makes each location only when it is taken, so the pull holds one at a time', () => {
    const counted = countedEvseDataToLocations(RECORDS, OPTIONS);
    expect(counted.counts).toEqual({ loss: 0, default: 0, invalid: 0 });
    const [first] = counted.value;
    expect(first).toEqual(listed.value[0]);
    expect(counted.counts.loss).toBeGreaterThan(0);
    expect(counted.counts.loss).toBeLessThan(listed.findings.filter((f) => f.kind === 'loss').length);
  });

  it('lists the findings about the records not carried as the listed form does, and no others of the page', () => {
    // Three EVSEs without an OCPI plug, and one of an operator the rules give no party (+1 names no country).
    expect(notCarried).toEqual(['DE*VRD*E9015', 'DE*VRD*E9016', 'DE*VRD*E9017', '+1*555*100*1']);
    const about = evseDataFindingsAbout(RECORDS, new Set(notCarried), OPTIONS);
    for (const evseId of notCarried) {
      expect(aboutRecord(about, evseId)).toEqual(aboutRecord(listed.findings, evseId));
      expect(aboutRecord(about, evseId)).not.toEqual([]);
    }
    expect(listed.findings).toEqual(expect.arrayContaining(about));
    expect(about.length).toBeLessThan(listed.findings.length);
    expect(evseDataFindingsAbout(RECORDS, new Set(), OPTIONS)).toEqual([]);
  });
});
