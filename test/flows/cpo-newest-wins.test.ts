/**
 * Newest wins on the CPO side, on both stores: a PATCH older than the cached EVSE is acknowledged but
 * neither applied nor sent to Hubject (the reproduction: CHARGING at :10, then AVAILABLE at
 * :05), a storm of PATCHes for a few EVSEs with a hundred in flight ends at the newest of each, and
 * the same holds for locations, sessions and tariffs. Nothing older ever reaches Hubject last.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Location, Tariff } from '../../src/ocpi/wire/schemas';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { PushEvseStatusRequest } from '../../src/oicp/wire/messages';
import type { Session } from '../../src/ocpi/wire/transaction-schemas';
import { corpusJson } from '../support/corpus';
import { startCpoScene, until, type CpoScene } from '../support/cpo-scene';
import { PG_TEST_URL } from '../support/postgres-url';
import { BACKENDS } from '../support/stores';

const OWNER = { countryCode: 'NL', partyId: 'SIM' };
const EVSES = ['3256', '3257'] as const;
const EVSE_IDS: Record<string, string> = { '3256': 'BE*BEC*E041503001', '3257': 'BE*BEC*E041503002' };

for (const backend of BACKENDS) {
  (backend.available ? describe : describe.skip)(`newest wins, store on ${backend.name}`, () => {
    let scene: CpoScene;
    let peer: OcpiPeer;
    const schema = `bridge_newest_${randomBytes(5).toString('hex')}`;
    beforeAll(async () => {
      scene = await startCpoScene('rest-2.3', backend.name === 'postgres' ? { store: { url: PG_TEST_URL, schema } } : {});
      expect((await scene.backend.backend.pushAll('bridge')).failed).toEqual([]);
      peer = (await scene.backend.backend.peer('bridge'))!;
      await until('the hub has the statuses', () => scene.received('PushEvseStatus').length > 0);
    }, 30_000);
    afterAll(async () => {
      await scene?.close();
      if (backend.name === 'postgres') {
        const client = new Client({ connectionString: PG_TEST_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    });
    const cachedEvse = async (uid: string) => (await scene.bridge.store.objects.get<Location>('locations', 'NL*SIM', 'LOC1'))!.body.evses!.find((e) => e.uid === uid)!;
    const hubStatus = (uid: string) => scene.hub.state.evseStatus.get('BEBEC')?.get(EVSE_IDS[uid]!)?.EvseStatus;
    const settled = async () => {
      for (let i = 0; i < 500 && (await scene.bridge.store.outbox.depth()).pending > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await scene.bridge.store.outbox.depth()).toEqual({ pending: 0, dead: 0 });
    };

    it('acknowledges an older PATCH that arrives after a newer one, and keeps the newer in the cache and at Hubject', async () => {
      const sent = scene.received('PushEvseStatus').length;
      expect(await peer.patch('locations', OWNER, ['LOC1', '3256'], { status: 'CHARGING', last_updated: '2026-12-01T00:00:10Z' })).toMatchObject({ ok: true });
      expect(await peer.patch('locations', OWNER, ['LOC1', '3256'], { status: 'AVAILABLE', last_updated: '2026-12-01T00:00:05Z' })).toMatchObject({ ok: true });
      await settled();
      expect(await cachedEvse('3256')).toMatchObject({ status: 'CHARGING', last_updated: '2026-12-01T00:00:10Z' });
      expect(hubStatus('3256')).toBe('Occupied');
      // The older one was never sent.
      const after = scene.received<PushEvseStatusRequest>('PushEvseStatus').slice(sent).flatMap((r) => r.OperatorEvseStatus.EvseStatusRecord);
      expect(after.filter((r) => r.EvseID === EVSE_IDS['3256'])).toEqual([{ EvseID: EVSE_IDS['3256'], EvseStatus: 'Occupied' }]);
    });

    it('ends at the newest status of each EVSE after a storm of shuffled PATCHes, a hundred in flight', async () => {
      const statuses = ['AVAILABLE', 'CHARGING', 'RESERVED', 'INOPERATIVE', 'BLOCKED'] as const;
      const patches = EVSES.flatMap((uid) => Array.from({ length: 120 }, (_, k) => ({ uid, status: statuses[(k * 7 + uid.length) % statuses.length]!, last_updated: new Date(Date.UTC(2026, 11, 2, 0, 0, k)).toISOString() })));
      const newest = Object.fromEntries(EVSES.map((uid) => [uid, patches.filter((p) => p.uid === uid).at(-1)!]));
      // Shuffled, deterministically.
      for (let i = patches.length - 1, r = 7; i > 0; i--) {
        r = (r * 1_103_515_245 + 12_345) % 2 ** 31;
        const j = r % (i + 1);
        [patches[i], patches[j]] = [patches[j]!, patches[i]!];
      }
      const inFlight = new Set<Promise<unknown>>();
      for (const p of patches) {
        const sent: Promise<unknown> = peer.patch('locations', OWNER, ['LOC1', p.uid], { status: p.status, last_updated: p.last_updated }).then((result) => {
          expect(result).toMatchObject({ ok: true });
          inFlight.delete(sent);
        });
        inFlight.add(sent);
        if (inFlight.size >= 100) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      await settled();
      const oicp: Record<string, string> = { AVAILABLE: 'Available', CHARGING: 'Occupied', RESERVED: 'Reserved', INOPERATIVE: 'OutOfService', BLOCKED: 'Occupied' };
      for (const uid of EVSES) {
        expect(await cachedEvse(uid)).toMatchObject({ status: newest[uid]!.status, last_updated: newest[uid]!.last_updated });
        expect(hubStatus(uid)).toBe(oicp[newest[uid]!.status]);
      }
    });

    it('keeps a newer location, session and tariff against an older PUT', async () => {
      const location = (await scene.bridge.store.objects.get<Location>('locations', 'NL*SIM', 'LOC1'))!.body;
      const older = { ...location, name: 'An older name', last_updated: '2015-01-01T00:00:00Z' };
      expect(await peer.put('locations', OWNER, ['LOC1'], older)).toMatchObject({ ok: true });
      expect((await scene.bridge.store.objects.get<Location>('locations', 'NL*SIM', 'LOC1'))!.body.name).toBe(location.name);

      const session = { ...(corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session), country_code: 'NL', party_id: 'SIM', id: 'S-NEWEST', last_updated: '2026-12-01T10:00:00Z' };
      expect(await peer.put('sessions', OWNER, ['S-NEWEST'], session)).toMatchObject({ ok: true });
      expect(await peer.put('sessions', OWNER, ['S-NEWEST'], { ...session, kwh: 99, last_updated: '2026-12-01T09:00:00Z' })).toMatchObject({ ok: true });
      expect(await peer.patch('sessions', OWNER, ['S-NEWEST'], { kwh: 98, last_updated: '2026-12-01T09:30:00Z' })).toMatchObject({ ok: true });
      expect((await scene.bridge.store.objects.get<Session>('sessions', 'NL*SIM', 'S-NEWEST'))!.body).toMatchObject({ kwh: session.kwh, last_updated: '2026-12-01T10:00:00Z' });

      const tariff = (await scene.bridge.store.objects.list<Tariff>('tariffs'))[0]!.body;
      const products = scene.received('PushPricingProductData').length;
      expect(await peer.put('tariffs', OWNER, [tariff.id], { ...tariff, currency: 'SEK', last_updated: '2015-01-01T00:00:00Z' })).toMatchObject({ ok: true });
      expect((await scene.bridge.store.objects.get<Tariff>('tariffs', 'NL*SIM', tariff.id))!.body.currency).toBe(tariff.currency);
      await settled();
      expect(scene.received('PushPricingProductData')).toHaveLength(products);
    });
  });
}
