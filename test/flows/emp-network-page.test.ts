/**
 * An EVSE that moves to another pool leaves its old location REMOVED, and that location may come on
 * the same page of the EMP network pull, before or after: what the page wrote to it stays (the other
 * flow tests pull no network in which an EVSE changes pool).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { empNetwork } from '../../src/flows/emp/network';
import { EVSE_KIND } from '../../src/flows/emp/evse-index';
import type { EmpContext } from '../../src/flows/emp/context';
import { NO_RULES } from '../../src/mapping/rules';
import type { OicpClient } from '../../src/oicp/client';
import type { EvseDataRecord } from '../../src/oicp/wire/schemas';
import type { Location } from '../../src/ocpi/wire/schemas';
import { openStore, type Store } from '../../src/store';
import { generateEvseDataRecords } from '../support/doubles/oicp-data';
import { quietLogger } from '../support/oicp-network';
import { TEST_POLICY } from '../support/stores';

const OPERATOR = { OperatorID: 'DE*QQQ', OperatorName: 'QQQ Charging' };
const RULES = { ...NO_RULES, operators: { '*': { timeZone: 'Europe/Berlin' } } } as unknown as typeof NO_RULES;
const [TEMPLATE] = generateEvseDataRecords({ count: 1, seed: 5, operators: [OPERATOR] }) as EvseDataRecord[];

const record = (evse: number, pool: number, street = `Pool ${pool}`): EvseDataRecord => ({
  ...TEMPLATE!,
  ...OPERATOR,
  EvseID: `DE*QQQ*E${evse}`,
  ChargingPoolID: `DE*QQQ*P${pool}`,
  Address: { ...TEMPLATE!.Address, Street: street },
  lastUpdate: '2026-11-30T10:00:00Z',
});

describe('a page of the EMP network pull', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emp-page-'));
    store = await openStore({ path: join(dir, 'bridge.sqlite'), schema: 'public', poolSize: 1 }, TEST_POLICY);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function network(pages: EvseDataRecord[][]) {
    let pull = 0;
    const oicp = {
      // eslint-disable-next-line @typescript-eslint/require-await -- an async generator over held pages
      async *pages() {
        yield* pages[pull++]!;
      },
    } as unknown as OicpClient;
    const logger = quietLogger();
    const context = { store, rules: RULES, oicp, us: { role: 'CPO', countryCode: 'DE', partyId: 'BRG' }, providerId: 'DE-EMP', logger, stale: () => undefined, backend: () => Promise.resolve(undefined), now: () => new Date('2026-11-30T12:00:00Z') } as unknown as EmpContext;
    return empNetwork(context);
  }

  const location = async (pool: number) => (await store.objects.get<Location>('locations', 'DE*BRG', `DEQQQ-${pool}`))?.body;

  it('leaves a moved EVSE REMOVED in its old location when that location comes later on the same page', async () => {
    const pulls = network([
      [record(1, 1), record(2, 1), record(3, 2)],
      // E1 now at pool 2, which the page brings before pool 1.
      [record(3, 2), record(1, 2), record(2, 1)],
    ]);
    await pulls.pull(true);
    const before = await location(1);
    expect(before?.evses?.map((e) => [e.uid, e.status])).toEqual([
      ['DE*QQQ*E1', 'UNKNOWN'],
      ['DE*QQQ*E2', 'UNKNOWN'],
    ]);
    await store.outbox.completeAll(await store.outbox.claim({ limit: 10 }));
    await pulls.pull(true);
    // Announced in the order the page changed them: pool 1 (E1 left it) while pool 2 was written, then pool 2.
    expect((await store.outbox.list({ state: 'pending' })).map((i) => [i.payload, i.orderKey])).toEqual([
      [{ id: 'DEQQQ-1' }, 'location:DEQQQ-1'],
      [{ id: 'DEQQQ-2' }, 'location:DEQQQ-2'],
    ]);
    expect((await location(1))?.evses?.map((e) => [e.uid, e.status])).toEqual([
      ['DE*QQQ*E1', 'REMOVED'],
      ['DE*QQQ*E2', 'UNKNOWN'],
    ]);
    expect((await location(2))?.evses?.map((e) => [e.uid, e.status])).toEqual([
      ['DE*QQQ*E3', 'UNKNOWN'],
      ['DE*QQQ*E1', 'UNKNOWN'],
    ]);
    expect((await store.correlations.byOicp(EVSE_KIND, 'DE*QQQ*E1'))?.ocpiId).toBe('DEQQQ-2/DE*QQQ*E1');
  });

  it('keeps what the page wrote to a location when an EVSE moving out of it comes later on the same page', async () => {
    const pulls = network([
      [record(1, 1), record(2, 1)],
      // Pool 1 is renamed, then E2 moves to pool 3.
      [record(1, 1, 'Renamed Street'), record(2, 3)],
    ]);
    await pulls.pull(true);
    await pulls.pull(true);
    const old = await location(1);
    expect(old?.address).toMatch(/^Renamed Street/);
    expect(old?.evses?.map((e) => [e.uid, e.status])).toEqual([
      ['DE*QQQ*E1', 'UNKNOWN'],
      ['DE*QQQ*E2', 'REMOVED'],
    ]);
    expect((await location(3))?.evses?.map((e) => [e.uid, e.status])).toEqual([['DE*QQQ*E2', 'UNKNOWN']]);
  });
});
