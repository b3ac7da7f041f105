/**
 * The admin API (issue 23) against the CPO scene: every answer, refusals included, is checked against
 * the OpenAPI document it serves; the token is required and never hinted at; a CDR Hubject refused
 * is a dead letter an operator finds, with its exchange, and requeues until it is delivered.
 */
import type { OcpiPeer } from '../../src/ocpi/peer';
import type { ChargeDetailRecord } from '../../src/oicp/wire/transaction-schemas';
import { type CpoScene, postAuthorizedCdr, startCpoScene, until } from '../support/cpo-scene';
import { ADMIN_OPENAPI } from '../../src/admin/openapi';
import { ADMIN_TOKEN, admin } from '../support/admin';
import { parseConfig } from '../../src/config/load';
import { sandboxConfig } from '../../src/config/sandbox';
import { consoleBanner } from '../../src/admin/app';

const CARD = 'AABBCCDD';

interface Item {
  id: number;
  state: string;
  topic: string;
  payload: { SessionID?: string };
  lastError: string | null;
  resolution: string | null;
}

describe('admin API', () => {
  let scene: CpoScene;
  let peer: OcpiPeer;
  let url: string;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3', { config: { admin: { port: 0, token: ADMIN_TOKEN } } });
    peer = await scene.withCard(CARD);
    url = scene.bridge.adminUrl!;
  }, 30_000);
  afterAll(async () => {
    await scene?.close();
  });

  /** A CDR of a session Hubject authorized, posted by the backend; its SessionID. */
  const postCdr = (id: string) => postAuthorizedCdr(peer, CARD, id);

  it('listens on its own port, on 127.0.0.1', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(scene.bridge.url);
  });

  it('refuses every request without the token, or with a wrong one, alike and without a hint', async () => {
    const wrong = [null, 'x', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, ADMIN_TOKEN.toUpperCase()];
    const bodies = new Set<string>();
    for (const token of wrong) {
      for (const [method, path] of [['GET', '/admin/overview'], ['GET', '/admin/openapi.json'], ['POST', '/admin/outbox/1/requeue'], ['GET', '/admin/exchanges']] as const) {
        const answer = await admin(url, method, path, { token });
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
        bodies.add(JSON.stringify(answer.body));
      }
    }
    expect([...bodies]).toEqual([JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401 })]);
    const basic = await fetch(`${url}/admin/overview`, { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    // The scheme's case does not matter; the token's does (above).
    expect((await fetch(`${url}/admin/overview`, { headers: { authorization: `bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it('serves the console page and its script without the token (they hold no data), framed by nobody', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    expect(html).toContain('<label for="token">Admin token</label>');
    expect(html).not.toContain('BE*BEC');
    const script = await fetch(`${url}/console/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${url}/console/style.css`)).status).toBe(200);
    for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/nothing.js']) {
      expect((await fetch(`${url}${path}`)).status).toBe(404);
    }
  });

  it('serves its OpenAPI 3.1 document', async () => {
    const answer = await admin(url, 'GET', '/admin/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(ADMIN_OPENAPI)));
    expect(answer.body).toMatchObject({ openapi: '3.1.0' });
  });

  it('gives the overview: identity, the registered backend, outbox depth, jobs', async () => {
    const answer = await admin(url, 'GET', '/admin/overview');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'] },
      oicp: { role: 'CPO', id: 'BE*BEC', environment: 'custom', protocol: 'rest-2.3' },
      parties: [expect.objectContaining({ state: 'registered', version: '2.2.1' })],
      jobs: expect.arrayContaining([expect.objectContaining({ name: 'full sync' })]),
      trace: { enabled: true, dropped: 0 },
    });
  });

  it('answers unknown ids with 404, a requeue of a live item with 409, a discard without reason with 400, all as problem documents', async () => {
    for (const path of ['/admin/outbox/999999', '/admin/exchanges/no-such-exchange', '/admin/nothing-here']) {
      const answer = await admin(url, 'GET', path);
      expect(answer).toMatchObject({ status: 404, contentType: expect.stringContaining('application/problem+json') });
    }
    expect((await admin(url, 'POST', '/admin/outbox/999999/requeue')).status).toBe(404);
    expect((await admin(url, 'POST', '/admin/jobs/no%20such%20job/run')).status).toBe(404);
    expect((await admin(url, 'GET', '/admin/outbox/abc')).status).toBe(400);
    expect((await admin(url, 'GET', '/admin/outbox?limit=0')).status).toBe(400);
    expect((await admin(url, 'GET', '/admin/outbox?state=stuck')).status).toBe(400);

    await postCdr('CDR-A1');
    await until('the CDR is delivered', () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').length === 1);
    let done: Item | undefined;
    for (let tries = 0; tries < 100 && !done; tries++) {
      done = ((await admin(url, 'GET', '/admin/outbox?state=done&topic=oicp:ChargeDetailRecord')).body as { items: Item[] }).items[0];
      if (!done) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const requeue = await admin(url, 'POST', `/admin/outbox/${done!.id}/requeue`);
    expect(requeue).toMatchObject({ status: 409, body: { detail: `item ${done!.id} is done, not dead` } });
    expect((await admin(url, 'POST', `/admin/outbox/${done!.id}/discard`, { body: { reason: ' ' } })).status).toBe(400);
    expect((await admin(url, 'POST', `/admin/outbox/${done!.id}/discard`, { body: {} })).status).toBe(400);
    expect((await admin(url, 'POST', `/admin/outbox/${done!.id}/discard`, { body: { reason: 'no longer wanted' } })).status).toBe(409);
  });

  it('shows a CDR Hubject refused as a dead letter with its exchange; requeued, it is delivered', async () => {
    scene.hub.failNext('ChargeDetailRecord', '022');
    const sessionId = await postCdr('CDR-A2');
    let dead: Item | undefined;
    for (let tries = 0; tries < 200 && !dead; tries++) {
      const held = (await admin(url, 'GET', '/admin/held')).body as { deadLetters: Item[] };
      dead = held.deadLetters.find((item) => item.payload.SessionID === sessionId);
      if (!dead) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(dead).toMatchObject({ state: 'dead', topic: 'oicp:ChargeDetailRecord', lastError: expect.stringContaining('022') });

    // The session's exchanges: its authorization and its CDR; the trace is written shortly after the answers.
    let events: { kind: string; status: string | null; protocol: string; correlationId: string }[] = [];
    let names: string[] = [];
    for (let tries = 0; tries < 100 && !events.some((e) => e.kind === 'delivery'); tries++) {
      const found = (await admin(url, 'GET', `/admin/exchanges?ref=${encodeURIComponent(sessionId)}`)).body as { exchanges: { correlationId: string; first: { name: string } }[] };
      names = found.exchanges.map((e) => e.first.name);
      const cdrExchange = found.exchanges.find((e) => e.first.name === 'POST /ocpi/2.2.1/cdrs');
      if (cdrExchange) events = ((await admin(url, 'GET', `/admin/exchanges/${encodeURIComponent(cdrExchange.correlationId)}`)).body as { events: typeof events }).events;
      if (!events.some((e) => e.kind === 'delivery')) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(names).toHaveLength(2);
    expect(names).toEqual(expect.arrayContaining(['POST /ocpi/2.2.1/cdrs', expect.stringMatching(/^POST \/ocpi\/2\.2\.1\/tokens\/AABBCCDD\/authorize/)]));
    expect(events.filter((e) => e.kind === 'call').map((e) => e.status)).toEqual(['022']);
    const correlationId = events[0]!.correlationId;
    const fixtures = await admin(url, 'GET', `/admin/exchanges/${encodeURIComponent(correlationId)}/fixtures`);
    const paths = (fixtures.body as { files: { path: string }[] }).files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['manifest.json', 'ocpi/cdrs/request-01.json', expect.stringMatching(/^oicp\/ChargeDetailRecord\/response-\d+\.json$/)]));
    expect((await admin(url, 'GET', '/admin/exchanges/no-such-exchange/fixtures')).status).toBe(404);
    expect(events.filter((e) => e.kind === 'delivery').map((e) => e.status)).toEqual(['dead']);

    const requeued = await admin(url, 'POST', `/admin/outbox/${dead!.id}/requeue`);
    expect(requeued).toMatchObject({ status: 200, body: { id: dead!.id, state: 'pending', attempts: 0 } });
    await until('the requeued CDR is delivered', () => scene.received<ChargeDetailRecord>('ChargeDetailRecord').some((c) => c.SessionID === sessionId));
    let state = '';
    for (let tries = 0; tries < 100 && state !== 'done'; tries++) {
      state = ((await admin(url, 'GET', `/admin/outbox/${dead!.id}`)).body as Item).state;
      if (state !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(state).toBe('done');
  });

  it('discards a dead letter with the reason kept', async () => {
    scene.hub.failNext('ChargeDetailRecord', '022');
    const sessionId = await postCdr('CDR-A3');
    let dead: Item | undefined;
    for (let tries = 0; tries < 200 && !dead; tries++) {
      dead = ((await admin(url, 'GET', '/admin/outbox?state=dead')).body as { items: Item[] }).items.find((item) => item.payload.SessionID === sessionId);
      if (!dead) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const discarded = await admin(url, 'POST', `/admin/outbox/${dead!.id}/discard`, { body: { reason: 'billed by hand' } });
    expect(discarded).toMatchObject({ status: 200, body: { state: 'discarded', resolution: 'billed by hand' } });
  });

  it('lists the jobs and starts one now', async () => {
    const jobs = await admin(url, 'GET', '/admin/jobs');
    expect((jobs.body as { jobs: { name: string }[] }).jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['full sync', 'outbox retention', 'trace retention']));
    const run = await admin(url, 'POST', '/admin/jobs/full%20sync/run');
    expect(run).toMatchObject({ status: 202, body: { name: 'full sync', last: { outcome: 'running' } } });
    let outcome = 'running';
    for (let tries = 0; tries < 200 && outcome === 'running'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = ((await admin(url, 'GET', '/admin/jobs')).body as { jobs: { name: string; last?: { outcome: string } }[] }).jobs.find((j) => j.name === 'full sync')!.last!.outcome;
    }
    expect(outcome).toBe('ok');
  });
});

describe('admin configuration', () => {
  it('refuses an admin port without a token, and takes the token from BRIDGE_ADMIN_TOKEN without echoing it', () => {
    const base = { ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'], businessDetails: { name: 'B' } }, oicp: { role: 'CPO', operatorId: 'DE*BRG' } };
    expect(() => parseConfig({ ...base, admin: { port: 9090 } }, 'test', {})).toThrow(/admin\.token: is required when admin\.port is set/);
    const config = parseConfig({ ...base, admin: { port: 9090 } }, 'test', { BRIDGE_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9090, token: ADMIN_TOKEN });
    let message = '';
    try {
      parseConfig({ ...base, admin: { port: 9090 } }, 'test', { BRIDGE_ADMIN_TOKEN: 'short secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('admin.token');
    expect(message).not.toContain('short secret');
  });
});

describe('sandbox console', () => {
  it('runs the console on a free port with a token made for the run, and says where', () => {
    const [first, second] = [sandboxConfig({}), sandboxConfig({})];
    expect(first.admin).toMatchObject({ host: '127.0.0.1', port: 0, token: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    expect(second.admin.token).not.toBe(first.admin.token);
    expect(consoleBanner('http://127.0.0.1:4242', first.admin.token!)).toBe(`Operator console: http://127.0.0.1:4242/  (admin token for this run: ${first.admin.token})\n`);
  });
});
