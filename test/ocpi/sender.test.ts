/**
 * The Sender interfaces over HTTP after a real handshake: a backend pulls the bridge's lists page
 * by page with the OCPI client (2.2.1 and 2.1.1, the latter checked against the official 2.1.1
 * schemas), reads single locations at every level, and asks for real-time authorizations.
 */
import { inWindow, pageOf, type Page, type PageQuery } from '../../src/ocpi/pagination';
import { OcpiClient } from '../../src/ocpi/client';
import { SENDER_MODULES, senderRoutes, type ObjectSender, type SenderModuleId } from '../../src/ocpi/sender';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { AuthorizationInfo, ChargingPreferences, ChargingPreferencesResponse, LocationReferences, Token } from '../../src/ocpi/wire/transaction-schemas';
import type { OcpiVersion } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { ocpi211Errors } from '../support/ocpi-schema';
import { quietLogger } from '../support/oicp-network';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';

const logger = quietLogger();

/** Seven variants of the official location, one a day; the fourth unpublished (2.1.1 cannot carry that). */
const LOCATIONS: Location[] = Array.from({ length: 7 }, (_, i) => ({
  ...(corpusJson('2.2.1', 'location_example.json') as Location),
  country_code: 'DE',
  party_id: 'BRG',
  id: `L${i}`,
  publish: i !== 3,
  last_updated: `2026-01-0${i + 1}T00:00:00Z`,
}));
const TOKEN = corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token;

class MemorySender implements ObjectSender {
  readonly asked: { module: SenderModuleId; query: PageQuery }[] = [];
  readonly authorizations: { uid: string; type: string; location?: LocationReferences }[] = [];

  list(module: SenderModuleId, query: PageQuery): Promise<Page<unknown>> {
    this.asked.push({ module, query });
    return Promise.resolve(pageOf(module === 'locations' ? LOCATIONS.filter((l) => inWindow(l.last_updated, query)) : [], query));
  }

  get(level: 'location' | 'evse' | 'connector', ids: string[]): Promise<unknown> {
    const location = LOCATIONS.find((l) => l.id === ids[0]);
    const evse = location?.evses?.find((e) => e.uid === ids[1]);
    return Promise.resolve(level === 'location' ? location : level === 'evse' ? evse : evse?.connectors.find((c) => c.id === ids[2]));
  }

  chargingPreferences(sessionId: string, preferences: ChargingPreferences): Promise<ChargingPreferencesResponse | undefined> {
    if (sessionId !== 'S1') return Promise.resolve(undefined);
    return Promise.resolve(preferences.profile_type === 'FAST' && preferences.departure_time === undefined ? 'DEPARTURE_REQUIRED' : 'ACCEPTED');
  }

  authorize(uid: string, type: string, location?: LocationReferences): Promise<AuthorizationInfo | undefined> {
    this.authorizations.push({ uid, type, location });
    if (uid !== TOKEN.uid) return Promise.resolve(undefined);
    return Promise.resolve({ allowed: 'ALLOWED', token: TOKEN, authorization_reference: 'ref-1', ...(location && { location }) });
  }
}

async function world(version: OcpiVersion, bridgeRole: 'CPO' | 'EMSP'): Promise<OcpiWorld & { handler: MemorySender }> {
  const handler = new MemorySender();
  const ids: SenderModuleId[] = bridgeRole === 'CPO' ? ['locations', 'sessions', 'cdrs', 'tariffs'] : ['tokens'];
  const modules = (publicUrl: () => string) =>
    ids.map((id) => ({ identifier: id, role: 'SENDER' as const, versions: ['2.1.1', '2.2.1'] as const, router: senderRoutes(SENDER_MODULES[id], handler, { publicUrl, logger, maxLimit: 3 }) }));
  return { ...(await startOcpiWorld({ version, role: bridgeRole === 'CPO' ? 'EMSP' : 'CPO', bridgeRole, modules })), handler };
}

const client = new OcpiClient({ logger, retryDelayMs: 1 });
async function pull(w: OcpiWorld, module: string, filter = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const item of client.list<Record<string, unknown>>({ url: `${w.bridge.url}/ocpi/${w.version}/${module}`, token: w.token, encoding: w.version === '2.1.1' ? 'plain' : 'base64' }, filter)) items.push(item);
  return items;
}

describe('OCPI 2.2.1 Sender interfaces (the bridge as CPO)', () => {
  let w: OcpiWorld & { handler: MemorySender };
  beforeAll(async () => {
    w = await world('2.2.1', 'CPO');
  });
  afterAll(async () => {
    await w.close();
  });

  it('are listed as SENDER in the version details', async () => {
    const res = await client.call({ method: 'GET', url: `${w.bridge.url}/ocpi/2.2.1`, token: w.token, encoding: 'base64' });
    expect(res.ok && (res.data as { endpoints: unknown[] }).endpoints).toContainEqual({ identifier: 'locations', role: 'SENDER', url: `${w.bridge.url}/ocpi/2.2.1/locations` });
  });

  it('serve the whole list page by page to the OCPI client, with the server’s cap and the date window', async () => {
    w.handler.asked.length = 0;
    expect((await pull(w, 'locations', { limit: 50 })).map((l) => l.id)).toEqual(['L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
    expect(w.handler.asked.map((a) => [a.query.offset, a.query.limit])).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
    ]);
    const window = await pull(w, 'locations', { dateFrom: new Date('2026-01-02T00:00:00Z'), dateTo: new Date('2026-01-04T00:00:00Z') });
    expect(window.map((l) => l.id)).toEqual(['L1', 'L2']);
    const first = await w.call('get', 'locations', '?limit=2');
    expect([first.headers['x-total-count'], first.headers['x-limit'], first.headers.link]).toEqual(['7', '2', `<${w.bridge.url}/ocpi/2.2.1/locations?limit=2&offset=2>; rel="next"`]);
  });

  it('ask for date_from on sessions, and refuse bad paging parameters with 2001', async () => {
    const sessions = await w.call('get', 'sessions', '');
    expect([sessions.body.status_code, sessions.body.status_message]).toEqual([2001, 'date_from is required']);
    expect((await w.call('get', 'sessions', '?date_from=2026-01-01T00:00:00Z')).body).toMatchObject({ status_code: 1000, data: [] });
    expect((await w.call('get', 'cdrs', '?offset=-1')).body.status_code).toBe(2001);
  });

  it('take a session’s charging preferences: the answer of the CPO; 404 with 2001 where none are taken; 2001 for a bad body', async () => {
    const accepted = await w.call('put', 'sessions', '/S1/charging_preferences', { profile_type: 'GREEN' });
    expect([accepted.body.status_code, accepted.body.data]).toEqual([1000, 'ACCEPTED']);
    expect((await w.call('put', 'sessions', '/S1/charging_preferences', { profile_type: 'FAST' })).body.data).toBe('DEPARTURE_REQUIRED');
    const elsewhere = await w.call('put', 'sessions', '/S2/charging_preferences', { profile_type: 'GREEN' });
    expect([elsewhere.status, elsewhere.body.status_code]).toEqual([404, 2001]);
    expect((await w.call('put', 'sessions', '/S1/charging_preferences', { profile_type: 'TURBO' })).body.status_code).toBe(2001);
  });

  it('answer single locations, EVSEs and connectors; 404 with 2003 for unknown ones', async () => {
    const evse = LOCATIONS[0]!.evses![0]!;
    expect((await w.call('get', 'locations', '/L0')).body.data).toEqual(LOCATIONS[0]);
    expect((await w.call('get', 'locations', `/L0/${evse.uid}`)).body.data).toEqual(evse);
    expect((await w.call('get', 'locations', `/L0/${evse.uid}/${evse.connectors[0]!.id}`)).body.data).toEqual(evse.connectors[0]);
    const unknown = await w.call('get', 'locations', '/L9');
    expect([unknown.status, unknown.body.status_code]).toEqual([404, 2003]);
  });
});

describe('OCPI 2.1.1 Sender interfaces (the bridge as CPO)', () => {
  it('write every object in 2.1.1 (the official schema accepts them) and leave out what 2.1.1 cannot carry, without shifting the pages', async () => {
    const w = await world('2.1.1', 'CPO');
    try {
      const locations = await pull(w, 'locations');
      expect(locations.map((l) => l.id)).toEqual(['L0', 'L1', 'L2', 'L4', 'L5', 'L6']);
      for (const location of locations) expect(ocpi211Errors('locations', location)).toEqual([]);
      const evse = LOCATIONS[0]!.evses![0]!;
      // Single objects too: an EVSE's connectors under their 2.1.1 names.
      expect((await w.call('get', 'locations', `/L0/${evse.uid}`)).body.data.connectors[0]).toMatchObject({ voltage: evse.connectors[0]!.max_voltage });
    } finally {
      await w.close();
    }
  });
});

describe('real-time authorization (the bridge as eMSP)', () => {
  it.each(['2.2.1', '2.1.1'] as const)('OCPI %s: answers AuthorizationInfo, 404 with 2004 (2.1.1: 2000) for an unknown token, 2001 for a bad body', async (version) => {
    const w = await world(version, 'EMSP');
    try {
      const where = { location_id: 'LOC1', evse_uids: ['3256'] };
      const res = await w.call('post', 'tokens', `/${TOKEN.uid}/authorize${version === '2.2.1' ? '?type=RFID' : ''}`, where);
      expect([res.status, res.body.status_code]).toEqual([200, 1000]);
      expect(w.handler.authorizations.at(-1)).toEqual({ uid: TOKEN.uid, type: 'RFID', location: where });
      if (version === '2.2.1') expect(res.body.data).toEqual({ allowed: 'ALLOWED', token: TOKEN, authorization_reference: 'ref-1', location: where });
      // 2.1.1 has neither the token nor an authorization reference in the answer.
      else expect(res.body.data).toEqual({ allowed: 'ALLOWED', location: where });
      const unknown = await w.call('post', 'tokens', '/NOPE/authorize');
      // 2.1.1 has no 2004: its own generic client error stands in.
      expect([unknown.status, unknown.body.status_code]).toEqual([404, version === '2.1.1' ? 2000 : 2004]);
      const bad = await w.call('post', 'tokens', `/${TOKEN.uid}/authorize`, { evse_uids: 'all' });
      expect([bad.status, bad.body.status_code]).toEqual([200, 2001]);
      const noBody = await w.call('post', 'tokens', `/${TOKEN.uid}/authorize`);
      expect(noBody.body.status_code).toBe(1000);
    } finally {
      await w.close();
    }
  });
});
