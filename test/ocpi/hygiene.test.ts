/**
 * Input hygiene at the OCPI edge (issue 18): every id in the path of every module route is checked
 * against the spec's type in the URL's version before a handler runs (HTTP 400, 2001 naming the
 * field); a path that is not percent-encoded UTF-8, a body nested too deep, in an unknown charset
 * or Content-Encoding, and a request Node's parser refuses are answered with an envelope, never
 * 500. On the CPO scene, on SQLite and PostgreSQL: a NUL or a line break in an id is refused
 * before it is stored (PostgreSQL answered "invalid byte sequence", HTTP 500), and the bridge goes on.
 */
import { connect } from 'node:net';
import type { Router } from 'express';
import request from 'supertest';
import { cdrReceiverRoutes, type CdrReceiver } from '../../src/ocpi/cdrs';
import { commandReceiverRoutes, commandResultRoutes, type CommandReceiver, type CommandResultReceiver } from '../../src/ocpi/commands';
import { PATH_IDS } from '../../src/ocpi/ids';
import { RECEIVER_MODULES, receiverRoutes, type ObjectReceiver } from '../../src/ocpi/receiver';
import type { OcpiModule } from '../../src/ocpi/endpoints';
import type { PushEvseStatusRequest } from '../../src/oicp/wire/messages';
import type { Location } from '../../src/ocpi/wire/schemas';
import { SENDER_MODULES, senderRoutes, type ObjectSender } from '../../src/ocpi/sender';
import { readPageQuery } from '../../src/ocpi/pagination';
import { cdr211To221, session211To221 } from '../../src/mapping/ocpi-211/transactions';
import { authorizationHeader, type OcpiVersion } from '../../src/ocpi/wire/transport';
import { corpusJson } from '../support/corpus';
import { cpoSceneOn, until, type CpoScene } from '../support/cpo-scene';
import { quietLogger } from '../support/oicp-network';
import { startOcpiWorld, type OcpiWorld } from '../support/ocpi-world';
import { BACKENDS, describeBackend } from '../support/stores';

/** Handlers that record every call: a refused id must reach none of them. */
function recorder<T extends object>(calls: string[]): T {
  return new Proxy({} as T, { get: (_target, name) => (...args: unknown[]) => (calls.push(`${String(name)} ${JSON.stringify(args.slice(0, 3))}`), Promise.resolve(undefined)) });
}

/** The bridge's OCPI routes with ids in their path, as `{name}` templates, per side. */
interface Route {
  module: string;
  method: 'get' | 'put' | 'patch' | 'post' | 'delete';
  template: string;
}
const OWNED = '/{country_code}/{party_id}';
/** Toward a CPO backend (the bridge receives its objects, sends tokens and command results). */
const TOWARD_CPO: Route[] = [
  ...(['put', 'patch', 'get'] as const).flatMap((method) =>
    [`${OWNED}/{location_id}`, `${OWNED}/{location_id}/{evse_uid}`, `${OWNED}/{location_id}/{evse_uid}/{connector_id}`].map((template) => ({ module: 'locations', method, template })),
  ),
  ...(['put', 'patch', 'get'] as const).map((method) => ({ module: 'sessions', method, template: `${OWNED}/{session_id}` })),
  ...(['put', 'delete', 'get'] as const).map((method) => ({ module: 'tariffs', method, template: `${OWNED}/{tariff_id}` })),
  { module: 'cdrs', method: 'get', template: `${OWNED}/{cdr_id}` },
  { module: 'commands', method: 'post', template: '/START_SESSION/{id}' },
  { module: 'tokens', method: 'post', template: '/{token_uid}/authorize' },
];
/** Toward an eMSP backend (the bridge receives tokens and commands, sends its network). */
const TOWARD_EMSP: Route[] = [
  ...(['put', 'patch', 'get'] as const).map((method) => ({ module: 'tokens', method, template: `${OWNED}/{token_uid}` })),
  { module: 'locations', method: 'get', template: '/{location_id}' },
  { module: 'locations', method: 'get', template: '/{location_id}/{evse_uid}' },
  { module: 'locations', method: 'get', template: '/{location_id}/{evse_uid}/{connector_id}' },
  { module: 'sessions', method: 'put', template: '/{session_id}/charging_preferences' },
];

const VALID: Record<string, string> = { country_code: 'NL', party_id: 'SIM' };
const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? VALID[name] ?? 'X1'));
const namesIn = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** What no id of `name` may be in `version`; each breaks the spec's type in another way. */
function badValues(name: string, version: OcpiVersion): string[] {
  if (name === 'country_code') return ['N', 'NLD', 'N1', 'N\u0000', 'N\n'];
  if (name === 'party_id') return ['SI', 'SIMS', 'S-M', 'S\u0000M', 'S\r\n'];
  const tooLong = 'x'.repeat(PATH_IDS[name]!.maxLength[version] + 1);
  return ['A\u0000B', 'A\r\nB', 'A\tB', 'A\u007fB', 'A\u0085B', 'Aé', '東京', tooLong];
}

interface Side {
  world: OcpiWorld;
  calls: string[];
}

/** A bridge serving every module of one side, a backend of the other role registered in `version`. */
async function side(version: OcpiVersion, toward: 'CPO' | 'EMSP'): Promise<Side> {
  const calls: string[] = [];
  const logger = quietLogger();
  const module = (identifier: string, role: 'SENDER' | 'RECEIVER', router: Router): OcpiModule => ({ identifier, role, versions: ['2.1.1', '2.2.1'], router });
  const modules = (publicUrl: () => string): OcpiModule[] =>
    toward === 'CPO'
      ? [
          module('locations', 'RECEIVER', receiverRoutes(RECEIVER_MODULES.locations, recorder<ObjectReceiver>(calls))),
          module('sessions', 'RECEIVER', receiverRoutes(RECEIVER_MODULES.sessions, recorder<ObjectReceiver>(calls))),
          module('tariffs', 'RECEIVER', receiverRoutes(RECEIVER_MODULES.tariffs, recorder<ObjectReceiver>(calls))),
          module('cdrs', 'RECEIVER', cdrReceiverRoutes(recorder<CdrReceiver>(calls), { publicUrl })),
          module('commands', 'SENDER', commandResultRoutes(recorder<CommandResultReceiver>(calls))),
          module('tokens', 'SENDER', senderRoutes(SENDER_MODULES.tokens, recorder<ObjectSender>(calls), { publicUrl, logger })),
        ]
      : [
          module('tokens', 'RECEIVER', receiverRoutes(RECEIVER_MODULES.tokens, recorder<ObjectReceiver>(calls))),
          module('commands', 'RECEIVER', commandReceiverRoutes(recorder<CommandReceiver>(calls))),
          module('locations', 'SENDER', senderRoutes(SENDER_MODULES.locations, recorder<ObjectSender>(calls), { publicUrl, logger })),
          module('sessions', 'SENDER', senderRoutes(SENDER_MODULES.sessions, recorder<ObjectSender>(calls), { publicUrl, logger })),
        ];
  const world = await startOcpiWorld({ version, role: toward, bridgeRole: toward === 'CPO' ? 'EMSP' : 'CPO', modules });
  return { world, calls };
}

/** The answer as an envelope: status and OCPI code, message. */
async function answer(req: request.Test): Promise<{ http: number; code: unknown; message: unknown }> {
  const res = await req;
  expect(res.body).toEqual(expect.objectContaining({ status_code: expect.any(Number), timestamp: expect.any(String) }));
  return { http: res.status, code: (res.body as { status_code: unknown }).status_code, message: (res.body as { status_message?: unknown }).status_message };
}

describe.each([
  ['2.2.1', 'CPO'],
  ['2.2.1', 'EMSP'],
  ['2.1.1', 'CPO'],
  ['2.1.1', 'EMSP'],
] as const)('OCPI %s path ids toward a %s backend', (version, toward) => {
  let s: Side;
  beforeAll(async () => {
    s = await side(version, toward);
  });
  afterAll(() => s?.world.close());
  const routes = toward === 'CPO' ? TOWARD_CPO : TOWARD_EMSP;
  const cases = routes.flatMap((route) => namesIn(route.template).map((name) => [route.method.toUpperCase(), route.module, route.template, name, route] as const));

  it.each(cases)('%s %s%s refuses each bad %s with 400 and 2001 naming it, before any handler', async (method, module, template, name, route) => {
    for (const bad of badValues(name, version)) {
      s.calls.length = 0;
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const got = await answer(s.world.call(route.method, module, fill(template, { [name]: bad }), body));
      expect({ bad, ...got }).toMatchObject({ bad, http: 400, code: 2001, message: expect.stringMatching(new RegExp(`^${name}: `)) });
      expect(s.calls).toEqual([]);
    }
  });

  it('lets ids of the longest length the version allows reach the handlers', async () => {
    for (const route of routes.filter((r) => r.method === 'get' || r.method === 'delete')) {
      s.calls.length = 0;
      const longest = Object.fromEntries(namesIn(route.template).map((name) => [name, name === 'country_code' || name === 'party_id' ? VALID[name]! : 'y'.repeat(PATH_IDS[name]!.maxLength[version])]));
      await s.world.call(route.method, route.module, fill(route.template, longest));
      expect(s.calls.length).toBeGreaterThan(0);
    }
  });
});

describe('the lengths differ by version as the spec says', () => {
  it('takes 39-character location ids in 2.1.1 and 39-character CDR ids only in 2.2.1', async () => {
    const v211 = await side('2.1.1', 'CPO');
    const v221 = await side('2.2.1', 'CPO');
    try {
      const id39 = 'z'.repeat(39);
      expect(await answer(v211.world.call('get', 'locations', `/NL/SIM/${id39}`))).toMatchObject({ http: 404, code: 2003 });
      expect(await answer(v221.world.call('get', 'locations', `/NL/SIM/${id39}`))).toMatchObject({ http: 400, code: 2001, message: 'location_id: at most 36 characters in OCPI 2.2.1 (got 39)' });
      expect(await answer(v221.world.call('get', 'cdrs', `/NL/SIM/${id39}`))).toMatchObject({ http: 404, code: 2001 });
      expect(await answer(v211.world.call('get', 'cdrs', `/NL/SIM/${id39}`))).toMatchObject({ http: 400, code: 2001, message: 'cdr_id: at most 36 characters in OCPI 2.1.1 (got 39)' });
    } finally {
      await Promise.all([v211.world.close(), v221.world.close()]);
    }
  });
});

describe('the page a list GET asks for', () => {
  // Found by the fuzz: both answered 500 (the offset reached the SQL as 1e+20, the date threw when written).
  it('takes an offset past any list as an empty page, not as a number the stores cannot bind', () => {
    expect(readPageQuery({ offset: '99999999999999999999' }, 100)).toMatchObject({ offset: Number.MAX_SAFE_INTEGER, limit: 100 });
    expect(readPageQuery({ limit: '99999999999999999999' }, 100)).toMatchObject({ offset: 0, limit: 100 });
  });
  it.each(['2026-13-01T00:00:00Z', '2026-02-30T25:00:00Z', '2026-01-01T00:61:00Z'])('refuses the impossible DateTime %s with 2001', (at) => {
    const refusal = (query: Record<string, string>) => {
      try {
        return readPageQuery(query, 100);
      } catch (err) {
        return err;
      }
    };
    expect(refusal({ date_from: at })).toMatchObject({ code: 2001, message: expect.stringContaining('date_from must be an OCPI DateTime') });
    expect(refusal({ date_to: at })).toMatchObject({ code: 2001 });
  });
});

describe('reading a 2.1.1 session or CDR whose embedded location cannot be read', () => {
  const owner = { party: { countryCode: 'NL', partyId: 'SIM' } };
  const session = corpusJson('2.1.1', 'session_example_start.json') as { location: { evses: { connectors: unknown[] }[] } };
  const cdr = corpusJson('2.1.1', 'cdr_example.json') as typeof session;
  const broken = (example: typeof session) => [
    { ...example, location: 'LOC1' },
    { ...example, location: null },
    { ...example, location: { ...example.location, evses: ['3256'] } },
    { ...example, location: { ...example.location, evses: { uid: '3256' } } },
    { ...example, location: { ...example.location, evses: [{ ...example.location.evses[0], connectors: undefined }] } },
    { ...example, location: { ...example.location, evses: [{ ...example.location.evses[0], connectors: [7] }] } },
  ];

  // Each threw a TypeError in the reading, which the receivers answered with 500.
  it.each(broken(session).map((s, i) => [i, s]))('refuses session variant %i with a finding on location, without throwing', (_i, input) => {
    const read = session211To221(input, owner);
    expect(read.value).toBeUndefined();
    expect(read.findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: expect.stringMatching(/^location/) }));
  });
  it.each(broken(cdr).map((c, i) => [i, c]))('refuses CDR variant %i with a finding on location, without throwing', (_i, input) => {
    const read = cdr211To221(input, { ...owner, token: undefined });
    expect(read.value).toBeUndefined();
    expect(read.findings).toContainEqual(expect.objectContaining({ kind: 'invalid', path: expect.stringMatching(/^location/) }));
  });
});

/** Bytes straight onto a socket: what no HTTP client library would send. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', (err) => (received ? resolve(received) : reject(err)));
    socket.on('close', () => resolve(received));
    socket.write(bytes);
  });
}

/** Status and JSON body of a raw HTTP/1.1 answer. */
function parsed(raw: string): { status: number; body: unknown } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]), body: JSON.parse(rest.join('\r\n\r\n')) as unknown };
}

describe('OCPI envelope-level refusals', () => {
  let s: Side;
  beforeAll(async () => {
    s = await side('2.2.1', 'CPO');
  });
  afterAll(() => s?.world.close());
  const token = () => authorizationHeader(s.world.token, 'base64');
  const raw = (method: string, path: string) => request(s.world.bridge.url)[method as 'get'](path).set('authorization', token());

  it.each(['/ocpi/2.2.1/locations/NL/SIM/%E0%A4%A', '/ocpi/2.2.1/locations/NL/%/LOC1', '/ocpi/%E0/credentials', '/ocpi/2.2.1/cdrs/NL/SIM/%C3%28', '/ocpi/2.2.1/commands/START_SESSION/%zz'])(
    'answers a path that is not percent-encoded UTF-8 (%s) with 400 and 2001',
    async (path) => {
      s.calls.length = 0;
      expect(await answer(raw('get', path))).toMatchObject({ http: 400, code: 2001, message: expect.stringContaining('not valid percent-encoded UTF-8') });
      expect(await answer(raw('put', path).send({}))).toMatchObject({ http: 400, code: 2001 });
      expect(s.calls).toEqual([]);
    },
  );

  const nested = (depth: number) => `{"last_updated":"2026-01-01T00:00:00Z","status":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

  it('refuses a body nested deeper than 64 levels with 400 and 2001, whatever follows the nesting', async () => {
    for (const body of [nested(65), nested(100_000), `[${'{"a":'.repeat(70_000)}`, `{"id":"${'['.repeat(1_000)}", "x": ${'['.repeat(65)}`]) {
      expect(await answer(raw('patch', '/ocpi/2.2.1/locations/NL/SIM/LOC1/3256').type('application/json').send(body))).toMatchObject({
        http: 400,
        code: 2001,
        message: 'the request body nests objects and arrays deeper than 64 levels',
      });
    }
    expect(s.calls).toEqual([]);
  });

  it('reads a body at the limit, and brackets inside strings do not count', async () => {
    // Reaches the schema check: the status member is not a valid EVSE status.
    expect(await answer(raw('patch', '/ocpi/2.2.1/locations/NL/SIM/LOC1/3256').type('application/json').send(nested(64)))).toMatchObject({ http: 200, code: 2001, message: expect.stringContaining('status') });
    const bracketsInText = JSON.stringify({ last_updated: '2026-01-01T00:00:00Z', status: '['.repeat(500) + '\\"{'.repeat(500) });
    expect(await answer(raw('patch', '/ocpi/2.2.1/locations/NL/SIM/LOC1/3256').type('application/json').send(bracketsInText))).toMatchObject({ http: 200, code: 2001, message: expect.stringContaining('status') });
  });

  it('counts the nesting in a UTF-16 body as in UTF-8, and refuses charsets it cannot read with 415', async () => {
    const patch = async (charset: string, body: Buffer) => {
      const res = await fetch(`${s.world.bridge.url}/ocpi/2.2.1/locations/NL/SIM/LOC1/3256`, { method: 'PATCH', headers: { authorization: token(), 'content-type': `application/json; charset=${charset}` }, body });
      const envelope = (await res.json()) as { status_code: number; status_message: string };
      return { http: res.status, code: envelope.status_code, message: envelope.status_message };
    };
    // U+225B is 5B 22 in UTF-16LE: a bracket and a quote to a bytewise scan.
    const tricky = JSON.stringify({ last_updated: '2026-01-01T00:00:00Z', status: '\u225b'.repeat(300) });
    expect(await patch('utf-16le', Buffer.from(tricky, 'utf16le'))).toMatchObject({ http: 200, code: 2001, message: expect.stringContaining('status') });
    expect(await patch('utf-16le', Buffer.from(nested(65), 'utf16le'))).toMatchObject({ http: 400, code: 2001 });
    for (const charset of ['utf-7', 'latin1', 'utf-32']) expect(await patch(charset, Buffer.from('{}'))).toMatchObject({ http: 415, code: 2000 });
  });

  it('answers a Content-Encoding it cannot read, or a body that does not decode, with a 4xx envelope', async () => {
    expect(await answer(raw('put', '/ocpi/2.2.1/locations/NL/SIM/LOC1').set('content-type', 'application/json').set('content-encoding', 'gzip').send('not gzip'))).toMatchObject({ http: 400, code: 2000 });
    expect(await answer(raw('put', '/ocpi/2.2.1/locations/NL/SIM/LOC1').set('content-type', 'application/json').set('content-encoding', 'compress').send('{}'))).toMatchObject({ http: 415, code: 2000 });
  });

  it('answers requests Node refuses before Express (headers too large, malformed) with an envelope', async () => {
    const tooLarge = parsed(await rawExchange(s.world.bridge.url, `GET /ocpi/2.2.1/locations/NL/SIM/LOC1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(tooLarge).toEqual({ status: 431, body: { status_code: 2000, status_message: 'the request line and headers are too large', timestamp: expect.any(String) } });
    const longUrl = parsed(await rawExchange(s.world.bridge.url, `GET /ocpi/2.2.1/locations/NL/SIM/${'b'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(longUrl).toMatchObject({ status: 431, body: { status_code: 2000 } });
    const malformed = parsed(await rawExchange(s.world.bridge.url, 'GET /ocpi/versions HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'));
    expect(malformed).toMatchObject({ status: 400, body: { status_code: 2000, status_message: 'the request is not valid HTTP' } });
    // Without a listener Node closed a CONNECT without a word; the bridge is no proxy.
    const tunnel = parsed(await rawExchange(s.world.bridge.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    expect(tunnel).toMatchObject({ status: 405, body: { status_code: 2000, status_message: 'CONNECT is not served here' } });
  });
});

const OWNER = { countryCode: 'NL', partyId: 'SIM' };

describe.each(BACKENDS)('OCPI ids on the CPO scene', (backend) => {
  describeBackend(backend, () => {
    const started = cpoSceneOn(backend);
    let scene: CpoScene;
    beforeAll(() => (scene = started.scene()));

    const location = (id: string) => ({ ...(corpusJson('2.2.1', 'location_example.json') as Location), id, country_code: 'NL', party_id: 'SIM' });
    const token = async () => authorizationHeader((await scene.backend.backend.store.parties.get('bridge'))!.outboundToken!, 'base64');
    const send = async (method: 'put' | 'get' | 'post', path: string, body?: unknown) => {
      const req = request(scene.bridge.url)[method](path).set('authorization', await token());
      return answer(body === undefined ? req : req.send(body as object));
    };

    it.each([
      ['LOC\u0000X', 'CHARGING', 'Occupied'],
      ['LOC\r\nX', 'AVAILABLE', 'Available'],
      ['LOC\u001bX', 'CHARGING', 'Occupied'],
    ])('refuses the location id %j before storing it, and goes on', async (id, status, atHub) => {
      const dataBefore = scene.received('PushEvseData').length;
      const statusBefore = scene.received('PushEvseStatus').length;
      // The body names a clean id: a NUL in the body is refused whole before the path is read (below).
      expect(await send('put', `/ocpi/2.2.1/locations/NL/SIM/${encodeURIComponent(id)}`, location('LOC-X'))).toMatchObject({ http: 400, code: 2001, message: expect.stringMatching(/^location_id: must be printable ASCII/) });
      expect(await send('get', `/ocpi/2.2.1/cdrs/NL/SIM/${encodeURIComponent(id)}`)).toMatchObject({ http: 400, code: 2001, message: expect.stringMatching(/^cdr_id: /) });
      expect(await send('post', `/ocpi/2.2.1/tokens/${encodeURIComponent(id)}/authorize`, {})).toMatchObject({ http: 400, code: 2001, message: expect.stringMatching(/^token_uid: /) });
      expect(await send('put', `/ocpi/2.2.1/sessions/NL/SIM/${encodeURIComponent(id)}`, {})).toMatchObject({ http: 400, code: 2001, message: expect.stringMatching(/^session_id: /) });
      // The bridge goes on: a valid change after it reaches the hub.
      const peer = (await scene.backend.backend.peer('bridge'))!;
      expect((await peer.patch('locations', OWNER, ['LOC1', '3256'], { status, last_updated: new Date().toISOString() })).ok).toBe(true);
      await until('the status reached the hub', () =>
        scene
          .received<PushEvseStatusRequest>('PushEvseStatus')
          .slice(statusBefore)
          .some((r) => r.OperatorEvseStatus.EvseStatusRecord.some((e) => e.EvseID === 'BE*BEC*E041503001' && e.EvseStatus === atHub)),
      );
      expect(scene.received('PushEvseData')).toHaveLength(dataBefore);
    });

    it('refuses a NUL in any string of a body before it reaches the store (an authorization_reference with one answered 500 on PostgreSQL)', async () => {
      const reference = 'a\u0000b';
      const cdr = { ...(corpusJson('2.2.1', 'cdr_example.json') as Record<string, unknown>), id: 'C-NUL', country_code: 'NL', party_id: 'SIM', authorization_reference: reference };
      const session = { ...(corpusJson('2.2.1', 'session_example_1_simple_start.json') as Record<string, unknown>), id: 'S-NUL', country_code: 'NL', party_id: 'SIM', authorization_reference: reference };
      const nul = { http: 400, code: 2001, message: 'the request body holds a NUL character (\\u0000) in a string; no field may' };
      expect(await send('post', '/ocpi/2.2.1/cdrs', cdr)).toMatchObject(nul);
      expect(await send('put', '/ocpi/2.2.1/sessions/NL/SIM/S-NUL', session)).toMatchObject(nul);
      expect(await send('post', '/ocpi/2.2.1/tokens/AABBCCDD/authorize', { location_id: 'LOC\u0000', evse_uids: ['3256'] })).toMatchObject(nul);
      expect(await send('put', '/ocpi/2.2.1/locations/NL/SIM/LOC1', { ...location('LOC1'), name: 'Gent\u0000Zuid' })).toMatchObject(nul);
      // Text that only reads like the escape is text.
      expect(await send('put', '/ocpi/2.2.1/locations/NL/SIM/LOC1', { ...location('LOC1'), name: 'Gent \\u0000 Zuid', last_updated: new Date().toISOString() })).toMatchObject({ http: 200, code: 1000 });
      expect(await scene.bridge.store.objects.get('sessions', 'NL*SIM', 'S-NUL')).toBeUndefined();
    });

    it('refuses another control character in an id inside a body with 2001 naming the field, and stores nothing', async () => {
      const session = { ...(corpusJson('2.2.1', 'session_example_1_simple_start.json') as Record<string, unknown>), id: 'S-CTL', country_code: 'NL', party_id: 'SIM' };
      for (const reference of ['a\u0001b', 'a\tb', 'a\u0085b']) {
        expect(await send('put', '/ocpi/2.2.1/sessions/NL/SIM/S-CTL', { ...session, authorization_reference: reference })).toMatchObject({ code: 2001, message: expect.stringMatching(/^authorization_reference: /) });
      }
      expect(await send('post', '/ocpi/2.2.1/tokens/AABBCCDD/authorize', { location_id: 'LOC\u001b1', evse_uids: ['3256'] })).toMatchObject({ code: 2001, message: expect.stringMatching(/location_id/) });
      expect(await scene.bridge.store.objects.get('sessions', 'NL*SIM', 'S-CTL')).toBeUndefined();
      // Letters beyond ASCII are read: the id is the peer's, whatever its alphabet.
      expect(await send('put', '/ocpi/2.2.1/sessions/NL/SIM/S-CTL', { ...session, authorization_reference: 'Zürich-1', last_updated: new Date().toISOString() })).toMatchObject({ http: 200, code: 1000 });
    });

    it('stores a location whose id has the longest length 2.2.1 allows', async () => {
      const id = 'L'.repeat(36);
      expect(await send('put', `/ocpi/2.2.1/locations/NL/SIM/${id}`, location(id))).toMatchObject({ http: 200, code: 1000 });
      expect(await scene.bridge.store.objects.get('locations', 'NL*SIM', id)).toMatchObject({ body: { id } });
    });

    it('answers a request in absolute form (http://host/ocpi/...) as the same path, not with a 500', async () => {
      const target = 'http://example.com/ocpi/2.2.1/locations/NL/SIM/LOC1';
      const anonymous = parsed(await rawExchange(scene.bridge.url, `GET ${target} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`));
      expect(anonymous).toMatchObject({ status: 401, body: { status_code: 2000, status_message: 'Authorization header missing' } });
      const known = parsed(await rawExchange(scene.bridge.url, `GET ${target} HTTP/1.1\r\nHost: example.com\r\nAuthorization: ${await token()}\r\nConnection: close\r\n\r\n`));
      expect(known).toMatchObject({ status: 200, body: { status_code: 1000, data: { id: 'LOC1' } } });
    });

    it('refuses a deeply nested body with 400 and 2001, and a bad path encoding likewise', async () => {
      const deep = `{"last_updated":"2026-01-01T00:00:00Z","status":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const res = await request(scene.bridge.url).patch('/ocpi/2.2.1/locations/NL/SIM/LOC1/3256').set('authorization', await token()).type('application/json').send(deep);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status_code: 2001 });
      expect(await send('put', '/ocpi/2.2.1/locations/NL/SIM/%E0%A4%A', location('LOC1'))).toMatchObject({ http: 400, code: 2001 });
    });
  });
});
