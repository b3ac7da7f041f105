/**
 * CPO side, EVSE data and status, end to end (issue 7): the OCPI CPO simulator registers with a
 * running bridge and pushes its locations; the Hubject simulator receives the EVSE data and
 * statuses over REST 2.3 and over SOAP, field by field as the mappers make them; an EVSE status
 * PATCH becomes a status push only; a status change made while Hubject is down arrives once it is back.
 */
import { evseDataDeliverer, evseStatusDeliverer } from '../../src/flows/cpo/location-publication';
import type { OicpEvseStatusRecord } from '../../src/mapping/evse-status';
import { ocpiLocationToOicp } from '../../src/mapping/location/to-oicp';
import type { OicpClient } from '../../src/oicp/client';
import type { ClaimedItem } from '../../src/store';
import type { PushEvseDataRequest, PushEvseStatusRequest } from '../../src/oicp/wire/messages';
import type { Location } from '../../src/ocpi/wire/schemas';
import { corpusJson } from '../support/corpus';
import { RULES, startCpoScene, until, type CpoScene } from '../support/cpo-scene';

const OWNER = { countryCode: 'NL', partyId: 'SIM' };

describe.each(['rest-2.3', 'soap-2.2'] as const)('CPO EVSE data and status over %s', (protocol) => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene(protocol);
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });
  const received = <T>(operation: string) => scene.received<T>(operation);

  it('sends the EVSE data and statuses of the pushed locations, as the mappers make them', async () => {
    expect((await scene.backend.backend.pushAll('bridge')).failed).toEqual([]);
    await until('the hub has the EVSE data and statuses', () => received('PushEvseData').length > 0 && received('PushEvseStatus').length > 0);
    const location = { ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM' };
    // The UTC offset is the one in force when the data is sent, not at the location's last_updated.
    const expected = ocpiLocationToOicp(location, { operatorId: 'BE*BEC', rules: RULES, at: new Date() }).value!;
    const data = received<PushEvseDataRequest>('PushEvseData');
    // The other seed locations' EVSEs belong to other operators: the mapper refuses them (018), nothing is sent for them.
    expect(data).toEqual([{ ActionType: 'update', OperatorEvseData: { OperatorID: 'BE*BEC', OperatorName: expected.OperatorName, EvseDataRecord: expected.records } }]);
    const statuses = received<PushEvseStatusRequest>('PushEvseStatus').flatMap((r) => r.OperatorEvseStatus.EvseStatusRecord);
    expect(statuses).toEqual([
      { EvseID: 'BE*BEC*E041503001', EvseStatus: 'Available' },
      { EvseID: 'BE*BEC*E041503002', EvseStatus: 'Reserved' },
    ]);
  });

  it('turns an EVSE status PATCH into a status push only', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    const dataBefore = received('PushEvseData').length;
    expect(await peer.patch('locations', OWNER, ['LOC1', '3256'], { status: 'CHARGING', last_updated: '2026-11-24T10:00:00Z' })).toMatchObject({ ok: true });
    await until('the status arrived', () => received<PushEvseStatusRequest>('PushEvseStatus').some((r) => r.OperatorEvseStatus.EvseStatusRecord.some((s) => s.EvseStatus === 'Occupied')));
    expect(received('PushEvseData')).toHaveLength(dataBefore);
    // The cache holds the change: the backend reads it back.
    expect(await scene.bridge.store.objects.get('locations', 'NL*SIM', 'LOC1')).toMatchObject({ body: { evses: [{ uid: '3256', status: 'CHARGING' }, { uid: '3257' }] } });
  });

  it('keeps status changes made while Hubject is down and delivers the latest one when it is back', async () => {
    const peer = (await scene.backend.backend.peer('bridge'))!;
    scene.hub.setDown(true);
    for (const status of ['OUTOFORDER', 'AVAILABLE']) {
      expect(await peer.patch('locations', OWNER, ['LOC1', '3257'], { status, last_updated: '2026-11-24T11:00:00Z' })).toMatchObject({ ok: true });
    }
    const before = received('PushEvseStatus').length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received('PushEvseStatus')).toHaveLength(before);
    scene.hub.setDown(false);
    await until('the status arrived after the outage', () => received('PushEvseStatus').length > before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = received<PushEvseStatusRequest>('PushEvseStatus').slice(before).flatMap((r) => r.OperatorEvseStatus.EvseStatusRecord);
    // Only the latest status of the EVSE is sent, whichever item the worker retried first.
    expect(new Set(after.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ EvseID: 'BE*BEC*E041503002', EvseStatus: 'Available' })]));
    expect(scene.hub.state.evseStatus.get('BEBEC')?.get('BE*BEC*E041503002')).toMatchObject({ EvseStatus: 'Available' });
    expect(await scene.bridge.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
  });
});

describe('the status deliverer', () => {
  const item = (id: number, payload: unknown) => ({ id, topic: 'oicp:PushEvseStatus', payload, attempts: 1 }) as unknown as ClaimedItem;
  const record = (EvseID: string, EvseStatus: string) => ({ EvseID, EvseStatus }) as OicpEvseStatusRecord;
  function deliverer(statuses: OicpEvseStatusRecord[]) {
    const sent: PushEvseStatusRequest[] = [];
    const client = { call: (_: string, body: PushEvseStatusRequest) => Promise.resolve(sent.push(body) && { ok: true, value: {}, findings: [] }) } as unknown as OicpClient;
    const network = () => Promise.resolve({ operator: { OperatorID: 'BE*BEC', OperatorName: 'BEC' }, records: [], statuses, held: 0 });
    return { sent, deliverer: evseStatusDeliverer(client, 'BE*BEC', network) };
  }

  it('sends a batch of waiting statuses (one per EVSE, as the outbox hands them out) in one update', async () => {
    const { sent, deliverer: status } = deliverer([]);
    expect(status.batch).toBe(500);
    expect(await status.deliver([item(1, record('BE*BEC*E1', 'Occupied')), item(2, record('BE*BEC*E2', 'Reserved'))])).toEqual([{ outcome: 'delivered' }, { outcome: 'delivered' }]);
    expect(sent).toEqual([{ ActionType: 'update', OperatorEvseStatus: { OperatorID: 'BE*BEC', EvseStatusRecord: [record('BE*BEC*E1', 'Occupied'), record('BE*BEC*E2', 'Reserved')] } }]);
  });

  it('sends a full sync as the statuses of the whole cached network, read when it is sent', async () => {
    const { sent, deliverer: status } = deliverer([record('BE*BEC*E1', 'Available'), record('BE*BEC*E2', 'Occupied')]);
    expect(await status.deliver([item(7, { fullLoad: true })])).toEqual([{ outcome: 'delivered' }]);
    expect(sent.map((r) => [r.ActionType, r.OperatorEvseStatus.EvseStatusRecord])).toEqual([['fullLoad', [record('BE*BEC*E1', 'Available'), record('BE*BEC*E2', 'Occupied')]]]);
  });
});

describe('the EVSE data deliverer, for a full sync', () => {
  const fullLoad = { id: 9, topic: 'oicp:PushEvseData', payload: { fullLoad: true }, attempts: 1 } as unknown as ClaimedItem;
  function deliverer(held: number) {
    const sent: PushEvseDataRequest[] = [];
    const client = { call: (_: string, body: PushEvseDataRequest) => Promise.resolve(sent.push(body) && { ok: true, value: {}, findings: [] }) } as unknown as OicpClient;
    const network = () => Promise.resolve({ operator: { OperatorID: 'BE*BEC', OperatorName: 'BEC' }, records: [], statuses: [], held });
    return { sent, deliverer: evseDataDeliverer(client, network) };
  }

  it('sends an empty fullLoad when the backend lists none of our EVSEs: that clears the network at Hubject', async () => {
    const { sent, deliverer: data } = deliverer(0);
    expect(await data.deliver([fullLoad])).toEqual([{ outcome: 'delivered' }]);
    expect(sent).toEqual([{ ActionType: 'fullLoad', OperatorEvseData: { OperatorID: 'BE*BEC', OperatorName: 'BEC', EvseDataRecord: [] } }]);
  });

  it('refuses (a dead letter saying why) an empty fullLoad when our EVSEs are all held back: Hubject would delete the network for a mapping mistake', async () => {
    const { sent, deliverer: data } = deliverer(3);
    const [delivery] = await data.deliver([fullLoad]);
    expect(delivery).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('every EVSE of the network (3) is held back') });
    expect(sent).toEqual([]);
  });
});

