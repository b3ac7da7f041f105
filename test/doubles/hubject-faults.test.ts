import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { startHubjectDouble, type HubjectDouble } from '../support/doubles/hubject';
import { call, failure, post } from './client';

/** Each fault knob of the Hubject double does what it says, and is counted. */

const STATUS_PATH = '/api/oicp/evsepush/v21/operators/DE*ABC/status-records';
const PULL_PATH = '/api/oicp/evsepull/v21/providers/DE-DCB/status-records';
const push = (EvseStatus = 'Available', EvseID = 'DE*ABC*E1') => ({ ActionType: 'update', OperatorEvseStatus: { OperatorID: 'DE*ABC', EvseStatusRecord: [{ EvseID, EvseStatus }] } });
const pull = { ProviderID: 'DE-DCB' };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let hub: HubjectDouble;
afterEach(async () => {
  await hub?.close();
});

/** What each of `n` sequential pushes got: an HTTP status or an error code. */
async function outcomes(n: number): Promise<(number | string)[]> {
  const seen: (number | string)[] = [];
  for (let i = 0; i < n; i++) seen.push(await post(`${hub.url}${STATUS_PATH}`, push()).then((r) => r.status, (err: NodeJS.ErrnoException) => err.code ?? err.message));
  return seen;
}

describe('Hubject double: fault knobs', () => {
  it('answers 503 at the failure rate, the same pattern for the same seed, unprocessed', async () => {
    hub = await startHubjectDouble({ faults: { failureRate: 0.4, seed: 42 } });
    const first = await outcomes(40);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(30);
    expect(await hub.counters()).toMatchObject({ requests: 40, failures503: failures });
    expect((await hub.evseStatuses())['DE*ABC*E1']!.history).toHaveLength(40 - failures);
    await hub.close();

    hub = await startHubjectDouble({ faults: { failureRate: 0.4, seed: 42 } });
    expect(await outcomes(40)).toEqual(first);
    await hub.setFaults({ seed: 7 });
    expect(await outcomes(40)).not.toEqual(first);
  });

  it('limits the faults to the listed operations', async () => {
    hub = await startHubjectDouble({ faults: { failureRate: 1, operations: ['ChargeDetailRecord'] } });
    expect(await outcomes(3)).toEqual([200, 200, 200]);
    await hub.setFaults({ operations: null });
    expect(await outcomes(2)).toEqual([503, 503]);
  });

  it('holds past the caller\'s timeout: answer-late processes on arrival, process-late only for a caller still there', async () => {
    hub = await startHubjectDouble({ faults: { holdRate: 1, holdMs: 300 } });
    expect(await failure(post(`${hub.url}${STATUS_PATH}`, push('Occupied'), { timeoutMs: 80 }))).toBe('TIMEOUT');
    expect((await hub.evseStatuses())['DE*ABC*E1']!.current).toBe('Occupied');
    await wait(350);
    expect(await hub.counters()).toMatchObject({ holds: 1, answersLost: 1 });

    await hub.setFaults({ holdMode: 'process-late' });
    expect(await failure(post(`${hub.url}${STATUS_PATH}`, push('Reserved'), { timeoutMs: 80 }))).toBe('TIMEOUT');
    await wait(350);
    expect((await hub.evseStatuses())['DE*ABC*E1']!.current).toBe('Occupied');
    expect(await hub.counters()).toMatchObject({ holds: 2, holdsAbandoned: 1 });

    // A patient caller gets its answer after the hold, processed.
    const patient = await post(`${hub.url}${STATUS_PATH}`, push('Reserved'));
    expect(patient.ms).toBeGreaterThanOrEqual(290);
    expect(patient.body.Result).toBe(true);
    expect((await hub.evseStatuses())['DE*ABC*E1']!.current).toBe('Reserved');
    expect((await hub.requests()).map((r) => [r.fault, r.clientGone ?? false])).toEqual([
      ['hold', true],
      ['hold', true],
      ['hold', false],
    ]);
  });

  it('slows every answer by slowMs', async () => {
    hub = await startHubjectDouble({ faults: { slowMs: 150 } });
    const res = await post(`${hub.url}${PULL_PATH}`, pull);
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(145);
    expect((await hub.counters()).slowed).toBe(1);
  });

  it('resets the connection of the nth request of an operation, once (a pull that dies mid-way)', async () => {
    hub = await startHubjectDouble({ faults: { resetNth: { nth: 2, operation: 'PullEvseStatus' } } });
    const page = () => post(`${hub.url}${PULL_PATH}`, pull).then((r) => r.status, (err: NodeJS.ErrnoException) => err.code);
    await post(`${hub.url}${STATUS_PATH}`, push());
    expect([await page(), await page(), await page()]).toEqual([200, 'ECONNRESET', 200]);
    expect(await hub.counters()).toMatchObject({ resetsNth: 1, resets: 0 });
    expect((await hub.faults()).resetNth).toBeNull();
    expect((await hub.requests({ operation: 'PullEvseStatus' })).map((r) => r.fault)).toEqual([undefined, 'resetNth', undefined]);
  });

  it('resets connections at the reset rate, without processing them', async () => {
    hub = await startHubjectDouble({ faults: { resetRate: 1 } });
    expect(await outcomes(2)).toEqual(['ECONNRESET', 'ECONNRESET']);
    expect(await hub.counters()).toMatchObject({ resets: 2 });
    expect(await hub.evseStatuses()).toEqual({});
  });

  it('goes down refusing connections for a period, then comes back on the same port', async () => {
    hub = await startHubjectDouble();
    await hub.down(300, 'refuse');
    expect(await outcomes(1)).toEqual(['ECONNREFUSED']);
    await wait(400);
    expect(await outcomes(1)).toEqual([200]);
    expect((await hub.counters()).downPeriods).toBe(1);
  });

  it('goes down resetting every connection, open keep-alive ones included, until up()', async () => {
    hub = await startHubjectDouble();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await post(`${hub.url}${PULL_PATH}`, pull, { agent })).status).toBe(200);
    await hub.down(null, 'reset');
    expect(await failure(post(`${hub.url}${PULL_PATH}`, pull, { agent }))).toMatch(/ECONNRESET|socket hang up/);
    expect(await outcomes(2)).toEqual(['ECONNRESET', 'ECONNRESET']);
    expect((await hub.counters()).downResets).toBeGreaterThanOrEqual(2);
    await hub.up();
    expect(await outcomes(1)).toEqual([200]);
    agent.destroy();
  });

  it('closes idle keep-alive connections after keepAliveTimeoutMs, so a client reusing one later needs a new connection', async () => {
    hub = await startHubjectDouble({ faults: { keepAliveTimeoutMs: 150 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const closed: string[] = [];
    agent.on('free', (socket: Socket) => socket.once('close', () => closed.push('closed')));
    expect((await post(`${hub.url}${PULL_PATH}`, pull, { agent })).headers['keep-alive']).toBeUndefined();
    expect((await post(`${hub.url}${PULL_PATH}`, pull, { agent })).status).toBe(200);
    expect((await hub.counters()).connections).toBe(1);
    await wait(300);
    expect(closed.length).toBeGreaterThanOrEqual(1);
    expect((await hub.counters()).keepAliveCloses).toBe(1);
    expect((await post(`${hub.url}${PULL_PATH}`, pull, { agent })).status).toBe(200);
    expect((await hub.counters()).connections).toBe(2);

    await hub.setFaults({ advertiseKeepAlive: true, keepAliveTimeoutMs: 2_000 });
    expect((await call('POST', `${hub.url}${PULL_PATH}`, { body: pull, agent })).headers['keep-alive']).toBe('timeout=2');
    agent.destroy();
  });

  it('answers 404 to a path that is no OICP operation, counted apart', async () => {
    hub = await startHubjectDouble();
    expect((await post(`${hub.url}/api/oicp/evsepush/v99/operators/DE*ABC/status-records`, push())).status).toBe(404);
    expect((await hub.counters()).unknownPaths).toBe(1);
  });
});
