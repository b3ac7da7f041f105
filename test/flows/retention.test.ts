/**
 * Nothing the bridge writes grows with the traffic unnoticed: every per-record kind of row goes after
 * its retention, on both stores, and what mirrors the network or the configuration stays.
 */
import { KEPT, RETENTION_RULES, storeRetentionJob } from '../../src/flows/retention';
import { MIGRATIONS } from '../../src/store/migrations';
import type { Store } from '../../src/store';
import { quietLogger } from '../support/oicp-network';
import { BACKENDS, describeBackend, TestClock, type StoreSite } from '../support/stores';

const DAY = 86_400_000;
const RETENTION = { authorizationsDays: 30, sessionsDays: 90, cdrsDays: 90, everyMinutes: 60 };

it.each(['postgres', 'sqlite'] as const)('has a rule or a reason to keep for every table the migrations create on %s', (dialect) => {
  // The tables left after every migration: a rebuilt table is created under another name, and renamed once the old one is dropped.
  const tables = new Set<string>();
  for (const sql of MIGRATIONS.flatMap((m) => m.statements({ serialKey: '', millis: '', dialect }))) {
    const [, created] = /CREATE (?:VIRTUAL )?TABLE (\w+)/.exec(sql) ?? [];
    const [, dropped] = /DROP TABLE (\w+)/.exec(sql) ?? [];
    const [, from, to] = /ALTER TABLE (\w+) RENAME TO (\w+)/.exec(sql) ?? [];
    if (created) tables.add(created);
    if (dropped) tables.delete(dropped);
    if (from && to) {
      tables.delete(from);
      tables.add(to);
    }
  }
  const covered = new Set([...RETENTION_RULES.map((r) => r.table), ...KEPT.map((k) => k.split(/[ :]/)[0]!)]);
  expect([...tables].filter((t) => !covered.has(t))).toEqual([]);
});

for (const backend of BACKENDS) {
  describeBackend(backend, () => {
    let site: StoreSite;
    let clock: TestClock;
    let store: Store;
    beforeEach(async () => {
      site = backend.site();
      clock = new TestClock();
      store = await site.open({ now: clock.now });
    });
    afterEach(async () => {
      await store.close();
      await site.destroy();
    });

    it('deletes per-record data after its retention and keeps the network, the parties and fresh records', async () => {
      // Old records of every kind with a retention rule...
      for (const rule of RETENTION_RULES) {
        if (rule.table === 'correlations') await store.correlations.put({ kind: rule.part!, ocpiId: `old-${rule.part!}`, oicpId: `old-${rule.part!}` });
        if (rule.table === 'ocpi_objects') await store.objects.put(rule.part!, 'NL*SIM', 'old', { id: 'old' });
      }
      await store.parties.save({ id: 'backend', state: 'registered', roles: [], endpoints: [], versionsUrl: null, version: null, outboundToken: null });
      await store.tokens.issue({ party: 'backend', purpose: 'access', token: 'rotated-away', expiresAt: clock.t + 300_000 });
      await store.tokens.issue({ party: 'backend', purpose: 'access', token: 'current' });
      // ... and what mirrors the network.
      await store.objects.put('locations', 'NL*SIM', 'LOC1', { id: 'LOC1' });
      await store.correlations.put({ kind: 'evse', ocpiId: 'NL*SIM/LOC1/1', oicpId: 'NL*SIM*E1' });
      clock.advance(31 * DAY);
      const fresh = { kind: 'notified-session', ocpiId: 'fresh', oicpId: 'fresh' };
      await store.correlations.put(fresh);

      const job = storeRetentionJob(store, RETENTION, quietLogger(), clock.now);
      expect(job).toMatchObject({ name: 'store retention', everyMs: 3_600_000 });
      // After 31 days only the authorizations (30 days) and the expired token are due.
      expect(await job.run()).toEqual({ purged: 3 });
      expect(await store.correlations.byOcpi('authorization', 'old-authorization')).toBeUndefined();
      expect(await store.correlations.byOcpi('notified-session', 'old-notified-session')).toBeDefined();
      expect(await store.tokens.verify('current')).toMatchObject({ party: 'backend', purpose: 'access' });

      clock.advance(60 * DAY);
      expect(await job.run()).toEqual({ purged: RETENTION_RULES.length - 3 });
      for (const rule of RETENTION_RULES) {
        if (rule.table === 'correlations') expect(await store.correlations.byOcpi(rule.part!, `old-${rule.part!}`)).toBeUndefined();
        if (rule.table === 'ocpi_objects') expect(await store.objects.get(rule.part!, 'NL*SIM', 'old')).toBeUndefined();
      }
      expect(await store.correlations.byOcpi('notified-session', 'fresh')).toBeDefined();
      expect(await store.objects.get('locations', 'NL*SIM', 'LOC1')).toBeDefined();
      expect(await store.correlations.byOcpi('evse', 'NL*SIM/LOC1/1')).toBeDefined();
      expect(await store.parties.get('backend')).toBeDefined();
      expect(await store.tokens.verify('current')).toBeDefined();
    });

    it('keeps CDRs forever with cdrsDays 0', async () => {
      await store.objects.put('cdrs', 'NL*SIM', 'CDR1', { id: 'CDR1' });
      clock.advance(3_650 * DAY);
      await storeRetentionJob(store, { ...RETENTION, cdrsDays: 0 }, quietLogger(), clock.now).run();
      expect(await store.objects.get('cdrs', 'NL*SIM', 'CDR1')).toBeDefined();
    });
  });
}
