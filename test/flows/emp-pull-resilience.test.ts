/**
 * The EMP network pull against a Hubject written from the OpenAPI alone (its own process), as a real
 * deployment meets it: pages stored slower than the hub keeps an idle connection open, a connection
 * reset mid-pull, and pulls overtaking each other — an older observation never overwrites a newer one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { empNetwork } from '../../src/flows/emp/network';
import type { EmpContext } from '../../src/flows/emp/context';
import type { StaleReporter } from '../../src/flows/freshness';
import { NO_RULES } from '../../src/mapping/rules';
import { OicpClient } from '../../src/oicp/client';
import type { Location } from '../../src/ocpi/wire/schemas';
import { openStore, type Store } from '../../src/store';
import type { HubjectDouble } from '../support/doubles/hubject';
import { spawnHubjectDouble } from '../support/doubles/hubject-remote';
import { generateEvseDataRecords } from '../support/doubles/oicp-data';
import { quietLogger } from '../support/oicp-network';
import { TEST_POLICY } from '../support/stores';

const logger = quietLogger();
const PROVIDER = 'DE-EMP';
const OPERATOR = { OperatorID: 'DE*QQQ', OperatorName: 'QQQ Charging' };
const RULES = { ...NO_RULES, operators: { '*': { timeZone: 'Europe/Berlin' } } } as unknown as typeof NO_RULES;

/** Blocks the event loop, as mapping and storing a large page does. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/** One EVSE data record of DE*QQQ (an operator the generated network does not use) at a pool, with Hubject's lastUpdate. */
function record(n: number, street: string, lastUpdate: string) {
  const [template] = generateEvseDataRecords({ count: 1, seed: 5, operators: [OPERATOR] }) as Record<string, unknown>[];
  return { ...template, OperatorID: OPERATOR.OperatorID, OperatorName: OPERATOR.OperatorName, EvseID: `DE*QQQ*E${n}`, ChargingPoolID: 'DE*QQQ*P1', Address: { ...(template!.Address as object), Street: street }, lastUpdate };
}

describe('the EMP network pull toward a hub that closes connections and pulls that overtake each other', () => {
  let hub: HubjectDouble;
  let dir: string;
  let store: Store;
  let oicp: OicpClient;
  const stale: Parameters<StaleReporter>[0][] = [];
  let slowPages = 0;

  beforeAll(async () => {
    // Options travel in the environment: the network is seeded over the control API instead.
    hub = await spawnHubjectDouble({ faults: { keepAliveTimeoutMs: 1_000 } });
  }, 20_000);
  const network240 = () => hub.seedEvseData(generateEvseDataRecords({ count: 240, seed: 9 }));
  afterAll(async () => {
    await hub?.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emp-pull-'));
    const opened = await openStore({ path: join(dir, 'bridge.sqlite'), schema: 'public', poolSize: 1 }, TEST_POLICY);
    // Each page's transaction first blocks the event loop for `slowPages` ms: a slow page processor.
    store = { ...opened, transaction: (fn) => (busy(slowPages), opened.transaction(fn)) };
    oicp = new OicpClient({ baseUrl: hub.url, as: 'EMP', partyId: PROVIDER, logger, keepAliveMs: 60_000, retry: { attempts: 4, baseDelayMs: 50 } });
    stale.length = 0;
    slowPages = 0;
  });
  afterEach(async () => {
    oicp?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await hub.setFaults({ keepAliveTimeoutMs: 1_000, resetNth: null, holdRate: 0, operations: null });
    await hub.clearRecords();
  });
  const context = (): EmpContext => ({
    store,
    rules: RULES,
    oicp,
    us: { role: 'CPO', countryCode: 'DE', partyId: 'BRG' },
    providerId: PROVIDER,
    logger,
    stale: (update) => void stale.push(update),
    backend: () => Promise.resolve(undefined),
    now: () => new Date(),
  });
  const storedEvses = async () => (await store.objects.list<Location>('locations')).flatMap((l) => l.body.evses ?? []);
  const ours = async () => (await store.objects.list<Location>('locations')).map((l) => l.body).find((l) => l.evses?.some((e) => e.evse_id === 'DE*QQQ*E1'));
  const ourEvse = async () => (await ours())?.evses?.find((e) => e.evse_id === 'DE*QQQ*E1');

  it('completes a pull whose pages take longer to store than the hub keeps an idle connection (1 s)', async () => {
    await network240();
    slowPages = 1_300;
    const summary = await empNetwork(context(), 100).pull(true);
    expect(summary.records).toBe(240);
    const counters = await hub.counters();
    expect(counters.byOperation.PullEvseData).toBeGreaterThanOrEqual(3);
    expect(counters.keepAliveCloses).toBeGreaterThan(0);
    expect((await storedEvses()).length).toBeGreaterThan(0);
  }, 30_000);

  it('completes a pull whose connection the hub resets mid-way, asking again for that page only', async () => {
    await network240();
    await hub.setFaults({ resetNth: { nth: 2, operation: 'PullEvseData' } });
    const summary = await empNetwork(context(), 100).pull(true);
    expect(summary.records).toBe(240);
    const pages = (await hub.requests({ operation: 'PullEvseData' })).map((r) => new URL(r.path, hub.url).searchParams.get('page'));
    expect(pages).toEqual(['0', '1', '1', '2']);
  });

  it('keeps the newer EVSE data when a pull that read an older version applies it later (Hubject lastUpdate)', async () => {
    await hub.seedEvseData([record(1, 'Older Weg 1', '2026-11-30T09:00:00Z')]);
    // Two instances' pulls: the first reads the old version and is answered late, the second reads the new one and applies first.
    await hub.setFaults({ holdRate: 1, holdMs: 600, holdMode: 'answer-late', operations: ['PullEvseData'] });
    const first = empNetwork(context(), 2_000).pull(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await hub.setFaults({ holdRate: 0 });
    await hub.seedEvseData([record(1, 'Newer Straße 2', '2026-11-30T10:00:00Z')]);
    await empNetwork(context(), 2_000).pull(true);
    expect((await ours())!.address).toContain('Newer');
    await first;
    expect((await ours())!.address).toContain('Newer');
    expect(stale.filter((s) => s.module === 'emp:evse-data').map((s) => s.ref)).toEqual(['DE*QQQ*E1']);
  });

  it('does not let a status pull that began earlier overwrite the status a later pull found', async () => {
    await hub.seedEvseData([record(1, 'Hauptstraße 1', '2026-11-30T10:00:00Z')]);
    await hub.seedStatuses([{ EvseID: 'DE*QQQ*E1', EvseStatus: 'Available', OperatorID: 'DE*QQQ' }]);
    const network = empNetwork(context(), 100);
    await network.pull(true);
    await network.pullStatuses();
    expect((await ourEvse())!.status).toBe('AVAILABLE');

    // The periodic pull reads Occupied now but is answered late; meanwhile the EVSE frees up and a by-id pull sees it first.
    await hub.seedStatuses([{ EvseID: 'DE*QQQ*E1', EvseStatus: 'Occupied', OperatorID: 'DE*QQQ' }]);
    await hub.setFaults({ holdRate: 1, holdMs: 600, holdMode: 'answer-late', operations: ['PullEvseStatus'] });
    const periodic = network.pullStatuses();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await hub.setFaults({ holdRate: 0 });
    await hub.seedStatuses([{ EvseID: 'DE*QQQ*E1', EvseStatus: 'Available', OperatorID: 'DE*QQQ' }]);
    // Still AVAILABLE in the store: the by-id pull changes nothing; let the hub say Reserved to make it a change.
    await hub.seedStatuses([{ EvseID: 'DE*QQQ*E1', EvseStatus: 'Reserved', OperatorID: 'DE*QQQ' }]);
    expect(await network.pullStatuses(['DE*QQQ*E1'])).toBe(1);
    expect(await periodic).toBe(0);
    expect((await ourEvse())!.status).toBe('RESERVED');
    expect(stale.map((s) => [s.module, s.ref])).toEqual([['emp:evse-status', 'DE*QQQ*E1']]);
  });
});
