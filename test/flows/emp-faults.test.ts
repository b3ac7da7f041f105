import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cdr, Session } from '../../src/ocpi/wire/transaction-schemas';
import { operationPath } from '../../src/oicp/wire/operations';
import { soapPath } from '../../src/oicp/wire/soap-services';
import { CARD, PROVIDER_ID, startPulledEmpScene, type EmpScene } from '../support/emp-scene';

const card = { RFIDMifareFamilyIdentification: { UID: CARD } };

describe('EMP faults', () => {
  describe('the backend down, then back', () => {
    let scene: EmpScene;
    beforeAll(async () => {
      scene = await startPulledEmpScene('rest-2.3');
    });
    afterAll(() => scene.close());

    it('acknowledges Hubject at once and delivers every session and CDR once when the backend is back', async () => {
      // Authorization needs the backend; with whitelist ALLOWED the stored token stands in when it does not answer.
      scene.backend.backend.setDown(true);
      const charges = [await scene.cpo.charge('DE*XYZ*E1*1', card, 5), await scene.cpo.charge('DE*XYZ*E1*2', card, 6)];
      expect(charges.map((c) => c.authorized)).toEqual([true, true]);
      expect((await scene.bridge.store.outbox.depth()).pending).toBeGreaterThan(0);
      scene.backend.backend.setDown(false);
      await scene.delivered();
      const cdrs = scene.received('cdrs', 'POST cdr').map((t) => (t.body as Cdr).id);
      expect(cdrs.sort()).toEqual(charges.map((c) => c.sessionId).sort());
      const sessions = scene.backend.backend.platform.objects.sessions;
      for (const { sessionId } of charges) expect((sessions.get(`DE/BRG/${sessionId}`) as unknown as Session).status).toBe('COMPLETED');
    });
  });

  describe('offline authorization', () => {
    let scene: EmpScene;
    beforeAll(async () => {
      scene = await startPulledEmpScene('soap-2.2', { pushAuthenticationData: true });
    });
    afterAll(() => scene.close());

    it('gives Hubject the tokens it may authorize itself, and takes back a token the backend blocks', async () => {
      const held = () => [...(scene.hub.state.authenticationData.get(PROVIDER_ID)?.records.keys() ?? [])];
      expect(held()).toContain(`UID:${CARD}`);
      const forwarded = () => scene.hub.traffic.filter((t) => t.direction === 'out' && t.operation === 'AuthorizeStart').length;
      const { authorized } = await scene.cpo.charge('DE*XYZ*E1*1', card, 3);
      expect([authorized, forwarded()]).toEqual([true, 0]);

      const peer = await scene.backend.backend.peer('bridge');
      await peer!.patch('tokens', { countryCode: 'DE', partyId: 'DCB' }, [CARD], { valid: false, last_updated: new Date().toISOString() }, 'RFID');
      await scene.delivered();
      expect(held()).not.toContain(`UID:${CARD}`);
    });
  });

  describe('malformed and hostile requests from Hubject', () => {
    let scene: EmpScene;
    beforeAll(async () => {
      scene = await startPulledEmpScene('rest-2.3');
    });
    afterAll(() => scene.close());

    const cdrExample = readFileSync(join(__dirname, '..', '..', 'fixtures', 'oicp', 'ChargeDetailRecord', 'request-eRoamingChargeDetailRecord.xml'), 'utf8');
    const post = (path: string, body: string, type: string) => fetch(`${scene.bridge.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const nothingStored = async () => {
      expect(await scene.bridge.store.objects.list('cdrs')).toEqual([]);
      expect((await scene.bridge.store.outbox.depth()).pending).toBe(0);
    };

    it('answers hostile XML with a SOAP Fault and stores nothing', async () => {
      const xxe = cdrExample.replace('<soapenv:Envelope', '<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><soapenv:Envelope').replace('DE*XYZ*ETEST1', '&x;');
      const answer = await post(soapPath('authorization'), xxe, 'text/xml');
      const text = await answer.text();
      expect(text).toMatch(/Fault/);
      expect(text).not.toMatch(/root:/);
      await nothingStored();
    });

    it('answers JSON that is not JSON, or breaks the schema, with an OICP StatusCode, and stores nothing', async () => {
      const path = operationPath('ChargeDetailRecord', 'DE*XYZ');
      const broken = await post(path, '{"SessionID": ', 'application/json');
      expect((await broken.json())).toMatchObject({ Result: false, StatusCode: { Code: expect.stringMatching(/^0(18|19|22)$/) as unknown } });
      const invalid = await post(path, JSON.stringify({ SessionID: 'not-a-uuid', EvseID: 'DE*XYZ*E1*1' }), 'application/json');
      expect((await invalid.json())).toMatchObject({ Result: false, StatusCode: { Code: '022' } });
      await nothingStored();
    });

    it('accepts a CDR of an EVSE it does not know (Hubject would not send it again), holds it with the reason, and sends nothing yet', async () => {
      const cdr = { SessionID: 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab', EvseID: 'DE*XYZ*E99*1', Identification: card, SessionStart: '2026-01-01T10:00:00Z', SessionEnd: '2026-01-01T11:00:00Z', ChargingStart: '2026-01-01T10:00:00Z', ChargingEnd: '2026-01-01T11:00:00Z', ConsumedEnergy: 5, PartnerProductID: 'AC 1' };
      const answer = (await (await post(operationPath('ChargeDetailRecord', 'DE*XYZ'), JSON.stringify(cdr), 'application/json')).json()) as { Result: boolean; StatusCode: { Code: string } };
      expect(answer).toMatchObject({ Result: true, StatusCode: { Code: '000' } });
      expect(await scene.bridge.store.held.list({ kind: 'cdr' })).toEqual([expect.objectContaining({ ref: cdr.SessionID, reason: expect.stringMatching(/^cannot become an OCPI CDR yet: .*EvseID/) })]);
      await nothingStored();
      // Hubject sending it again, or the reconciliation finding it, changes nothing.
      expect((await (await post(operationPath('ChargeDetailRecord', 'DE*XYZ'), JSON.stringify(cdr), 'application/json')).json())).toMatchObject({ Result: true });
      expect(await scene.bridge.store.held.list({ kind: 'cdr' })).toHaveLength(1);
    });
  });
});
