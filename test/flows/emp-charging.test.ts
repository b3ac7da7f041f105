import { randomUUID } from 'node:crypto';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { Cdr, Session } from '../../src/ocpi/wire/transaction-schemas';
import { CARD, PROVIDER_ID, startPulledEmpScene, type EmpScene, type Protocol } from '../support/emp-scene';
import { RULES, until } from '../support/cpo-scene';

const PRICE_PARTS = ['total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost'] as const;

describe.each<Protocol>(['rest-2.3', 'soap-2.2'])('EMP authorization, sessions and CDRs over %s', (protocol) => {
  let scene: EmpScene;
  beforeAll(async () => {
    scene = await startPulledEmpScene(protocol);
  });
  afterAll(() => scene.close());

  it('authorizes a card of the backend through its real-time authorization, then forwards the session and the priced CDR', async () => {
    // 10:30-11:30 in Berlin (CEST) on a Tuesday.
    const { sessionId, authorized } = await scene.cpo.charge('DE*XYZ*E1*1', { RFIDMifareFamilyIdentification: { UID: CARD } }, 10, new Date('2026-06-02T09:30:00Z'));
    expect(authorized).toBe(true);
    // The stored token's whitelist is ALLOWED: the backend was asked.
    expect(scene.received('tokens', 'POST authorize').at(-1)!.body).toEqual({ uid: CARD, type: 'RFID', location: { location_id: 'DEXYZ-1', evse_uids: ['DE*XYZ*E1*1'] } });
    await scene.delivered();
    await until('the CDR reached the backend', () => scene.received('cdrs', 'POST cdr').length > 0);

    const sessions = scene.received('sessions', 'PUT session').map((t) => t.body as Session);
    expect(sessions.map((s) => s.status)).toContain('COMPLETED');
    const session = sessions.at(-1)!;
    expect(session).toMatchObject({
      country_code: 'DE',
      party_id: 'BRG',
      id: sessionId,
      kwh: 10,
      cdr_token: { country_code: 'DE', party_id: 'DCB', uid: CARD, type: 'RFID' },
      auth_method: 'AUTH_REQUEST',
      location_id: 'DEXYZ-1',
      evse_uid: 'DE*XYZ*E1*1',
      connector_id: '1',
      currency: 'EUR',
      status: 'COMPLETED',
    });

    const cdrs = scene.received('cdrs', 'POST cdr').map((t) => t.body as Cdr);
    expect(cdrs).toHaveLength(1);
    const cdr = cdrs[0]!;
    expect(cdr).toMatchObject({
      country_code: 'DE',
      party_id: 'BRG',
      id: sessionId,
      session_id: sessionId,
      // The backend's own token for the card: its contract, not the card's UID.
      cdr_token: { uid: CARD, type: 'RFID', country_code: 'DE', party_id: 'DCB', contract_id: 'DE8ACC12E46L89' },
      cdr_location: { id: 'DEXYZ-1', evse_uid: 'DE*XYZ*E1*1', evse_id: 'DE*XYZ*E1*1', connector_id: '1', city: 'Berlin' },
      currency: 'EUR',
      total_energy: 10,
      tariffs: [{ id: 'DEXYZ-AC 1' }],
    });
    // One hour of charging at 1 EUR/h, all of it within the tariff's 09:00-18:00.
    expect(cdr).toMatchObject({ start_date_time: '2026-06-02T08:30:00Z', end_date_time: '2026-06-02T09:30:00Z', total_time: 1, total_cost: { excl_vat: 1 } });
    expect(PRICE_PARTS.reduce((sum, part) => sum + (cdr[part]?.excl_vat ?? 0), 0)).toBe(1);
  });

  it('charges only the part of a session inside the tariff\'s hours: 17:30-18:30 local is half an hour', async () => {
    const { sessionId } = await scene.cpo.charge('DE*XYZ*E1*1', { RFIDMifareFamilyIdentification: { UID: CARD } }, 10, new Date('2026-06-02T16:30:00Z'));
    await until('the CDR reached the backend', () => scene.received('cdrs', 'POST cdr').some((t) => (t.body as Cdr).id === sessionId));
    const cdr = scene.received('cdrs', 'POST cdr').map((t) => t.body as Cdr).find((c) => c.id === sessionId)!;
    expect(cdr).toMatchObject({ start_date_time: '2026-06-02T15:30:00Z', end_date_time: '2026-06-02T16:30:00Z', total_time: 1, total_cost: { excl_vat: 0.5 } });
    expect(PRICE_PARTS.reduce((sum, part) => sum + (cdr[part]?.excl_vat ?? 0), 0)).toBe(0.5);
  });

  it('prices the CDR of an EVSE Hubject has no pricing for with the tariff contracted in the mapping rules', async () => {
    // The operator withdraws the EVSE pricing of DE*XYZ*E2*2; the next pricing pull leaves its connectors without tariffs.
    const withdrawn = await scene.cpo.client.call('PushEvsePricing', { ActionType: 'delete', EVSEPricing: [{ EvseID: 'DE*XYZ*E2*2', EvseIDProductList: ['AC 1'], ProviderID: '*' }] });
    expect(withdrawn.ok).toBe(true);
    await scene.bridge.runJob('pricing');
    await scene.delivered();
    const location = scene.received('locations', 'PUT location').map((t) => t.body as Location).filter((l) => l.evses!.some((e) => e.uid === 'DE*XYZ*E2*2')).at(-1)!;
    expect(location.evses!.find((e) => e.uid === 'DE*XYZ*E2*2')!.connectors[0]!.tariff_ids).toBeUndefined();

    const { sessionId } = await scene.cpo.charge('DE*XYZ*E2*2', { RFIDMifareFamilyIdentification: { UID: CARD } }, 10);
    await until('the CDR reached the backend', () => scene.received('cdrs', 'POST cdr').some((t) => (t.body as Cdr).id === sessionId));
    const cdr = scene.received('cdrs', 'POST cdr').map((t) => t.body as Cdr).find((c) => c.id === sessionId)!;
    // fixtures/mapping-rules.example.yaml: DE*XYZ's contract is 0.39 EUR/kWh excl. 19% VAT.
    expect(cdr).toMatchObject({ currency: 'EUR', total_energy: 10, total_cost: { excl_vat: 3.9, incl_vat: 4.641 }, tariffs: [{ country_code: 'DE', party_id: 'BRG', id: 'XYZ-CONTRACT' }] });
  });

  it('refuses a card nobody knows with the identification\'s StatusCode, and tells the CPO', async () => {
    const answer = await scene.cpo.client.call('AuthorizeStart', { OperatorID: 'DE*XYZ', EvseID: 'DE*XYZ*E1*2', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } }, PartnerProductID: 'AC 1' });
    expect(answer.ok && answer.value.AuthorizationStatus).toBe('NotAuthorized');
    expect(answer.ok && answer.value.StatusCode.Code).toBe('102');
  });

  it('takes a CDR Hubject could not deliver through GetChargeDetailRecords, once', async () => {
    // Hubject holds a CDR of ours that never reached the bridge.
    const sessionId = randomUUID();
    scene.hub.state.openSession({ sessionId, operatorId: 'DE*XYZ', providerId: PROVIDER_ID, evseId: 'DE*XYZ*E1*2' });
    // Charged in the last hour: within the window the reconciliation looks at.
    const end = new Date().toISOString();
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const times = { SessionStart: start, ChargingStart: start, SessionEnd: end, ChargingEnd: end };
    scene.hub.state.acceptCdr('DE*XYZ', { ...scene.cpo.cdrs[0]!, ...times, SessionID: sessionId, EvseID: 'DE*XYZ*E1*2', ConsumedEnergy: 7, MeterValueEnd: 1007 });
    const before = scene.received('cdrs', 'POST cdr').length;
    await scene.bridge.runJob('CDR reconciliation');
    await scene.bridge.runJob('CDR reconciliation');
    await scene.delivered();
    const received = scene.received('cdrs', 'POST cdr').slice(before).map((t) => t.body as Cdr);
    expect(received.map((c) => [c.id, c.total_energy, c.cdr_location.evse_uid])).toEqual([[sessionId, 7, 'DE*XYZ*E1*2']]);
    // Delivered a moment ago: the scheduled purge keeps it.
    expect(await scene.bridge.runJob('outbox retention')).toEqual({ purged: 0 });
  });
});

describe.each(['hold', 'forward'] as const)('EMP: a CDR nothing can price (unpricedCdrs: %s)', (unpricedCdrs) => {
  let scene: EmpScene;
  // The example rules without DE*XYZ's contracted tariff.
  const rules = { ...RULES, tariffs: { ...RULES.tariffs, contracted: {}, unpricedCdrs } };
  beforeAll(async () => {
    scene = await startPulledEmpScene('rest-2.3', {}, { rules });
  });
  afterAll(() => scene.close());

  it(unpricedCdrs === 'hold' ? 'accepts it, holds it as unpriced, and sends it once a pricing pull can price it' : 'accepts it and sends it at once at cost 0 with a remark', async () => {
    // The operator withdraws the EVSE's pricing: nothing at Hubject prices DE*XYZ*E2*2 now.
    expect((await scene.cpo.client.call('PushEvsePricing', { ActionType: 'delete', EVSEPricing: [{ EvseID: 'DE*XYZ*E2*2', EvseIDProductList: ['AC 1'], ProviderID: '*' }] })).ok).toBe(true);
    await scene.bridge.runJob('pricing');
    await scene.delivered();
    const { sessionId } = await scene.cpo.charge('DE*XYZ*E2*2', { RFIDMifareFamilyIdentification: { UID: CARD } }, 10);
    // Hubject was answered 000 in both cases: it never sends a refused CDR again.
    expect(scene.hub.state.sessions.get(sessionId)?.cdr).toBeDefined();
    await scene.delivered();
    const sent = () => scene.received('cdrs', 'POST cdr').map((t) => t.body as Cdr).find((c) => c.id === sessionId);
    if (unpricedCdrs === 'forward') {
      expect(sent()).toMatchObject({ total_energy: 10, total_cost: { excl_vat: 0 }, remark: expect.stringContaining('Not priced') });
      expect(sent()!.tariffs).toBeUndefined();
      expect(await scene.bridge.store.held.list({ kind: 'cdr' })).toEqual([]);
      return;
    }
    expect(sent()).toBeUndefined();
    expect(await scene.bridge.store.held.list({ kind: 'cdr' })).toEqual([expect.objectContaining({ ref: sessionId, reason: expect.stringMatching(/^not priced yet: .*no OCPI tariff/) })]);
    // The operator prices the EVSE again; the next pricing pull releases the CDR.
    expect((await scene.cpo.client.call('PushEvsePricing', { ActionType: 'update', EVSEPricing: [{ EvseID: 'DE*XYZ*E2*2', EvseIDProductList: ['AC 1'], ProviderID: '*' }] })).ok).toBe(true);
    await scene.bridge.runJob('pricing');
    await until('the CDR reached the backend', () => sent() !== undefined);
    expect(sent()).toMatchObject({ total_energy: 10, tariffs: [{ id: 'DEXYZ-AC 1' }] });
    expect(await scene.bridge.store.held.list({ kind: 'cdr' })).toEqual([]);
  });
});
