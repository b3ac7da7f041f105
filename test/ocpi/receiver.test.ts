/**
 * The Receiver interfaces of client-owned objects over HTTP, after a real credentials handshake
 * with the backend simulator: the official examples pushed at every level in 2.2.1 and 2.1.1 reach
 * the handler port as 2.2.1 objects; wrong ids, foreign owners, broken bodies, PATCHes without
 * last_updated, methods outside the interface, unknown objects and wrong tokens get OCPI errors and
 * never reach it.
 */
import request from 'supertest';
import { RECEIVER_MODULES, receiverRoutes, type ObjectReceiver, type ObjectRef, type ReceiverContext } from '../../src/ocpi/receiver';
import type { Location } from '../../src/ocpi/wire/schemas';
import type { Token } from '../../src/ocpi/wire/transaction-schemas';
import { authorizationHeader, type OcpiVersion } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { ocpi211Errors } from '../support/ocpi-schema';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';

type Stored = Record<string, unknown> & { evses?: (Record<string, unknown> & { uid: string; connectors: Record<string, unknown>[] })[] };

/** The handler port as the flows will fill it, here maps per module with a log of what arrived. */
class MemoryObjects implements ObjectReceiver {
  readonly objects = new Map<string, Stored>();
  readonly calls: { method: string; level: string; ref: ObjectRef; body: unknown; findings: number }[] = [];
  /** Top-level objects by level and owner; EVSEs and connectors live inside their location. */
  private key = (level: string, ref: ObjectRef) => `${level === 'evse' || level === 'connector' ? 'location' : level}/${ref.countryCode}/${ref.partyId}/${ref.ids[0]}`;

  private find(level: string, ref: ObjectRef): Record<string, unknown> | undefined {
    const top = this.objects.get(this.key(level, ref));
    if (level !== 'evse' && level !== 'connector') return top;
    const evse = top?.evses?.find((e) => e.uid === ref.ids[1]);
    return level === 'evse' ? evse : evse?.connectors.find((c) => c.id === ref.ids[2]);
  }

  put(level: string, ref: ObjectRef, object: unknown, context: ReceiverContext): Promise<void> {
    this.calls.push({ method: 'PUT', level, ref, body: object, findings: context.findings.length });
    if (level === 'evse' || level === 'connector') {
      const parent = level === 'evse' ? this.objects.get(this.key(level, ref)) : this.find('evse', ref);
      const list = (level === 'evse' ? ((parent as Stored).evses ??= []) : (parent as { connectors: unknown[] }).connectors) as Record<string, unknown>[];
      const at = list.findIndex((o) => (o.uid ?? o.id) === ref.ids[ref.ids.length - 1]);
      list.splice(at < 0 ? list.length : at, at < 0 ? 0 : 1, structuredClone(object) as Record<string, unknown>);
    } else this.objects.set(this.key(level, ref), structuredClone(object) as Stored);
    return Promise.resolve();
  }

  patch(level: string, ref: ObjectRef, changes: Record<string, unknown>, context: ReceiverContext): Promise<boolean> {
    this.calls.push({ method: 'PATCH', level, ref, body: changes, findings: context.findings.length });
    const target = this.find(level, ref);
    if (target) Object.assign(target, changes);
    return Promise.resolve(target !== undefined);
  }

  get(level: string, ref: ObjectRef): Promise<unknown> {
    return Promise.resolve(this.find(level, ref));
  }

  delete(level: string, ref: ObjectRef): Promise<boolean> {
    this.calls.push({ method: 'DELETE', level, ref, body: undefined, findings: 0 });
    return Promise.resolve(this.objects.delete(this.key(level, ref)));
  }
}

interface World extends OcpiWorld {
  handler: MemoryObjects;
}

/** A bridge serving every Receiver module, and a backend of `role` registered with it in `version`. */
async function world(version: OcpiVersion, role: 'CPO' | 'EMSP' = 'CPO'): Promise<World> {
  const handler = new MemoryObjects();
  const options = {
    timeZoneOf: () => 'Europe/Amsterdam',
    tokenOf: (authId: string) => Promise.resolve(authId === 'DE8ACC12E46L89' ? { ...(corpusJson('2.2.1', 'token_example_2_full_rfid.json') as Token), contract_id: authId } : undefined),
    locationOf: ({ countryCode, partyId, locationId }: { countryCode: string; partyId: string; locationId: string }) => handler.get('location', { countryCode, partyId, ids: [locationId] }) as Promise<Location | undefined>,
  };
  const modules = () => Object.values(RECEIVER_MODULES).map((module) => ({ identifier: module.identifier, role: 'RECEIVER' as const, versions: ['2.1.1', '2.2.1'] as const, router: receiverRoutes(module, handler, options) }));
  return { ...(await startOcpiWorld({ version, role, bridgeRole: role === 'CPO' ? 'EMSP' : 'CPO', modules })), handler };
}

const close = (w: World) => w.close();

const call = (w: World, method: 'get' | 'put' | 'patch' | 'delete', path: string, body?: unknown, token = w.token, module = 'locations') => w.call(method, module, path, body, token);

/** The official 2.2.1 location, owned by the simulator's party. */
const officialLocation = () => ({ ...(corpusJson('2.2.1', 'location_example.json') as Location), country_code: 'NL', party_id: 'SIM' });

describe('OCPI 2.2.1 Receiver interfaces', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('2.2.1');
  });
  afterAll(async () => {
    await close(w);
  });

  it('are listed in the version details as RECEIVER', async () => {
    const details = await request(w.bridge.url).get('/ocpi/2.2.1').set('authorization', authorizationHeader(w.token, 'base64'));
    for (const module of ['locations', 'sessions', 'tariffs', 'tokens']) {
      expect(details.body.data.endpoints).toContainEqual({ identifier: module, role: 'RECEIVER', url: `${w.bridge.url}/ocpi/2.2.1/${module}` });
    }
  });

  it('takes the official location, EVSE PATCH and GETs them back at every level', async () => {
    const location = officialLocation();
    const put = await call(w, 'put', `/NL/SIM/${location.id}`, location);
    expect([put.status, put.body.status_code]).toEqual([200, 1000]);
    expect(w.handler.calls.at(-1)).toMatchObject({ method: 'PUT', level: 'location', ref: { countryCode: 'NL', partyId: 'SIM', ids: [location.id] }, body: { id: location.id, evses: location.evses } });
    const evse = location.evses![0]!;
    const status = corpusJson('2.2.1', 'location_patch_example_status.json');
    const patch = await call(w, 'patch', `/NL/SIM/${location.id}/${evse.uid}`, status);
    expect([patch.status, patch.body.status_code]).toEqual([200, 1000]);
    expect(w.handler.calls.at(-1)).toMatchObject({ method: 'PATCH', level: 'evse', ref: { ids: [location.id, evse.uid] }, body: status });
    const got = await call(w, 'get', `/NL/SIM/${location.id}/${evse.uid}`);
    expect(got.body.data).toMatchObject({ uid: evse.uid, status: 'CHARGING' });
    const connector = await call(w, 'get', `/nl/sim/${location.id}/${evse.uid}/${evse.connectors[0]!.id}`);
    expect(connector.body.data).toEqual(evse.connectors[0]);
  });

  it('refuses what breaks the rules with 2001 (or 404 for a foreign owner) and hands nothing on', async () => {
    const location = officialLocation();
    const before = w.handler.calls.length;
    const cases: [string, request.Test, number, number, RegExp][] = [
      ['id differs from the URL', call(w, 'put', '/NL/SIM/OTHER', location), 200, 2001, /id .* differs from the URL's OTHER/],
      ['owner in the body differs', call(w, 'put', `/NL/SIM/${location.id}`, { ...location, party_id: 'XYZ' }), 200, 2001, /country_code\/party_id NL\/XYZ differ/],
      ['a party that is not the caller', call(w, 'put', `/DE/ABC/${location.id}`, { ...location, country_code: 'DE', party_id: 'ABC' }), 404, 2001, /not a party you registered as/],
      ['an unknown EVSE status', call(w, 'put', `/NL/SIM/${location.id}`, { ...location, evses: [{ ...location.evses![0]!, status: 'SLEEPING' }] }), 200, 2001, /evses\[0\]\.status/],
      ['a PATCH without last_updated', call(w, 'patch', `/NL/SIM/${location.id}/${location.evses![0]!.uid}`, { status: 'AVAILABLE' }), 200, 2001, /last_updated: required/],
      ['a PATCH with a bad value', call(w, 'patch', `/NL/SIM/${location.id}`, { publish: 'yes', last_updated: '2026-01-01T00:00:00Z' }), 200, 2001, /publish/],
    ];
    for (const [what, response, http, code, message] of cases) {
      const res = await response;
      expect([what, res.status, res.body.status_code]).toEqual([what, http, code]);
      expect(res.body.status_message).toMatch(message);
    }
    expect(w.handler.calls.length).toBe(before);
  });

  it('answers unknown objects with 404 and 2003', async () => {
    const patch = await call(w, 'patch', '/NL/SIM/NOPE', { name: 'x', last_updated: '2026-01-01T00:00:00Z' });
    expect([patch.status, patch.body.status_code, patch.body.status_message]).toEqual([404, 2003, 'unknown location NOPE: PUT it first']);
    expect((await call(w, 'get', '/NL/SIM/NOPE/1')).status).toBe(404);
  });

  it('takes only a registered peer’s access token, in the version it registered', async () => {
    expect((await call(w, 'get', '/NL/SIM/X', undefined, 'unknown')).status).toBe(401);
    const tokenA = await call(w, 'get', '/NL/SIM/X', undefined, await w.offer('newcomer'));
    expect([tokenA.status, tokenA.body.status_message]).toEqual([401, 'a registration token opens only versions and credentials']);
    // An access token of a party not (yet) registered, read with its party in one statement.
    await w.bridgeStore.tokens.issue({ party: 'newcomer', purpose: 'access', token: 'newcomer-access' });
    const unregistered = await call(w, 'get', '/NL/SIM/X', undefined, 'newcomer-access');
    expect([unregistered.status, unregistered.body.status_message]).toEqual([401, 'not registered']);
    // A revoked token stops at once.
    await w.bridgeStore.tokens.issue({ party: 'backend', purpose: 'access', token: 'second-access' });
    expect((await call(w, 'get', '/NL/SIM/X', undefined, 'second-access')).status).toBe(404);
    await w.bridgeStore.tokens.revoke('second-access');
    expect((await call(w, 'get', '/NL/SIM/X', undefined, 'second-access')).status).toBe(401);
    const other = await request(w.bridge.url).get('/ocpi/2.1.1/locations/NL/SIM/X').set('authorization', `Token ${w.token}`);
    expect([other.status, other.body.status_code]).toEqual([404, 3002]);
  });

  it('takes a session PUT and a PATCH adding charging periods (last_updated required)', async () => {
    const session: Record<string, unknown> = { ...(corpusJson('2.2.1', 'session_example_1_simple_start.json') as object), country_code: 'NL', party_id: 'SIM' };
    const put = await call(w, 'put', `/NL/SIM/${String(session.id)}`, session, w.token, 'sessions');
    expect([put.status, put.body.status_code, put.body.status_message]).toEqual([200, 1000, undefined]);
    const periods = corpusJson('2.2.1', 'session_patch_example_charging_period.json');
    expect((await call(w, 'patch', `/NL/SIM/${String(session.id)}`, periods, w.token, 'sessions')).body.status_code).toBe(1000);
    expect(w.handler.calls.at(-1)).toMatchObject({ method: 'PATCH', level: 'session', body: periods });
    const unknownSession = await call(w, 'patch', '/NL/SIM/NOPE', periods, w.token, 'sessions');
    expect([unknownSession.status, unknownSession.body.status_code]).toEqual([404, 2001]);
  });

  it('takes tariffs with PUT and DELETE; a PATCH is not part of the 2.2.1 tariffs interface', async () => {
    const tariff: Record<string, unknown> = { ...(corpusJson('2.2.1', 'tariff_1_simple_2hour.json') as object), country_code: 'NL', party_id: 'SIM' };
    const path = `/NL/SIM/${String(tariff.id)}`;
    expect((await call(w, 'put', path, tariff, w.token, 'tariffs')).body.status_code).toBe(1000);
    expect((await call(w, 'get', path, undefined, w.token, 'tariffs')).body.data).toEqual(tariff);
    const patch = await call(w, 'patch', path, { currency: 'USD', last_updated: '2026-01-01T00:00:00Z' }, w.token, 'tariffs');
    expect([patch.status, patch.body.status_code]).toEqual([405, 2000]);
    expect((await call(w, 'delete', path, undefined, w.token, 'tariffs')).body.status_code).toBe(1000);
    expect((await call(w, 'get', path, undefined, w.token, 'tariffs')).status).toBe(404);
    expect((await call(w, 'delete', path, undefined, w.token, 'tariffs')).status).toBe(404);
  });

  it('drops PATCH members a 2.2.1 object does not have, saying so', async () => {
    const location = officialLocation();
    await call(w, 'put', `/NL/SIM/${location.id}`, location);
    expect((await call(w, 'patch', `/NL/SIM/${location.id}`, { name: 'Renamed', colour: 'green', last_updated: '2026-01-01T00:00:00Z' })).body.status_code).toBe(1000);
    expect(w.handler.calls.at(-1)).toMatchObject({ body: { name: 'Renamed', last_updated: '2026-01-01T00:00:00Z' }, findings: 1 });
    expect(w.handler.calls.at(-1)!.body).not.toHaveProperty('colour');
  });
});

describe('OCPI 2.1.1 Receiver interfaces', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('2.1.1');
  });
  afterAll(async () => {
    await close(w);
  });

  it('raises the official 2.1.1 location to 2.2.1 (owner from the URL), takes 2.1.1 PATCHes without last_updated, and answers GETs in 2.1.1', async () => {
    const location = corpusJson('2.1.1', 'location_example.json') as { id: string; evses: { uid: string; connectors: { id: string }[] }[] };
    const put = await call(w, 'put', `/NL/SIM/${location.id}`, location);
    expect([put.status, put.body.status_code, put.body.status_message]).toEqual([200, 1000, undefined]);
    const received = w.handler.calls.at(-1)!;
    expect(received).toMatchObject({ level: 'location', body: { country_code: 'NL', party_id: 'SIM', id: location.id, time_zone: 'Europe/Amsterdam' } });
    // The zone was assumed: the handler is told.
    expect(received.findings).toBeGreaterThan(0);
    expect((received.body as Location).evses![0]!.connectors[0]).toHaveProperty('max_voltage');

    const evse = location.evses[0]!;
    expect((await call(w, 'patch', `/NL/SIM/${location.id}/${evse.uid}`, corpusJson('2.1.1', 'location_patch_status.json'))).body.status_code).toBe(1000);
    const connectorPath = `/NL/SIM/${location.id}/${evse.uid}/${evse.connectors[0]!.id}`;
    expect((await call(w, 'patch', connectorPath, corpusJson('2.1.1', 'location_patch_tariff.json'))).body.status_code).toBe(1000);
    // 2.1.1's tariff_id arrives under its 2.2.1 name.
    expect(w.handler.calls.at(-1)!.body).toEqual({ tariff_ids: ['15'] });

    const back = await call(w, 'get', `/NL/SIM/${location.id}`);
    expect(back.body.data).not.toHaveProperty('country_code');
    expect(back.body.data.evses[0].connectors[0]).toMatchObject({ tariff_id: '15' });
    expect(ocpi211Errors('locations', back.body.data)).toEqual([]);
  });
  it('raises a 2.1.1 session with its cached token, and writes it back with its cached location', async () => {
    const location = corpusJson('2.1.1', 'location_example.json') as { id: string };
    await call(w, 'put', `/NL/SIM/${location.id}`, location);
    const session = corpusJson('2.1.1', 'session_example_start.json') as Record<string, unknown> & { id: string; location: { id: string } };
    const put = await call(w, 'put', `/NL/SIM/${session.id}`, { ...session, auth_id: 'DE8ACC12E46L89', location: { ...session.location, id: location.id } }, w.token, 'sessions');
    expect([put.body.status_code, put.body.status_message]).toEqual([1000, undefined]);
    expect(w.handler.calls.at(-1)).toMatchObject({ level: 'session', body: { country_code: 'NL', party_id: 'SIM', location_id: location.id, cdr_token: { contract_id: 'DE8ACC12E46L89' } } });
    const patch = await call(w, 'patch', `/NL/SIM/${session.id}`, corpusJson('2.1.1', 'session_patch_total_cost.json'), w.token, 'sessions');
    expect(patch.body.status_code).toBe(1000);
    expect(w.handler.calls.at(-1)!.body).toEqual({ total_cost: { excl_vat: (corpusJson('2.1.1', 'session_patch_total_cost.json') as { total_cost: number }).total_cost } });
    const back = await call(w, 'get', `/NL/SIM/${session.id}`, undefined, w.token, 'sessions');
    expect(back.body.data).toMatchObject({ id: session.id, auth_id: 'DE8ACC12E46L89', location: { id: location.id } });
  });

  it('takes 2.1.1 tariff PATCHes, which 2.2.1 dropped', async () => {
    const tariff = corpusJson('2.1.1', 'tariff_simple_2eur_hour.json') as { id: string };
    expect((await call(w, 'put', `/NL/SIM/${tariff.id}`, tariff, w.token, 'tariffs')).body.status_code).toBe(1000);
    const patch = await call(w, 'patch', `/NL/SIM/${tariff.id}`, { currency: 'USD' }, w.token, 'tariffs');
    expect(patch.body.status_code).toBe(1000);
    // 2.1.1 has no routing headers.
    expect(patch.headers['ocpi-from-party-id']).toBeUndefined();
    // What a 2.1.1 peer reads back is 2.1.1 as the official schema defines it.
    expect(ocpi211Errors('tariffs', (await call(w, 'get', `/NL/SIM/${tariff.id}`, undefined, w.token, 'tariffs')).body.data)).toEqual([]);
  });
});

describe('Tokens Receiver (the bridge as CPO, an eMSP backend pushing its tokens)', () => {
  it.each(['2.2.1', '2.1.1'] as const)('OCPI %s: PUT, PATCH to invalidate, GET; the token type is part of the address in 2.2.1', async (version) => {
    const w = await world(version, 'EMSP');
    try {
      const token: Record<string, unknown> = version === '2.2.1' ? { ...(corpusJson('2.2.1', 'token_example_2_full_rfid.json') as object), country_code: 'NL', party_id: 'SIM' } : (corpusJson('2.1.1', 'token_example.json') as Record<string, unknown>);
      const path = `/NL/SIM/${String(token.uid)}${version === '2.2.1' ? '?type=RFID' : ''}`;
      const put = await call(w, 'put', path, token, w.token, 'tokens');
      expect([put.body.status_code, put.body.status_message]).toEqual([1000, undefined]);
      expect(w.handler.calls.at(-1)).toMatchObject({ level: 'token', ref: { countryCode: 'NL', partyId: 'SIM', ids: [token.uid] }, body: { country_code: 'NL', party_id: 'SIM', uid: token.uid } });
      if (version === '2.2.1') expect(w.handler.calls.at(-1)!.ref.tokenType).toBe('RFID');
      const invalidate = version === '2.2.1' ? { valid: false, last_updated: '2026-01-01T00:00:00Z' } : corpusJson('2.1.1', 'token_patch_invalidate.json');
      expect((await call(w, 'patch', path, invalidate, w.token, 'tokens')).body.status_code).toBe(1000);
      const back = (await call(w, 'get', path, undefined, w.token, 'tokens')).body.data;
      expect(back).toMatchObject({ uid: token.uid, valid: false });
      if (version === '2.1.1') expect(ocpi211Errors('tokens', back)).toEqual([]);
      const unknown = await call(w, 'get', `/NL/SIM/NOPE${version === '2.2.1' ? '?type=RFID' : ''}`, undefined, w.token, 'tokens');
      // 2.1.1 has no 2004: an unknown token is its generic client error there.
      expect([unknown.status, unknown.body.status_code]).toEqual([404, version === '2.2.1' ? 2004 : 2000]);
      if (version === '2.2.1') {
        const badType = await call(w, 'get', `/NL/SIM/${String(token.uid)}?type=CARD`, undefined, w.token, 'tokens');
        expect([badType.status, badType.body.status_code]).toEqual([200, 2001]);
      } else {
        // 2.1.1's auth_id arrives as contract_id.
        expect((await call(w, 'patch', path, { auth_id: 'NL-SIM-C00000001' }, w.token, 'tokens')).body.status_code).toBe(1000);
        expect(w.handler.calls.at(-1)!.body).toEqual({ contract_id: 'NL-SIM-C00000001' });
      }
    } finally {
      await close(w);
    }
  });
});

describe('2.2.1 routing headers on functional modules', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('2.2.1');
  });
  afterAll(async () => {
    await close(w);
  });
  const get = (headers: Record<string, string>) => w.call('get', 'locations', '/NL/SIM/NOPE').set(headers);

  it('answers with from and to swapped; without them, from us to the caller’s party', async () => {
    const named = await get({ 'OCPI-from-country-code': 'nl', 'OCPI-from-party-id': 'SIM', 'OCPI-to-country-code': 'DE', 'OCPI-to-party-id': 'BRG' });
    expect([named.headers['ocpi-from-country-code'], named.headers['ocpi-from-party-id'], named.headers['ocpi-to-country-code'], named.headers['ocpi-to-party-id']]).toEqual(['DE', 'BRG', 'NL', 'SIM']);
    const bare = await get({});
    expect([bare.headers['ocpi-from-party-id'], bare.headers['ocpi-to-party-id']]).toEqual(['BRG', 'SIM']);
  });

  it('refuses a sender or an addressee that is not who registered, with 2001', async () => {
    const wrongFrom = await get({ 'OCPI-from-country-code': 'NL', 'OCPI-from-party-id': 'XXX' });
    expect([wrongFrom.body.status_code, wrongFrom.body.status_message]).toEqual([2001, 'OCPI-from-country-code/party-id NL/XXX is not a party you registered as']);
    const wrongTo = await get({ 'OCPI-to-country-code': 'FR', 'OCPI-to-party-id': 'ABC' });
    expect([wrongTo.body.status_code, wrongTo.body.status_message]).toEqual([2001, 'OCPI-to-country-code/party-id FR/ABC is not served here']);
  });

  it('are not used on configuration modules', async () => {
    const details = await request(w.bridge.url).get('/ocpi/2.2.1').set('authorization', authorizationHeader(w.token, 'base64'));
    expect(details.headers['ocpi-from-party-id']).toBeUndefined();
  });
});
