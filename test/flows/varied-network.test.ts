/**
 * The varied network of fixtures/varied-network/ (ISO and DIN operators, multi-plug DC+AC EVSEs, real
 * time zones, long texts, every coordinate encoding) through the flows, not only the mappers: the
 * EMP side pulls it from the Hubject simulator and the eMSP backend gets every site, and later
 * statuses under Hubject's DIN EvseIDs; the CPO side takes the OCPI sites from its backend and Hubject
 * gets every EVSE as the mapper makes it. On close each scene checks every OICP message against
 * Hubject's OpenAPI and every OCPI request against the spec's limits (test/support/conformance.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ocpiLocationToOicp } from '../../src/mapping/location/to-oicp';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';
import type { EvseDataRecord } from '../../src/oicp/wire/schemas';
import type { Location } from '../../src/ocpi/wire/schemas';
import { RULES, startCpoScene, until, type CpoScene } from '../support/cpo-scene';
import { startEmpScene, type EmpScene, type Protocol } from '../support/emp-scene';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'varied-network');
const RECORDS = JSON.parse(readFileSync(join(FIXTURES, 'hubject-evse-data.json'), 'utf8')) as EvseDataRecord[];
const OCPI_LOCATIONS = JSON.parse(readFileSync(join(FIXTURES, 'ocpi-locations.json'), 'utf8')) as Location[];

/** The OperatorID an EvseID belongs to, ISO (`DE*VRD`) or DIN (`+49*810`). */
const operatorOf = (evseId: string) => /^(\+\d+\*\d+|[A-Z]{2}\*?[A-Z0-9]{3})/.exec(evseId)![1]!.replace(/^([A-Z]{2})([A-Z0-9]{3})$/, '$1*$2');

describe.each<Protocol>(['rest-2.3', 'soap-2.2'])('the varied network through the EMP flows over %s', (protocol) => {
  let scene: EmpScene;
  const puts = () => scene.received('locations', 'PUT location').map((t) => t.body as Location);
  const lastPut = (id: string) => puts().filter((l) => l.id === id).at(-1);
  beforeAll(async () => {
    // The +1 calling code names no single country: the operator's rule names its party.
    scene = await startEmpScene(protocol, {}, { rules: { ...RULES, operators: { ...RULES.operators, '+1*555': { countryCode: 'US', partyId: '555' } } } });
    const byOperator = new Map<string, EvseDataRecord[]>();
    for (const record of RECORDS) byOperator.set(operatorOf(record.EvseID), [...(byOperator.get(operatorOf(record.EvseID)) ?? []), record]);
    for (const [operatorId, records] of byOperator) scene.hub.state.pushEvseData('fullLoad', operatorId, `Operator ${operatorId}`, records);
    await scene.bridge.runJob('EVSE data');
    await scene.delivered();
  }, 60_000);
  afterAll(() => scene?.close());

  it('gives the backend every site of every operator, ISO and DIN, with every EVSE, in its own time zone', () => {
    // The bridge owns what it sends (DE/BRG); a site's id leads with its operator's, so two operators' site ids never meet.
    const sites = ['DEVRD-BERLIN1', 'DEVRD-BER-NIGHT', 'DEVRD-MUC-LONG', 'DEVRD-PLUGS', 'DE810-KEHL-RATHAUS', 'FR123-STRAS-GARE', '1555-NYC-1', 'FITOR-TORNIO-1', 'PTMAD-FUNCHAL-1'];
    expect(sites.map((id) => [id, lastPut(id)?.operator?.name, lastPut(id)?.time_zone])).toEqual([
      ['DEVRD-BERLIN1', 'Operator DE*VRD', 'Europe/Berlin'],
      ['DEVRD-BER-NIGHT', 'Operator DE*VRD', 'Europe/Berlin'],
      ['DEVRD-MUC-LONG', 'Operator DE*VRD', 'Europe/Berlin'],
      ['DEVRD-PLUGS', 'Operator DE*VRD', 'Europe/Berlin'],
      ['DE810-KEHL-RATHAUS', 'Operator +49*810', 'Europe/Berlin'],
      ['FR123-STRAS-GARE', 'Operator +33*123', 'Europe/Paris'],
      ['1555-NYC-1', 'Operator +1*555', 'America/New_York'],
      ['FITOR-TORNIO-1', 'Operator FI*TOR', 'Europe/Helsinki'],
      ['PTMAD-FUNCHAL-1', 'Operator PT*MAD', 'Atlantic/Madeira'],
    ]);
    // Counted, not sampled: each of Hubject's records is one EVSE at the backend, none twice, except the three
    // whose only plug OCPI has no standard for (AVCON, the inductive paddles: not carried, with a finding).
    const evses = sites.flatMap((id) => lastPut(id)!.evses!.map((e) => e.uid));
    const unplugged = ['DE*VRD*E9015', 'DE*VRD*E9016', 'DE*VRD*E9017'];
    expect(evses.sort()).toEqual(RECORDS.map((r) => r.EvseID).filter((id) => !unplugged.includes(id)).sort());
    // DIN EvseIDs in the ISO form OCPI's evse_id has, Hubject's spelling kept as the uid.
    expect(lastPut('DE810-KEHL-RATHAUS')!.evses!.map((e) => [e.uid, e.evse_id])).toEqual([
      ['+49*810*000*438', 'DE*810*E000*438'],
      ['+49*810*000*439', 'DE*810*E000*439'],
    ]);
  });

  it('lists the EVSEs it could not carry as held, each with its reason, for the operator to see', async () => {
    const held = await scene.bridge.store.held.list({ kind: 'hubject-evse' });
    expect(held.map((h) => [h.ref, /no (OCPI|connector)/.test(h.reason)])).toEqual(['DE*VRD*E9015', 'DE*VRD*E9016', 'DE*VRD*E9017'].map((id) => [id, true]));
  });

  it('carries a status Hubject reports under a DIN EvseID to the EVSE the backend knows', async () => {
    const before = scene.received('locations', 'PATCH evse').length;
    scene.hub.state.pushEvseStatus('update', '+49*810', undefined, [{ EvseID: '+49*810*000*438', EvseStatus: 'Occupied' }]);
    await scene.bridge.runJob('EVSE status');
    await until('the PATCH arrived', () => scene.received('locations', 'PATCH evse').length > before);
    await scene.delivered();
    // The first status pull reports every EVSE; the one Hubject names by its DIN id is CHARGING.
    const patches = scene.received('locations', 'PATCH evse').slice(before).filter((p) => p.ref!.ids[1] === '+49*810*000*438');
    expect(patches.map((p) => [p.ref!.ids, (p.body as { status: string }).status])).toEqual([[['DE810-KEHL-RATHAUS', '+49*810*000*438'], 'CHARGING']]);
  });
});

describe.each(['rest-2.3', 'soap-2.2'] as const)('the varied OCPI sites through the CPO flows over %s', (protocol) => {
  let scene: CpoScene;
  // The sites' EVSEs are DE*VRD's: the bridge is that operator. The backend (NL/SIM) owns the objects.
  const owner = { countryCode: 'NL', partyId: 'SIM' };
  const sites = OCPI_LOCATIONS.map((l) => ({ ...l, country_code: owner.countryCode, party_id: owner.partyId }));
  beforeAll(async () => {
    scene = await startCpoScene(protocol, { operatorId: 'DE*VRD' });
  }, 60_000);
  afterAll(() => scene?.close());

  it('pushes every EVSE of every site to Hubject, once, as the mapper makes it, and holds the one OICP has no plug for', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    for (const site of sites) expect((await peer.put('locations', owner, [site.id], site)).ok).toBe(true);
    // MUC-LONG's second EVSE has a GB/T DC connector only: Hubject has no such plug.
    const evseIds = sites.flatMap((s) => s.evses!.map((e) => e.evse_id!)).filter((id) => id !== 'DE*VRD*E5002');
    const sent = () => [...(scene.hub.state.evseData.get('DEVRD')?.values() ?? [])].map((s) => s.record);
    await until('Hubject has every EVSE', () => sent().length === evseIds.length);
    expect(sent().map((r) => r.EvseID).sort()).toEqual([...evseIds].sort());
    // Each in one push only: no EVSE was sent twice.
    const pushed = scene.received<PushEvseDataRequest>('PushEvseData').flatMap((r) => r.OperatorEvseData.EvseDataRecord.map((e) => e.EvseID));
    expect(pushed.sort()).toEqual([...evseIds].sort());
    const expected = sites.flatMap((site) => ocpiLocationToOicp(site, { operatorId: 'DE*VRD', rules: RULES, at: new Date() }).value!.records);
    expect(expected.map((r) => r.EvseID).sort()).toEqual([...evseIds].sort());
    const byId = new Map(sent().map((r) => [r.EvseID, r]));
    for (const record of expected) expect(byId.get(record.EvseID)).toEqual(record);
    const held = await scene.bridge.store.held.list({ kind: 'evse' });
    expect(held.map((h) => [h.ref, h.reason.includes('OICP has no plug for OCPI connector standard GBT_DC')])).toEqual([['NL*SIM/MUC-LONG/5002', true]]);
  });
});
