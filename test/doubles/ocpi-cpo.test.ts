import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOcpiCpoDouble, type OcpiCpoDouble, type PushItem } from '../support/doubles/ocpi-cpo';
import { evseKey, evseRefs, generateCdr, generateLocations, generateSession, generateTariff, statusPatches, type CdrToken } from '../support/doubles/ocpi-data';
import { b64, startCounterpart, type Counterpart } from './emsp-counterpart';
import { cdrErrors, locationErrors, sessionErrors } from './ocpi-spec';

/** The OCPI CPO backend double against a counterpart written for this test: handshake, pagination, pushes. */

const CORPUS = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'ocpi', '2.2.1');
const corpus = (file: string) => JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as Record<string, unknown>;
const TOKEN: CdrToken = { country_code: 'NL', party_id: 'EMS', uid: '04A1B2C3D4E5F6', type: 'RFID', contract_id: 'NL-EMS-C12345678-X' };

let backend: OcpiCpoDouble;
let emsp: Counterpart;

afterEach(async () => {
  await backend?.close();
  await emsp?.close();
});

async function registered(options: Parameters<typeof startOcpiCpoDouble>[0] = {}) {
  backend = await startOcpiCpoDouble(options);
  emsp = await startCounterpart();
  const { tokenA } = await backend.registration();
  const answer = await emsp.register(backend.versionsUrl, tokenA!);
  expect(answer.body.status_code).toBe(1000);
}

describe('OCPI CPO double: registration', () => {
  it('completes the token A -> B -> C handshake, reading the peer back with token B in Base64', async () => {
    backend = await startOcpiCpoDouble({ tokenA: 'the-token-A' });
    emsp = await startCounterpart();
    const answer = await emsp.register(backend.versionsUrl, 'the-token-A');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ url: backend.versionsUrl, roles: [{ role: 'CPO', country_code: 'DE', party_id: 'ABC' }] });
    const tokenC = answer.body.data.token as string;
    expect(tokenC).not.toBe('the-token-A');

    // The fetch-back (3.4 step 5): our versions and details, with token B, Base64-encoded.
    const fetchBack = emsp.received.filter((r) => r.method === 'GET');
    expect(fetchBack.map((r) => r.path)).toEqual(['/emsp/versions', '/emsp/2.2.1']);
    for (const r of fetchBack) expect(r.headers.authorization).toBe(`Token ${b64(emsp.tokenB)}`);
    // Configuration modules carry no routing headers (2.7).
    expect(fetchBack[0]!.headers['ocpi-from-party-id']).toBeUndefined();

    const state = await backend.registration();
    expect(state).toMatchObject({ registered: true, tokenA: null, serverToken: tokenC, clientToken: emsp.tokenB, peer: { versionsUrl: emsp.versionsUrl, roles: [{ role: 'EMSP' }] } });
    expect(state.peer!.endpoints.map((e) => `${e.identifier}:${e.role}`)).toContain('locations:RECEIVER');

    // Token A is spent; token C opens the functional modules; a plain (not Base64) token is refused.
    expect((await emsp.get(backend.versionsUrl, 'the-token-A')).status).toBe(401);
    expect((await emsp.get(`${backend.url}/ocpi/2.2.1/locations`, tokenC)).body.status_code).toBe(1000);
    const plain = await fetch(`${backend.url}/ocpi/2.2.1/locations`, { headers: { authorization: `Token ${tokenC}` } });
    expect(plain.status).toBe(401);
    expect((await backend.counters()).incoming.unauthorized).toBe(2);
  });

  it('keeps token A off the functional modules, refuses a second POST (405) and a POST whose fetch-back fails (3001)', async () => {
    backend = await startOcpiCpoDouble({ tokenA: 'A' });
    emsp = await startCounterpart();
    expect((await emsp.get(`${backend.url}/ocpi/2.2.1/locations`, 'A')).status).toBe(401);
    const credentialsUrl = `${backend.url}/ocpi/2.2.1/credentials`;
    const post = (token: string, body: unknown) => fetch(credentialsUrl, { method: 'POST', headers: { authorization: `Token ${b64(token)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unreachable = await post('A', { token: 'B', url: 'http://127.0.0.1:1/versions', roles: [{ role: 'EMSP', business_details: { name: 'x' }, party_id: 'EMS', country_code: 'NL' }] });
    expect(((await unreachable.json()) as { status_code: number }).status_code).toBe(3001);
    const invalid = await post('A', { token: 'has space', url: emsp.versionsUrl, roles: [] });
    const invalidBody = (await invalid.json()) as { status_code: number; status_message: string };
    expect(invalidBody.status_code).toBe(2001);
    expect(invalidBody.status_message).toMatch(/token.*roles/);
    expect((await backend.registration()).registered).toBe(false);

    expect((await emsp.register(backend.versionsUrl, 'A')).body.status_code).toBe(1000);
    expect((await post(emsp.tokenC!, { token: 'B2', url: emsp.versionsUrl, roles: [] })).status).toBe(405);
    expect((await backend.registration()).history.map((h) => h.event)).toEqual(['refused', 'refused', 'registered']);
  });

  it('updates with PUT (new token C, the old one stops) and unregisters with DELETE', async () => {
    await registered();
    const credentialsUrl = `${backend.url}/ocpi/2.2.1/credentials`;
    const oldC = emsp.tokenC!;
    const put = await fetch(credentialsUrl, {
      method: 'PUT',
      headers: { authorization: `Token ${b64(oldC)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: emsp.tokenB, url: emsp.versionsUrl, roles: [{ role: 'EMSP', business_details: { name: 'Test eMSP' }, party_id: 'EMS', country_code: 'NL' }] }),
    });
    const newC = ((await put.json()) as { data: { token: string } }).data.token;
    expect(newC).not.toBe(oldC);
    expect((await emsp.get(credentialsUrl, oldC)).status).toBe(401);
    expect((await emsp.get(credentialsUrl, newC)).body.data.token).toBe(newC);
    const del = await fetch(credentialsUrl, { method: 'DELETE', headers: { authorization: `Token ${b64(newC)}` } });
    expect(del.status).toBe(200);
    expect((await emsp.get(credentialsUrl, newC)).status).toBe(401);
    expect((await backend.push({ op: 'postCdr', cdr: {} })).error).toBe('not registered with a peer');
    // A new token A lets the peer register again.
    expect((await emsp.register(backend.versionsUrl, await backend.newTokenA())).body.status_code).toBe(1000);
  });

  it('registers the other way round, with a token A the peer gave it', async () => {
    backend = await startOcpiCpoDouble();
    emsp = await startCounterpart();
    const state = await backend.registerWith({ versionsUrl: emsp.versionsUrl, token: emsp.ownTokenA });
    expect(state).toMatchObject({ registered: true, clientToken: emsp.tokenB });
    // The peer read our versions back with the token we gave it, and may now call us with it.
    expect(emsp.tokenC).toBe(state.serverToken);
    expect((await emsp.get(`${backend.url}/ocpi/2.2.1/tariffs`, emsp.tokenC!)).status).toBe(200);
    expect((await backend.push({ op: 'putTariff', tariff: generateTariff({ id: 'T1', countryCode: 'DE', partyId: 'ABC' }) })).outcome).toBe('acknowledged');
  });
});

describe('OCPI CPO double: Sender lists', () => {
  it('paginates per 2.2.1: X-Limit caps the page, X-Total-Count counts the matches, Link repeats every filter until the last page', async () => {
    const early = generateLocations({ operator: 'DE*ABC', count: 130, lastUpdated: '2024-01-01T00:00:00Z' });
    const late = generateLocations({ operator: 'DE*ABC', count: 120, firstIndex: 131, lastUpdated: '2024-02-01T00:00:00Z' });
    await registered({ locations: [...early, ...late], pageLimit: 100 });
    const url = `${backend.url}/ocpi/2.2.1/locations?limit=2000&date_from=2024-01-15T00:00:00Z`;
    const first = await emsp.get(url, emsp.tokenC!);
    expect(first.headers.get('x-limit')).toBe('100');
    expect(first.headers.get('x-total-count')).toBe('120');
    expect(first.body.data).toHaveLength(100);
    const link = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link')!)![1]!;
    const next = new URL(link);
    expect(Object.fromEntries(next.searchParams)).toEqual({ offset: '100', limit: '100', date_from: '2024-01-15T00:00:00Z' });
    // Routing headers on a functional module: from the backend, to the peer.
    expect(first.headers.get('ocpi-from-party-id')).toBe('ABC');
    expect(first.headers.get('ocpi-to-party-id')).toBe('EMS');

    const ids: string[] = [];
    for (let page: string | undefined = `${backend.url}/ocpi/2.2.1/locations?limit=40`; page; ) {
      const res = await emsp.get(page, emsp.tokenC!);
      ids.push(...(res.body.data as { id: string }[]).map((l) => l.id));
      page = /<([^>]+)>/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(ids).toEqual([...early, ...late].map((l) => l.id));
    // date_from is inclusive, date_to exclusive.
    const window = await emsp.get(`${backend.url}/ocpi/2.2.1/locations?date_from=2024-01-01T00:00:00Z&date_to=2024-02-01T00:00:00Z`, emsp.tokenC!);
    expect(window.headers.get('x-total-count')).toBe('130');
    expect(window.headers.get('link')).toContain('date_to=2024-02-01T00%3A00%3A00Z');
    const bad = await emsp.get(`${backend.url}/ocpi/2.2.1/locations?date_from=yesterday`, emsp.tokenC!);
    expect(bad.body.status_code).toBe(2001);
  });

  it('serves single locations, EVSEs and connectors, 404 with 2003 when unknown; tariffs as a list', async () => {
    const [location] = generateLocations({ operator: 'DE*ABC', count: 1, evsesPerLocation: 2 });
    await registered({ locations: [location!], tariffs: [generateTariff({ id: 'T1', countryCode: 'DE', partyId: 'ABC' })] });
    const base = `${backend.url}/ocpi/2.2.1/locations/${location!.id}`;
    expect((await emsp.get(base, emsp.tokenC!)).body.data.id).toBe(location!.id);
    expect((await emsp.get(`${base}/${location!.evses[1]!.uid}`, emsp.tokenC!)).body.data.uid).toBe(location!.evses[1]!.uid);
    expect((await emsp.get(`${base}/${location!.evses[0]!.uid}/1`, emsp.tokenC!)).body.data.id).toBe('1');
    const unknown = await emsp.get(`${base}/nope`, emsp.tokenC!);
    expect([unknown.status, unknown.body.status_code]).toEqual([404, 2003]);
    expect((await emsp.get(`${backend.url}/ocpi/2.2.1/tariffs`, emsp.tokenC!)).body.data).toHaveLength(1);
    const wrongMethod = await fetch(`${backend.url}/ocpi/2.2.1/locations`, { method: 'PUT', headers: { authorization: `Token ${b64(emsp.tokenC!)}` } });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('OCPI CPO double: pushes to the peer', () => {
  it('pushes location, EVSE status, session, CDR and authorization with token B and routing headers, recording every answer', async () => {
    const [location] = generateLocations({ operator: 'DE*ABC', count: 1, evsesPerLocation: 2 });
    await registered({ locations: [location!] });
    const evse = location!.evses[0]!;
    const start = '2024-05-01T10:00:00Z';
    const results = [
      await backend.push({ op: 'putLocation', location: location! }),
      await backend.push({ op: 'patchEvse', locationId: location!.id, evseUid: evse.uid, patch: { status: 'CHARGING', last_updated: '2030-01-01T00:00:00Z' } }),
      await backend.push({ op: 'putSession', session: generateSession({ id: 'S1', location: location!, token: TOKEN, authorizationReference: 'AUTH-REF-1', start }) }),
      await backend.push({ op: 'postCdr', cdr: generateCdr({ id: 'CDR1', location: location!, token: TOKEN, authorizationReference: 'AUTH-REF-1', start, sessionId: 'S1' }) }),
      await backend.push({ op: 'authorize', uid: TOKEN.uid, type: 'RFID', locationReferences: { location_id: location!.id } }),
    ];
    expect(results.map((r) => [r.op, r.method, r.outcome, r.statusCode])).toEqual([
      ['putLocation', 'PUT', 'acknowledged', 1000],
      ['patchEvse', 'PATCH', 'acknowledged', 1000],
      ['putSession', 'PUT', 'acknowledged', 1000],
      ['postCdr', 'POST', 'acknowledged', 1000],
      ['authorize', 'POST', 'acknowledged', 1000],
    ]);
    expect(results[3]!.location).toMatch(/\/cdrs\/CDR1$/);
    expect(results[4]!.data).toMatchObject({ allowed: 'ALLOWED', authorization_reference: 'AUTH-REF-1' });
    const pushed = emsp.received.filter((r) => r.path.includes('/2.2.1/') && !r.path.endsWith('/credentials'));
    expect(pushed.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /emsp/2.2.1/locations/DE/ABC/${location!.id}`,
      `PATCH /emsp/2.2.1/locations/DE/ABC/${location!.id}/${evse.uid}`,
      'PUT /emsp/2.2.1/sessions/DE/ABC/S1',
      'POST /emsp/2.2.1/cdrs',
      `POST /emsp/2.2.1/tokens/${TOKEN.uid}/authorize?type=RFID`,
    ]);
    for (const r of pushed) {
      expect(r.headers.authorization).toBe(`Token ${b64(emsp.tokenB)}`);
      expect([r.headers['ocpi-from-country-code'], r.headers['ocpi-from-party-id'], r.headers['ocpi-to-country-code'], r.headers['ocpi-to-party-id']]).toEqual(['DE', 'ABC', 'NL', 'EMS']);
      expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The backend's own data follows its pushes: a later pull sees the status it sent.
    const own = (await backend.data()).locations[0] as typeof location;
    expect(own!.evses[0]!.status).toBe('CHARGING');
    expect(own!.last_updated).toBe('2030-01-01T00:00:00Z');
  });

  it('sends the other Receiver pushes to their paths and applies them, newest last_updated first, to its own data', async () => {
    const [location] = generateLocations({ operator: 'DE*ABC', count: 1, evsesPerLocation: 1, lastUpdated: '2024-01-01T00:00:00Z' });
    await registered({ locations: [location!] });
    const id = location!.id;
    const evse = location!.evses[0]!;
    const newEvse = { ...evse, uid: `${id}-9`, evse_id: 'DE*ABC*E99999*9', last_updated: '2024-01-02T00:00:00Z' };
    const items: PushItem[] = [
      { op: 'putEvse', locationId: id, evse: newEvse },
      { op: 'patchLocation', locationId: id, patch: { name: 'Neuer Name', last_updated: '2024-01-03T00:00:00Z' } },
      { op: 'patchLocation', locationId: id, patch: { name: 'Stale name', last_updated: '2023-12-31T00:00:00Z' } },
      { op: 'patchConnector', locationId: id, evseUid: evse.uid, connectorId: '1', patch: { tariff_ids: ['T2'], last_updated: '2024-01-04T00:00:00Z' } },
      { op: 'patchSession', sessionId: 'S1', patch: { kwh: 3.5, last_updated: '2024-01-04T00:00:00Z' } },
      { op: 'putTariff', tariff: generateTariff({ id: 'T2', countryCode: 'DE', partyId: 'ABC' }) },
    ];
    for (const item of items) expect((await backend.push(item)).outcome).toBe('acknowledged');
    expect(emsp.received.slice(-items.length).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /emsp/2.2.1/locations/DE/ABC/${id}/${id}-9`,
      `PATCH /emsp/2.2.1/locations/DE/ABC/${id}`,
      `PATCH /emsp/2.2.1/locations/DE/ABC/${id}`,
      `PATCH /emsp/2.2.1/locations/DE/ABC/${id}/${evse.uid}/1`,
      'PATCH /emsp/2.2.1/sessions/DE/ABC/S1',
      'PUT /emsp/2.2.1/tariffs/DE/ABC/T2',
    ]);
    const own = (await backend.data()).locations[0] as typeof location;
    expect(own!.name).toBe('Neuer Name');
    expect(own!.evses.map((e) => e.uid)).toEqual([evse.uid, `${id}-9`]);
    expect(own!.evses[0]!.connectors[0]!.tariff_ids).toEqual(['T2']);
    expect([own!.evses[0]!.last_updated, own!.last_updated]).toEqual(['2024-01-04T00:00:00Z', '2024-01-04T00:00:00Z']);
    expect((await backend.data()).tariffs.map((t) => t.id)).toEqual(['T2']);
  });

  it('counts refusals and failures apart from acknowledgements', async () => {
    const [location] = generateLocations({ operator: 'DE*ABC', count: 1 });
    await registered({ locations: [location!] });
    const evseUid = location!.evses[0]!.uid;
    // The counterpart refuses a PATCH without last_updated with 2001, as 2.2.1 says a receiver should.
    const refused = await backend.push({ op: 'patchEvse', locationId: location!.id, evseUid, patch: { status: 'BLOCKED' } });
    expect([refused.outcome, refused.statusCode, refused.httpStatus]).toEqual(['refused', 2001, 200]);
    // Closing drops the kept-alive connection too: the next call fails on it or on a refused reconnect.
    await emsp.close();
    const failed = await backend.push({ op: 'patchEvse', locationId: location!.id, evseUid, patch: { status: 'BLOCKED', last_updated: new Date().toISOString() } });
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toMatch(/ECONNREFUSED|UND_ERR_SOCKET/);
    const counters = await backend.counters();
    expect(counters.pushes).toMatchObject({ sent: 2, acknowledged: 0, refused: 1, failed: 1, byOp: { patchEvse: { sent: 2, refused: 1, failed: 1, acknowledged: 0 } } });
    expect((await backend.pushes({ op: 'patchEvse' })).map((p) => p.seq)).toEqual([1, 2]);
  });

  it('streams at a rate with bounded concurrency; an out-of-order stream leaves its own data at the newest state', async () => {
    const locations = generateLocations({ operator: 'DE*ABC', count: 10, evsesPerLocation: 2 });
    await registered({ locations });
    const { patches, newest } = statusPatches(evseRefs(locations), { perEvse: 4, order: 'reverse-pairs', start: '2031-01-01T00:00:00Z' });
    const items: PushItem[] = patches.map((p) => ({ op: 'patchEvse', ...p }));
    const report = await backend.stream(items, { rate: 400, concurrency: 4 });
    expect(report).toMatchObject({ count: 80, acknowledged: 80, refused: 0, failed: 0 });
    expect(report.maxInFlight).toBeLessThanOrEqual(4);
    expect(report.elapsedMs).toBeGreaterThanOrEqual((79 * 1000) / 400 - 5);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(report.latencyMs.p50);
    // Each EVSE's last PATCH sent was the older of its last pair; the backend's own data kept the newest.
    const own = (await backend.data()).locations as typeof locations;
    for (const location of own) for (const evse of location.evses) expect(evse.status).toBe(newest[evseKey({ locationId: location.id, evseUid: evse.uid })]!.status);
    const lastSent = new Map(patches.map((p) => [evseKey(p), p.patch.last_updated]));
    expect([...lastSent.entries()].every(([key, at]) => at < newest[key]!.last_updated)).toBe(true);
  });
});

describe('OCPI CPO double: generated data', () => {
  it('the spec checks pass the official examples and catch a broken object', () => {
    expect(locationErrors(corpus('location_example.json'))).toEqual([]);
    expect(sessionErrors(corpus('session_example_1_simple_start.json'))).toEqual([]);
    expect(cdrErrors(corpus('cdr_example.json'))).toEqual([]);
    const broken = { ...corpus('location_example.json'), id: 'x'.repeat(37), coordinates: { latitude: '51.0', longitude: '3.7' }, publish: undefined };
    expect(locationErrors(broken)).toEqual(['location.id: CiString(36)', 'location.publish: required', 'location.coordinates: GeoLocation (2.2.1: 5-7 decimals)']);
  });

  it('generates many valid locations with ISO EvseIDs of the operator, varied', () => {
    const locations = generateLocations({ operator: 'DE*ABC', count: 300, seed: 2 });
    for (const location of locations) expect(locationErrors(location, location.id)).toEqual([]);
    const evses = locations.flatMap((l) => l.evses);
    expect(evses.every((e) => /^DE\*ABC\*E\d{5}\*\d$/.test(e.evse_id!))).toBe(true);
    expect(new Set(evses.map((e) => e.evse_id)).size).toBe(evses.length);
    expect(new Set(evses.flatMap((e) => e.connectors.map((c) => c.standard))).size).toBeGreaterThanOrEqual(5);
    expect(new Set(evses.flatMap((e) => e.connectors.map((c) => c.power_type)))).toEqual(new Set(['AC_1_PHASE', 'AC_3_PHASE', 'DC']));
    expect(locations.some((l) => (l.opening_times as { twentyfourseven: boolean }).twentyfourseven === false)).toBe(true);
    expect(() => generateLocations({ operator: '+49*810', count: 1 })).toThrow(/ISO OperatorID/);
  });

  it('generates status streams whose per-EVSE timestamps strictly increase, in the order asked for', () => {
    const refs = [
      { locationId: 'L1', evseUid: 'E1' },
      { locationId: 'L1', evseUid: 'E2' },
    ];
    const increasing = statusPatches(refs, { perEvse: 5, start: '2024-01-01T00:00:00Z', stepMs: 1000 });
    const times = (list: typeof increasing.patches, uid: string) => list.filter((p) => p.evseUid === uid).map((p) => p.patch.last_updated);
    expect(times(increasing.patches, 'E1')).toEqual(['00', '01', '02', '03', '04'].map((s) => `2024-01-01T00:00:${s}.000Z`));
    expect(increasing.newest['L1/E1']!.last_updated).toBe('2024-01-01T00:00:04.000Z');
    const statuses = increasing.patches.filter((p) => p.evseUid === 'E1').map((p) => p.patch.status);
    expect(statuses.every((status, i) => i === 0 || status !== statuses[i - 1])).toBe(true);
    const reversed = statusPatches(refs, { perEvse: 5, start: '2024-01-01T00:00:00Z', order: 'reverse-pairs' });
    expect(times(reversed.patches, 'E2').map((t) => t.slice(17, 19))).toEqual(['01', '00', '03', '02', '04']);
    const shuffled = statusPatches(refs, { perEvse: 5, order: 'shuffled', seed: 9 });
    expect(shuffled.patches).toHaveLength(10);
    expect(shuffled.patches.map((p) => `${p.evseUid}${p.patch.last_updated}`)).not.toEqual(increasing.patches.map((p) => `${p.evseUid}${p.patch.last_updated}`));
  });

  it('generates sessions and CDRs that carry the authorization_reference the test gives', () => {
    const [location] = generateLocations({ operator: 'DE*ABC', count: 1 });
    const session = generateSession({ id: 'S1', location: location!, token: TOKEN, authorizationReference: 'REF-42', start: '2024-05-01T10:00:00Z', status: 'COMPLETED' });
    const cdr = generateCdr({ id: 'C1', location: location!, token: TOKEN, authorizationReference: 'REF-42', start: '2024-05-01T10:00:00Z', minutes: 90, kwh: 30 });
    expect(sessionErrors(session)).toEqual([]);
    expect(cdrErrors(cdr)).toEqual([]);
    expect([session.authorization_reference, cdr.authorization_reference, cdr.auth_method]).toEqual(['REF-42', 'REF-42', 'AUTH_REQUEST']);
    expect(cdr).toMatchObject({ end_date_time: '2024-05-01T11:30:00.000Z', total_time: 1.5, total_energy: 30, cdr_location: { evse_id: location!.evses[0]!.evse_id } });
  });
});
