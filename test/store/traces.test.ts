/**
 * The exchange trace as stored (issue 23), on both stores: events written in batches after the path
 * that reported them, secrets redacted, found again by the ids operators know, a delivery's events
 * counted for the exchange that enqueued its item, and purged by age.
 */
import { MAX_EVENTS_PER_SCOPE, inTraceScope, skippedInScope, traceEvent, type TraceRecord } from '../../src/core/trace-context';
import { REDACTED, isMessageSecret, redact } from '../../src/core/redact';
import type { Store } from '../../src/store';
import { TraceWriter } from '../../src/store/traces';
import { BACKENDS, describeBackend, type StoreSite } from '../support/stores';

const TRACE = { flushMs: 20, batch: 50, maxBuffered: 1_000, onError: (error: unknown) => { throw error; } };

for (const backend of BACKENDS) {
  describeBackend(backend, () => {
    let site: StoreSite;
    let store: Store;
    beforeAll(async () => {
      site = backend.site();
      store = await site.open({ trace: TRACE });
    });
    afterAll(async () => {
      await store?.close();
      await site?.destroy();
    });

    it('finds an exchange by the ids its messages carry, with the outbox delivery it caused, secrets redacted', async () => {
      const at = Date.now();
      await inTraceScope({ correlationId: 'req-cdr-1' }, async () => {
        traceEvent(store.tracer, {
          protocol: 'ocpi',
          direction: 'in',
          kind: 'request',
          name: 'POST /ocpi/2.2.1/cdrs',
          status: '200',
          request: { id: 'CDR-4711', cdr_token: { uid: 'AABBCCDD', type: 'RFID' }, credentials: { token: 'secret-token-value' } },
          response: { status_code: 1000 },
        });
        await store.outbox.enqueue({ topic: 'cdr', key: 'S-1', payload: { SessionID: 'S-1', EvseID: 'BE*BEC*E3256' } });
      });
      const [item] = await store.outbox.claim({ limit: 1 });
      inTraceScope({ correlationId: `outbox-${item!.id}`, outboxIds: [item!.id] }, () =>
        traceEvent(store.tracer, { protocol: 'oicp', direction: 'out', kind: 'call', name: 'ChargeDetailRecord', status: '000', request: { SessionID: 'S-1' }, response: { Result: true } }),
      );
      store.tracer!.record({ correlationId: 'other', at, protocol: 'bridge', direction: 'internal', kind: 'job', name: 'full sync' });
      await (store.tracer as TraceWriter).flush();

      for (const ref of ['CDR-4711', 'AABBCCDD', 'S-1', 'BE*BEC*E3256']) {
        const found = await store.traces.search({ ref });
        expect(found.map((e) => e.correlationId)).toEqual(['req-cdr-1']);
      }
      const [summary] = await store.traces.search({ ref: 'S-1' });
      expect(summary).toMatchObject({ events: 2, first: { protocol: 'ocpi', direction: 'in', name: 'POST /ocpi/2.2.1/cdrs', status: '200' } });

      const events = await store.traces.exchange('req-cdr-1');
      expect(events.map((e) => [e.kind, e.name])).toEqual([
        ['request', 'POST /ocpi/2.2.1/cdrs'],
        ['enqueued', 'cdr'],
        ['call', 'ChargeDetailRecord'],
      ]);
      expect(events[0]!.request).toEqual({ id: 'CDR-4711', cdr_token: { uid: 'AABBCCDD', type: 'RFID' }, credentials: { token: '[REDACTED]' } });
      expect(events[2]).toMatchObject({ correlationId: `outbox-${item!.id}`, outboxId: item!.id });
      expect(await store.traces.search({ ref: 'nothing-like-it' })).toEqual([]);
      expect((await store.traces.search()).map((e) => e.correlationId)).toEqual(expect.arrayContaining(['req-cdr-1', 'other']));
    });

    it('stores a call delivering several items once, and shows it in the exchange of each item it settled', async () => {
      const enqueued: number[] = [];
      for (const [exchange, evse] of [['patch-a', 'DE*ABC*E1'], ['patch-b', 'DE*ABC*E2'], ['patch-c', 'DE*ABC*E3']] as const) {
        await inTraceScope({ correlationId: exchange }, async () => {
          traceEvent(store.tracer, { protocol: 'ocpi', direction: 'in', kind: 'request', name: `PATCH /evses/${evse}`, status: '200' });
          enqueued.push((await store.outbox.enqueue({ topic: 'status', key: evse, payload: { EvseID: evse, EvseStatus: 'Occupied' } })).id);
        });
      }
      // One call for the first two; the third is not in this delivery (it waits for the next).
      const batch = enqueued.slice(0, 2);
      inTraceScope({ correlationId: `outbox-${batch[0]}`, outboxIds: batch }, () => {
        traceEvent(store.tracer, { protocol: 'oicp', direction: 'out', kind: 'call', name: 'PushEvseStatus', status: '000', request: { EvseStatusRecord: [{ EvseID: 'DE*ABC*E1' }, { EvseID: 'DE*ABC*E2' }] } });
        for (const id of batch) traceEvent(store.tracer, { protocol: 'bridge', direction: 'internal', kind: 'delivery', name: 'status', status: 'delivered', outboxId: id });
      });
      await (store.tracer as TraceWriter).flush();

      const shown = async (exchange: string) => (await store.traces.exchange(exchange)).map((e) => [e.kind, e.outboxId]);
      expect(await shown('patch-a')).toEqual([['request', null], ['enqueued', enqueued[0]], ['call', null], ['delivery', enqueued[0]]]);
      expect(await shown('patch-b')).toEqual([['request', null], ['enqueued', enqueued[1]], ['call', null], ['delivery', enqueued[1]]]);
      expect(await shown('patch-c')).toEqual([['request', null], ['enqueued', enqueued[2]]]);
      // The call is one row: the delivery's exchange holds it once, with each item's settlement.
      expect((await shown(`outbox-${batch[0]}`)).filter(([kind]) => kind === 'call')).toHaveLength(1);
      // Found by an EvseID it carries: the exchange that enqueued it, and the delivery that sent it.
      expect((await store.traces.search({ ref: 'DE*ABC*E2' })).map((e) => e.correlationId).sort()).toEqual([`outbox-${batch[0]}`, 'patch-b']);
    });

    it('stores a batch larger than one INSERT takes, each event once with its ids, in the order reported', async () => {
      const at = Date.now();
      const records: TraceRecord[] = Array.from({ length: 520 }, (_, n) => ({ correlationId: 'big-batch', at, protocol: 'bridge', direction: 'internal', kind: 'enqueued', name: `n${n}`, request: { EvseID: `DE*BIG*E${n}` } }));
      await store.traces.insert(records);
      const events = await store.traces.exchange('big-batch');
      expect(events.map((e) => e.name)).toEqual(records.slice(0, 500).map((r) => r.name));
      expect(new Set(events.map((e) => e.id)).size).toBe(500);
      expect((await store.traces.search({ ref: 'DE*BIG*E519' })).map((e) => [e.correlationId, e.events])).toEqual([['big-batch', 520]]);
    });

    it('finds an id and an exchange exactly, whatever characters they hold: never by a part or a prefix', async () => {
      const at = Date.now();
      const ids = ['DE*ABC*E7', 'DE*ABC*E70', 'DE-ABC-E7', 'de*abc*e7', 'E7', 'a b "c" OR d*', 'Ünïcode-7'];
      await store.traces.insert(ids.map((id, n) => ({ correlationId: `${id} OR x`, at: at + n, protocol: 'bridge', direction: 'internal', kind: 'enqueued', name: `n${n}`, request: { EvseID: id } })));
      for (const id of ids) {
        expect((await store.traces.search({ ref: id })).map((e) => e.correlationId)).toEqual([`${id} OR x`]);
        expect((await store.traces.exchange(`${id} OR x`)).map((e) => e.request)).toEqual([{ EvseID: id }]);
      }
      expect(await store.traces.search({ ref: 'DE*ABC' })).toEqual([]);
      expect(await store.traces.exchange('x')).toEqual([]);
    });

    it('traces the outbox item of a record accepted once, whichever way the store writes it', async () => {
      const accepted = await inTraceScope({ correlationId: 'cdr-once' }, () =>
        store.acceptOnce({
          object: { module: 'cdrs', owner: 'NL*SIM', id: 'C-ONCE', body: { id: 'C-ONCE' } },
          correlation: { kind: 'cdr', ocpiId: 'NL*SIM/C-ONCE', oicpId: 'S-ONCE' },
          announcement: { topic: 'oicp:ChargeDetailRecord', key: 'S-ONCE', payload: { SessionID: 'S-ONCE' } },
        }),
      );
      await (store.tracer as TraceWriter).flush();
      const events = await store.traces.exchange('cdr-once');
      expect(events.map((e) => [e.kind, e.name, e.status, e.outboxId])).toEqual([['enqueued', 'oicp:ChargeDetailRecord', 'created', (accepted as { outboxId: number }).outboxId]]);
    });

    it('purges events (and their ids) older than the retention', async () => {
      inTraceScope({ correlationId: 'old' }, () => traceEvent(store.tracer, { protocol: 'ocpi', direction: 'in', kind: 'request', name: 'PUT x', request: { id: 'OLD-1' } }, 1_000));
      await (store.tracer as TraceWriter).flush();
      expect(await store.traces.search({ ref: 'OLD-1' })).toHaveLength(1);
      expect(await store.traces.purge(2_000)).toBe(1);
      expect(await store.traces.search({ ref: 'OLD-1' })).toEqual([]);
      expect(await store.traces.exchange('req-cdr-1')).toHaveLength(3);
    });

    it('never gives the id of a purged event again, the newest one included', async () => {
      await store.traces.insert([{ correlationId: 'purged-newest', at: 1_000, protocol: 'bridge', direction: 'internal', kind: 'job', name: 'old job' }]);
      const [gone] = await store.traces.exchange('purged-newest');
      expect(await store.traces.purge(2_000)).toBe(1);
      await store.traces.insert([{ correlationId: 'after-purge', at: Date.now(), protocol: 'bridge', direction: 'internal', kind: 'job', name: 'new job' }]);
      const [after] = await store.traces.exchange('after-purge');
      expect(after!.id).toBeGreaterThan(gone!.id);
    });
  });
}

describe('TraceWriter', () => {
  const record = (n: number): TraceRecord => ({ correlationId: `c${n}`, at: n, protocol: 'bridge', direction: 'internal', kind: 'job', name: `n${n}` });

  it('writes nothing on the reporting path; a full batch at once, the rest after flushMs, in order', async () => {
    const written: number[][] = [];
    const writer = new TraceWriter((records) => Promise.resolve(void written.push(records.map((r) => r.at))), { flushMs: 30, batch: 3, maxBuffered: 100, onError: () => undefined });
    writer.record(record(1));
    writer.record(record(2));
    expect(written).toEqual([]);
    writer.record(record(3));
    writer.record(record(4));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([[1, 2, 3]]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(written).toEqual([[1, 2, 3], [4]]);
    await writer.close();
    writer.record(record(5));
    await writer.flush();
    expect(written).toEqual([[1, 2, 3], [4]]);
  });

  it('drops and counts events beyond maxBuffered while the store lags, and reports a failed batch', async () => {
    let release!: () => void;
    const down = new Promise<void>((_resolve, reject) => (release = () => reject(new Error('store down'))));
    const errors: unknown[] = [];
    const writer = new TraceWriter(() => down, { flushMs: 1_000, batch: 2, maxBuffered: 3, onError: (e) => errors.push(e) });
    // 1 and 2 go to a write that hangs; 3 waits; the rest would exceed 3 held in memory.
    for (let n = 1; n <= 7; n++) writer.record(record(n));
    expect(writer.dropped).toBe(4);
    release();
    await writer.close();
    expect(errors).toHaveLength(2);
    writer.record(record(8));
    expect(writer.dropped).toBe(4);
  });
});

describe('trace scope', () => {
  it('stores at most MAX_EVENTS_PER_SCOPE events of one scope and counts the rest; a job outcome always', async () => {
    const records: TraceRecord[] = [];
    const sink = { record: (r: TraceRecord) => void records.push(r) };
    let skipped = 0;
    inTraceScope({ correlationId: 'job:pull' }, () => {
      for (let n = 0; n < MAX_EVENTS_PER_SCOPE + 25; n++) traceEvent(sink, { protocol: 'bridge', direction: 'internal', kind: 'enqueued', name: 'locations', outboxId: n + 1 });
      traceEvent(sink, { protocol: 'bridge', direction: 'internal', kind: 'job', name: 'pull' });
      skipped = skippedInScope();
    });
    // The rest are still reported (the metrics count them), marked for the writer to leave out.
    expect(records).toHaveLength(MAX_EVENTS_PER_SCOPE + 26);
    expect(records.filter((r) => r.beyondCap)).toHaveLength(25);
    expect(records.at(-1)).toMatchObject({ kind: 'job' });
    expect(records.at(-1)?.beyondCap).toBeUndefined();
    expect(skipped).toBe(25);
    const written: TraceRecord[] = [];
    const writer = new TraceWriter((batch) => Promise.resolve(void written.push(...batch)), { flushMs: 10, batch: 1_000, maxBuffered: 1_000, onError: () => undefined });
    records.forEach((r) => writer.record(r));
    await writer.close();
    expect(written).toHaveLength(MAX_EVENTS_PER_SCOPE + 1);
    expect(records.every((r) => r.correlationId === 'job:pull')).toBe(true);
    // Another scope starts with its own allowance.
    inTraceScope({ correlationId: 'next' }, () => traceEvent(sink, { protocol: 'ocpi', direction: 'in', kind: 'request', name: 'PUT x' }));
    expect(records.at(-1)?.correlationId).toBe('next');
  });

  it('records a call of a delivery of several items once, without an item; of one item, as that item\'s; settlements always, past the cap too', () => {
    const records: TraceRecord[] = [];
    const sink = { record: (r: TraceRecord) => void records.push(r) };
    const ids = Array.from({ length: MAX_EVENTS_PER_SCOPE }, (_, n) => n + 3);
    inTraceScope({ correlationId: 'outbox-3', outboxIds: ids }, () => {
      traceEvent(sink, { protocol: 'oicp', direction: 'out', kind: 'call', name: 'PushEvseStatus' });
      for (const id of ids) traceEvent(sink, { protocol: 'bridge', direction: 'internal', kind: 'delivery', name: 'oicp:PushEvseStatus', status: 'delivered', outboxId: id });
    });
    inTraceScope({ correlationId: 'outbox-9', outboxIds: [9] }, () => traceEvent(sink, { protocol: 'oicp', direction: 'out', kind: 'call', name: 'ChargeDetailRecord' }));
    expect(records).toHaveLength(MAX_EVENTS_PER_SCOPE + 2);
    expect(records.filter((r) => r.beyondCap)).toEqual([]);
    expect(records[0]).toMatchObject({ correlationId: 'outbox-3', kind: 'call' });
    expect(records[0]!.outboxId).toBeUndefined();
    expect(records.filter((r) => r.kind === 'delivery').map((r) => r.outboxId)).toEqual(ids);
    expect(records.at(-1)).toMatchObject({ correlationId: 'outbox-9', outboxId: 9 });
  });
});

describe('message redaction (the trace rule of redact.ts)', () => {
  it('hides credential strings, keys and certificates, keeps Token objects and business ids, masks secrets inside text', () => {
    const message = {
      token: 'ebf3b399-779f-4497-9b9d-ac6ad3cc44d2',
      url: 'https://backend.example/ocpi/versions',
      cdr_token: { uid: 'AABBCCDD', type: 'RFID', contract_id: 'DE8ACC12E46L89' },
      authorization_reference: 'a3c8ffd2',
      token_object: { token: { uid: '012345678', type: 'RFID' } },
      tls: { key: '-----BEGIN PRIVATE KEY-----x', certificate: '-----BEGIN CERTIFICATE-----y', passphrase: 'p' },
      note: 'sent with Authorization: Token c2VjcmV0 to postgres://bridge:hunter2@db/x',
    };
    expect(redact(message, 0, new WeakSet(), isMessageSecret)).toEqual({
      token: REDACTED,
      url: 'https://backend.example/ocpi/versions',
      cdr_token: { uid: 'AABBCCDD', type: 'RFID', contract_id: 'DE8ACC12E46L89' },
      authorization_reference: 'a3c8ffd2',
      token_object: { token: { uid: '012345678', type: 'RFID' } },
      tls: { key: REDACTED, certificate: REDACTED, passphrase: REDACTED },
      note: 'sent with Authorization: Token [REDACTED] to postgres://bridge:[REDACTED]@db/x',
    });
  });
});
