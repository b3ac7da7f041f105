/**
 * The credentials handshake between the bridge and the OCPI backend simulator over real HTTP, in
 * both directions and both versions: registration, token rotation (the old token stops working
 * after the overlap), unregistering; and the refusals a peer gets in OCPI terms.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import { parseConfig } from '../../src/config/load';
import { createLogger } from '../../src/observability/logger';
import { startBridge as startRuntime } from '../../src/runtime';
import request from 'supertest';
import { ocpiSide, type OcpiSide } from '../../src/ocpi';
import { OcpiClient } from '../../src/ocpi/client';
import { newToken } from '../../src/ocpi/registration';
import { Credentials, Credentials211 } from '../../src/ocpi/wire/credentials';
import { authorizationHeader, type OcpiVersion } from '../../src/ocpi/wire/transport';
import { check } from '../../src/core/typebox';
import { startServer, type RunningServer } from '../../src/server';
import { createOcpiBackend, type OcpiBackend } from '../../src/simulator/ocpi-backend';
import { openStore, type Store } from '../../src/store';
import { ocpi211Errors } from '../support/ocpi-schema';
import { quietLogger } from '../support/oicp-network';

const logger = quietLogger();
const OVERLAP_SECONDS = 60;

/** One clock for both parties: token expiry is tested by moving it. */
const clock = { now: Date.parse('2026-11-24T10:00:00Z') };
const now = () => clock.now;

interface Bridge extends OcpiSide {
  store: Store;
  server: RunningServer;
  versionsUrl: string;
}

const serverConfig = { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 };

async function startBridge(versions: OcpiVersion[] = ['2.1.1', '2.2.1']): Promise<Bridge> {
  const store = await openStore({ path: ':memory:', schema: 'public', poolSize: 1 }, { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, jitter: 0, leaseMs: 1 }, { now });
  let url = '';
  const side = ocpiSide({
    ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'], versions, businessDetails: { name: 'Bridge' }, tokenOverlapSeconds: OVERLAP_SECONDS },
    bodyLimit: '1mb',
    store,
    logger,
    publicUrl: () => url,
    now,
  });
  const app = express();
  app.use(side.router);
  const server = await startServer(app, serverConfig);
  url = server.url;
  return { ...side, store, server, versionsUrl: `${url}/ocpi/versions` };
}

async function startBackend(versions: OcpiVersion[]): Promise<OcpiBackend & { server: RunningServer }> {
  const backend = await createOcpiBackend({ role: 'CPO', countryCode: 'NL', partyId: 'CPO', versions, tokenOverlapSeconds: OVERLAP_SECONDS, logger, now });
  const server = await startServer(backend.app, serverConfig);
  backend.setUrl(server.url);
  return { ...backend, server };
}

const client = new OcpiClient({ logger, retryDelayMs: 1 });
/** A credentials GET with `token`: what a peer holding that token can do. */
async function credentialsGet(url: string, version: OcpiVersion, token: string) {
  return client.call({ method: 'GET', url: `${url}/ocpi/${version}/credentials`, token, encoding: version === '2.1.1' ? 'plain' : 'base64' });
}

describe.each(['2.2.1', '2.1.1'] as const)('OCPI %s handshake', (version) => {
  let bridge: Bridge;
  let backend: OcpiBackend & { server: RunningServer };
  beforeEach(async () => {
    bridge = await startBridge();
    backend = await startBackend([version]);
  });
  afterEach(async () => {
    await Promise.all([bridge.server.close(), backend.server.close()]);
    await Promise.all([bridge.store.close(), backend.close()]);
  });

  it('the bridge registers with the backend (token A), rotates its tokens (PUT) and unregisters (DELETE)', async () => {
    const tokenA = await backend.registration.offer('bridge');
    const registered = await bridge.registration.register('backend', backend.versionsUrl(), tokenA);
    expect(registered).toMatchObject({ state: 'registered', version, roles: [{ role: 'CPO', countryCode: 'NL', partyId: 'CPO' }] });
    const seenByBackend = (await backend.store.parties.get('bridge'))!;
    expect(seenByBackend).toMatchObject({ state: 'registered', version, versionsUrl: bridge.versionsUrl, roles: [{ role: 'EMSP', countryCode: 'DE', partyId: 'BRG' }] });
    // Token C works on the backend, token B on the bridge; token A is spent.
    const tokenC = registered.outboundToken!;
    const tokenB = seenByBackend.outboundToken!;
    expect((await credentialsGet(backend.server.url, version, tokenC)).ok).toBe(true);
    expect(await credentialsGet(bridge.server.url, version, tokenB)).toMatchObject({ ok: true, data: { token: tokenB } });
    expect(await credentialsGet(backend.server.url, version, tokenA)).toMatchObject({ ok: false, failure: { kind: 'http', httpStatus: 401 } });

    const updated = await bridge.registration.update('backend');
    const newTokenB = (await backend.store.parties.get('bridge'))!.outboundToken!;
    expect([updated.outboundToken, newTokenB]).not.toContain(tokenC);
    expect(newTokenB).not.toBe(tokenB);
    // The backend's old token C stops at once only after the overlap; ours too.
    expect((await credentialsGet(backend.server.url, version, tokenC)).ok).toBe(true);
    expect((await credentialsGet(bridge.server.url, version, tokenB)).ok).toBe(true);
    clock.now += OVERLAP_SECONDS * 1000;
    expect(await credentialsGet(backend.server.url, version, tokenC)).toMatchObject({ ok: false, failure: { httpStatus: 401 } });
    expect(await credentialsGet(bridge.server.url, version, tokenB)).toMatchObject({ ok: false, failure: { httpStatus: 401 } });
    expect((await credentialsGet(backend.server.url, version, updated.outboundToken!)).ok).toBe(true);
    expect((await credentialsGet(bridge.server.url, version, newTokenB)).ok).toBe(true);

    expect(await bridge.registration.unregister('backend')).toEqual({ peerAnswered: true });
    expect((await backend.store.parties.get('bridge'))!.state).toBe('unregistered');
    expect((await bridge.store.parties.get('backend'))!.state).toBe('unregistered');
    expect((await credentialsGet(backend.server.url, version, updated.outboundToken!)).ok).toBe(false);
    expect((await credentialsGet(bridge.server.url, version, newTokenB)).ok).toBe(false);
  });

  it('the backend registers with the bridge (token A from the bridge), updates and unregisters', async () => {
    const tokenA = await bridge.registration.offer('backend');
    const registered = await backend.registration.register('bridge', bridge.versionsUrl, tokenA);
    expect(registered).toMatchObject({ state: 'registered', version, roles: [{ role: 'EMSP', countryCode: 'DE', partyId: 'BRG' }] });
    expect(await bridge.store.parties.get('backend')).toMatchObject({ state: 'registered', version, roles: [{ role: 'CPO', countryCode: 'NL', partyId: 'CPO' }] });
    const oldToken = registered.outboundToken!;
    await backend.registration.update('bridge');
    clock.now += OVERLAP_SECONDS * 1000;
    expect(await credentialsGet(bridge.server.url, version, oldToken)).toMatchObject({ ok: false, failure: { httpStatus: 401 } });
    const current = (await backend.store.parties.get('bridge'))!.outboundToken!;
    expect((await credentialsGet(bridge.server.url, version, current)).ok).toBe(true);
    await backend.registration.unregister('bridge');
    expect((await bridge.store.parties.get('backend'))!.state).toBe('unregistered');
    expect((await credentialsGet(bridge.server.url, version, current)).ok).toBe(false);
  });

  it('writes credentials and version details the version’s schema accepts', async () => {
    const tokenA = await bridge.registration.offer('backend');
    const credentials = await request(bridge.server.url).get(`/ocpi/${version}/credentials`).set('authorization', authorizationHeader(tokenA, 'plain'));
    const details = await request(bridge.server.url).get(`/ocpi/${version}`).set('authorization', authorizationHeader(tokenA, 'plain'));
    expect([credentials.body.status_code, details.body.status_code]).toEqual([1000, 1000]);
    if (version === '2.1.1') {
      expect(ocpi211Errors('credentials', credentials.body.data)).toEqual([]);
      expect(ocpi211Errors('version', details.body.data)).toEqual([]);
    } else {
      expect(check(Credentials, credentials.body.data).findings).toEqual([]);
      expect(details.body.data.endpoints).toEqual([{ identifier: 'credentials', role: 'SENDER', url: `${bridge.server.url}/ocpi/2.2.1/credentials` }]);
    }
    if (version === '2.1.1') expect(check(Credentials211, credentials.body.data).findings).toEqual([]);
  });
});

describe('new credentials tokens', () => {
  it('are 64 hex digits (the most OCPI allows), never alike, and safe to paste after a command-line option', () => {
    const tokens = Array.from({ length: 200 }, newToken);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('version negotiation', () => {
  it('picks the highest version both sides speak, and says so when there is none', async () => {
    const bridge = await startBridge(['2.2.1']);
    const backend = await startBackend(['2.1.1']);
    try {
      const tokenA = await backend.registration.offer('bridge');
      await expect(bridge.registration.register('backend', backend.versionsUrl(), tokenA)).rejects.toThrow(/no common OCPI version: .* offers 2\.1\.1, we speak 2\.2\.1/);
      // Nothing was half-done: the token A is still good and the backend knows no registration.
      expect((await backend.store.parties.get('bridge'))!.state).toBe('offered');
      const both = await startBackend(['2.1.1', '2.2.1']);
      try {
        const tokenA2 = await both.registration.offer('bridge');
        expect((await bridge.registration.register('backend2', both.versionsUrl(), tokenA2)).version).toBe('2.2.1');
      } finally {
        await both.server.close();
        await both.close();
      }
    } finally {
      await Promise.all([bridge.server.close(), backend.server.close()]);
      await Promise.all([bridge.store.close(), backend.close()]);
    }
  });
});

describe('the credentials endpoint refuses in OCPI terms and changes nothing', () => {
  let bridge: Bridge;
  let backend: OcpiBackend & { server: RunningServer };
  beforeAll(async () => {
    bridge = await startBridge();
    backend = await startBackend(['2.2.1']);
  });
  afterAll(async () => {
    await Promise.all([bridge.server.close(), backend.server.close()]);
    await Promise.all([bridge.store.close(), backend.close()]);
  });
  const post = (path: string, token: string | undefined, body: unknown) => {
    const call = request(bridge.server.url).post(path).set('content-type', 'application/json');
    return (token === undefined ? call : call.set('authorization', authorizationHeader(token, 'base64'))).send(body as object);
  };
  /** A token the backend accepts, as if it had sent it to us in a registration. */
  async function backendAccepts(token: string): Promise<string> {
    if ((await backend.store.parties.get('bridge')) === undefined) await backend.registration.offer('bridge');
    await backend.store.tokens.issue({ party: 'bridge', purpose: 'access', token });
    return token;
  }
  const theirCredentials = (token: string) => ({ token, url: backend.versionsUrl(), roles: [{ role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'Backend' } }] });

  it('401 without a token or with an unknown one', async () => {
    const missing = await request(bridge.server.url).get('/ocpi/versions');
    expect([missing.status, missing.body.status_code, missing.body.status_message]).toEqual([401, 2000, 'Authorization header missing']);
    const unknown = await request(bridge.server.url).get('/ocpi/versions').set('authorization', 'Token nope');
    expect([unknown.status, unknown.body.status_code]).toEqual([401, 2000]);
    expect(unknown.body.timestamp).toMatch(/Z$/);
  });

  it('accepts the token plain, Base64, and Base64 with the spec examples’ trailing newline', async () => {
    const tokenA = await bridge.registration.offer('encodings');
    for (const header of [`Token ${tokenA}`, authorizationHeader(tokenA, 'base64'), `Token ${Buffer.from(`${tokenA}\n`).toString('base64')}`]) {
      const res = await request(bridge.server.url).get('/ocpi/versions').set('authorization', header);
      expect([header, res.status]).toEqual([header, 200]);
    }
  });

  it('2001 with the field path for a bad credentials body; 400 for a body that is not JSON', async () => {
    const tokenA = await bridge.registration.offer('bad-body');
    const bad = await post('/ocpi/2.2.1/credentials', tokenA, { token: 'x y', url: 'ftp://nowhere', roles: [] });
    expect([bad.status, bad.body.status_code]).toEqual([200, 2001]);
    expect(bad.body.status_message).toEqual(expect.stringContaining('token'));
    expect(bad.body.status_message).toEqual(expect.stringContaining('roles'));
    const notJson = await request(bridge.server.url).post('/ocpi/2.2.1/credentials').set('authorization', authorizationHeader(tokenA, 'base64')).set('content-type', 'application/json').send('{"token":');
    expect([notJson.status, notJson.body.status_code]).toEqual([400, 2000]);
    expect((await bridge.store.parties.get('bad-body'))!.state).toBe('offered');
  });

  it('3001 when the registering party’s versions cannot be read, 3002 when they lack the version called; token A still works after', async () => {
    const tokenA = await bridge.registration.offer('unreachable');
    const unreachable = await post('/ocpi/2.2.1/credentials', tokenA, { ...theirCredentials('tok'), url: 'http://127.0.0.1:1/ocpi/versions' });
    expect([unreachable.status, unreachable.body.status_code]).toEqual([200, 3001]);
    // The backend speaks 2.2.1 only: a POST on our 2.1.1 endpoint asks for a version it does not have.
    const wrongVersion = await post('/ocpi/2.1.1/credentials', tokenA, { token: await backendAccepts('backend-knows-this'), url: backend.versionsUrl(), business_details: { name: 'B' }, party_id: 'CPO', country_code: 'NL' });
    expect([wrongVersion.status, wrongVersion.body.status_code]).toEqual([200, 3002]);
    expect((await bridge.store.parties.get('unreachable'))!.state).toBe('offered');
    expect((await request(bridge.server.url).get('/ocpi/versions').set('authorization', authorizationHeader(tokenA, 'base64'))).status).toBe(200);
  });

  it('405 for POST when registered, PUT and DELETE when not; 404 with 3002 for a version not offered', async () => {
    const tokenA = await bridge.registration.offer('states');
    const put = await request(bridge.server.url).put('/ocpi/2.2.1/credentials').set('authorization', authorizationHeader(tokenA, 'base64')).send(theirCredentials('t'));
    expect([put.status, put.body.status_code]).toEqual([405, 2000]);
    const del = await request(bridge.server.url).delete('/ocpi/2.2.1/credentials').set('authorization', authorizationHeader(tokenA, 'base64'));
    expect(del.status).toBe(405);
    const registered = await post('/ocpi/2.2.1/credentials', tokenA, theirCredentials(await backendAccepts('states-token')));
    expect(registered.body.status_code).toBe(1000);
    const tokenC = registered.body.data.token as string;
    const again = await post('/ocpi/2.2.1/credentials', tokenC, theirCredentials('states-token'));
    expect([again.status, again.body.status_code]).toEqual([405, 2000]);
    const unknownVersion = await request(bridge.server.url).get('/ocpi/2.0/credentials').set('authorization', authorizationHeader(tokenC, 'base64'));
    expect([unknownVersion.status, unknownVersion.body.status_code]).toEqual([404, 3002]);
  });
});

describe('a bridge configured with ocpi.backend registers when it starts', () => {
  it('once: a restart keeps the registration; a bad token A is logged and the bridge still serves', async () => {
    const backend = await startBackend(['2.2.1']);
    const dir = mkdtempSync(join(tmpdir(), 'bridge-autoregister-'));
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'json' }, new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          lines.push(chunk.toString());
          done();
        },
      }));
    const configWith = (token: string, store: string) =>
      parseConfig(
        {
          server: { host: '127.0.0.1', port: 0 },
          store: { path: join(dir, store) },
          ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'], businessDetails: { name: 'Bridge' }, backend: { versionsUrl: backend.versionsUrl(), token } },
          oicp: { role: 'CPO', operatorId: 'DE*BRG', inbound: { callerCheck: 'trusted-network' } },
        },
        'test',
        {},
      );
    try {
      const config = configWith(await backend.registration.offer('bridge'), 'bridge.sqlite');
      const first = await startRuntime(config, log);
      expect(await first.store.parties.get('backend')).toMatchObject({ state: 'registered', version: '2.2.1', roles: [{ role: 'CPO', partyId: 'CPO' }] });
      await first.stop();
      // The token A in the configuration is spent; a restart must not try it again.
      const second = await startRuntime(config, log);
      expect((await second.store.parties.get('backend'))!.state).toBe('registered');
      await second.stop();
      expect(lines.filter((line) => line.includes('registration with the OCPI backend failed'))).toEqual([]);
      expect(lines.filter((line) => line.includes('registered with another OCPI backend'))).toEqual([]);

      // The same store, configured for another backend: it keeps its registration, and says so with the way out.
      const moved = parseConfig({ ...config, ocpi: { ...config.ocpi, backend: { versionsUrl: 'http://127.0.0.1:9/ocpi/versions', token: 'another-token-a' } } }, 'test', {});
      const fourth = await startRuntime(moved, log);
      expect((await fourth.store.parties.get('backend'))!.versionsUrl).toBe(backend.versionsUrl());
      await fourth.stop();
      const warning = lines.find((line) => line.includes('registered with another OCPI backend'));
      expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', registered: backend.versionsUrl(), configured: 'http://127.0.0.1:9/ocpi/versions' });
      expect(warning).toContain('ocpi unregister');
      expect(warning).not.toContain('another-token-a');

      const third = await startRuntime(configWith('not-the-token', 'other.sqlite'), log);
      try {
        expect((await fetch(`${third.url}/healthz`)).status).toBe(200);
        // Refused at the first step: nothing was written.
        expect(await third.store.parties.get('backend')).toBeUndefined();
      } finally {
        await third.stop();
      }
      const failure = lines.find((line) => line.includes('registration with the OCPI backend failed'));
      expect(failure).toMatch(/HTTP 401/);
      expect(failure).not.toContain('not-the-token');
    } finally {
      await backend.server.close();
      await backend.close();
    }
  });
});
