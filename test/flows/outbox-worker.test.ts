/**
 * The outbox worker: per-item outcomes of a batch, retries with the outbox's backoff, dead letters
 * with the reason, and delivery to the Hubject simulator across an outage — each item arrives once;
 * delivered items deleted after their retention.
 */
import { outboxRetentionJob } from '../../src/flows/outbox-retention';
import { OutboxWorker, deliveryOf, eachItem, type Deliverer } from '../../src/flows/outbox-worker';
import { OicpClient } from '../../src/oicp/client';
import type { PushEvseStatusRequest } from '../../src/oicp/wire/messages';
import { startServer, type RunningServer } from '../../src/server';
import { createHubjectSimulator, type HubjectSimulator } from '../../src/simulator/hubject';
import { openStore, type ClaimedItem, type Store } from '../../src/store';
import { quietLogger } from '../support/oicp-network';

const logger = quietLogger();
const clock = { now: Date.parse('2026-11-24T10:00:00Z') };
const POLICY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0, leaseMs: 30_000 };

let store: Store;
beforeEach(async () => {
  store = await openStore({ path: ':memory:', schema: 'public', poolSize: 1 }, POLICY, { now: () => clock.now, random: () => 0.5 });
});
afterEach(async () => {
  await store.close();
});

describe('deliveryOf: what an OICP outcome means for the item', () => {
  const refused = (code: string) => deliveryOf({ ok: false, error: { kind: 'refused', message: 'no', statusCode: { Code: code } } });
  it.each([
    ['a data error (018)', refused('018'), 'refused'],
    ['an unknown session (400)', refused('400'), 'refused'],
    ['a Hubject system error (001)', refused('001'), 'retry'],
    ['a partner that did not respond (310)', refused('310'), 'retry'],
    ['no answer', deliveryOf({ ok: false, error: { kind: 'unreachable', message: 'ECONNREFUSED' } }), 'retry'],
    ['a timeout', deliveryOf({ ok: false, error: { kind: 'timeout', message: 'slow' } }), 'retry'],
    ['HTTP 503', deliveryOf({ ok: false, error: { kind: 'http', message: 'busy', httpStatus: 503 } }), 'retry'],
    ['HTTP 400', deliveryOf({ ok: false, error: { kind: 'http', message: 'bad', httpStatus: 400 } }), 'refused'],
    ['HTTP 429', deliveryOf({ ok: false, error: { kind: 'http', message: 'slow down', httpStatus: 429 } }), 'retry'],
    ['a request our schema refuses', deliveryOf({ ok: false, error: { kind: 'invalid-request', message: 'broken' } }), 'refused'],
    ['an acknowledged call', deliveryOf({ ok: true, value: {}, httpStatus: 200, findings: [] }), 'delivered'],
  ])('%s: %s', (_what, delivery, outcome) => {
    expect(delivery.outcome).toBe(outcome);
  });
});

describe('rounds', () => {
  it('settles each item of a batch as its deliverer says: done, due again after the backoff, or dead with the reason', async () => {
    const seen: number[][] = [];
    const answers: Record<string, (item: ClaimedItem) => ReturnType<typeof deliveryOf>> = {
      ok: () => ({ outcome: 'delivered' }),
      bad: () => ({ outcome: 'refused', reason: 'OICP 018 Inconsistent EvseID' }),
      later: (item) => (item.attempts < 2 ? { outcome: 'retry', reason: 'hub down' } : { outcome: 'delivered' }),
    };
    const deliver: Deliverer = {
      batch: 10,
      deliver: (items) => {
        seen.push(items.map((i) => i.id));
        return Promise.resolve(items.map((item) => answers[(item.payload as { kind: string }).kind]!(item)));
      },
    };
    const ids = [];
    for (const kind of ['ok', 'bad', 'later']) ids.push((await store.outbox.enqueue({ topic: 'status', payload: { kind } })).id);
    const worker = new OutboxWorker({ outbox: store.outbox, deliverers: { status: deliver }, logger });

    expect(await worker.runOnce()).toBe(3);
    expect(seen).toEqual([ids]);
    const [ok, bad, later] = await Promise.all(ids.map((id) => store.outbox.get(id)));
    expect([ok!.state, bad!.state, later!.state]).toEqual(['done', 'dead', 'pending']);
    expect(bad!.lastError).toBe('OICP 018 Inconsistent EvseID');
    expect(later!.dueAt).toBe(clock.now + 1_000);

    // Not due yet: nothing happens; after the backoff the retry is delivered.
    expect(await worker.runOnce()).toBe(0);
    clock.now += 1_000;
    expect(await worker.runOnce()).toBe(1);
    expect((await store.outbox.get(later!.id))!.state).toBe('done');
  });

  it('retries a whole batch whose deliverer throws, and ignores topics it has no deliverer for', async () => {
    const { id } = await store.outbox.enqueue({ topic: 'cdr', payload: {} });
    const { id: other } = await store.outbox.enqueue({ topic: 'someone-else', payload: {} });
    const worker = new OutboxWorker({ outbox: store.outbox, deliverers: { cdr: { deliver: () => Promise.reject(new Error('mapping blew up')) } }, logger });
    expect(await worker.runOnce()).toBe(1);
    expect(await store.outbox.get(id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'mapping blew up' });
    expect(await store.outbox.get(other)).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('concurrency and settlement', () => {
  /** A deliverer whose calls the test answers one by one. */
  function controlled() {
    const waiting = new Map<unknown, (delivery: ReturnType<typeof deliveryOf>) => void>();
    const started: unknown[] = [];
    const deliverer: Deliverer = eachItem(
      (item) =>
        new Promise((resolve) => {
          started.push(item.payload);
          waiting.set(item.payload, resolve);
        }),
    );
    const answer = (payload: unknown, delivery: ReturnType<typeof deliveryOf> = { outcome: 'delivered' }) => {
      waiting.get(payload)!(delivery);
      waiting.delete(payload);
    };
    return { deliverer, started, answer, inFlight: () => waiting.size };
  }
  const until = async (what: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 400 && !(await what()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await what()).toBe(true);
  };

  it('keeps at most `concurrency` calls in flight and settles each item the moment its call returns', async () => {
    const cdr = controlled();
    const ids: number[] = [];
    for (let n = 0; n < 5; n++) ids.push((await store.outbox.enqueue({ topic: 'cdr', payload: n })).id);
    const worker = new OutboxWorker({ outbox: store.outbox, deliverers: { cdr: cdr.deliverer }, logger, concurrency: 3, idleMs: 5 });
    worker.start();
    try {
      await until(() => cdr.inFlight() === 3);
      expect(cdr.started).toEqual([0, 1, 2]);
      cdr.answer(1);
      // Item 1 is done although 0 and 2 are still on the wire: a crash now would resend only those.
      await until(async () => (await store.outbox.get(ids[1]!))!.state === 'done');
      expect((await store.outbox.get(ids[0]!))!.state).toBe('pending');
      await until(() => cdr.started.length === 4);
      expect(cdr.inFlight()).toBe(3);
      for (const n of [0, 2, 3]) cdr.answer(n);
      await until(() => cdr.started.length === 5);
      cdr.answer(4);
      await until(async () => (await store.outbox.depth()).pending === 0);
    } finally {
      await worker.stop();
    }
  });

  it('gives a call\'s place to the next item when its answer is in, not when the store has settled it; at most `concurrency` more wait to be settled', async () => {
    const cdr = controlled();
    for (let n = 0; n < 4; n++) await store.outbox.enqueue({ topic: 'cdr', payload: n });
    // A store slow to settle: every completion waits until the test lets it go.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const outbox = Object.create(store.outbox, { completeAll: { value: async (items: ClaimedItem[]) => (await held, store.outbox.completeAll(items)) } }) as Store['outbox'];
    const worker = new OutboxWorker({ outbox, deliverers: { cdr: cdr.deliverer }, logger, concurrency: 1, idleMs: 5 });
    worker.start();
    try {
      await until(() => cdr.started.length === 1);
      cdr.answer(0);
      // 0 is not settled yet, and 1 is on the wire already.
      await until(() => cdr.started.length === 2);
      expect((await store.outbox.depth()).pending).toBe(4);
      cdr.answer(1);
      // Two unsettled (twice the concurrency of 1): 2 waits for the store.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cdr.started).toEqual([0, 1]);
      release();
      await until(() => cdr.started.length === 3);
      cdr.answer(2);
      await until(() => cdr.started.length === 4);
      cdr.answer(3);
      await until(async () => (await store.outbox.depth()).pending === 0);
    } finally {
      await worker.stop();
    }
  });

  it('marks the deliveries answered together delivered in one statement, and those answered while it runs in the next', async () => {
    const cdr = controlled();
    for (let n = 0; n < 6; n++) await store.outbox.enqueue({ topic: 'cdr', payload: n });
    // Each statement waits until the test lets it go, and says which items it marked.
    const statements: unknown[][] = [];
    let release!: () => void;
    const outbox = Object.create(store.outbox, {
      completeAll: {
        value: async (items: ClaimedItem[]) => {
          statements.push(items.map((i) => i.payload));
          await new Promise<void>((resolve) => (release = resolve));
          return store.outbox.completeAll(items);
        },
      },
    }) as Store['outbox'];
    const worker = new OutboxWorker({ outbox, deliverers: { cdr: cdr.deliverer }, logger, concurrency: 6, idleMs: 5 });
    worker.start();
    try {
      await until(() => cdr.started.length === 6);
      // Answers read in one turn of the event loop, each in a callback of its own (as from their sockets).
      for (const n of [0, 1, 2]) setImmediate(() => cdr.answer(n));
      await until(() => statements.length === 1);
      for (const n of [3, 4]) cdr.answer(n);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(statements).toEqual([[0, 1, 2]]);
      release();
      await until(() => statements.length === 2);
      release();
      cdr.answer(5);
      await until(() => statements.length === 3);
      release();
      await until(async () => (await store.outbox.depth()).pending === 0);
      expect(statements).toEqual([[0, 1, 2], [3, 4], [5]]);
    } finally {
      await worker.stop();
    }
  });

  it('sends the items of one order key one after the other, in order, while other keys go in parallel', async () => {
    const notification = controlled();
    const cdr = controlled();
    await store.outbox.enqueue({ topic: 'notification', order: 'session:A', payload: 'A Start' });
    await store.outbox.enqueue({ topic: 'notification', order: 'session:B', payload: 'B Start' });
    await store.outbox.enqueue({ topic: 'notification', order: 'session:A', payload: 'A End' });
    await store.outbox.enqueue({ topic: 'cdr', order: 'session:A', payload: 'A CDR' });
    const worker = new OutboxWorker({ outbox: store.outbox, deliverers: { notification: notification.deliverer, cdr: cdr.deliverer }, logger, concurrency: 8, idleMs: 5 });
    worker.start();
    try {
      await until(() => notification.started.length === 2);
      expect(notification.started).toEqual(['A Start', 'B Start']);
      notification.answer('A Start', { outcome: 'retry', reason: 'HTTP 503' });
      // A's Start waits for its retry: nothing of A goes meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(notification.started).toEqual(['A Start', 'B Start']);
      expect(cdr.started).toEqual([]);
      clock.now += 1_000;
      await until(() => notification.started.length === 3);
      notification.answer('A Start');
      await until(() => notification.started.length === 4);
      expect(notification.started.slice(3)).toEqual(['A End']);
      notification.answer('A End');
      await until(() => cdr.started.length === 1);
      cdr.answer('A CDR');
      notification.answer('B Start');
      await until(async () => (await store.outbox.depth()).pending === 0);
    } finally {
      await worker.stop();
    }
  });
});

describe('a delivery longer than the lease', () => {
  // Real time here: the lease is what runs out while the call is on the wire.
  const LEASE = { ...POLICY, leaseMs: 1_000 };

  it.each([
    ['renews its claim: neither it nor a second instance sends the item again meanwhile', 1_000, (calls: number) => calls === 1],
    ['without renewal, is claimed and sent again, and never settles (what the renewal prevents)', undefined, (calls: number) => calls >= 2],
  ])('%s', async (_what, leaseMs, expected) => {
    const shared = await openStore({ path: ':memory:', schema: 'public', poolSize: 1 }, LEASE);
    const sent: number[] = [];
    // A bulk push that takes 2.5 lease periods to be answered.
    const slow: Deliverer = { deliver: (items) => (sent.push(...items.map((i) => i.id)), new Promise((resolve) => setTimeout(() => resolve(items.map(() => ({ outcome: 'delivered' as const }))), 2_500))) };
    const { id } = await shared.outbox.enqueue({ topic: 'push', payload: {} });
    const instances = [1, 2].map(() => new OutboxWorker({ outbox: shared.outbox, deliverers: { push: slow }, logger, idleMs: 50, ...(leaseMs !== undefined && { leaseMs }) }));
    instances.forEach((worker) => worker.start());
    try {
      // Answered after 2.5 s: by 4 s a renewed claim is settled; an expiring one has been taken over (again and again).
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(new Set(sent)).toEqual(new Set([id]));
      expect(expected(sent.length)).toBe(true);
      expect((await shared.outbox.get(id))!.state).toBe(leaseMs === undefined ? 'pending' : 'done');
    } finally {
      await Promise.all(instances.map((worker) => worker.stop()));
      await shared.close();
    }
  }, 15_000);
});

describe('delivering to the Hubject simulator', () => {
  let hub: HubjectSimulator;
  let server: RunningServer;
  beforeEach(async () => {
    hub = createHubjectSimulator({ logger });
    server = await startServer(hub.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  });
  afterEach(async () => {
    hub.close();
    await server.close();
  });

  it('keeps a status change through an outage and delivers it once when the hub is back; start/stop run the rounds', async () => {
    const client = new OicpClient({ baseUrl: server.url, as: 'CPO', partyId: 'DE*ABC', logger });
    const pushStatus: Deliverer = {
      batch: 10,
      async deliver(items) {
        const request: PushEvseStatusRequest = { ActionType: 'update', OperatorEvseStatus: { OperatorID: 'DE*ABC', EvseStatusRecord: items.map((i) => i.payload as { EvseID: string; EvseStatus: 'Available' }) } };
        const delivery = deliveryOf(await client.call('PushEvseStatus', request));
        return items.map(() => delivery);
      },
    };
    const worker = new OutboxWorker({ outbox: store.outbox, deliverers: { status: pushStatus }, logger, idleMs: 5 });
    try {
      const { id } = await store.outbox.enqueue({ topic: 'status', payload: { EvseID: 'DE*ABC*E1', EvseStatus: 'Available' } });
      hub.setDown(true);
      expect(await worker.runOnce()).toBe(1);
      expect(await store.outbox.get(id)).toMatchObject({ state: 'pending', attempts: 1 });
      hub.setDown(false);
      clock.now += 1_000;
      worker.start();
      for (let i = 0; i < 200 && (await store.outbox.get(id))!.state !== 'done'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      await worker.stop();
      expect((await store.outbox.get(id))!.state).toBe('done');
      expect(hub.traffic.filter((t) => t.operation === 'PushEvseStatus')).toHaveLength(1);
      expect([...hub.state.evseStatus.values()].flatMap((byEvse) => [...byEvse.values()])).toEqual([expect.objectContaining({ EvseID: 'DE*ABC*E1', EvseStatus: 'Available' })]);
    } finally {
      await worker.stop();
      client.close();
    }
  });
});

describe('outbox retention job', () => {
  it('deletes delivered status changes after a day and keyed CDRs after 90 days, and leaves pending items', async () => {
    const retention = { deliveredHours: 24, keyedDeliveredDays: 90, everyMinutes: 60 };
    const job = outboxRetentionJob(store, retention, logger, () => clock.now);
    expect(job).toMatchObject({ name: 'outbox retention', everyMs: 3_600_000 });
    const { id: status } = await store.outbox.enqueue({ topic: 'status', payload: 'Available' });
    const { id: cdr } = await store.outbox.enqueue({ topic: 'cdr', key: 'cdr/1', payload: { id: '1' } });
    for (const item of await store.outbox.claim({ limit: 2 })) await store.outbox.complete(item);
    const { id: waiting } = await store.outbox.enqueue({ topic: 'status', payload: 'Charging', dueAt: clock.now + 365 * 86_400_000 });

    clock.now += 23 * 3_600_000;
    expect(await job.run()).toEqual({ purged: 0 });
    clock.now += 2 * 3_600_000;
    expect(await job.run()).toEqual({ purged: 1 });
    expect(await store.outbox.get(status)).toBeUndefined();
    expect((await store.outbox.get(cdr))?.state).toBe('done');
    clock.now += 90 * 86_400_000;
    expect(await job.run()).toEqual({ purged: 1 });
    expect(await store.outbox.get(cdr)).toBeUndefined();
    expect((await store.outbox.get(waiting))?.state).toBe('pending');
  });
});
