import { CorrelationConflictError, type Store } from '../../src/store';
import { MIGRATIONS, migrate } from '../../src/store/migrations';
import { BACKENDS, describeBackend, TEST_POLICY, TestClock, withRaw, type StoreSite } from '../support/stores';

for (const backend of BACKENDS) {
  describeBackend(backend, () => {
    let site: StoreSite;
    let clock: TestClock;
    let store: Store;

    beforeEach(async () => {
      site = backend.site();
      clock = new TestClock();
      store = await site.open({ now: clock.now, random: () => 0.5 });
    });

    afterEach(async () => {
      await store.close().catch(() => undefined);
      await site.destroy();
    });

    describe('migrations', () => {
      it('applies each version once, however often the store is opened', async () => {
        await (await site.open({ now: clock.now })).close();
        await (await site.open({ now: clock.now })).close();
        const rows = await withRaw(site, (db) => db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
        expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      });

      it('refuses a database migrated by a newer bridge', async () => {
        const newer = [...MIGRATIONS, { version: 99, name: 'from the future', statements: () => ['CREATE TABLE future_thing (id TEXT)'] }];
        expect(await withRaw(site, (db) => migrate(db, clock.now, newer))).toEqual([99]);
        await expect(site.open({ now: clock.now })).rejects.toThrow(`schema version 99, newer than this bridge knows (${MIGRATIONS.at(-1)!.version})`);
      });
    });

    describe('OCPI parties and tokens', () => {
      const party = {
        id: 'backend-1',
        state: 'registered' as const,
        version: '2.2.1',
        versionsUrl: 'https://backend.example/ocpi/versions',
        roles: [{ role: 'CPO', countryCode: 'DE', partyId: 'ABC', businessDetails: { name: 'ABC Charging' } }],
        endpoints: [{ identifier: 'locations', role: 'SENDER', url: 'https://backend.example/ocpi/2.2.1/locations' }],
        outboundToken: 'token-we-send',
      };

      it('saves, reads, updates, lists and deletes a party', async () => {
        const saved = await store.parties.save(party);
        expect(saved).toEqual({ ...party, createdAt: clock.t, updatedAt: clock.t });
        clock.advance(1_000);
        const updated = await store.parties.save({ ...party, version: '2.1.1', endpoints: [] });
        expect(updated).toMatchObject({ version: '2.1.1', endpoints: [], createdAt: clock.t - 1_000, updatedAt: clock.t });
        await store.parties.save({ ...party, id: 'backend-2', state: 'offered' });
        expect((await store.parties.list()).map((p) => p.id)).toEqual(['backend-1', 'backend-2']);
        expect(await store.parties.delete('backend-1')).toBe(true);
        expect(await store.parties.get('backend-1')).toBeUndefined();
        expect(await store.parties.delete('backend-1')).toBe(false);
      });

      it('verifies issued tokens, stores only their hash, and forgets them with their party', async () => {
        await store.parties.save(party);
        await store.tokens.issue({ party: party.id, purpose: 'access', token: 'secret-token-C' });
        // With its party as stored, read in the same statement.
        expect(await store.tokens.verify('secret-token-C')).toEqual({ party: party.id, purpose: 'access', holder: await store.parties.get(party.id) });
        expect(await store.tokens.verify('secret-token-c')).toBeUndefined();
        expect(await store.tokens.verify('')).toBeUndefined();

        // The database never sees the token in clear.
        const dump = JSON.stringify(await withRaw(site, (db) => db.all('SELECT * FROM ocpi_tokens')));
        expect(dump).not.toContain('secret-token-C');
        expect(dump).toContain('"purpose":"access"');

        await store.parties.delete(party.id);
        expect(await store.tokens.verify('secret-token-C')).toBeUndefined();
      });

      it('keeps an old token working for the overlap of a rotation, then refuses it', async () => {
        await store.parties.save(party);
        await store.tokens.issue({ party: party.id, purpose: 'access', token: 'old' });
        expect(await store.tokens.expire(party.id, 'access', clock.t + 60_000)).toBe(1);
        await store.tokens.issue({ party: party.id, purpose: 'access', token: 'new' });
        clock.advance(59_999);
        expect(await store.tokens.verify('old')).toBeDefined();
        clock.advance(1);
        expect(await store.tokens.verify('old')).toBeUndefined();
        expect(await store.tokens.verify('new')).toMatchObject({ party: party.id, purpose: 'access' });
      });

      it('ends a one-time registration token at once', async () => {
        await store.parties.save({ ...party, state: 'offered' });
        await store.tokens.issue({ party: party.id, purpose: 'registration', token: 'token-A' });
        expect(await store.tokens.verify('token-A')).toMatchObject({ party: party.id, purpose: 'registration', holder: { state: 'offered' } });
        await store.tokens.expire(party.id, 'registration');
        expect(await store.tokens.verify('token-A')).toBeUndefined();
      });
    });

    describe('correlations', () => {
      it('finds a pair from either side and updates it in place', async () => {
        const put = await store.correlations.put({ kind: 'session', ocpiId: 'ocpi-1', oicpId: 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab', attrs: { cpoPartnerSessionId: 'x' } });
        expect(put).toMatchObject({ kind: 'session', ocpiId: 'ocpi-1', attrs: { cpoPartnerSessionId: 'x' } });
        expect(await store.correlations.byOicp('session', 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab')).toMatchObject({ ocpiId: 'ocpi-1' });
        expect(await store.correlations.byOicp('evse', 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab')).toBeUndefined();
        clock.advance(5);
        await store.correlations.put({ kind: 'session', ocpiId: 'ocpi-1', oicpId: 'other' });
        expect(await store.correlations.byOcpi('session', 'ocpi-1')).toMatchObject({ oicpId: 'other', attrs: {}, updatedAt: clock.t });
        expect(await store.correlations.byOicp('session', 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab')).toBeUndefined();
        expect(await store.correlations.delete('session', 'ocpi-1')).toBe(true);
        expect(await store.correlations.byOcpi('session', 'ocpi-1')).toBeUndefined();
      });

      it('refuses to give one OICP id to two OCPI ids, and keeps EVSE ids byte-for-byte', async () => {
        await store.correlations.put({ kind: 'evse', ocpiId: 'LOC1/3256', oicpId: '+49*810*000*438' });
        await expect(store.correlations.put({ kind: 'evse', ocpiId: 'LOC1/9999', oicpId: '+49*810*000*438' })).rejects.toBeInstanceOf(CorrelationConflictError);
        await store.correlations.put({ kind: 'evse', ocpiId: 'LOC1/9999', oicpId: 'DE*ABC*E123*1' });
        expect((await store.correlations.byOcpi('evse', 'LOC1/3256'))?.oicpId).toBe('+49*810*000*438');
        expect(await store.correlations.byOicp('evse', 'de*abc*e123*1')).toBeUndefined();
      });

      it('lists the pairs of a kind not written again since a time', async () => {
        await store.correlations.put({ kind: 'network', ocpiId: 'a', oicpId: 'A' });
        await store.correlations.put({ kind: 'network', ocpiId: 'b', oicpId: 'B' });
        await store.correlations.put({ kind: 'other', ocpiId: 'c', oicpId: 'C' });
        clock.advance(10);
        const pullStarted = clock.t;
        await store.correlations.put({ kind: 'network', ocpiId: 'b', oicpId: 'B' });
        expect((await store.correlations.staleSince('network', pullStarted)).map((c) => c.ocpiId)).toEqual(['a']);
      });

      it('writes a pair without reading it back (write) as put stores it: created once, updated in place, one OICP id per OCPI id', async () => {
        const started = clock.t;
        await store.correlations.write({ kind: 'evse', ocpiId: 'LOC1/1', oicpId: 'DE*ABC*E1*1', attrs: { dataAt: 1 } });
        clock.advance(5);
        await store.correlations.write({ kind: 'evse', ocpiId: 'LOC1/1', oicpId: 'DE*ABC*E1*2', attrs: { dataAt: 2 } });
        expect(await store.correlations.byOcpi('evse', 'LOC1/1')).toEqual({ kind: 'evse', ocpiId: 'LOC1/1', oicpId: 'DE*ABC*E1*2', attrs: { dataAt: 2 }, createdAt: started, updatedAt: clock.t });
        await expect(store.correlations.write({ kind: 'evse', ocpiId: 'LOC2/1', oicpId: 'DE*ABC*E1*2' })).rejects.toBeInstanceOf(CorrelationConflictError);
        expect(await store.correlations.byOcpi('evse', 'LOC2/1')).toBeUndefined();
      });
    });

    describe('OCPI object cache', () => {
      it('keeps the last version of each object, lists a module oldest first, and deletes', async () => {
        await store.objects.put('locations', 'NL*SIM', 'LOC2', { id: 'LOC2', name: 'first' });
        clock.advance(1);
        await store.objects.put('locations', 'NL*SIM', 'LOC1', { id: 'LOC1' });
        clock.advance(1);
        await store.objects.put('locations', 'NL*SIM', 'LOC2', { id: 'LOC2', name: 'second' });
        await store.objects.put('tariffs', 'NL*SIM', 'LOC2', { id: 'T' });
        expect(await store.objects.get('locations', 'NL*SIM', 'LOC2')).toMatchObject({ body: { id: 'LOC2', name: 'second' }, createdAt: clock.t - 2, updatedAt: clock.t });
        expect((await store.objects.list<{ id: string }>('locations')).map((o) => o.body.id)).toEqual(['LOC2', 'LOC1']);
        expect(await store.objects.delete('locations', 'NL*SIM', 'LOC2')).toBe(true);
        expect(await store.objects.get('locations', 'NL*SIM', 'LOC2')).toBeUndefined();
        expect(await store.objects.get('tariffs', 'NL*SIM', 'LOC2')).toBeDefined();
      });

      it('deletes the objects of one module not written since a time, and only those', async () => {
        await store.objects.put('index', 'bridge', 'old', { n: 1 });
        await store.objects.put('index', 'bridge', 'rewritten', { n: 1 });
        await store.objects.put('locations', 'NL*SIM', 'LOC1', { id: 'LOC1' });
        clock.advance(10);
        await store.objects.put('index', 'bridge', 'rewritten', { n: 2 });
        expect(await store.objects.deleteUnchangedSince('index', clock.t - 5)).toBe(1);
        expect((await store.objects.list('index')).map((o) => o.id)).toEqual(['rewritten']);
        expect(await store.objects.get('locations', 'NL*SIM', 'LOC1')).toBeDefined();
      });

      it('serves a module page by page, filtered on the objects\' own last_updated (from inclusive, to exclusive)', async () => {
        const stamps = ['2026-01-01T10:00:00Z', '2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00', '2026-01-01T13:00:00+00:00'];
        for (const [i, last_updated] of stamps.entries()) {
          await store.objects.put('locations', 'DE*BRG', `L${i}`, { id: `L${i}`, last_updated });
          clock.advance(1);
        }
        await store.objects.put('locations', 'DE*BRG', 'NOSTAMP', { id: 'NOSTAMP' });
        await store.objects.put('tariffs', 'DE*BRG', 'T', { id: 'T', last_updated: stamps[0] });
        const ids = (page: { items: { id: string }[] }) => page.items.map((o) => o.id);
        const all = await store.objects.page('locations', { offset: 0, limit: 2 });
        expect([ids(all), all.total]).toEqual([['L0', 'L1'], 5]);
        expect(ids(await store.objects.page('locations', { offset: 4, limit: 2 }))).toEqual(['NOSTAMP']);
        const window = await store.objects.page('locations', { offset: 0, limit: 10, from: new Date('2026-01-01T11:00:00Z'), to: new Date('2026-01-01T13:00:00Z') });
        expect([ids(window), window.total]).toEqual([['L1', 'L2'], 2]);
      });
    });

    describe('outbox', () => {
      it('delivers in enqueue order and only when due', async () => {
        await store.outbox.enqueue({ topic: 'cdr', payload: { n: 1 } });
        await store.outbox.enqueue({ topic: 'cdr', payload: { n: 2 } });
        await store.outbox.enqueue({ topic: 'cdr', payload: { n: 3 }, dueAt: clock.t + 10_000 });
        const claimed = await store.outbox.claim({ limit: 10 });
        expect(claimed.map((i) => i.payload)).toEqual([{ n: 1 }, { n: 2 }]);
        expect(claimed.every((i) => i.attempts === 1)).toBe(true);
        clock.advance(10_000);
        expect((await store.outbox.claim({ limit: 10 })).map((i) => i.payload)).toEqual([{ n: 3 }]);
      });

      it('honours the limit and the topic filter', async () => {
        for (const topic of ['cdr', 'status', 'cdr', 'session']) await store.outbox.enqueue({ topic, payload: topic });
        expect((await store.outbox.claim({ limit: 1, topics: ['cdr'] })).map((i) => i.topic)).toEqual(['cdr']);
        expect((await store.outbox.claim({ limit: 10, topics: ['cdr', 'session'] })).map((i) => i.topic)).toEqual(['cdr', 'session']);
        expect((await store.outbox.claim({ limit: 10 })).map((i) => i.topic)).toEqual(['status']);
      });

      it('names the topics that have an item due now, in one read', async () => {
        await store.outbox.enqueue({ topic: 'cdr', payload: 1 });
        await store.outbox.enqueue({ topic: 'status', payload: 2, dueAt: clock.t + 10_000 });
        const [claimed] = await store.outbox.claim({ limit: 1, topics: ['cdr'] });
        await store.outbox.enqueue({ topic: 'session', payload: 3 });
        expect(await store.outbox.dueTopics(['cdr', 'status', 'session', 'none'])).toEqual(['session']);
        await store.outbox.fail(claimed!, 'hub down');
        clock.advance(10_000);
        expect((await store.outbox.dueTopics(['cdr', 'status', 'session'])).sort()).toEqual(['cdr', 'session', 'status']);
        expect(await store.outbox.dueTopics([])).toEqual([]);
      });

      it('ignores a second enqueue of the same key, even after delivery', async () => {
        const first = await store.outbox.enqueue({ topic: 'cdr', key: 'session-1', payload: { v: 1 } });
        const again = await store.outbox.enqueue({ topic: 'cdr', key: 'session-1', payload: { v: 2 } });
        expect(again).toEqual({ id: first.id, created: false });
        expect((await store.outbox.enqueue({ topic: 'status', key: 'session-1', payload: {} })).created).toBe(true);
        const [item] = await store.outbox.claim({ limit: 5, topics: ['cdr'] });
        expect(item!.payload).toEqual({ v: 1 });
        expect(await store.outbox.complete(item!)).toBe(true);
        expect((await store.outbox.enqueue({ topic: 'cdr', key: 'session-1', payload: { v: 3 } })).created).toBe(false);
        expect(await store.outbox.claim({ limit: 5, topics: ['cdr'] })).toEqual([]);
      });

      it('returns payload strings exactly as given (signed meter data)', async () => {
        const signed = 'OCMF|{"FV":"1.0","RD":[{"TM":"2018-07-24T13:22:04,000+0200 S","RV":2935.6,"ST":"G"}]}|{"SA":"ECDSA-secp256r1-SHA256","SD":"887FABF407AC82782EEFFF2220C2F856AEB0BC22364BBCC6B55761911ED651D1"}';
        const payload = { signed, unicode: 'Straße ⚡ \u0000\u2028', big: 12345678.123456 };
        await store.outbox.enqueue({ topic: 'cdr', payload });
        const [item] = await store.outbox.claim({ limit: 1 });
        expect(item!.payload).toEqual(payload);
        expect((item!.payload as typeof payload).signed).toBe(signed);
      });

      it('keeps a claimed item from other senders until its lease ends, then lets it be taken over', async () => {
        await store.outbox.enqueue({ topic: 'cdr', payload: 'x' });
        const [first] = await store.outbox.claim({ limit: 1 });
        expect(await store.outbox.claim({ limit: 1 })).toEqual([]);
        clock.advance(TEST_POLICY.leaseMs);
        const [second] = await store.outbox.claim({ limit: 1 });
        expect(second).toMatchObject({ id: first!.id, attempts: 2 });
        // The first sender's late answer must not settle an item someone else now holds.
        expect(await store.outbox.complete(first!)).toBe(false);
        expect(await store.outbox.fail(first!, 'late')).toBe('stale');
        expect(await store.outbox.complete(second!)).toBe(true);
        expect((await store.outbox.get(first!.id))?.state).toBe('done');
      });

      it('retries with capped exponential backoff, then dead-letters with the last error', async () => {
        const policy = { ...TEST_POLICY, maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 3_000 };
        await store.close();
        store = await site.open({ now: clock.now, random: () => 0.5 }, policy);
        const { id } = await store.outbox.enqueue({ topic: 'cdr', payload: 'x' });
        const delays: number[] = [];
        for (let attempt = 1; attempt <= 4; attempt++) {
          const [item] = await store.outbox.claim({ limit: 1 });
          expect(item).toMatchObject({ id, attempts: attempt });
          expect(await store.outbox.fail(item!, `HTTP 503 on attempt ${attempt}`)).toBe('retry');
          const due = (await store.outbox.get(id))!.dueAt;
          delays.push(due - clock.t);
          expect(await store.outbox.claim({ limit: 1 })).toEqual([]);
          clock.t = due;
        }
        expect(delays).toEqual([1_000, 2_000, 3_000, 3_000]);
        const [last] = await store.outbox.claim({ limit: 1 });
        expect(await store.outbox.fail(last!, 'HTTP 503 on attempt 5')).toBe('dead');
        expect(await store.outbox.depth()).toEqual({ pending: 0, dead: 1 });
        expect(await store.outbox.listDead()).toEqual([expect.objectContaining({ id, attempts: 5, lastError: 'HTTP 503 on attempt 5', state: 'dead' })]);
        clock.advance(3_600_000);
        expect(await store.outbox.claim({ limit: 1 })).toEqual([]);
      });

      it('dead-letters a permanent refusal at once, and requeues it on request', async () => {
        const { id } = await store.outbox.enqueue({ topic: 'cdr', payload: 'x' });
        await store.outbox.enqueue({ topic: 'status', payload: 'y' });
        const [item] = await store.outbox.claim({ limit: 1, topics: ['cdr'] });
        expect(await store.outbox.fail(item!, 'StatusCode 022 Data error: Token abc123 refused', { permanent: true })).toBe('dead');
        const [dead] = await store.outbox.listDead({ topic: 'cdr' });
        expect(dead!.lastError).toBe('StatusCode 022 Data error: Token [REDACTED] refused');
        expect(await store.outbox.listDead({ topic: 'status' })).toEqual([]);
        expect(await store.outbox.requeue(id)).toBe(true);
        expect(await store.outbox.requeue(id)).toBe(false);
        const [again] = await store.outbox.claim({ limit: 1, topics: ['cdr'] });
        expect(again).toMatchObject({ id, attempts: 1 });
      });

      it('counts pending and dead items', async () => {
        expect(await store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
        await store.outbox.enqueue({ topic: 'a', payload: 1 });
        await store.outbox.enqueue({ topic: 'a', payload: 2 });
        const [item] = await store.outbox.claim({ limit: 1 });
        await store.outbox.complete(item!);
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });

      it('deletes delivered items past their retention, keyed ones later, and never pending or dead ones', async () => {
        const deliver = async (request: { topic: string; key?: string }) => {
          await store.outbox.enqueue({ ...request, payload: request });
          const [item] = await store.outbox.claim({ limit: 1, topics: [request.topic] });
          return store.outbox.complete(item!);
        };
        await deliver({ topic: 'status' });
        await deliver({ topic: 'cdr', key: 'session-1' });
        const { id: pending } = await store.outbox.enqueue({ topic: 'session', payload: 'later', dueAt: clock.t + 3_600_000 });
        const { id: dead } = await store.outbox.enqueue({ topic: 'refused', payload: 'x' });
        const [refused] = await store.outbox.claim({ limit: 1, topics: ['refused'] });
        await store.outbox.fail(refused!, 'StatusCode 022', { permanent: true });
        clock.advance(10_000);
        // Unkeyed ones settled before 5 s ago go; the keyed one is inside its longer retention and still deduplicates.
        expect(await store.outbox.purgeDelivered({ unkeyedBefore: clock.t - 5_000, keyedBefore: clock.t - 20_000 })).toBe(1);
        expect((await store.outbox.enqueue({ topic: 'cdr', key: 'session-1', payload: 'again' })).created).toBe(false);
        expect(await store.outbox.purgeDelivered({ unkeyedBefore: clock.t, keyedBefore: clock.t })).toBe(1);
        expect((await store.outbox.enqueue({ topic: 'cdr', key: 'session-1', payload: 'after retention' })).created).toBe(true);
        expect((await store.outbox.get(pending))?.state).toBe('pending');
        expect((await store.outbox.get(dead))?.state).toBe('dead');
      });

      it('purges in batches until nothing past retention is left', async () => {
        for (let i = 0; i < 7; i++) await store.outbox.enqueue({ topic: 'status', payload: i });
        for (const item of await store.outbox.claim({ limit: 10 })) await store.outbox.complete(item);
        clock.advance(1);
        expect(await store.outbox.purgeDelivered({ unkeyedBefore: clock.t, keyedBefore: clock.t, batch: 3 })).toBe(7);
        expect(await withRaw(site, (db) => db.all('SELECT id FROM outbox'))).toEqual([]);
      });

      it('delivers the items of one order key one at a time, oldest first, across topics', async () => {
        const start = await store.outbox.enqueue({ topic: 'notification', order: 'session:S1', payload: 'Start' });
        await store.outbox.enqueue({ topic: 'notification', order: 'session:S1', payload: 'End' });
        await store.outbox.enqueue({ topic: 'cdr', order: 'session:S1', payload: 'CDR' });
        await store.outbox.enqueue({ topic: 'cdr', order: 'session:S2', payload: 'other CDR' });
        const first = await store.outbox.claim({ limit: 10 });
        expect(first.map((i) => i.payload)).toEqual(['Start', 'other CDR']);
        // Claimed but not settled: the next of its key waits.
        expect(await store.outbox.claim({ limit: 10 })).toEqual([]);
        // Retried later: still first.
        expect(await store.outbox.fail(first[0]!, 'HTTP 503')).toBe('retry');
        expect(await store.outbox.claim({ limit: 10 })).toEqual([]);
        clock.advance(TEST_POLICY.baseDelayMs);
        const [again] = await store.outbox.claim({ limit: 10 });
        expect(again).toMatchObject({ id: start.id, payload: 'Start', attempts: 2 });
        await store.outbox.complete(again!);
        const [end] = await store.outbox.claim({ limit: 10 });
        expect(end!.payload).toBe('End');
        // A dead letter no longer holds its key back.
        expect(await store.outbox.fail(end!, 'StatusCode 022', { permanent: true })).toBe('dead');
        expect((await store.outbox.claim({ limit: 10, topics: ['cdr'] })).map((i) => i.payload)).toEqual(['CDR']);
      });

      it('sends a barrier after everything before it in its topic and before everything after it', async () => {
        await store.outbox.enqueue({ topic: 'status', order: 'evse:A', payload: 'A1' });
        await store.outbox.enqueue({ topic: 'status', payload: 'fullLoad', barrier: true });
        await store.outbox.enqueue({ topic: 'status', order: 'evse:B', payload: 'B1' });
        await store.outbox.enqueue({ topic: 'data', payload: 'other topic' });
        const first = await store.outbox.claim({ limit: 10 });
        expect(first.map((i) => i.payload)).toEqual(['A1', 'other topic']);
        await store.outbox.completeAll(first);
        const [barrier] = await store.outbox.claim({ limit: 10 });
        expect(barrier).toMatchObject({ payload: 'fullLoad', barrier: true });
        expect(await store.outbox.claim({ limit: 10 })).toEqual([]);
        await store.outbox.complete(barrier!);
        expect((await store.outbox.claim({ limit: 10 })).map((i) => i.payload)).toEqual(['B1']);
      });

      it('lets a waiting announcement of an object take a newer payload, but not one a sender holds', async () => {
        const first = await store.outbox.enqueue({ topic: 'status', order: 'location:L', replaces: 'evse:1', payload: 'AVAILABLE' });
        expect(await store.outbox.enqueue({ topic: 'status', order: 'location:L', replaces: 'evse:1', payload: 'CHARGING' })).toEqual({ id: first.id, created: false, replaced: true });
        // Another object of the key, another topic, or an item that is not the newest of its key: a new item.
        const second = await store.outbox.enqueue({ topic: 'status', order: 'location:L', replaces: 'evse:2', payload: 'BLOCKED' });
        expect(second.created).toBe(true);
        expect((await store.outbox.enqueue({ topic: 'status', order: 'location:L', replaces: 'evse:1', payload: 'AVAILABLE' })).created).toBe(true);
        expect((await store.outbox.enqueue({ topic: 'data', order: 'location:L', replaces: 'evse:1', payload: 'record' })).created).toBe(true);
        expect((await store.outbox.enqueue({ topic: 'data', order: 'location:L', payload: 'record 2' })).created).toBe(true);
        expect((await store.outbox.enqueue({ topic: 'data', order: 'location:L', replaces: 'evse:1', payload: 'record 3' })).created).toBe(true);
        const [held] = await store.outbox.claim({ limit: 10 });
        expect(held).toMatchObject({ id: first.id, payload: 'CHARGING' });
        const later = await store.outbox.enqueue({ topic: 'status', order: 'evse:B', replaces: 'evse:B', payload: 'x' });
        const behind = await store.outbox.enqueue({ topic: 'status', order: 'evse:B', replaces: 'evse:B', payload: 'y' });
        expect(behind).toEqual({ id: later.id, created: false, replaced: true });
        const [b] = await store.outbox.claim({ limit: 10, topics: ['status'] });
        expect(b!.payload).toBe('y');
        // evse:B's newest item is held by a sender now: a new state goes behind it.
        expect((await store.outbox.enqueue({ topic: 'status', order: 'evse:B', replaces: 'evse:B', payload: 'z' })).created).toBe(true);
      });

      it('enqueues a list of unkeyed items as enqueue one after the other would: the same rows, order and replacements', async () => {
        // Before the list: a waiting announcement of L's data, one of M's that a sender holds, one of N's status.
        const before = (p: string) => [
          { topic: 'data', order: `${p}location:L`, replaces: `${p}location:L`, payload: 'L stored' },
          { topic: 'status', order: `${p}location:N`, replaces: `${p}evse:N1`, payload: 'N1 CHARGING' },
        ];
        const list = (p: string) => [
          { topic: 'data', order: `${p}location:L`, replaces: `${p}location:L`, payload: 'L 1' },
          { topic: 'data', order: `${p}location:M`, replaces: `${p}location:M`, payload: 'M 1' },
          { topic: 'data', order: `${p}location:N`, replaces: `${p}location:N`, payload: 'N 1' },
          { topic: 'data', order: `${p}location:O`, replaces: `${p}location:O`, payload: 'O 1' },
          { topic: 'note', payload: `${p}no order` },
          { topic: 'data', order: `${p}location:M`, replaces: `${p}location:M`, payload: 'M 2' },
          { topic: 'data', order: `${p}location:O`, replaces: `${p}location:O`, payload: 'O 2' },
          { topic: 'status', order: `${p}location:O`, replaces: `${p}evse:O1`, payload: 'O1 AVAILABLE' },
          { topic: 'data', order: `${p}location:O`, replaces: `${p}location:O`, payload: 'O 3' },
          { topic: 'data', order: `${p}location:L`, payload: 'L, replacing nothing' },
          { topic: 'data', order: `${p}location:L`, replaces: `${p}location:L`, payload: 'L 2', dueAt: clock.t + 5_000, barrier: true },
        ];
        // 70 more locations: more than one statement's worth of rows.
        const many = (p: string) => Array.from({ length: 70 }, (_, i) => ({ topic: 'data', order: `${p}location:X${i}`, replaces: `${p}location:X${i}`, payload: `X${i}` }));
        for (const p of ['one:', 'all:']) {
          await store.outbox.enqueue({ topic: 'data', order: `${p}location:M`, replaces: `${p}location:M`, payload: 'M stored' });
          expect((await store.outbox.claim({ limit: 10 })).map((i) => i.payload)).toEqual(['M stored']);
        }
        for (const p of ['one:', 'all:']) for (const request of before(p)) await store.outbox.enqueue(request);
        const one = await store.transaction(async (tx) => {
          const results = [];
          for (const request of [...list('one:'), ...many('one:')]) results.push(await tx.outbox.enqueue(request));
          return results;
        });
        const all = await store.transaction((tx) => tx.outbox.enqueueAll([...list('all:'), ...many('all:')]));
        const items = await store.outbox.list({ limit: 1_000 });
        const mine = (p: string) => items.filter((i) => (i.orderKey ?? String(i.payload)).startsWith(p));
        const of = (p: string) =>
          mine(p).map((i) => ({ ...i, id: undefined, orderKey: i.orderKey?.slice(p.length), replaces: i.replaces?.slice(p.length), payload: String(i.payload).replace(p, '') }));
        expect(of('all:')).toEqual(of('one:'));
        // Each request answered as enqueue answers it: created or replaced, and the item that holds it (by its place among the items).
        const answers = (p: string, results: { id: number; created: boolean; replaced?: boolean }[]) =>
          results.map((r) => ({ created: r.created, replaced: r.replaced ?? false, item: mine(p).findIndex((i) => i.id === r.id) }));
        expect(answers('all:', all)).toEqual(answers('one:', one));
        expect(answers('all:', all).every((a) => a.item >= 0)).toBe(true);
        expect(of('all:').map((i) => i.payload)).toEqual(['M stored', 'L 1', 'N1 CHARGING', 'M 2', 'N 1', 'O 2', 'no order', 'O1 AVAILABLE', 'O 3', 'L, replacing nothing', 'L 2', ...many('').map((r) => r.payload)]);
      });

      it('deletes a delivered state announcement at once; other delivered items stay done for the retention purge', async () => {
        const status = await store.outbox.enqueue({ topic: 'status', order: 'evse:A', replaces: 'evse:A', payload: 'CHARGING' });
        const cdr = await store.outbox.enqueue({ topic: 'cdr', key: 'S1', payload: 'cdr' });
        const plain = await store.outbox.enqueue({ topic: 'notification', payload: 'start' });
        const claimed = await store.outbox.claim({ limit: 10 });
        expect(await store.outbox.completeAll(claimed)).toBe(3);
        expect(await store.outbox.get(status.id)).toBeUndefined();
        expect((await store.outbox.get(cdr.id))?.state).toBe('done');
        expect((await store.outbox.get(plain.id))?.state).toBe('done');
        // The key still makes a second enqueue a no-op; the next status of the EVSE is a new item.
        expect((await store.outbox.enqueue({ topic: 'cdr', key: 'S1', payload: 'again' })).created).toBe(false);
        expect((await store.outbox.enqueue({ topic: 'status', order: 'evse:A', replaces: 'evse:A', payload: 'AVAILABLE' })).created).toBe(true);
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });

      it('settles a failed announcement when a newer one of the same object waits behind it', async () => {
        const { id } = await store.outbox.enqueue({ topic: 'status', order: 'evse:A', replaces: 'evse:A', payload: 'OUTOFORDER' });
        const [sending] = await store.outbox.claim({ limit: 1 });
        await store.outbox.enqueue({ topic: 'status', order: 'evse:A', replaces: 'evse:A', payload: 'AVAILABLE' });
        expect(await store.outbox.fail(sending!, 'hub down')).toBe('superseded');
        expect(await store.outbox.get(id)).toMatchObject({ state: 'done', lastError: 'superseded by a newer announcement after: hub down' });
        expect((await store.outbox.claim({ limit: 5 })).map((i) => i.payload)).toEqual(['AVAILABLE']);
        // Without a newer one, or refused for good, it is retried or dead-lettered as usual.
        const { id: other } = await store.outbox.enqueue({ topic: 'status', order: 'evse:B', replaces: 'evse:B', payload: 'x' });
        const [b] = await store.outbox.claim({ limit: 1, topics: ['status'] });
        expect(b!.id).toBe(other);
        expect(await store.outbox.fail(b!, 'hub down')).toBe('retry');
      });

      it('settles a batch of one claim at once, and only what that claim still holds', async () => {
        for (let i = 0; i < 4; i++) await store.outbox.enqueue({ topic: 'status', payload: i });
        const batch = await store.outbox.claim({ limit: 4 });
        expect(await store.outbox.completeAll(batch.slice(0, 3))).toBe(3);
        expect(await store.outbox.completeAll(batch.slice(0, 3))).toBe(0);
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });

      it('settles the items of several claims at once, each only while its own claim holds it', async () => {
        const status = await store.outbox.enqueue({ topic: 'status', order: 'evse:A', replaces: 'evse:A', payload: 'CHARGING' });
        for (let i = 0; i < 70; i++) await store.outbox.enqueue({ topic: 'cdr', key: `S${i}`, payload: i });
        const first = await store.outbox.claim({ limit: 2, topics: ['cdr'] });
        const second = await store.outbox.claim({ limit: 68, topics: ['cdr'] });
        clock.advance(TEST_POLICY.leaseMs);
        // The first claim's lease ran out: its oldest item is someone else's now; its other one nobody took.
        const [takenOver] = await store.outbox.claim({ limit: 1, topics: ['cdr'] });
        expect(takenOver!.id).toBe(first[0]!.id);
        const [announcing] = await store.outbox.claim({ limit: 1, topics: ['status'] });
        expect(await store.outbox.completeAll([...first, ...second, announcing!])).toBe(70);
        expect(await store.outbox.get(takenOver!.id)).toMatchObject({ state: 'pending', attempts: 2 });
        expect(await store.outbox.get(first[1]!.id)).toMatchObject({ state: 'done' });
        expect(await store.outbox.get(status.id)).toBeUndefined();
        expect((await store.outbox.list({ state: 'done' })).length).toBe(69);
        expect(await store.outbox.completeAll([takenOver!])).toBe(1);
      });

      it('lists items by state and topic a page at a time, requeues every dead letter, and discards with a reason', async () => {
        const ids: number[] = [];
        for (const topic of ['cdr', 'cdr', 'status', 'cdr']) ids.push((await store.outbox.enqueue({ topic, payload: topic })).id);
        for (const item of await store.outbox.claim({ limit: 2, topics: ['cdr'] })) await store.outbox.fail(item, 'StatusCode 022', { permanent: true });
        expect((await store.outbox.list({ state: 'dead' })).map((i) => i.id)).toEqual(ids.slice(0, 2));
        expect((await store.outbox.list({ state: 'pending', topic: 'cdr' })).map((i) => i.id)).toEqual([ids[3]]);
        expect((await store.outbox.list({ limit: 2, afterId: ids[1] })).map((i) => i.id)).toEqual(ids.slice(2));
        expect(await store.outbox.discard(ids[0]!, 'billed by hand (ticket 42)')).toBe(true);
        expect(await store.outbox.discard(ids[0]!, 'twice')).toBe(false);
        expect(await store.outbox.get(ids[0]!)).toMatchObject({ state: 'discarded', resolution: 'billed by hand (ticket 42)' });
        expect(await store.outbox.requeueDead({ topic: 'status' })).toBe(0);
        expect(await store.outbox.requeueDead()).toBe(1);
        // A pending item being sent cannot be discarded under its sender.
        const [sending] = await store.outbox.claim({ limit: 1, topics: ['status'] });
        expect(await store.outbox.discard(sending!.id, 'no')).toBe(false);
        expect(await store.outbox.depthByTopic()).toEqual([
          { topic: 'cdr', state: 'pending', count: 2 },
          { topic: 'status', state: 'pending', count: 1 },
        ]);
      });

      it('never gives two items of one order key to concurrent claims', async () => {
        for (let i = 0; i < 40; i++) await store.outbox.enqueue({ topic: i % 2 ? 'status' : 'cdr', order: `key-${i % 5}`, payload: i });
        const batches = await Promise.all(Array.from({ length: 8 }, () => store.outbox.claim({ limit: 7 })));
        const keys = batches.flat().map((i) => i.orderKey);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys).toHaveLength(5);
        // The oldest of each key.
        expect(batches.flat().map((i) => i.payload as number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
      });

      it('never gives one item to two concurrent claims', async () => {
        for (let i = 0; i < 40; i++) await store.outbox.enqueue({ topic: 'status', payload: i });
        const batches = await Promise.all(Array.from({ length: 8 }, () => store.outbox.claim({ limit: 7 })));
        const ids = batches.flat().map((i) => i.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(40);
      });
    });

    describe('held items', () => {
      it('records why an accepted object is held back, updates the reason, lists, counts and releases', async () => {
        await store.held.hold({ kind: 'evse', ref: 'NL*ALF*E1', reason: 'another operator', details: [{ kind: 'invalid', path: 'evse_id' }] });
        clock.advance(1_000);
        await store.held.hold({ kind: 'location', ref: 'DE*ABC/LOC1', reason: 'not published' });
        await store.held.hold({ kind: 'evse', ref: 'NL*ALF*E1', reason: 'another operator (018)' });
        expect(await store.held.get('evse', 'NL*ALF*E1')).toEqual({
          kind: 'evse', ref: 'NL*ALF*E1', reason: 'another operator (018)', details: null, createdAt: clock.t - 1_000, updatedAt: clock.t,
        });
        expect((await store.held.list()).map((h) => h.ref)).toEqual(['NL*ALF*E1', 'DE*ABC/LOC1']);
        expect((await store.held.list({ kind: 'location' })).map((h) => h.ref)).toEqual(['DE*ABC/LOC1']);
        expect(await store.held.counts()).toEqual({ evse: 1, location: 1 });
        expect(await store.held.release('evse', 'NL*ALF*E1')).toBe(true);
        expect(await store.held.release('evse', 'NL*ALF*E1')).toBe(false);
        expect(await store.held.counts()).toEqual({ location: 1 });
      });
    });

    describe('object locks', () => {
      it('serialises concurrent read-modify-write transactions on one object, created or not', async () => {
        const increment = () =>
          store.transaction(async (tx) => {
            await tx.objects.lock('counters', 'bridge', 'n');
            const current = (await tx.objects.get<{ n: number }>('counters', 'bridge', 'n'))?.body.n ?? 0;
            await new Promise((resolve) => setTimeout(resolve, 2));
            await tx.objects.put('counters', 'bridge', 'n', { n: current + 1 });
          });
        await Promise.all(Array.from({ length: 12 }, increment));
        expect((await store.objects.get<{ n: number }>('counters', 'bridge', 'n'))?.body.n).toBe(12);
      });
    });

    describe('transactions', () => {
      it('commits a state change and its outbox item together', async () => {
        await store.transaction(async (tx) => {
          await tx.correlations.put({ kind: 'session', ocpiId: 's1', oicpId: 'h1' });
          await tx.outbox.enqueue({ topic: 'notification', key: 's1:start', payload: { session: 's1' } });
        });
        expect(await store.correlations.byOcpi('session', 's1')).toBeDefined();
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });

      it('writes nothing when the transaction fails half-way', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.outbox.enqueue({ topic: 'cdr', payload: 'half' });
            await tx.correlations.put({ kind: 'session', ocpiId: 's1', oicpId: 'h1' });
            throw new Error('mapping refused the CDR');
          }),
        ).rejects.toThrow('mapping refused the CDR');
        expect(await store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
        expect(await store.correlations.byOcpi('session', 's1')).toBeUndefined();
      });

      it('keeps other callers out of an open transaction', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const tx = store.transaction(async (t) => {
          await t.outbox.enqueue({ topic: 'cdr', payload: 'inside' });
          await gate;
          throw new Error('rolled back');
        });
        const outside = store.outbox.enqueue({ topic: 'cdr', payload: 'outside' });
        release();
        await expect(tx).rejects.toThrow('rolled back');
        await outside;
        const claimed = await store.outbox.claim({ limit: 10 });
        expect(claimed.map((i) => i.payload)).toEqual(['outside']);
      });

      it('commits the transactions that succeed among many at once (one group), and only those', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, n) =>
            store.transaction(async (tx) => {
              await tx.outbox.enqueue({ topic: 'cdr', payload: n });
              if (n === 2) throw new Error('refused');
              return n;
            }),
          ),
        );
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
        const claimed = await store.outbox.claim({ limit: 10 });
        // PostgreSQL runs them side by side: in whatever order they committed.
        expect(claimed.map((i) => i.payload as number).sort()).toEqual([0, 1, 3, 4, 5]);
      });
    });

    describe('records accepted once (acceptOnce)', () => {
      const write = (id: string, oicpId: string, body: unknown = { id, last_updated: '2026-01-01T10:00:00Z' }) => ({
        object: { module: 'cdrs', owner: 'NL*SIM', id, body },
        correlation: { kind: 'cdr', ocpiId: `NL*SIM/${id}`, oicpId },
        announcement: { topic: 'cdr', key: oicpId, payload: { SessionID: oicpId }, order: `session:${oicpId}` },
      });

      it('stores the object, its correlation and its keyed outbox item together; again, it answers with what is stored and adds nothing', async () => {
        const first = await store.acceptOnce(write('C1', 'S1'));
        expect(first).toEqual({ outcome: 'stored', outboxId: expect.any(Number) });
        expect(await store.acceptOnce(write('C1', 'S1', { id: 'C1', changed: true }))).toEqual({ outcome: 'known', body: { id: 'C1', last_updated: '2026-01-01T10:00:00Z' } });
        expect(await store.correlations.byOicp('cdr', 'S1')).toMatchObject({ ocpiId: 'NL*SIM/C1' });
        const [item, ...more] = await store.outbox.claim({ limit: 10 });
        expect(more).toEqual([]);
        expect(item).toMatchObject({ id: (first as { outboxId: number }).outboxId, topic: 'cdr', key: 'S1', payload: { SessionID: 'S1' }, orderKey: 'session:S1' });
        const listed = await store.objects.page('cdrs', { offset: 0, limit: 10, from: new Date('2026-01-01T09:59:59Z') });
        expect(listed.total).toBe(1);
      });

      it('refuses a second record for the same OICP id, storing nothing of it', async () => {
        await store.acceptOnce(write('C1', 'S1'));
        await expect(store.acceptOnce(write('C2', 'S1'))).rejects.toBeInstanceOf(CorrelationConflictError);
        expect(await store.objects.get('cdrs', 'NL*SIM', 'C2')).toBeUndefined();
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });

      it('writes nothing while the pair it requires is not stored, then stores; a stored record is known whatever it requires', async () => {
        const requiring = { ...write('C1', 'S1'), requires: { kind: 'authorization', ocpiId: 'S1', oicpId: 'S1' } };
        expect(await store.acceptOnce(requiring)).toEqual({ outcome: 'unmet' });
        await store.correlations.put({ kind: 'authorization', ocpiId: 'S1', oicpId: 'S-other', attrs: {} });
        expect(await store.acceptOnce(requiring)).toEqual({ outcome: 'unmet' });
        expect(await store.objects.get('cdrs', 'NL*SIM', 'C1')).toBeUndefined();
        expect(await store.correlations.byOicp('cdr', 'S1')).toBeUndefined();
        expect(await store.outbox.depth()).toEqual({ pending: 0, dead: 0 });

        await store.correlations.put({ kind: 'authorization', ocpiId: 'S1', oicpId: 'S1', attrs: {} });
        expect(await store.acceptOnce(requiring)).toEqual({ outcome: 'stored', outboxId: expect.any(Number) });
        const unrequited = { ...requiring, requires: { kind: 'authorization', ocpiId: 'S-gone', oicpId: 'S-gone' } };
        expect(await store.acceptOnce(unrequited)).toEqual({ outcome: 'known', body: { id: 'C1', last_updated: '2026-01-01T10:00:00Z' } });
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });

      it('stores a record offered twice at the same moment once', async () => {
        const answers = await Promise.all([store.acceptOnce(write('C1', 'S1')), store.acceptOnce(write('C1', 'S1'))]);
        expect(answers.map((a) => a.outcome).sort()).toEqual(['known', 'stored']);
        expect(await store.outbox.depth()).toEqual({ pending: 1, dead: 0 });
      });
    });
  });
}
