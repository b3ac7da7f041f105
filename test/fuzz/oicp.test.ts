/**
 * Property-based fuzzing of the OICP 2.3 REST routes the bridge serves (issue 18): as a CPO the
 * remote start/stop and reservation calls Hubject forwards, as an EMP the authorizations, charging
 * notifications and CDRs. Each gets FUZZ_RUNS hostile variants of a valid call (test/fuzz/hostile.ts,
 * the party id of the path mutated too); every answer must be below 500 and carry an OICP
 * StatusCode. On SQLite and PostgreSQL: what a handler stores must not break the store. Afterwards
 * the valid call is still answered in full.
 */
import { randomUUID } from 'node:crypto';
import { operationPath, type OperationName } from '../../src/oicp/wire/operations';
import { cpoSceneOn, sceneStore } from '../support/cpo-scene';
import { CARD, PROVIDER_ID, startPulledEmpScene, type EmpScene } from '../support/emp-scene';
import { BACKENDS, describeBackend, type StoreSite } from '../support/stores';
import { FUZZ_RUNS, assertOicpAnswer, fuzz, hostile, mutations, send, type BaseRequest } from './hostile';

const ROUTE_MS = 180_000;

/** An operation's valid call: its path segments (the party id among those the URL mutations replace) and body. */
function call(name: OperationName, partyId: string | undefined, body: unknown): BaseRequest {
  const segments = operationPath(name, partyId ?? '').split('/').slice(1);
  const party = partyId === undefined ? -1 : segments.indexOf(encodeURIComponent(partyId));
  return { method: 'POST', segments: segments.map((s) => decodeURIComponent(s)), mutable: party < 0 ? [] : [party], body };
}

/** Fuzzes one route; then the valid call is answered with the StatusCode `expected` gives. */
async function fuzzRoute(url: string, base: () => BaseRequest, expected: RegExp): Promise<void> {
  await fuzz(mutations, async (m) => {
    const request = hostile(base(), m);
    assertOicpAnswer(request, await send(url, request, {}));
  });
  const valid = hostile(base(), { body: [], url: [], contentType: null });
  const answer = await send(url, valid, {});
  assertOicpAnswer(valid, answer);
  expect(JSON.stringify(answer.json)).toMatch(expected);
}

describe.each(BACKENDS)('OICP REST routes under hostile input', (backend) => {
  describeBackend(backend, () => {
    describe('served by a CPO bridge', () => {
      const cpo = cpoSceneOn(backend);
      const remote = { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', Identification: { RemoteIdentification: { EvcoID: 'DE-8AC-C12E46L89-2' } } };
      const routes: [OperationName, () => BaseRequest, RegExp][] = [
        ['AuthorizeRemoteStart', () => call('AuthorizeRemoteStart', 'DE-DCB', { ...remote, SessionID: randomUUID() }), /"Code":"000"/],
        // An unknown session: refused in OICP terms, with a StatusCode.
        ['AuthorizeRemoteStop', () => call('AuthorizeRemoteStop', 'DE-DCB', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', SessionID: randomUUID() }), /"Code":"\d{3}"/],
        ['AuthorizeRemoteReservationStart', () => call('AuthorizeRemoteReservationStart', 'DE-DCB', { ...remote, Duration: 20, SessionID: randomUUID() }), /"Code":"000"/],
        ['AuthorizeRemoteReservationStop', () => call('AuthorizeRemoteReservationStop', 'DE-DCB', { ProviderID: 'DE-DCB', EvseID: 'BE*BEC*E041503001', SessionID: randomUUID() }), /"Code":"\d{3}"/],
      ];
      it.each(routes)(`%s: ${FUZZ_RUNS} hostile calls, never a 5xx, always a StatusCode`, async (_name, base, expected) => fuzzRoute(cpo.scene().bridge.url, base, expected), ROUTE_MS);
    });

    describe('served by an EMP bridge', () => {
      let site: StoreSite;
      let scene: EmpScene;
      beforeAll(async () => {
        site = backend.site();
        scene = await startPulledEmpScene('rest-2.3', {}, { store: sceneStore(site) });
      }, 60_000);
      afterAll(async () => {
        await scene?.close();
        await site?.destroy();
      });
      const card = { RFIDMifareFamilyIdentification: { UID: CARD } };
      const at = '2026-01-01T10:00:00Z';
      const routes: [OperationName, () => BaseRequest, RegExp][] = [
        ['AuthorizeStart', () => call('AuthorizeStart', 'DE*XYZ', { OperatorID: 'DE*XYZ', EvseID: 'DE*XYZ*E1*2', Identification: card, PartnerProductID: 'AC 1' }), /"Code":"000"/],
        ['AuthorizeStop', () => call('AuthorizeStop', 'DE*XYZ', { OperatorID: 'DE*XYZ', EvseID: 'DE*XYZ*E1*2', SessionID: randomUUID(), Identification: card }), /"Code":"\d{3}"/],
        [
          'ChargingNotification',
          () => call('ChargingNotification', undefined, { Type: 'Start', SessionID: randomUUID(), EvseID: 'DE*XYZ*E1*2', Identification: card, ChargingStart: at, OperatorID: 'DE*XYZ' }),
          /"Code":"\d{3}"/,
        ],
        [
          'ChargeDetailRecord',
          () =>
            call('ChargeDetailRecord', 'DE*XYZ', { SessionID: randomUUID(), EvseID: 'DE*XYZ*E1*2', Identification: card, SessionStart: at, SessionEnd: '2026-01-01T11:00:00Z', ChargingStart: at, ChargingEnd: '2026-01-01T11:00:00Z', ConsumedEnergy: 5, PartnerProductID: 'AC 1' }),
          /"Code":"\d{3}"/,
        ],
      ];
      it.each(routes)(`%s: ${FUZZ_RUNS} hostile calls, never a 5xx, always a StatusCode`, async (_name, base, expected) => fuzzRoute(scene.bridge.url, base, expected), ROUTE_MS);

      it('takes a valid authorization after all that', async () => {
        const valid = hostile(call('AuthorizeStart', 'DE*XYZ', { OperatorID: 'DE*XYZ', EvseID: 'DE*XYZ*E1*2', Identification: card, PartnerProductID: 'AC 1' }), { body: [], url: [], contentType: null });
        expect((await send(scene.bridge.url, valid, {})).json).toMatchObject({ AuthorizationStatus: 'Authorized', ProviderID: PROVIDER_ID });
      });
    });
  });
});
