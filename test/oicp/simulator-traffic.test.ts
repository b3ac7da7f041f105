/**
 * The Hubject simulator's traffic log is bounded: it keeps the latest exchanges, and a bulk page
 * answer without its records, so a pull of the whole network does not keep the network twice.
 */
import { OicpClient } from '../../src/oicp/client';
import { startServer, type RunningServer } from '../../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../../src/simulator/hubject';
import { SIMULATED_OPERATOR, simulatedEvse } from '../../src/simulator/oicp-cpo';
import { quietLogger } from '../support/oicp-network';

const logger = quietLogger();
let hub: HubjectSimulator;
let server: RunningServer;
let client: OicpClient;

beforeEach(async () => {
  hub = createHubjectSimulator({ logger, trafficLimit: 10 });
  server = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '10mb', shutdownTimeoutMs: 100 });
});
afterEach(async () => {
  client.close();
  hub.close();
  await server.close();
});

it('keeps the latest exchanges, oldest first, up to its limit', async () => {
  client = new OicpClient({ baseUrl: server.url, as: 'CPO', partyId: 'DE*ABC', logger });
  for (let n = 0; n < 25; n++) {
    const pushed = await client.call('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: 'DE*ABC', EvseStatusRecord: [{ EvseID: `DE*ABC*E${n}`, EvseStatus: 'Available' }] } });
    expect(pushed.ok).toBe(true);
  }
  expect(hub.traffic.length).toBeLessThanOrEqual(10);
  const evses = hub.traffic.map((t) => (t.request as { OperatorEvseStatus: { EvseStatusRecord: { EvseID: string }[] } }).OperatorEvseStatus.EvseStatusRecord[0]!.EvseID);
  expect(evses.at(-1)).toBe('DE*ABC*E24');
  expect(evses).toEqual([...evses].sort((a, b) => Number(a.slice(8)) - Number(b.slice(8))));
});

it('logs a page of more than 1,000 records by its size; the caller gets every record', async () => {
  hub.state.pushEvseData('fullLoad', SIMULATED_OPERATOR.OperatorID, SIMULATED_OPERATOR.OperatorName, Array.from({ length: 1_500 }, (_, n) => simulatedEvse(n)));
  client = new OicpClient({ baseUrl: server.url, as: 'EMP', partyId: 'DE-DCB', logger });
  let read = 0;
  for await (const _record of client.pages('PullEvseData', { ProviderID: 'DE-DCB', GeoCoordinatesResponseFormat: 'DecimalDegree' }, { size: 2_000 })) read++;
  expect(read).toBe(1_500);
  const [page] = hub.traffic.filter((t) => t.operation === 'PullEvseData');
  expect(page).toMatchObject({ summarised: '1500 records', response: { content: [] } });
});
