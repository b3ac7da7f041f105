/**
 * Property-based fuzzing of every OCPI route a CPO-side bridge serves (issue 18), over real HTTP
 * on the CPO scene (the bridge between the project's OCPI backend simulator and Hubject simulator),
 * on SQLite and on PostgreSQL: locations PUT/PATCH/GET at location, EVSE and connector level,
 * sessions PUT/PATCH, tariffs PUT/DELETE, CDR POST and GET, command results, token authorization.
 * Each route gets FUZZ_RUNS hostile variants of a valid request (test/fuzz/hostile.ts); every answer
 * must be below 500 and an OCPI envelope with status_code and timestamp. After the fuzzing of a
 * route, a valid request of that route still does its work: the push reaches the hub (the same
 * object, so nothing the fuzzing left behind blocks it), the CDR, the session's Start, the result.
 */
import { randomUUID } from 'node:crypto';
import type { PushEvseDataRequest, PushEvseStatusRequest, PushPricingProductDataRequest } from '../../src/oicp/wire/messages';
import { OicpClient } from '../../src/oicp/client';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { Location, Tariff } from '../../src/ocpi/wire/schemas';
import type { Cdr, Session } from '../../src/ocpi/wire/transaction-schemas';
import { authorizationHeader } from '../../src/ocpi/wire/transport';
import { COMMAND_KIND } from '../../src/flows/cpo/remote';
import { corpusJson } from '../support/corpus';
import { cpoSceneOn, until, type CpoScene } from '../support/cpo-scene';
import { quietLogger } from '../support/oicp-network';
import { BACKENDS, describeBackend } from '../support/stores';
import { FUZZ_RUNS } from './hostile';
import { CARD, OLD, OWNER, ROUTE_MS, fuzzRoute, ocpi, type Target } from './ocpi-routes';

describe.each(BACKENDS)('OCPI routes of a CPO-side bridge under hostile input', (backend) => {
  describeBackend(backend, () => {
    describe('toward a CPO backend', () => {
      const started = cpoSceneOn(backend, CARD);
      let scene: CpoScene;
      let peer: OcpiPeer;
      /** Authorizations Hubject gave the scene's card: sessions and CDRs name them. */
      const authorized = async () => {
        const answer = await peer.authorize(CARD, 'RFID', { location_id: 'LOC1', evse_uids: ['3256'] });
        if (!answer.ok) throw new Error(answer.failure.message);
        return (answer.value as { authorization_reference: string }).authorization_reference;
      };
      let sessionReference = '';
      let cdrReference = '';
      beforeAll(async () => {
        scene = started.scene();
        peer = started.peer();
        sessionReference = await authorized();
        cdrReference = await authorized();
        expect(await peer.put('locations', OWNER, ['FUZZ-LOC'], fuzzLocation(OLD))).toMatchObject({ ok: true });
        expect(await peer.put('tariffs', OWNER, ['FUZZ-T'], fuzzTariff(OLD, 2))).toMatchObject({ ok: true });
        expect(await peer.put('sessions', OWNER, ['FUZZ-S'], session('FUZZ-S', sessionReference, OLD))).toMatchObject({ ok: true });
      }, 60_000);
      const headers = async () => ({ authorization: authorizationHeader((await scene.backend.backend.store.parties.get('bridge'))!.outboundToken!, 'base64') });

      const fuzzLocation = (at: string, name = 'Fuzz'): Location => {
        const official = corpusJson('2.2.1', 'location_example.json') as Location;
        return {
          ...official,
          id: 'FUZZ-LOC',
          name,
          country_code: 'NL',
          party_id: 'SIM',
          last_updated: at,
          evses: official.evses!.map((evse, i) => ({ ...evse, evse_id: `BE*BEC*EFUZZ0${i + 1}`, last_updated: at, connectors: evse.connectors.map((c) => ({ ...c, last_updated: at })) })),
        };
      };
      const fuzzTariff = (at: string, price: number): Tariff => {
        const official = corpusJson('2.2.1', 'tariff_put_example.json') as Tariff;
        return { ...official, id: 'FUZZ-T', country_code: 'NL', party_id: 'SIM', last_updated: at, elements: [{ price_components: [{ type: 'TIME', price, vat: 10, step_size: 300 }] }] };
      };
      const session = (id: string, reference: string, at: string): Session => {
        const official = corpusJson('2.2.1', 'session_example_1_simple_start.json') as Session;
        return { ...official, id, country_code: 'NL', party_id: 'SIM', status: 'ACTIVE', authorization_reference: reference, cdr_token: { ...official.cdr_token, uid: CARD }, last_updated: at };
      };
      const cdr = (id: string, reference: string): Cdr => {
        const official = corpusJson('2.2.1', 'cdr_example.json') as Cdr;
        return { ...official, id, country_code: 'NL', party_id: 'SIM', authorization_reference: reference, cdr_token: { ...official.cdr_token, uid: CARD } };
      };

      /** The fuzzed location, pushed valid and newer: its data and then a status change reach the hub. */
      const locationStillPushes = async () => {
        const name = `Fuzz ${randomUUID().slice(0, 8)}`;
        const mark = scene.received('PushEvseData').length;
        expect(await peer.put('locations', OWNER, ['FUZZ-LOC'], fuzzLocation(new Date().toISOString(), name))).toMatchObject({ ok: true });
        await until('the location data reached the hub', () =>
          scene
            .received<PushEvseDataRequest>('PushEvseData')
            .slice(mark)
            .some((r) => r.OperatorEvseData.EvseDataRecord.some((e) => e.EvseID === 'BE*BEC*EFUZZ01' && JSON.stringify(e.ChargingStationNames).includes(name))),
        );
        const statusMark = scene.received('PushEvseStatus').length;
        expect(await peer.patch('locations', OWNER, ['FUZZ-LOC', '3256'], { status: 'OUTOFORDER', last_updated: new Date().toISOString() })).toMatchObject({ ok: true });
        await until('the status reached the hub', () =>
          scene
            .received<PushEvseStatusRequest>('PushEvseStatus')
            .slice(statusMark)
            .some((r) => r.OperatorEvseStatus.EvseStatusRecord.some((e) => e.EvseID === 'BE*BEC*EFUZZ01' && e.EvseStatus === 'OutOfService')),
        );
      };
      /** A new session of a new authorization: its Start reaches the eMSP behind the hub. */
      const sessionStillNotifies = async () => {
        const reference = await authorized();
        const id = `FUZZ-S-${reference.slice(0, 8)}`;
        expect(await peer.put('sessions', OWNER, [id], session(id, reference, new Date().toISOString()))).toMatchObject({ ok: true });
        await until('Start reached the eMSP', () => scene.notifications.some((n) => n.SessionID === reference && n.Type === 'Start'));
      };

      const evse = () => fuzzLocation(OLD).evses![0]!;
      const targets: Target[] = [
        { name: 'PUT location', base: () => ocpi('PUT', ['locations', 'NL', 'SIM', 'FUZZ-LOC'], fuzzLocation(OLD)), after: locationStillPushes },
        { name: 'PATCH location', base: () => ocpi('PATCH', ['locations', 'NL', 'SIM', 'FUZZ-LOC'], { name: 'Fuzzed', last_updated: OLD }), after: locationStillPushes },
        { name: 'PUT EVSE', base: () => ocpi('PUT', ['locations', 'NL', 'SIM', 'FUZZ-LOC', '3256'], evse()), after: locationStillPushes },
        { name: 'PATCH EVSE', base: () => ocpi('PATCH', ['locations', 'NL', 'SIM', 'FUZZ-LOC', '3256'], { status: 'CHARGING', last_updated: OLD }), after: locationStillPushes },
        { name: 'PUT connector', base: () => ocpi('PUT', ['locations', 'NL', 'SIM', 'FUZZ-LOC', '3256', '1'], evse().connectors[0]), after: locationStillPushes },
        { name: 'PATCH connector', base: () => ocpi('PATCH', ['locations', 'NL', 'SIM', 'FUZZ-LOC', '3256', '1'], { max_electric_power: 11_000, last_updated: OLD }), after: locationStillPushes },
        { name: 'GET location, EVSE, connector', base: () => ocpi('GET', ['locations', 'NL', 'SIM', 'FUZZ-LOC', '3256', '1']), after: locationStillPushes },
        { name: 'PUT session', base: () => ocpi('PUT', ['sessions', 'NL', 'SIM', 'FUZZ-S'], session('FUZZ-S', sessionReference, OLD)), after: sessionStillNotifies },
        { name: 'PATCH session', base: () => ocpi('PATCH', ['sessions', 'NL', 'SIM', 'FUZZ-S'], { kwh: 1.5, last_updated: OLD }), after: sessionStillNotifies },
        {
          name: 'PUT tariff',
          base: () => ocpi('PUT', ['tariffs', 'NL', 'SIM', 'FUZZ-T'], fuzzTariff(OLD, 2)),
          after: () => tariffStillPushes(),
        },
        { name: 'DELETE tariff', base: () => ocpi('DELETE', ['tariffs', 'NL', 'SIM', 'FUZZ-T']), after: () => tariffStillPushes() },
        {
          name: 'POST CDR',
          base: () => ocpi('POST', ['cdrs'], cdr('FUZZ-CDR', cdrReference)),
          after: async () => {
            const reference = await authorized();
            expect(await peer.postCdr(cdr(`FUZZ-CDR-${reference.slice(0, 8)}`, reference))).toMatchObject({ ok: true });
            await until('the CDR reached the hub', () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').some((c) => c.SessionID === reference));
          },
        },
        {
          name: 'POST command result',
          base: () => ocpi('POST', ['commands', 'START_SESSION', randomUUID()], { result: 'ACCEPTED' }),
          after: async () => {
            // A remote start from the hub: the backend's result, posted to the same route, is matched to it.
            const emp = new OicpClient({ baseUrl: scene.hubUrl, as: 'EMP', partyId: 'DE-DCB', logger: quietLogger() });
            try {
              const sessionId = randomUUID();
              const answer = await emp.call('AuthorizeRemoteStart', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: 'DE-8AC-C12E46L89-2' } }, SessionID: sessionId });
              expect(answer).toMatchObject({ ok: true, value: { Result: true } });
              for (let i = 0; i < 250 && (await scene.bridge.store.correlations.byOicp(COMMAND_KIND, `START_SESSION/${sessionId}`))?.attrs.result !== 'ACCEPTED'; i++) await new Promise((r) => setTimeout(r, 20));
              expect(await scene.bridge.store.correlations.byOicp(COMMAND_KIND, `START_SESSION/${sessionId}`)).toMatchObject({ attrs: { result: 'ACCEPTED' } });
            } finally {
              emp.close();
            }
          },
        },
        {
          name: 'POST token authorization',
          base: () => ocpi('POST', ['tokens', CARD, 'authorize'], { location_id: 'LOC1', evse_uids: ['3256'] }, { type: 'RFID' }),
          after: async () => {
            const mark = scene.received('AuthorizeStart').length;
            expect(await authorized()).toEqual(expect.any(String));
            expect(scene.received('AuthorizeStart').length).toBeGreaterThan(mark);
          },
        },
        { name: 'GET CDR', base: () => ocpi('GET', ['cdrs', 'NL', 'SIM', 'FUZZ-CDR']), after: locationStillPushes },
      ];

      /** The fuzzed tariff, pushed valid and newer with a price of its own: its product reaches the hub. */
      async function tariffStillPushes(): Promise<void> {
        const price = 1 + Math.round(Math.random() * 10_000) / 100;
        const mark = scene.received('PushPricingProductData').length;
        expect(await peer.put('tariffs', OWNER, ['FUZZ-T'], fuzzTariff(new Date().toISOString(), price))).toMatchObject({ ok: true });
        await until('the product reached the hub', () =>
          scene
            .received<PushPricingProductDataRequest>('PushPricingProductData')
            .slice(mark)
            .some((r) => JSON.stringify(r).includes('FUZZ-T')),
        );
      }

      it.each(targets.map((t) => [t.name, t] as const))(`%s: ${FUZZ_RUNS} hostile requests, never a 5xx, always an envelope; a valid one afterwards still works`, async (_name, target) => {
        await fuzzRoute(scene.bridge.url, headers, target);
      }, ROUTE_MS);
    });

  });
});
