/**
 * Property-based fuzzing of the OCPI routes an EMP-side bridge serves (issue 18), on the EMP scene
 * on SQLite and PostgreSQL: tokens PUT/PATCH, commands, the Sender lists and location GETs; and of
 * the 2.1.1 Receiver routes of a CPO-side bridge (2.1.1 bodies are raised to 2.2.1 before the
 * checks, so that reading meets the hostile input itself). Same promise as test/fuzz/ocpi-cpo.test.ts:
 * no 5xx, always an envelope, and a valid request afterwards still does its work.
 */
import { randomUUID } from 'node:crypto';
import type { PushEvseDataRequest } from '../../src/oicp/wire/messages';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { Token } from '../../src/ocpi/wire/transaction-schemas';
import { authorizationHeader } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { sceneStore, startCpoScene, until, type CpoScene } from '../support/cpo-scene';
import { startPulledEmpScene, type EmpScene } from '../support/emp-scene';
import { BACKENDS, describeBackend, type StoreSite } from '../support/stores';
import { FUZZ_RUNS, send, type BaseRequest } from './hostile';
import { CARD, OLD, OWNER, ROUTE_MS, fuzzRoute, ocpi, type Target } from './ocpi-routes';

describe.each(BACKENDS)('OCPI routes of an EMP-side bridge under hostile input', (backend) => {
  describeBackend(backend, () => {
    describe('toward an eMSP backend', () => {
      let site: StoreSite;
      let scene: EmpScene;
      beforeAll(async () => {
        site = backend.site();
        scene = await startPulledEmpScene('rest-2.3', { pushAuthenticationData: true }, { store: sceneStore(site) });
        expect(await (await scene.peer()).put('tokens', { countryCode: 'DE', partyId: 'DCB' }, ['F022AB01'], token(OLD))).toMatchObject({ ok: true });
      }, 60_000);
      afterAll(async () => {
        await scene?.close();
        await site?.destroy();
      });
      const headers = async () => ({ authorization: authorizationHeader((await scene.backend.backend.store.parties.get('bridge'))!.outboundToken!, 'base64') });
      const token = (at: string, visual = 'DF000-2001-8999-1'): Token => ({
        ...(corpusJson('2.2.1', 'token_put_example.json') as Token),
        country_code: 'DE',
        party_id: 'DCB',
        uid: 'F022AB01',
        whitelist: 'ALLOWED',
        visual_number: visual,
        last_updated: at,
      });
      const startSession = () => ({
        response_url: `${scene.backend.url}/ocpi/2.2.1/commands/START_SESSION/${randomUUID()}`,
        token: { country_code: 'DE', party_id: 'DCB', uid: 'bdf21bce-fc97-11e8-8eb2-f2801f1b9fd1', type: 'APP_USER', contract_id: 'DE-8AC-C12E46L89-2', issuer: 'TheNewMotion', valid: true, whitelist: 'ALLOWED', last_updated: OLD },
        location_id: 'DEXYZ-2',
        evse_uid: 'DE*XYZ*E2*1',
      });

      /** The fuzzed token, pushed valid and newer: it reaches the hub as authentication data. */
      const tokenStillPushes = async () => {
        const mark = scene.hub.traffic.length;
        expect(await (await scene.peer()).put('tokens', { countryCode: 'DE', partyId: 'DCB' }, ['F022AB01'], token(new Date().toISOString(), `V-${randomUUID().slice(0, 8)}`))).toMatchObject({ ok: true });
        await until('the token reached the hub', () =>
          scene.hub.traffic.slice(mark).some((t) => t.direction === 'in' && t.operation === 'PushAuthenticationData' && JSON.stringify(t.request).includes('F022AB01')),
        );
      };
      /** A list the bridge sends is still served, as an envelope with data. */
      const listStillServed = (module: string) => async () => {
        const answer = await send(scene.bridge.url, { method: 'GET', path: `/ocpi/2.2.1/${module}?offset=0&limit=5${module === 'sessions' ? '&date_from=2020-01-01T00:00:00Z' : ''}`, contentType: 'application/json', body: undefined }, await headers());
        expect(answer).toMatchObject({ status: 200, json: { status_code: 1000, data: expect.any(Array) } });
      };

      const targets: Target[] = [
        { name: 'PUT token', base: () => ocpi('PUT', ['tokens', 'DE', 'DCB', 'F022AB01'], token(OLD), { type: 'RFID' }), after: tokenStillPushes },
        { name: 'PATCH token', base: () => ocpi('PATCH', ['tokens', 'DE', 'DCB', 'F022AB01'], { valid: true, last_updated: OLD }, { type: 'RFID' }), after: tokenStillPushes },
        {
          name: 'POST command',
          base: () => ocpi('POST', ['commands', 'START_SESSION'], startSession()),
          after: async () => {
            const mark = scene.hub.traffic.length;
            const response = await (await scene.peer()).command('START_SESSION', startSession());
            expect(response.ok && response.value.result).toBe('ACCEPTED');
            await until('the start reached the hub', () => scene.hub.traffic.slice(mark).some((t) => t.direction === 'in' && t.operation === 'AuthorizeRemoteStart'));
          },
        },
        { name: 'GET locations', base: () => ocpi('GET', ['locations'], undefined, { offset: '0', limit: '5' }), after: listStillServed('locations') },
        { name: 'GET location, EVSE, connector', base: () => ocpi('GET', ['locations', 'DEXYZ-2', 'DE*XYZ*E2*1', '1']), after: listStillServed('locations') },
        { name: 'GET tariffs', base: () => ocpi('GET', ['tariffs'], undefined, { offset: '0', limit: '5' }), after: listStillServed('tariffs') },
        { name: 'GET sessions', base: () => ocpi('GET', ['sessions'], undefined, { date_from: '2020-01-01T00:00:00Z', offset: '0', limit: '5' }), after: listStillServed('sessions') },
        { name: 'GET cdrs', base: () => ocpi('GET', ['cdrs'], undefined, { offset: '0', limit: '5' }), after: listStillServed('cdrs') },
      ];

      it.each(targets.map((t) => [t.name, t] as const))(`%s: ${FUZZ_RUNS} hostile requests, never a 5xx, always an envelope; a valid one afterwards still works`, async (_name, target) => {
        await fuzzRoute(scene.bridge.url, headers, target);
      }, ROUTE_MS);
    });
  });
});

describe('OCPI 2.1.1 routes of a CPO-side bridge under hostile input (SQLite: the store sees what 2.2.1 sees)', () => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3', { backendVersions: ['2.1.1'] });
    await scene.withCard(CARD);
  }, 60_000);
  afterAll(() => scene?.close());
  const headers = async () => ({ authorization: authorizationHeader((await scene.backend.backend.store.parties.get('bridge'))!.outboundToken!, 'plain') });
  const v211 = (method: BaseRequest['method'], path: string[], body?: unknown) => ocpi(method, path, body, undefined, '2.1.1');
  const example = (file: string, changes: Record<string, unknown> = {}) => ({ ...(corpusJson('2.1.1', file) as Record<string, unknown>), ...changes });
  /** The official location, pushed valid and newer (the peer writes it in 2.1.1): its EVSE data reaches the hub. */
  const locationStillPushes = async () => {
    const name = `Fuzz ${randomUUID().slice(0, 8)}`;
    const mark = scene.received('PushEvseData').length;
    const location = { ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM', name, last_updated: new Date().toISOString() };
    expect(await (await scene.backend.backend.peer('bridge'))!.put('locations', OWNER, ['LOC1'], location)).toMatchObject({ ok: true });
    await until('the location data reached the hub', () =>
      scene
        .received<PushEvseDataRequest>('PushEvseData')
        .slice(mark)
        .some((r) => JSON.stringify(r).includes(name)),
    );
  };
  const targets: Target[] = [
    { name: 'PUT location', base: () => v211('PUT', ['locations', 'NL', 'SIM', 'LOC1'], example('location_example.json', { id: 'LOC1' })), after: locationStillPushes },
    { name: 'PATCH location', base: () => v211('PATCH', ['locations', 'NL', 'SIM', 'LOC1'], example('location_patch_tariff.json')), after: locationStillPushes },
    { name: 'PATCH EVSE', base: () => v211('PATCH', ['locations', 'NL', 'SIM', 'LOC1', '3256'], example('location_patch_status.json')), after: locationStillPushes },
    { name: 'PUT session', base: () => v211('PUT', ['sessions', 'NL', 'SIM', 'S1'], example('session_example_start.json', { id: 'S1' })), after: locationStillPushes },
    { name: 'PATCH session', base: () => v211('PATCH', ['sessions', 'NL', 'SIM', 'S1'], example('session_patch_total_cost.json')), after: locationStillPushes },
    { name: 'PUT tariff', base: () => v211('PUT', ['tariffs', 'NL', 'SIM', '12'], example('tariff_complex.json', { id: '12' })), after: locationStillPushes },
    { name: 'PATCH tariff', base: () => v211('PATCH', ['tariffs', 'NL', 'SIM', '12'], { last_updated: OLD }), after: locationStillPushes },
    { name: 'POST CDR', base: () => v211('POST', ['cdrs'], example('cdr_example.json')), after: locationStillPushes },
  ];
  it.each(targets.map((t) => [t.name, t] as const))(`%s: ${FUZZ_RUNS} hostile requests, never a 5xx, always an envelope; a valid one afterwards still works`, async (_name, target) => {
    await fuzzRoute(scene.bridge.url, headers, target);
  }, ROUTE_MS);
});
