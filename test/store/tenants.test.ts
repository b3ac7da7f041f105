/**
 * Several tenants in one store (issue 24), on both stores: the same ids in two tenants never meet, a
 * tenant's outbox claims and is held back only by its own items, and a store made by the previous
 * version (fixtures/stores/v6.sqlite) becomes tenant `default` whole.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { inTraceScope, traceEvent, type TraceRecord } from '../../src/core/trace-context';
import { CorrelationConflictError, DEFAULT_TENANT, type Store, type TenantTraceRecord } from '../../src/store';
import { MIGRATIONS, migrate } from '../../src/store/migrations';
import { PostgresDatabase } from '../../src/store/postgres';
import { BACKENDS, describeBackend, TestClock, withRaw, type StoreSite } from '../support/stores';

const TRACE = { flushMs: 10, batch: 50, maxBuffered: 1_000, onError: (error: unknown) => { throw error; } };
const V6_FIXTURE = join(__dirname, '..', '..', 'fixtures', 'stores', 'v6.sqlite');
/** Every table, parents before children. */
const TABLES = ['ocpi_parties', 'ocpi_tokens', 'correlations', 'outbox', 'ocpi_objects', 'held_items', 'traces', 'trace_refs'] as const;

const party = (id: string, name: string) => ({
  id,
  state: 'registered' as const,
  version: '2.2.1',
  versionsUrl: `https://${name}.example/ocpi/versions`,
  roles: [{ role: 'CPO' as const, countryCode: 'DE', partyId: 'ABC', businessDetails: { name } }],
  endpoints: [],
  outboundToken: `token-for-${name}`,
});

for (const backend of BACKENDS) {
  describeBackend(backend, () => {
    describe('two tenants in one store', () => {
      let site: StoreSite;
      let clock: TestClock;
      let root: Store;
      let a: Store;
      let b: Store;
      const observed: TraceRecord[] = [];

      beforeEach(async () => {
        site = backend.site();
        clock = new TestClock();
        observed.length = 0;
        root = await site.open({ now: clock.now, random: () => 0.5, trace: TRACE, observe: { record: (r) => void observed.push(r) } });
        a = root.forTenant('a');
        b = root.forTenant('b');
      });

      afterEach(async () => {
        await root.close().catch(() => undefined);
        await site.destroy();
      });

      it('gives views of one database that only the opened store closes', async () => {
        expect([root.tenant, a.tenant, b.tenant, a.forTenant('b').tenant, b.forTenant(DEFAULT_TENANT).tenant]).toEqual([DEFAULT_TENANT, 'a', 'b', 'b', DEFAULT_TENANT]);
        await a.outbox.enqueue({ topic: 'cdr', payload: 'of a' });
        await a.close();
        await a.ping();
        // A view of a view is the same tenant's data.
        expect((await b.forTenant('a').outbox.list()).map((i) => i.payload)).toEqual(['of a']);
        expect(await root.outbox.list()).toEqual([]);
      });

      it('keeps parties and tokens apart: the same party id twice, a token found only by its tenant, a deletion cascading in one', async () => {
        await a.parties.save(party('backend', 'alpha'));
        await b.parties.save(party('backend', 'beta'));
        expect((await a.parties.get('backend'))?.outboundToken).toBe('token-for-alpha');
        expect((await b.parties.get('backend'))?.outboundToken).toBe('token-for-beta');
        expect(await root.parties.list()).toEqual([]);

        await a.tokens.issue({ party: 'backend', purpose: 'access', token: 'only-a' });
        expect(await a.tokens.verify('only-a')).toMatchObject({ party: 'backend', purpose: 'access' });
        expect(await b.tokens.verify('only-a')).toBeUndefined();
        // The same token in both (its hash twice): each tenant finds its own.
        await a.tokens.issue({ party: 'backend', purpose: 'registration', token: 'shared' });
        await b.tokens.issue({ party: 'backend', purpose: 'access', token: 'shared' });
        // Each with its own tenant's party, read in the same statement.
        expect(await a.tokens.verify('shared')).toMatchObject({ party: 'backend', purpose: 'registration', holder: { outboundToken: 'token-for-alpha' } });
        expect(await b.tokens.verify('shared')).toMatchObject({ party: 'backend', purpose: 'access', holder: { outboundToken: 'token-for-beta' } });
        // A token of a party another tenant has, in a tenant without it: refused by the key (tenant, party).
        // (Matched by message: after another suite in the same jest process, SQLite's errors come from that suite's realm.)
        await expect(root.tokens.issue({ party: 'backend', purpose: 'access', token: 'orphan' })).rejects.toHaveProperty('message', expect.stringMatching(/foreign key/i));

        expect(await b.tokens.expire('backend', 'access')).toBe(1);
        expect(await a.tokens.verify('only-a')).toBeDefined();
        clock.advance(1);
        expect(await a.tokens.purgeExpired(clock.t)).toBe(0);
        expect(await b.tokens.purgeExpired(clock.t)).toBe(1);
        await a.tokens.revoke('shared');
        await b.tokens.issue({ party: 'backend', purpose: 'access', token: 'shared-again' });
        expect(await b.tokens.verify('shared-again')).toBeDefined();

        expect(await a.parties.delete('backend')).toBe(true);
        expect(await a.tokens.verify('only-a')).toBeUndefined();
        expect(await b.parties.get('backend')).toBeDefined();
        expect(await b.tokens.verify('shared-again')).toMatchObject({ party: 'backend', purpose: 'access' });
        expect(await withRaw(site, (db) => db.all<{ tenant: string }>('SELECT tenant FROM ocpi_tokens ORDER BY tenant'))).toEqual([{ tenant: 'b' }]);
      });

      it('keeps correlations apart: one OICP id may belong to an OCPI id in each tenant', async () => {
        await a.correlations.put({ kind: 'evse', ocpiId: 'LOC1/1', oicpId: 'DE*ABC*E1', attrs: { of: 'a' } });
        await b.correlations.put({ kind: 'evse', ocpiId: 'LOC1/1', oicpId: 'DE*XYZ*E1', attrs: { of: 'b' } });
        await b.correlations.put({ kind: 'evse', ocpiId: 'LOC9/9', oicpId: 'DE*ABC*E1' });
        await expect(a.correlations.put({ kind: 'evse', ocpiId: 'LOC2/2', oicpId: 'DE*ABC*E1' })).rejects.toBeInstanceOf(CorrelationConflictError);
        expect(await a.correlations.byOcpi('evse', 'LOC1/1')).toMatchObject({ oicpId: 'DE*ABC*E1', attrs: { of: 'a' } });
        expect(await b.correlations.byOcpi('evse', 'LOC1/1')).toMatchObject({ oicpId: 'DE*XYZ*E1', attrs: { of: 'b' } });
        expect((await a.correlations.byOicp('evse', 'DE*ABC*E1'))?.ocpiId).toBe('LOC1/1');
        expect((await b.correlations.byOicp('evse', 'DE*ABC*E1'))?.ocpiId).toBe('LOC9/9');
        expect(await a.correlations.byOicp('evse', 'DE*XYZ*E1')).toBeUndefined();

        expect(await b.correlations.updateAttrs('evse', 'LOC1/1', { changed: true })).toBe(true);
        expect((await a.correlations.byOcpi('evse', 'LOC1/1'))?.attrs).toEqual({ of: 'a' });
        clock.advance(10);
        expect((await a.correlations.staleSince('evse', clock.t)).map((c) => c.ocpiId)).toEqual(['LOC1/1']);
        expect(await a.correlations.purgeOlderThan('evse', clock.t)).toBe(1);
        expect((await b.correlations.staleSince('evse', clock.t)).map((c) => c.ocpiId).sort()).toEqual(['LOC1/1', 'LOC9/9']);
        expect(await a.correlations.delete('evse', 'LOC9/9')).toBe(false);
        expect(await b.correlations.delete('evse', 'LOC9/9')).toBe(true);
      });

      it('keeps cached objects apart: the same location in both, listed, paged and deleted per tenant', async () => {
        await a.objects.put('locations', 'DE*ABC', 'LOC1', { id: 'LOC1', of: 'a', last_updated: '2026-01-01T10:00:00Z' });
        await b.objects.put('locations', 'DE*ABC', 'LOC1', { id: 'LOC1', of: 'b', last_updated: '2026-01-01T10:00:00Z' });
        await b.objects.put('locations', 'DE*ABC', 'LOC2', { id: 'LOC2', of: 'b', last_updated: '2026-01-01T11:00:00Z' });
        expect((await a.objects.get('locations', 'DE*ABC', 'LOC1'))?.body).toMatchObject({ of: 'a' });
        expect((await b.objects.get('locations', 'DE*ABC', 'LOC1'))?.body).toMatchObject({ of: 'b' });
        expect(await a.objects.get('locations', 'DE*ABC', 'LOC2')).toBeUndefined();
        expect((await a.objects.list('locations')).map((o) => o.id)).toEqual(['LOC1']);
        expect((await b.objects.page('locations', { offset: 0, limit: 10, from: new Date('2026-01-01T10:00:00Z') })).total).toBe(2);
        expect((await a.objects.page('locations', { offset: 0, limit: 10, from: new Date('2026-01-01T10:00:00Z') })).total).toBe(1);
        clock.advance(10);
        expect(await a.objects.deleteUnchangedSince('locations', clock.t)).toBe(1);
        expect(await a.objects.list('locations')).toEqual([]);
        expect(await b.objects.list('locations')).toHaveLength(2);
        expect(await a.objects.delete('locations', 'DE*ABC', 'LOC2')).toBe(false);
        expect(await b.objects.delete('locations', 'DE*ABC', 'LOC2')).toBe(true);
      });

      it('keeps held items apart: the same ref held in both, counted and released per tenant', async () => {
        await a.held.hold({ kind: 'evse', ref: 'NL*ALF*E1', reason: 'another operator' });
        await b.held.hold({ kind: 'evse', ref: 'NL*ALF*E1', reason: 'not published' });
        await b.held.hold({ kind: 'cdr', ref: 'S1', reason: 'no price' });
        expect((await a.held.get('evse', 'NL*ALF*E1'))?.reason).toBe('another operator');
        expect((await b.held.get('evse', 'NL*ALF*E1'))?.reason).toBe('not published');
        expect(await a.held.counts()).toEqual({ evse: 1 });
        expect(await b.held.counts()).toEqual({ evse: 1, cdr: 1 });
        expect((await a.held.list()).map((h) => h.ref)).toEqual(['NL*ALF*E1']);
        expect((await b.held.list({ kind: 'cdr' })).map((h) => h.ref)).toEqual(['S1']);
        expect(await a.held.release('cdr', 'S1')).toBe(false);
        expect(await a.held.release('evse', 'NL*ALF*E1')).toBe(true);
        expect(await b.held.get('evse', 'NL*ALF*E1')).toBeDefined();
      });

      it('tells the trace of each item a list enqueue adds or replaces, with its outbox id, as enqueue does', async () => {
        const first = await a.outbox.enqueue({ topic: 'location', order: 'location:L1', replaces: 'location:L1', payload: { id: 'L1', n: 1 } });
        const results = await a.transaction((tx) =>
          tx.outbox.enqueueAll([
            { topic: 'location', order: 'location:L1', replaces: 'location:L1', payload: { id: 'L1', n: 2 } },
            { topic: 'location', order: 'location:L2', replaces: 'location:L2', payload: { id: 'L2', n: 1 } },
            { topic: 'location', order: 'location:L2', replaces: 'location:L2', payload: { id: 'L2', n: 2 } },
          ]),
        );
        expect(results.map((r) => [r.created, r.replaced ?? false])).toEqual([
          [false, true],
          [true, false],
          [false, true],
        ]);
        expect(results[0]!.id).toBe(first.id);
        expect(results[2]!.id).toBe(results[1]!.id);
        expect((await a.outbox.get(results[1]!.id))?.payload).toEqual({ id: 'L2', n: 2 });
        expect(observed.map((r) => [(r as TenantTraceRecord).tenant, r.kind, r.status, r.outboxId])).toEqual([
          ['a', 'enqueued', 'created', first.id],
          ['a', 'enqueued', 'replaced', first.id],
          ['a', 'enqueued', 'created', results[1]!.id],
          ['a', 'enqueued', 'replaced', results[1]!.id],
        ]);
      });

      it('accepts the same CDR once in each tenant, whichever way the store writes it', async () => {
        const write = (of: string) => ({
          object: { module: 'cdrs', owner: 'DE*ABC', id: 'CDR-1', body: { id: 'CDR-1', of } },
          correlation: { kind: 'cdr', ocpiId: 'DE*ABC/CDR-1', oicpId: 'S-1' },
          announcement: { topic: 'cdr', key: 'S-1', payload: { of }, order: 'session:S-1' },
        });
        expect((await a.acceptOnce(write('a'))).outcome).toBe('stored');
        expect((await b.acceptOnce(write('b'))).outcome).toBe('stored');
        expect(await a.acceptOnce(write('a again'))).toEqual({ outcome: 'known', body: { id: 'CDR-1', of: 'a' } });
        expect(await b.acceptOnce(write('b again'))).toEqual({ outcome: 'known', body: { id: 'CDR-1', of: 'b' } });
        // Another CDR for a's session is refused in a only.
        const other = { ...write('a'), object: { ...write('a').object, id: 'CDR-2' }, correlation: { ...write('a').correlation, ocpiId: 'DE*ABC/CDR-2' } };
        await expect(a.acceptOnce(other)).rejects.toBeInstanceOf(CorrelationConflictError);
        expect((await root.acceptOnce(other)).outcome).toBe('stored');
        // The metrics are told of each tenant's enqueue, whichever way it was written.
        expect(observed.map((r) => [(r as TenantTraceRecord).tenant, r.kind, r.status])).toEqual([
          ['a', 'enqueued', 'created'],
          ['b', 'enqueued', 'created'],
          [DEFAULT_TENANT, 'enqueued', 'created'],
        ]);
        for (const [store, of] of [[a, 'a'], [b, 'b']] as const) {
          const claimed = await store.outbox.claim({ limit: 10 });
          expect(claimed.map((i) => i.payload)).toEqual([{ of }]);
          expect((await store.correlations.byOicp('cdr', 'S-1'))?.ocpiId).toBe('DE*ABC/CDR-1');
        }
      });

      it("claims only its tenant's items, and is never held back by another tenant's order keys, barriers, retries or dead letters", async () => {
        // Tenant a: a barrier waiting in topic status, an EVSE's item being sent and one retrying, a dead session, and plenty due.
        await a.outbox.enqueue({ topic: 'status', order: 'evse:1', payload: 'a: status sent now' });
        await a.outbox.enqueue({ topic: 'status', payload: 'a: fullLoad', barrier: true });
        await a.outbox.enqueue({ topic: 'cdr', order: 'session:S1', payload: 'a: refused CDR' });
        await a.outbox.enqueue({ topic: 'notification', order: 'session:S2', payload: 'a: retrying' });
        const [sending, refused, retrying] = await a.outbox.claim({ limit: 3 });
        expect([sending!.payload, refused!.payload, retrying!.payload]).toEqual(['a: status sent now', 'a: refused CDR', 'a: retrying']);
        expect(await a.outbox.fail(refused!, 'StatusCode 022', { permanent: true })).toBe('dead');
        expect(await a.outbox.fail(retrying!, 'HTTP 503')).toBe('retry');
        for (let i = 0; i < 20; i++) await a.outbox.enqueue({ topic: 'cdr', payload: `a: backlog ${i}` });

        // Tenant b: the same order keys and topics.
        await b.outbox.enqueue({ topic: 'status', order: 'evse:1', payload: 'b: status' });
        await b.outbox.enqueue({ topic: 'status', order: 'evse:2', payload: 'b: other status' });
        await b.outbox.enqueue({ topic: 'notification', order: 'session:S2', payload: 'b: notification' });
        await b.outbox.enqueue({ topic: 'cdr', order: 'session:S1', payload: 'b: CDR' });
        const claimed = await b.outbox.claim({ limit: 10 });
        expect(claimed.map((i) => i.payload)).toEqual(['b: status', 'b: other status', 'b: notification', 'b: CDR']);
        expect(await b.outbox.claim({ limit: 10 })).toEqual([]);
        // And the other way round: b's items being sent hold back none of a's.
        expect((await a.outbox.claim({ limit: 30 })).map((i) => i.payload)).toEqual(Array.from({ length: 20 }, (_, i) => `a: backlog ${i}`));

        // b settles its own only; a claim's token does not reach across tenants.
        expect(await b.outbox.complete(sending!)).toBe(false);
        expect(await b.outbox.fail(sending!, 'x')).toBe('stale');
        expect(await a.outbox.complete(sending!)).toBe(true);
        expect(await b.outbox.completeAll(claimed)).toBe(4);
        expect(await a.outbox.depth()).toEqual({ pending: 22, dead: 1 });
        expect(await b.outbox.depth()).toEqual({ pending: 0, dead: 0 });
        expect(await root.outbox.depth()).toEqual({ pending: 0, dead: 0 });
      });

      it('deduplicates, replaces and supersedes within a tenant only', async () => {
        const first = await a.outbox.enqueue({ topic: 'cdr', key: 'S1', payload: 'a' });
        const other = await b.outbox.enqueue({ topic: 'cdr', key: 'S1', payload: 'b' });
        expect(other.created).toBe(true);
        expect(other.id).not.toBe(first.id);
        expect(await a.outbox.enqueue({ topic: 'cdr', key: 'S1', payload: 'a again' })).toEqual({ id: first.id, created: false });
        expect(await b.outbox.enqueue({ topic: 'cdr', key: 'S1', payload: 'b again' })).toEqual({ id: other.id, created: false });

        const waiting = await a.outbox.enqueue({ topic: 'status', order: 'evse:1', replaces: 'evse:1', payload: 'a: CHARGING' });
        expect((await b.outbox.enqueue({ topic: 'status', order: 'evse:1', replaces: 'evse:1', payload: 'b: AVAILABLE' })).created).toBe(true);
        expect((await a.outbox.get(waiting.id))?.payload).toBe('a: CHARGING');

        const [sending] = await a.outbox.claim({ limit: 1, topics: ['status'] });
        expect(sending!.id).toBe(waiting.id);
        await b.outbox.enqueue({ topic: 'status', order: 'evse:1', replaces: 'evse:1', payload: 'b: newer' });
        // A newer announcement of the same EVSE in b is no reason to settle a's.
        expect(await a.outbox.fail(sending!, 'hub down')).toBe('retry');
      });

      it("shows, requeues, discards and purges a tenant's items only", async () => {
        const { id: aDead } = await a.outbox.enqueue({ topic: 'cdr', payload: 'a: refused' });
        const { id: bDead } = await b.outbox.enqueue({ topic: 'cdr', payload: 'b: refused' });
        for (const store of [a, b]) for (const item of await store.outbox.claim({ limit: 1 })) await store.outbox.fail(item, 'StatusCode 022', { permanent: true });
        for (const store of [a, b]) {
          await store.outbox.enqueue({ topic: 'status', payload: `${store.tenant}: delivered` });
          for (const item of await store.outbox.claim({ limit: 1, topics: ['status'] })) await store.outbox.complete(item);
        }
        expect(await b.outbox.get(aDead)).toBeUndefined();
        expect((await a.outbox.list()).map((i) => i.payload)).toEqual(['a: refused', 'a: delivered']);
        expect((await b.outbox.listDead()).map((i) => i.id)).toEqual([bDead]);
        expect(await b.outbox.depthByTopic()).toEqual([{ topic: 'cdr', state: 'dead', count: 1 }]);
        expect(await b.outbox.requeue(aDead)).toBe(false);
        expect(await b.outbox.discard(aDead, 'not yours')).toBe(false);
        expect(await b.outbox.requeueDead()).toBe(1);
        expect(await a.outbox.depth()).toEqual({ pending: 0, dead: 1 });
        expect(await a.outbox.discard(aDead, 'billed by hand')).toBe(true);
        clock.advance(10);
        expect(await a.outbox.purgeDelivered({ unkeyedBefore: clock.t, keyedBefore: clock.t })).toBe(2);
        expect(await a.outbox.list()).toEqual([]);
        expect((await b.outbox.list()).map((i) => [i.payload, i.state])).toEqual([
          ['b: refused', 'pending'],
          ['b: delivered', 'done'],
        ]);
      });

      it("finds, reads and purges a tenant's trace only; the metrics are told each event's tenant", async () => {
        for (const store of [a, b]) {
          await inTraceScope({ correlationId: 'req-1' }, async () => {
            traceEvent(store.tracer, { protocol: 'ocpi', direction: 'in', kind: 'request', name: 'PUT /locations', request: { id: 'LOC1', of: store.tenant } }, 1_000);
            await store.outbox.enqueue({ topic: 'status', payload: { EvseID: 'DE*ABC*E1' } });
          });
        }
        await b.tracer!.flush();
        for (const store of [a, b]) {
          const [found, ...more] = await store.traces.search({ ref: 'LOC1' });
          expect([found?.correlationId, more]).toEqual(['req-1', []]);
          expect(found!.events).toBe(2);
          expect((await store.traces.search({ ref: 'DE*ABC*E1' })).map((e) => e.correlationId)).toEqual(['req-1']);
          expect((await store.traces.search()).map((e) => e.correlationId)).toEqual(['req-1']);
          const events = await store.traces.exchange('req-1');
          expect(events.map((e) => [e.kind, e.request])).toEqual([
            ['request', { id: 'LOC1', of: store.tenant }],
            ['enqueued', { EvseID: 'DE*ABC*E1' }],
          ]);
        }
        expect(await root.traces.search({ ref: 'LOC1' })).toEqual([]);
        expect(await root.traces.exchange('req-1')).toEqual([]);
        expect(observed.map((r) => [(r as TenantTraceRecord).tenant, r.kind])).toEqual([
          ['a', 'enqueued'],
          ['b', 'enqueued'],
        ]);

        expect(await a.traces.purge(2_000)).toBe(1);
        expect(await a.traces.search({ ref: 'LOC1' })).toEqual([]);
        expect(await b.traces.search({ ref: 'LOC1' })).toHaveLength(1);
        if (backend.name === 'sqlite') {
          // SQLite's full-text index: a row per event left, none of the purged one.
          const ids = (sql: string) => withRaw(site, (db) => db.all<{ id: number }>(sql));
          expect(await ids('SELECT rowid AS id FROM trace_search ORDER BY rowid')).toEqual(await ids('SELECT id FROM traces ORDER BY id'));
          expect(await ids('SELECT id FROM traces')).toHaveLength(3);
        } else {
          const refs = await withRaw(site, (db) => db.all<{ tenant: string; ref: string }>('SELECT tenant, ref FROM trace_refs ORDER BY tenant, ref'));
          expect(refs).toEqual([
            { tenant: 'a', ref: 'DE*ABC*E1' },
            { tenant: 'b', ref: 'DE*ABC*E1' },
            { tenant: 'b', ref: 'LOC1' },
          ]);
        }
      });

      it("commits a tenant's transaction under that tenant", async () => {
        await b.transaction(async (tx) => {
          await tx.correlations.put({ kind: 'session', ocpiId: 's1', oicpId: 'h1' });
          await tx.outbox.enqueue({ topic: 'notification', payload: 's1' });
        });
        expect(await b.correlations.byOcpi('session', 's1')).toBeDefined();
        expect(await a.correlations.byOcpi('session', 's1')).toBeUndefined();
        expect(await a.outbox.depth()).toEqual({ pending: 0, dead: 0 });
        expect(await b.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });
    });

    describe('a store made by the previous version (schema 6)', () => {
      let site: StoreSite;
      let store: Store | undefined;
      const clock = new TestClock(Date.UTC(2026, 6, 1));

      beforeEach(async () => {
        site = backend.site();
        if (backend.name === 'sqlite') {
          mkdirSync(dirname(site.config.path), { recursive: true });
          copyFileSync(V6_FIXTURE, site.config.path);
        } else {
          await copyFixtureToPostgres(site);
        }
      });

      afterEach(async () => {
        await store?.close();
        await site.destroy();
      });

      it('becomes tenant default, every row readable through the repositories, and a new tenant sees none of it', async () => {
        expect(await withRaw(site, (db) => db.all<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations'))).toEqual([{ v: 6 }]);
        store = await site.open({ now: clock.now, random: () => 0.5 });
        expect(store.tenant).toBe(DEFAULT_TENANT);
        // What the start-up log reports: this opening applied the tenant migration and those after it.
        expect(store.migrated).toEqual(MIGRATIONS.filter((m) => m.version > 6).map((m) => m.version));

        // SQLite's trace_refs became its full-text index (one row per event), found by below.
        for (const table of TABLES.filter((t) => backend.name !== 'sqlite' || t !== 'trace_refs')) {
          const rows = await withRaw(site, (db) => db.all<{ tenant: string; n: number | string }>(`SELECT tenant, COUNT(*) AS n FROM ${table} GROUP BY tenant`));
          expect([table, rows.map((r) => [r.tenant, Number(r.n)])]).toEqual([table, [[DEFAULT_TENANT, FIXTURE_ROWS[table]]]]);
        }
        expect(await withRaw(site, (db) => db.all<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations'))).toEqual([{ v: MIGRATIONS.at(-1)!.version }]);

        // Parties and tokens, and the tokens still go with their party.
        expect((await store.parties.list()).map((p) => [p.id, p.state, p.outboundToken])).toEqual([
          ['backend', 'registered', 'token-we-send'],
          ['other', 'offered', null],
        ]);
        expect(await store.parties.get('backend')).toMatchObject({ version: '2.2.1', versionsUrl: 'https://backend.example/ocpi/versions', roles: [{ role: 'CPO', partyId: 'ABC' }] });
        expect(await store.tokens.verify('fixture-token-C')).toMatchObject({ party: 'backend', purpose: 'access' });
        expect(await store.tokens.verify('fixture-token-other')).toMatchObject({ party: 'other', purpose: 'registration' });
        expect(await store.tokens.verify('fixture-token-A')).toBeUndefined();
        expect(await store.parties.delete('other')).toBe(true);
        expect(await withRaw(site, (db) => db.all<{ party: string }>('SELECT DISTINCT party FROM ocpi_tokens'))).toEqual([{ party: 'backend' }]);

        // Correlations of every kind, from both sides.
        expect(await store.correlations.byOcpi('evse', 'LOC1/3256')).toMatchObject({ oicpId: 'DE*ABC*E3256', attrs: { owner: 'DE*ABC', locationId: 'LOC1' } });
        expect((await store.correlations.byOicp('session', 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab'))?.ocpiId).toBe('S-1');
        expect((await store.correlations.byOicp('cdr', 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab'))?.ocpiId).toBe('DE*ABC/CDR-1');
        expect((await store.correlations.staleSince('evse', clock.t)).map((c) => c.ocpiId)).toEqual(['LOC1/3256', 'LOC1/3257']);
        await expect(store.correlations.put({ kind: 'evse', ocpiId: 'LOC9/1', oicpId: 'DE*ABC*E3257' })).rejects.toBeInstanceOf(CorrelationConflictError);

        // Objects, with their last_updated for the list filters.
        expect((await store.objects.list('locations')).map((o) => o.id)).toEqual(['LOC1', 'LOC2']);
        const page = await store.objects.page('locations', { offset: 0, limit: 10, from: new Date('2026-06-01T08:00:02Z') });
        expect([page.items.map((o) => o.id), page.total]).toEqual([['LOC2'], 1]);
        expect((await store.objects.get('tariffs', 'DE*ABC', 'T1'))?.body).toEqual({ id: 'T1', currency: 'EUR' });
        expect((await store.objects.get('cdrs', 'DE*ABC', 'CDR-1'))?.body).toEqual({ id: 'CDR-1', last_updated: '2026-06-01T08:00:04Z' });

        expect(await store.held.counts()).toEqual({ evse: 1, cdr: 1 });
        expect(await store.held.get('evse', 'NL*ALF*E1')).toMatchObject({ reason: 'another operator', details: [{ kind: 'invalid', path: 'evse_id' }] });

        // The outbox: every state, the keyed CDR still deduplicating, order keys and the barrier still holding.
        expect((await store.outbox.list()).map((i) => [i.id, i.topic, i.state])).toEqual([
          [1, 'ocpi:cdr', 'pending'],
          [2, 'ocpi:location', 'pending'],
          [3, 'ocpi:evse-status', 'pending'],
          [4, 'ocpi:session', 'pending'],
          [5, 'ocpi:cdr', 'done'],
          [6, 'ocpi:command-result', 'dead'],
          [7, 'ocpi:auth-data', 'discarded'],
        ]);
        expect(await store.outbox.get(1)).toMatchObject({ key: 'cdr/CDR-1', attempts: 1, orderKey: 'session:S-1', lastError: 'HTTP 503' });
        expect(await store.outbox.get(7)).toMatchObject({ resolution: 'sent by hand' });
        expect(await store.outbox.depth()).toEqual({ pending: 4, dead: 1 });
        expect(await store.outbox.enqueue({ topic: 'ocpi:cdr', key: 'cdr/CDR-0', payload: {} })).toEqual({ id: 5, created: false });
        const behindBarrier = await store.outbox.enqueue({ topic: 'ocpi:evse-status', payload: 'after the fullLoad' });
        const behindSession = await store.outbox.enqueue({ topic: 'ocpi:cdr', order: 'session:S-1', payload: 'after CDR-1' });
        expect(behindBarrier.id).toBeGreaterThan(7);
        const claimed = await store.outbox.claim({ limit: 10 });
        expect(claimed.map((i) => i.id)).toEqual([1, 2, 3, 4]);
        expect(await store.outbox.completeAll(claimed)).toBe(4);
        expect((await store.outbox.claim({ limit: 10 })).map((i) => i.id)).toEqual([behindBarrier.id, behindSession.id]);

        // The trace, found by the ids its events carried.
        expect((await store.traces.search({ ref: 'AABBCCDD' })).map((e) => e.correlationId)).toEqual(['req-cdr-1']);
        expect((await store.traces.exchange('req-cdr-1')).map((e) => [e.kind, e.name])).toEqual([
          ['request', 'POST /ocpi/2.2.1/cdrs'],
          ['enqueued', 'ocpi:cdr'],
        ]);
        const [delivery] = await store.traces.search({ ref: 'DE*ABC*E3256' });
        // The delivery's call counts for the exchange that enqueued its item.
        expect(delivery).toMatchObject({ events: 1, first: { kind: 'enqueued', name: 'ocpi:cdr' } });
        expect(await store.traces.search()).toHaveLength(8);

        // Another tenant of the same store: nothing of it.
        const other = store.forTenant('second');
        expect(await other.parties.list()).toEqual([]);
        expect(await other.tokens.verify('fixture-token-C')).toBeUndefined();
        expect(await other.correlations.byOcpi('evse', 'LOC1/3256')).toBeUndefined();
        expect(await other.correlations.staleSince('evse', clock.t)).toEqual([]);
        expect(await other.objects.list('locations')).toEqual([]);
        expect(await other.held.list()).toEqual([]);
        expect(await other.outbox.list()).toEqual([]);
        expect(await other.outbox.get(1)).toBeUndefined();
        expect(await other.outbox.depth()).toEqual({ pending: 0, dead: 0 });
        expect(await other.outbox.claim({ limit: 10 })).toEqual([]);
        expect(await other.traces.search()).toEqual([]);
        expect(await other.traces.search({ ref: 'AABBCCDD' })).toEqual([]);
        expect((await other.outbox.enqueue({ topic: 'ocpi:cdr', key: 'cdr/CDR-0', payload: {} })).created).toBe(true);
        expect(await other.correlations.put({ kind: 'evse', ocpiId: 'LOC9/1', oicpId: 'DE*ABC*E3257' })).toMatchObject({ ocpiId: 'LOC9/1' });

        if (backend.name === 'sqlite') {
          expect(await withRaw(site, (db) => db.all('PRAGMA foreign_key_check'))).toEqual([]);
          expect(await withRaw(site, (db) => db.all('PRAGMA integrity_check'))).toEqual([{ integrity_check: 'ok' }]);
        }
      });
    });
  });
}

/** Rows per table in fixtures/stores/v6.sqlite. */
const FIXTURE_ROWS: Record<(typeof TABLES)[number], number> = {
  ocpi_parties: 2,
  ocpi_tokens: 3,
  correlations: 4,
  outbox: 7,
  ocpi_objects: 4,
  held_items: 2,
  traces: 10,
  trace_refs: 9,
};

/** A PostgreSQL store at schema 6 holding the fixture's rows, as a bridge of that version would have left it. */
async function copyFixtureToPostgres(site: StoreSite): Promise<void> {
  const { url, schema } = site.config;
  const pg = new PostgresDatabase({ url: url!, schema, poolSize: 1 });
  const fixture = new Database(V6_FIXTURE, { readonly: true, fileMustExist: true });
  try {
    await pg.ensureSchema();
    await migrate(pg, Date.now, MIGRATIONS.filter((m) => m.version <= 6));
    for (const table of TABLES) {
      const rows = fixture.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      const identity = table === 'outbox' || table === 'traces';
      for (const row of rows) {
        const columns = Object.keys(row);
        const values = columns.map((_, i) => `$${i + 1}`).join(', ');
        await pg.run(`INSERT INTO ${table} (${columns.join(', ')}) ${identity ? 'OVERRIDING SYSTEM VALUE ' : ''}VALUES (${values})`, Object.values(row));
      }
      // As a restore does: the identity goes on after the copied ids.
      if (identity) await pg.all(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
    }
  } finally {
    fixture.close();
    await pg.close();
  }
}
