/**
 * The promises of "What nothing lost means here", kept under the conditions of a real deployment, with
 * partners written from the specifications alone (test/support/doubles), each in its own process:
 * bridge instances on one store behind a load balancer, SIGKILLed at random every few seconds and
 * restarted; a Hubject that answers 503 to a fifth of the calls, holds some past the client's timeout
 * and goes down for seconds; a backend streaming CDRs and out-of-order EVSE status PATCHes meanwhile,
 * and (as a real backend does) pushing again what was not acknowledged. Counted at the end: CDRs
 * lost, CDRs sent again after Hubject's 000 reached the bridge (allowed only for a kill between that
 * answer and its settlement), EVSEs whose final status at Hubject is not the newest one sent.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openStore, type Store } from '../../src/store';
import type { StoreConfig } from '../../src/config/schema';
import { startBalancer, type Balancer } from '../support/balancer';
import { CLI, freePort, runTs, type Child } from '../support/child';
import type { HubjectDouble } from '../support/doubles/hubject';
import { spawnHubjectDouble } from '../support/doubles/hubject-remote';
import { startOcpiCpoDouble, type OcpiCpoDouble, type PushItem, type PushResult } from '../support/doubles/ocpi-cpo';
import { evseKey, evseRefs, generateCdr, generateLocations, statusPatches, type OcpiLocation } from '../support/doubles/ocpi-data';
import { PG_TEST_URL } from '../support/postgres-url';
import { BACKENDS, TEST_POLICY } from '../support/stores';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const OPERATOR = 'DE*ABC';
/** The EVSE status table of docs/mapping-decisions.md (OCPI -> OICP), as the hub must end. */
const OICP_STATUS: Record<string, string> = { AVAILABLE: 'Available', CHARGING: 'Occupied', BLOCKED: 'Occupied', RESERVED: 'Reserved', INOPERATIVE: 'OutOfService', OUTOFORDER: 'OutOfService', UNKNOWN: 'Unknown' };
const CARD = { country_code: 'DE', party_id: 'DCB', uid: '1234ABCD', type: 'RFID' as const, contract_id: 'DE8ACC12E46L89' };
const CLIENT_TIMEOUT_MS = 2_000;
const CONCURRENCY = 8;

/** A small seeded random source, so a failing run can be repeated. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scenario {
  store: 'sqlite' | 'postgres';
  instances: number;
  cdrs: number;
  locations: number;
  patchesPerEvse: number;
  /** Pushes per second: the storm lasts about 20 s, long enough for several kills. */
  patchRate: number;
  cdrRate: number;
}

/** How long the backend goes on pushing what was not acknowledged, past its first 40 rounds. */
const PUSH_PATIENCE_MS = 120_000;

const SCENARIOS: Scenario[] = [
  { store: 'postgres', instances: 3, cdrs: 240, locations: 25, patchesPerEvse: 16, patchRate: 80, cdrRate: 12 },
  { store: 'sqlite', instances: 1, cdrs: 160, locations: 20, patchesPerEvse: 12, patchRate: 48, cdrRate: 8 },
];

for (const scenario of SCENARIOS) {
  const backend = BACKENDS.find((b) => b.name === scenario.store)!;
  const title = `${scenario.instances} bridge instance(s) on ${scenario.store}, SIGKILLed every few seconds, against a failing Hubject`;
  (backend.available ? describe : describe.skip)(title, () => {
    let dir: string;
    let storeConfig: StoreConfig;
    let hub: HubjectDouble;
    let cpo: OcpiCpoDouble;
    let balancer: Balancer;
    const instances: { port: number; child?: Child }[] = [];
    const kills: number[] = [];
    /** The killer loop runs while this is true; afterAll ends it too, so a failed or timed-out test leaves nothing restarting instances. */
    let storming = false;
    let killer: Promise<void> | undefined;
    const seed = Number(process.env.STORM_SEED ?? 20261130);
    const random = seeded(seed);

    /** Starts an instance and waits until it answers its health check (the log says only warnings). */
    const start = async (instance: { port: number; child?: Child }, configFile: string) => {
      const child = runTs(CLI, ['serve', '--config', configFile]);
      instance.child = child;
      for (let i = 0; i < 300; i++) {
        if (child.process.exitCode !== null) throw new Error(`bridge exited at start:\n${child.output()}`);
        const healthy = await fetch(`http://127.0.0.1:${instance.port}/healthz`).then((r) => r.ok, () => false);
        if (healthy) return;
        await sleep(100);
      }
      throw new Error(`bridge did not come up:\n${child.output()}`);
    };
    const inspect = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
      const store = await openStore(storeConfig, TEST_POLICY);
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    };

    afterAll(async () => {
      storming = false;
      await killer?.catch(() => undefined);
      for (const instance of instances) instance.child?.process.kill('SIGKILL');
      await Promise.all(instances.flatMap((i) => (i.child ? [i.child.exited] : [])));
      await balancer?.close();
      await cpo?.close();
      await hub?.close();
      if (storeConfig?.url) {
        const client = new Client({ connectionString: PG_TEST_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${storeConfig.schema}" CASCADE`);
        await client.end();
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('loses no acknowledged CDR, sends one again only after a kill, and ends every EVSE at its newest status', async () => {
      dir = mkdtempSync(join(tmpdir(), 'bridge-storm-'));
      storeConfig =
        scenario.store === 'postgres'
          ? { path: 'unused', url: PG_TEST_URL, schema: `bridge_storm_${randomBytes(5).toString('hex')}`, poolSize: 6 }
          : { path: join(dir, 'bridge.sqlite'), schema: 'public', poolSize: 1 };
      hub = await spawnHubjectDouble({ faults: { seed } });
      const tokenA = `storm-token-${randomBytes(8).toString('hex')}`;
      cpo = await startOcpiCpoDouble({ countryCode: 'DE', partyId: 'ABC', tokenA, requestTimeoutMs: 15_000 });
      for (let i = 0; i < scenario.instances; i++) instances.push({ port: await freePort() });
      balancer = await startBalancer(instances.map((i) => `http://127.0.0.1:${i.port}`));

      const configFor = (port: number) => {
        const file = join(dir, `bridge-${port}.yaml`);
        writeFileSync(
          file,
          stringify({
            server: { host: '127.0.0.1', port, shutdownTimeoutMs: 1_000 },
            store: storeConfig.url ? { url: storeConfig.url, schema: storeConfig.schema, poolSize: storeConfig.poolSize } : { path: storeConfig.path },
            outbox: { maxAttempts: 10_000, baseDelayMs: 100, maxDelayMs: 1_000, leaseMs: 5_000, pollMs: 100, concurrency: CONCURRENCY },
            ocpi: {
              countryCode: 'DE',
              partyId: 'BRG',
              roles: ['EMSP'],
              versions: ['2.2.1'],
              businessDetails: { name: 'Storm bridge' },
              publicUrl: balancer.url,
              backend: { versionsUrl: cpo.versionsUrl, token: tokenA },
            },
            oicp: {
              role: 'CPO',
              operatorId: OPERATOR,
              environment: 'custom',
              baseUrl: hub.url,
              fullLoadMinutes: 0,
              inbound: { callerCheck: 'trusted-network' },
              timeoutsMs: { ChargeDetailRecord: CLIENT_TIMEOUT_MS, PushEvseStatus: CLIENT_TIMEOUT_MS, PushEvseData: 5_000, AuthorizeStart: 5_000, ChargingNotification: CLIENT_TIMEOUT_MS },
            },
            mapping: {
              operators: {
                [OPERATOR]: {
                  hotlinePhoneNumber: '+49301234567',
                  authenticationModes: ['NFC RFID Classic', 'REMOTE'],
                  paymentOptions: ['Contract'],
                  accessibility: 'Free publicly accessible',
                  calibrationLawDataAvailability: 'Not Available',
                  renewableEnergy: false,
                  timeZone: 'Europe/Berlin',
                },
              },
            },
            log: { level: 'warn', format: 'json' },
          }),
        );
        return file;
      };
      const configs = instances.map((i) => configFor(i.port));
      // The first instance registers with the backend; the others find the registration in the store.
      await start(instances[0]!, configs[0]!);
      for (let i = 0; i < 500 && !(await cpo.registration()).registered; i++) await sleep(20);
      expect((await cpo.registration()).registered).toBe(true);
      for (let i = 1; i < instances.length; i++) await start(instances[i]!, configs[i]!);

      // The network and one Hubject authorization per CDR, before the storm.
      const locations: OcpiLocation[] = generateLocations({ operator: OPERATOR, count: scenario.locations, evsesPerLocation: 4, seed, lastUpdated: '2026-11-30T08:00:00Z' });
      const pushAll = async (items: PushItem[], options: { rate: number; concurrency: number }) => {
        // A backend pushes again what was not acknowledged, until it is. Bounded by time, not by
        // rounds: with one instance killed every few seconds, a round finds it down as long as a
        // restart takes, and a loaded machine (CI runs the suites side by side) makes restarts slow.
        let pending = items;
        const results: PushResult[] = [];
        const giveUpAt = Date.now() + PUSH_PATIENCE_MS;
        for (let round = 0; pending.length > 0 && (round < 40 || Date.now() < giveUpAt); round++) {
          if (round > 0) await sleep(500);
          const report = await cpo.stream(pending, options);
          results.push(...report.results);
          pending = pending.filter((_, i) => report.results[i]!.outcome === 'failed' || (report.results[i]!.outcome === 'refused' && (report.results[i]!.statusCode ?? 0) >= 3000));
        }
        expect(pending).toEqual([]);
        return results;
      };
      await pushAll(locations.map((location) => ({ op: 'putLocation', location })), { rate: 50, concurrency: 8 });
      const evses = evseRefs(locations);
      const authorizations = await pushAll(
        Array.from({ length: scenario.cdrs }, (_, n) => {
          const evse = evses[n % evses.length]!;
          return { op: 'authorize', uid: CARD.uid, type: 'RFID', locationReferences: { location_id: evse.locationId, evse_uids: [evse.evseUid] } };
        }),
        { rate: 60, concurrency: 8 },
      );
      const references = authorizations.filter((r) => r.outcome === 'acknowledged').map((r) => (r.data as { allowed: string; authorization_reference: string }).authorization_reference);
      expect(references).toHaveLength(scenario.cdrs);
      const cdrs = references.map((reference, n) => {
        const evse = evses[n % evses.length]!;
        const location = locations.find((l) => l.id === evse.locationId)!;
        return generateCdr({ id: `CDR-${n}`, location, evseUid: evse.evseUid, token: CARD, authorizationReference: reference, start: new Date(Date.parse('2026-11-30T06:00:00Z') + n * 60_000).toISOString() });
      });
      const { patches, newest } = statusPatches(evses, { perEvse: scenario.patchesPerEvse, start: '2026-11-30T09:00:00Z', order: 'reverse-pairs', seed });

      // The storm: Hubject fails a fifth of the calls and holds some past the bridge's timeout, goes down for a while; instances are killed.
      await hub.clearRecords();
      await hub.setFaults({ failureRate: 0.2, holdRate: 0.05, holdMs: CLIENT_TIMEOUT_MS + 1_000, holdMode: 'answer-late', operations: ['ChargeDetailRecord', 'PushEvseStatus', 'PushEvseData'] });
      storming = true;
      // An instance is killed after it has served 2.5-4 s since it was last (re)started. Counted from
      // the restart's end, not from the kill: restarts take seconds on a loaded machine (CI runs the
      // suites side by side), and a kill every 2.5-4 s from the last one then found the only instance
      // just up, or still starting, so it served almost never and the test measured the machine.
      const restarts = new Map<number, Promise<void>>();
      killer = (async () => {
        while (storming) {
          const index = Math.floor(random() * instances.length);
          const instance = instances[index]!;
          await restarts.get(index)?.catch(() => undefined);
          await sleep(2_500 + random() * 1_500);
          if (!storming) break;
          instance.child!.process.kill('SIGKILL');
          await instance.child!.exited;
          kills.push(Date.now());
          restarts.set(index, start(instance, configs[index]!));
        }
        await Promise.all(restarts.values());
      })();
      const outage = (async () => {
        await sleep(4_000);
        await hub.down(15_000, 'refuse');
      })();
      const [patchResults, cdrResults] = await Promise.all([
        pushAll(patches.map((p) => ({ op: 'patchEvse', locationId: p.locationId, evseUid: p.evseUid, patch: p.patch })), { rate: scenario.patchRate, concurrency: 32 }),
        pushAll(cdrs.map((cdr) => ({ op: 'postCdr', cdr })), { rate: scenario.cdrRate, concurrency: 8 }),
      ]);
      storming = false;
      await Promise.all([killer, outage]);
      await hub.up();
      await hub.setFaults({ failureRate: 0, holdRate: 0 });

      // Everything acknowledged is delivered: wait until no instance has anything left to send.
      const depth = () => inspect((store) => store.outbox.depth());
      for (let i = 0; i < 600 && (await depth()).pending > 0; i++) await sleep(200);
      expect(await depth()).toEqual({ pending: 0, dead: 0 });
      // A call the hub still holds has not been answered yet: it says whether its caller was there only
      // when its hold ends. Read the hub after the last hold, or a resend after it reads as unexplained.
      await sleep(CLIENT_TIMEOUT_MS + 1_500);

      // CDRs: none lost; each session's CDR accepted once; every call after a 000 the bridge received is explained by a kill.
      const stats = await hub.cdrStats();
      const calls = await hub.cdrs();
      const requests = new Map((await hub.requests({ operation: 'ChargeDetailRecord' })).map((r) => [r.seq, r]));
      let resentAfterReceived = 0;
      let resentAfterTimeout = 0;
      /** For each CDR sent again after a received 000: how long after that answer the kill came. */
      const gaps: number[] = [];
      const unexplained: string[] = [];
      for (const [sessionId, list] of Object.entries(calls)) {
        const accepted = list.find((c) => c.code === '000');
        if (!accepted || list.length === 1) continue;
        const later = list.filter((c) => c.seq > accepted.seq).length;
        if (requests.get(accepted.seq)?.clientGone) {
          resentAfterTimeout += later;
          continue;
        }
        resentAfterReceived += later;
        // The 000 reached a bridge, which then died before settling it: a kill shortly after that answer.
        const answeredAt = Date.parse(accepted.at);
        const kill = kills.find((k) => k >= answeredAt && k - answeredAt < 3_000);
        if (kill === undefined) unexplained.push(sessionId);
        else gaps.push(kill - answeredAt);
      }
      const failedPatches = patchResults.filter((r) => r.outcome !== 'acknowledged').length;
      const failedCdrPosts = cdrResults.filter((r) => r.outcome !== 'acknowledged').length;
      const statuses = await hub.evseStatuses();
      const staleAtHub = evses.filter((e) => statuses[e.evseId!]?.current !== OICP_STATUS[newest[evseKey(e)]!.status]);
      const cached = await inspect(async (store) => {
        const byKey = new Map<string, string>();
        for (const { body } of await store.objects.list<OcpiLocation>('locations')) for (const evse of body.evses) byKey.set(`${body.id}/${evse.uid}`, evse.status);
        return byKey;
      });
      const staleInCache = evses.filter((e) => cached.get(evseKey(e)) !== newest[evseKey(e)]!.status);
      const counters = await hub.counters();
      console.log(
        `storm (${title}, seed ${seed}): ${kills.length} kills; ${cdrs.length} CDRs, ${stats.accepted} accepted at the hub, ${cdrs.length - stats.accepted} lost, ` +
          `${stats.duplicates} duplicate calls (${resentAfterTimeout} after a 000 the bridge never received: held past its timeout; ${resentAfterReceived} after a received 000: kills, ${Math.max(0, ...gaps)} ms at most between that 000 and the kill); ` +
          `${patches.length} status PATCHes (${failedPatches} pushed again after a failure), ${evses.length} EVSEs, ${staleAtHub.length} stale at the hub, ${staleInCache.length} stale in the cache; ` +
          `hub faults: ${counters.failures503} x 503, ${counters.holds} holds, ${counters.downPeriods} outage; CDR POSTs pushed again: ${failedCdrPosts}; balancer 502s: ${balancer.failed()}`,
      );
      expect(stats.accepted).toBe(cdrs.length);
      expect(stats.distinctSessions).toBe(cdrs.length);
      expect(stats.duplicatesDifferent).toBe(0);
      expect(stats.refused).toEqual({});
      expect(unexplained).toEqual([]);
      // Per kill: the calls on the wire and the answered deliveries not yet settled, `concurrency` of each at most.
      expect(resentAfterReceived).toBeLessThanOrEqual(kills.length * 2 * CONCURRENCY);
      expect(staleAtHub.map((e) => e.evseId)).toEqual([]);
      expect(staleInCache.map((e) => evseKey(e))).toEqual([]);
      expect(await hub.violations()).toEqual([]);
      expect(kills.length).toBeGreaterThan(0);
    }, 300_000 + PUSH_PATIENCE_MS);
  });
}
