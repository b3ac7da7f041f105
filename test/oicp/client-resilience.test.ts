/**
 * The OICP client against a Hubject written from the OpenAPI alone (test/support/doubles), which
 * breaks the network on purpose: a kept-alive connection the hub closed while this process was busy,
 * a reset in the middle of a paged pull, 503s on reads, a reset AuthorizeStart. Reads are sent again
 * and a pull resumes at the page that failed; a push that may have arrived is not sent twice.
 */
import { Writable } from 'node:stream';
import { OicpClient } from '../../src/oicp/client';
import { createLogger } from '../../src/observability/logger';
import { generateEvseDataRecords } from '../support/doubles/oicp-data';
import type { HubjectDouble } from '../support/doubles/hubject';
import { spawnHubjectDouble } from '../support/doubles/hubject-remote';
import { quietLogger } from '../support/oicp-network';

const logger = quietLogger();
const PROVIDER = 'DE-EMP';

/** A debug logger whose lines land in `lines` (the client logs each attempt with its outcome). */
function collectingLogger(lines: string[]) {
  return createLogger({ level: 'debug', format: 'json' }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString()), done()) }));
}

/** Keeps the event loop busy, as storing a large page does: no timer and no socket event runs meanwhile. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

// The hub runs in its own process: its idle timer must close connections while this process is busy, as a real hub does.
describe('the OICP client toward a hub that closes and resets connections', () => {
  let hub: HubjectDouble;
  const clients: OicpClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof OicpClient>[0]> = {}) => {
    const made = new OicpClient({ baseUrl: hub.url, as: 'EMP', partyId: PROVIDER, logger, retry: { attempts: 4, baseDelayMs: 20 }, ...options });
    clients.push(made);
    return made;
  };
  beforeAll(async () => {
    hub = await spawnHubjectDouble({ evseData: generateEvseDataRecords({ count: 60, seed: 3 }), evseStatuses: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Available', OperatorID: 'DE*ABC' }] });
  }, 20_000);
  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    await hub.setFaults({ keepAliveTimeoutMs: 5_000, resetNth: null, failureRate: 0, operations: null });
    await hub.clearRecords();
  });
  afterAll(async () => {
    await hub?.close();
  });
  /** Pulls every page; `between` runs after each page is read, before the next is asked for. */
  const pull = async (oicp: OicpClient, size: number, between?: () => unknown) => {
    const records: unknown[] = [];
    for await (const record of oicp.pages('PullEvseData', { ProviderID: PROVIDER, GeoCoordinatesResponseFormat: 'DecimalDegree' }, { size })) {
      records.push(record);
      if (records.length % size === 0) await between?.();
    }
    return records;
  };

  const status = (EvseStatus: 'Available' | 'Occupied') => ({ ActionType: 'update' as const, OperatorEvseStatus: { OperatorID: 'DE*ABC', EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus }] } });

  it('reads every answer whole into the buffer it keeps between answers: a large page, smaller ones after it, and pulls at the same time', async () => {
    const oicp = client();
    // 60 records in one answer: larger than the buffer's first size, so it grows while reading.
    const whole = await pull(oicp, 60);
    expect(whole).toHaveLength(60);
    // Smaller answers read into the same (larger) buffer: each is only its own text.
    expect(await pull(oicp, 7)).toEqual(whole);
    const [a, b, c] = await Promise.all([pull(oicp, 60), pull(oicp, 3), pull(oicp, 25)]);
    expect([a, b, c]).toEqual([whole, whole, whole]);
  });

  it('sends a push again that met a kept-alive connection the hub closed while this process was busy (it never arrived)', async () => {
    await hub.setFaults({ keepAliveTimeoutMs: 300 });
    const lines: string[] = [];
    const cpo = client({ as: 'CPO', partyId: 'DE*ABC', keepAliveMs: 10_000, logger: collectingLogger(lines) });
    expect((await cpo.call('PushEvseStatus', status('Occupied'))).ok).toBe(true);
    busy(700);
    expect((await cpo.call('PushEvseStatus', status('Available'))).ok).toBe(true);
    expect((await hub.counters()).byOperation.PushEvseStatus).toBe(2);
    expect((await hub.evseStatuses())['DE*ABC*E1']?.current).toBe('Available');
    // The second push met the closed connection first.
    expect(lines.filter((l) => l.includes('"operation":"PushEvseStatus"') && l.includes('"status":"unreachable"'))).toHaveLength(1);
  });

  it('does not reuse a connection idle longer than keepAliveMs, measured by the clock (the idle timer cannot run while the process is busy)', async () => {
    await hub.setFaults({ keepAliveTimeoutMs: 300 });
    const lines: string[] = [];
    const cpo = client({ as: 'CPO', partyId: 'DE*ABC', keepAliveMs: 200, logger: collectingLogger(lines) });
    expect((await cpo.call('PushEvseStatus', status('Occupied'))).ok).toBe(true);
    busy(700);
    expect((await cpo.call('PushEvseStatus', status('Available'))).ok).toBe(true);
    expect(lines.filter((l) => l.includes('"status":"unreachable"'))).toEqual([]);
    expect((await hub.counters()).connections).toBe(2);
  });

  it('completes a pull whose pages are stored slower than the hub keeps an idle connection', async () => {
    await hub.setFaults({ keepAliveTimeoutMs: 300 });
    const records = await pull(client({ keepAliveMs: 10_000 }), 20, () => busy(600));
    expect(records).toHaveLength(60);
    expect((await hub.counters()).keepAliveCloses).toBeGreaterThan(0);
  });

  it('resumes a pull at the page that failed, not from the start, when the hub is briefly unreachable', async () => {
    let downed = false;
    // Tries after 60, 120 and 240 ms: the hub is back after 100.
    const records = await pull(client({ retry: { attempts: 4, baseDelayMs: 60 } }), 20, async () => {
      if (downed) return;
      downed = true;
      await hub.down(100, 'refuse');
    });
    expect(records).toHaveLength(60);
    const pages = (await hub.requests({ operation: 'PullEvseData' })).map((r) => new URL(r.path, hub.url).searchParams.get('page'));
    expect(pages).toEqual(['0', '1', '2']);
    expect((await hub.counters()).downPeriods).toBe(1);
  });

  it('sends a page again whose kept-alive connection was reset mid-pull', async () => {
    await hub.setFaults({ resetNth: { nth: 2, operation: 'PullEvseData' } });
    const records = await pull(client(), 20);
    expect(records).toHaveLength(60);
    const pages = (await hub.requests({ operation: 'PullEvseData' })).map((r) => new URL(r.path, hub.url).searchParams.get('page'));
    expect(pages).toEqual(['0', '1', '1', '2']);
    expect((await hub.counters()).resetsNth).toBe(1);
  });

  it('tries a read again after 503s, and gives up after the configured attempts with the last failure', async () => {
    await hub.setFaults({ failureRate: 1, operations: ['PullEvseStatus'] });
    const oicp = client();
    const failed = await oicp.call('PullEvseStatus', { ProviderID: PROVIDER });
    expect(failed).toMatchObject({ ok: false, error: { kind: 'http', httpStatus: 503 } });
    expect((await hub.counters()).failures503).toBe(4);
    await hub.setFaults({ failureRate: 0.5, seed: 11 });
    for (let i = 0; i < 5; i++) expect((await oicp.call('PullEvseStatus', { ProviderID: PROVIDER })).ok).toBe(true);
    expect((await hub.counters()).failures503).toBeGreaterThan(4);
  });

  it('sends an AuthorizeStart once more when its connection is reset before any answer; never a push that may have arrived', async () => {
    const cpo = client({ as: 'CPO', partyId: 'DE*ABC' });
    await hub.setFaults({ resetNth: { nth: 1, operation: 'AuthorizeStart' } });
    const authorization = await cpo.call('AuthorizeStart', { OperatorID: 'DE*ABC', EvseID: 'DE*ABC*E1', Identification: { RFIDMifareFamilyIdentification: { UID: '1234ABCD' } } });
    expect(authorization.ok).toBe(true);
    expect((await hub.counters()).byOperation.AuthorizeStart).toBe(2);

    // A fresh connection reset after the push was read: it may have been processed, so it is not repeated here (the outbox decides).
    const fresh = client({ as: 'CPO', partyId: 'DE*ABC' });
    await hub.setFaults({ resetNth: { nth: 1, operation: 'PushEvseStatus' } });
    const push = await fresh.call('PushEvseStatus', { ActionType: 'update', OperatorEvseStatus: { OperatorID: 'DE*ABC', EvseStatusRecord: [{ EvseID: 'DE*ABC*E1', EvseStatus: 'Occupied' }] } });
    expect(push).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect((await hub.counters()).byOperation.PushEvseStatus).toBe(1);
  });
});
