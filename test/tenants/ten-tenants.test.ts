/**
 * Ten tenants in one process and one store (issue 24, docs/tenants.md): nine CPO tenants, each with
 * its own OCPI backend (all of them NL*SIM with the same location and CDR ids, as separate companies'
 * backends may be) and its own OperatorID, and one EMP tenant whose tokens Hubject authorizes the
 * CPO tenants' drivers with, all against one Hubject simulator. Counted per tenant: the EVSEs Hubject
 * got under the tenant's identity and no other, the CDRs, what each tenant's store view holds, the
 * tenant label of /metrics, and what `outbox list --tenant` shows. One backend pushes an EVSE of
 * another tenant's operator: it is held, and Hubject never sees it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../src/runtime';
import type { RunningOcpiBackend } from '../../src/simulator/ocpi-backend';
import type { Location } from '../../src/ocpi/wire/schemas';
import { generateLocations } from '../support/doubles/ocpi-data';
import { main } from '../../src/cli/main';
import { CLI, runTs } from '../support/child';
import { captured } from '../support/io';
import { quietLogger } from '../support/oicp-network';
import { BACKENDS, describeBackend, type StoreSite } from '../support/stores';
import { sceneStore } from '../support/cpo-scene';
import {
  authorizeCard,
  cpoTenant,
  deployment,
  empTenant,
  postCdr,
  pushNetwork,
  startCpoBackend,
  startDeployment,
  startEmspBackend,
  startHub,
  tenantOf,
  type CpoBackend,
  type Hub,
} from '../support/tenants';

/** The eMSP backend's seed card (RFID, whitelist ALLOWED): the EMP tenant gives it to Hubject. */
const EMP_CARD = '12345678905880';
const EMP_TOKEN = { country_code: 'DE', party_id: 'DCB', uid: EMP_CARD, type: 'RFID' as const, contract_id: 'DE8ACC12E46L89' };
const PROVIDER_ID = 'DE-EMP';
const CPO_IDS = Array.from({ length: 9 }, (_, i) => `cpo-${i + 1}`);
const operatorOf = (tenant: string) => `DE*C0${tenant.slice(-1)}`;
/** cpo-2's backend also has a location whose EVSE is cpo-3's operator's. */
const FOREIGN = generateLocations({ operator: operatorOf('cpo-3'), count: 1, idPrefix: 'FOREIGN', firstIndex: 900, seed: 99, evsesPerLocation: 1 });
const FOREIGN_EVSE = FOREIGN[0]!.evses[0]!.evse_id!;
/** CDR ids every CPO backend uses. */
const CDR_IDS = ['CDR-1', 'CDR-2'];
const CDR_TOPIC = 'oicp:ChargeDetailRecord';

for (const storeBackend of BACKENDS) {
  describeBackend(storeBackend, () => {
    describe('ten tenants in one bridge', () => {
      const logger = quietLogger();
      let site: StoreSite;
      let dir: string;
      let configFile: string;
      let hub: Hub;
      const cpoBackends = new Map<string, CpoBackend>();
      let emspBackend: RunningOcpiBackend;
      let bridge: RunningBridge;
      /** The SessionIDs of each CPO tenant's CDRs, as Hubject issued them. */
      const sessions = new Map<string, string[]>();

      beforeAll(async () => {
        site = storeBackend.site();
        dir = mkdtempSync(join(tmpdir(), 'bridge-ten-'));
        hub = await startHub(logger, null);
        emspBackend = await startEmspBackend(logger);
        for (const [i, id] of CPO_IDS.entries()) {
          cpoBackends.set(id, await startCpoBackend(logger, { operator: operatorOf(id), locations: 2, seed: 10 + i, ...(id === 'cpo-2' && { foreign: FOREIGN }) }));
        }
        const tenants = [
          ...(await Promise.all(CPO_IDS.map((id) => cpoTenant(id, { operatorId: operatorOf(id), partyId: `C0${id.slice(-1)}`, hubUrl: hub.url, backend: cpoBackends.get(id)! })))),
          await empTenant('emp', { providerId: PROVIDER_ID, partyId: 'EMP', hubUrl: hub.url, backend: emspBackend }),
        ];
        const raw = deployment(sceneStore(site), tenants);
        configFile = join(dir, 'bridge.yaml');
        // YAML reads JSON: the CLI reads the deployment the bridge runs.
        writeFileSync(configFile, JSON.stringify(raw));
        bridge = await startDeployment(raw, logger);
        // The eMSP's tokens first: Hubject authorizes the CPO tenants' drivers with them.
        await pushNetwork(emspBackend, tenantOf(bridge, 'emp'));
        await Promise.all(CPO_IDS.map((id) => pushNetwork(cpoBackends.get(id)!.running, tenantOf(bridge, id))));
        for (const id of CPO_IDS) {
          const backend = cpoBackends.get(id)!;
          const peer = await backend.peer();
          for (const [n, cdrId] of CDR_IDS.entries()) {
            const location = backend.locations[n % 2]!;
            await postCdr(peer, location, cdrId, await authorizeCard(peer, location, EMP_CARD), EMP_TOKEN);
          }
        }
        await Promise.all([...bridge.tenants.values()].map((tenant) => untilEmpty(tenant)));
        for (const id of CPO_IDS) sessions.set(id, hub.acceptedCdrs().filter((c) => c.operator === operatorOf(id)).map((c) => c.cdr.SessionID));
        // The EMP tenant pulls the network Hubject now holds: every CPO tenant's.
        await tenantOf(bridge, 'emp').runJob('EVSE data');
        await untilEmpty(tenantOf(bridge, 'emp'));
      }, 90_000);

      afterAll(async () => {
        await bridge?.stop();
        await Promise.all([hub?.close(), emspBackend?.close(), ...[...cpoBackends.values()].map((b) => b.close())]);
        await site?.destroy();
        rmSync(dir, { recursive: true, force: true });
      });

      const untilEmpty = async (tenant: { store: RunningBridge['store'] }) => {
        for (const started = Date.now(); (await tenant.store.outbox.depth()).pending > 0; await new Promise((r) => setTimeout(r, 20))) {
          if (Date.now() - started > 30_000) throw new Error('an outbox did not empty within 30 s');
        }
      };

      it('runs the ten tenants', () => {
        expect([...bridge.tenants.keys()].sort()).toEqual([...CPO_IDS, 'emp'].sort());
      });

      it('gives Hubject each CPO tenant\'s EVSEs under its own OperatorID, each once, and nothing under another', () => {
        const pushes = [...hub.evsePushes(), ...hub.statusPushes()];
        // Path and body name the same operator, and every EvseID in a push is that operator's.
        expect(pushes.filter((p) => p.pathOperator !== p.bodyOperator || p.evseIds.some((id) => !id.startsWith(`${p.bodyOperator}*`)))).toEqual([]);
        expect(new Set(pushes.map((p) => p.bodyOperator))).toEqual(new Set(CPO_IDS.map(operatorOf)));
        for (const id of CPO_IDS) {
          const data = hub.evsePushes().filter((p) => p.bodyOperator === operatorOf(id)).flatMap((p) => p.evseIds);
          expect({ tenant: id, evses: data.sort() }).toEqual({ tenant: id, evses: [...cpoBackends.get(id)!.evseIds].sort() });
        }
        expect(pushes.flatMap((p) => p.evseIds)).not.toContain(FOREIGN_EVSE);
      });

      it('holds the EVSE of another tenant\'s operator that a backend pushed, in that tenant only', async () => {
        const held = await tenantOf(bridge, 'cpo-2').store.held.list();
        expect(held.map((h) => [h.kind, h.ref])).toEqual([['evse', `NL*SIM/${FOREIGN[0]!.id}/${FOREIGN[0]!.evses[0]!.uid}`]]);
        expect(held[0]!.reason).toContain(operatorOf('cpo-3'));
        for (const id of [...CPO_IDS.filter((t) => t !== 'cpo-2'), 'emp']) expect({ id, held: await tenantOf(bridge, id).store.held.list() }).toEqual({ id, held: [] });
      });

      it('gives Hubject each CPO tenant\'s CDRs once, under its operator, of sessions the EMP tenant\'s token authorized', () => {
        const accepted = hub.acceptedCdrs();
        expect(accepted).toHaveLength(CPO_IDS.length * CDR_IDS.length);
        for (const id of CPO_IDS) {
          const mine = accepted.filter((c) => c.operator === operatorOf(id));
          expect({ id, count: mine.length, evses: mine.every((c) => c.cdr.EvseID.startsWith(`${operatorOf(id)}*`)) }).toEqual({ id, count: 2, evses: true });
        }
        expect(new Set(accepted.map((c) => c.cdr.SessionID)).size).toBe(accepted.length);
        expect(accepted.map((c) => hub.hub.state.sessions.get(c.cdr.SessionID)?.providerId)).toEqual(accepted.map(() => PROVIDER_ID));
        // The EMP tenant gave Hubject its backend's tokens under its own ProviderID, and nobody else's.
        expect([...hub.hub.state.authenticationData.keys()]).toEqual([PROVIDER_ID]);
        expect([...(hub.hub.state.authenticationData.get(PROVIDER_ID)?.records.keys() ?? [])]).toContain(`UID:${EMP_CARD}`);
      });

      it('brings the EMP tenant\'s backend every CPO tenant\'s network, as Hubject holds it', () => {
        const locations = [...emspBackend.backend.platform.objects.locations.values()] as unknown as Location[];
        const evses = locations.flatMap((l) => (l.evses ?? []).map((e) => e.evse_id ?? e.uid));
        expect(evses.sort()).toEqual(CPO_IDS.flatMap((id) => cpoBackends.get(id)!.evseIds).sort());
      });

      it('shows each tenant\'s store view its own objects only, though all the backends use the same ids', async () => {
        for (const id of CPO_IDS) {
          const store = tenantOf(bridge, id).store;
          const locations = await store.objects.list<Location>('locations');
          const backend = cpoBackends.get(id)!;
          const evses = locations.flatMap((l) => (l.body.evses ?? []).map((e) => e.evse_id));
          expect({ id, locations: locations.map((l) => `${l.owner}/${l.id}`).sort(), evses: evses.sort() }).toEqual({
            id,
            locations: backend.locations.map((l) => `NL*SIM/${l.id}`).sort(),
            evses: [...backend.evseIds, ...(id === 'cpo-2' ? [FOREIGN_EVSE] : [])].sort(),
          });
          expect({ id, cdrs: (await store.objects.list('cdrs')).map((c) => c.id).sort(), tokens: await store.objects.list('tokens') }).toEqual({ id, cdrs: CDR_IDS, tokens: [] });
        }
        // The EMP tenant's are its backend's tokens and the sites it made of Hubject's network: no CDR of the CPO tenants.
        const emp = tenantOf(bridge, 'emp').store;
        expect((await emp.objects.list('cdrs')).length).toBe(0);
        expect((await emp.objects.list('tokens')).length).toBe(emspBackend.backend.platform.own('tokens').length);
        const pulled = (await emp.objects.list<Location>('locations')).flatMap((l) => (l.body.evses ?? []).map((e) => e.evse_id));
        expect(pulled.sort()).toEqual(CPO_IDS.flatMap((id) => cpoBackends.get(id)!.evseIds).sort());
      });

      it('labels the /metrics outbox and delivery series with each tenant', async () => {
        const text = await (await fetch(`${bridge.url}/metrics`)).text();
        const value = (name: string, labels: Record<string, string>) => {
          const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
          return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
        };
        for (const id of [...CPO_IDS, 'emp']) {
          expect({ id, pending: value('bridge_outbox_items', { state: 'pending', tenant: id }), dead: value('bridge_outbox_items', { state: 'dead', tenant: id }) }).toEqual({ id, pending: 0, dead: 0 });
        }
        for (const id of CPO_IDS) expect({ id, cdrs: value('bridge_deliveries_total', { flow: CDR_TOPIC, outcome: 'delivered', tenant: id }) }).toEqual({ id, cdrs: 2 });
        expect(value('bridge_deliveries_total', { flow: CDR_TOPIC, tenant: 'emp' })).toBeUndefined();
        // The held EVSE counts for cpo-2 alone; every tenant's exchanges with Hubject carry its label.
        expect(text.split('\n').filter((l) => l.startsWith('bridge_held_items{') && !l.endsWith(' 0'))).toEqual([expect.stringMatching(/^bridge_held_items\{(?=.*kind="evse")(?=.*tenant="cpo-2").*\} 1$/)]);
        for (const id of [...CPO_IDS, 'emp']) expect({ id, messages: text.split('\n').some((l) => l.startsWith('bridge_messages_total{') && l.includes('protocol="oicp"') && l.includes(`tenant="${id}"`)) }).toEqual({ id, messages: true });
      });

      it('lists with `outbox list --tenant X` X\'s items only, and asks which tenant without --tenant', async () => {
        // As an operator runs it: its own process beside the running bridge, on the same store.
        const child = runTs(CLI, ['outbox', 'list', '--limit', '500', '--tenant', 'cpo-2', '--config', configFile]);
        expect(await child.exited).toEqual({ code: 0, signal: null });
        const lines = child.output().trim().split('\n');
        expect(lines.filter((l) => !l.startsWith('#'))).toEqual([]);
        // Its CDRs, keyed by their SessionIDs; nothing of another tenant's.
        expect(lines.filter((l) => l.includes(` ${CDR_TOPIC} `)).map((l) => / key (\S+)/.exec(l)?.[1]).sort()).toEqual([...sessions.get('cpo-2')!].sort());
        const others = CPO_IDS.filter((id) => id !== 'cpo-2').flatMap((id) => sessions.get(id)!);
        expect(others.filter((session) => child.output().includes(session))).toEqual([]);
        const own = new Set((await tenantOf(bridge, 'cpo-2').store.outbox.list({ limit: 500 })).map((item) => `#${item.id}`));
        expect(lines.map((l) => l.split(' ')[0]).filter((id) => !own.has(id!))).toEqual([]);
        // Which tenant is never guessed (the usage error comes before the store is opened).
        const io = captured();
        expect(await main(['outbox', 'list', '--config', configFile], io)).toBe(2);
        expect(io.err()).toMatch(/several tenants .*--tenant/);
      }, 30_000);
    });
  });
}
