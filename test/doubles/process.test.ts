import { spawnHubjectDouble, type RemoteHubjectDouble } from '../support/doubles/hubject-remote';
import { spawnOcpiCpoDouble, type RemoteOcpiCpoDouble } from '../support/doubles/ocpi-cpo-remote';
import { generateLocations } from '../support/doubles/ocpi-data';
import { post } from './client';
import { startCounterpart, type Counterpart } from './emsp-counterpart';

/** Both doubles as their own processes, steered from this one through their control APIs. */

jest.setTimeout(30_000);

let hub: RemoteHubjectDouble | undefined;
let backend: RemoteOcpiCpoDouble | undefined;
let emsp: Counterpart | undefined;
afterEach(async () => {
  await hub?.close();
  await backend?.close();
  await emsp?.close();
});

it('runs the Hubject double in a child process: options at start, knobs and state over the control API', async () => {
  hub = await spawnHubjectDouble({ faults: { failureRate: 1 }, evseStatuses: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }] });
  const pull = () => post(`${hub!.url}/api/oicp/evsepull/v21/providers/DE-DCB/status-records`, { ProviderID: 'DE-DCB', EvseID: ['DE*ABC*E1'] });
  expect((await pull()).status).toBe(503);
  await hub.setFaults({ failureRate: 0 });
  expect((await pull()).body.EVSEStatusRecords.EvseStatusRecord).toEqual([{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' }]);
  await hub.down(null, 'refuse');
  await expect(pull()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await hub.up();
  expect((await pull()).status).toBe(200);
  expect(await hub.counters()).toMatchObject({ requests: 3, failures503: 1, downPeriods: 1 });
  await hub.close();
  expect(hub.child.process.exitCode).toBe(0);
  hub = undefined;
});

it('runs the OCPI CPO double in a child process: registration, pushes and a stream through the control API', async () => {
  const locations = generateLocations({ operator: 'DE*ABC', count: 3, evsesPerLocation: 1 });
  backend = await spawnOcpiCpoDouble({ tokenA: 'child-token-A', locations });
  emsp = await startCounterpart();
  expect((await emsp.register(backend.versionsUrl, 'child-token-A')).body.status_code).toBe(1000);
  expect((await backend.registration()).clientToken).toBe(emsp.tokenB);
  const result = await backend.push({ op: 'putLocation', location: locations[0]! });
  expect(result.outcome).toBe('acknowledged');
  const items = locations.map((l) => ({ op: 'patchEvse' as const, locationId: l.id, evseUid: l.evses[0]!.uid, patch: { status: 'CHARGING', last_updated: '2032-01-01T00:00:00Z' } }));
  const report = await backend.stream(items, { rate: 100, concurrency: 2 });
  expect(report).toMatchObject({ count: 3, acknowledged: 3 });
  expect((await backend.counters()).pushes).toMatchObject({ sent: 4, acknowledged: 4 });
  expect((await backend.data()).locations.map((l) => (l.evses as { status: string }[])[0]!.status)).toEqual(['CHARGING', 'CHARGING', 'CHARGING']);
});
