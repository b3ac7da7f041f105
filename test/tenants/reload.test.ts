/**
 * Tenants added, changed and removed in a running process (docs/tenants.md "Adding, changing,
 * removing a tenant"), and a single-tenant deployment moved to tenants ("Moving a single-tenant
 * deployment"): the real `serve --config FILE` process, its file rewritten and SIGHUP sent, observed
 * from outside as a backend and an operator see it, through the URLs and the log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { authorizationHeader } from '../../src/ocpi/wire/transport';
import { startOcpiBackend, type RunningOcpiBackend } from '../../src/simulator/ocpi-backend';
import { CLI, freePort, runTs, type Child } from '../support/child';
import { captured } from '../support/io';
import { quietLogger } from '../support/oicp-network';

const logger = quietLogger();

/** A CPO tenant's sections (no backend configured: the backend registers with the bridge). */
const cpo = (operatorId: string, partyId: string, name: string) => ({
  ocpi: { countryCode: 'DE', partyId, roles: ['EMSP'], businessDetails: { name } },
  oicp: { role: 'CPO', operatorId, environment: 'custom', baseUrl: 'http://127.0.0.1:9/unused', inbound: { callerCheck: 'trusted-network' }, fullLoadMinutes: 0 },
});

function shared(dir: string, port: number) {
  return { server: { host: '127.0.0.1', port }, store: { path: join(dir, 'bridge.sqlite') }, log: { level: 'info', format: 'json' } };
}

/** The log lines (JSON) whose message is `message`. */
const logLines = (child: Child, message: string) =>
  child
    .output()
    .split('\n')
    .filter((line) => line.includes(`"message":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Token A for a party of a tenant (its backend unless told), as an operator gets it (`ocpi token-a --tenant ID`), and the versions URL it prints. */
async function tokenA(file: string, tenant?: string, party = 'backend'): Promise<{ token: string; versionsUrl: string }> {
  const io = captured();
  const code = await main(['ocpi', 'token-a', '--party', party, '--config', file, ...(tenant ? ['--tenant', tenant] : [])], io);
  expect({ code, err: io.err() }).toEqual({ code: 0, err: '' });
  const [, token = '', versionsUrl = ''] = new RegExp(`token A for ${party}: (\\S+)\nour versions URL: (\\S+)`).exec(io.out()) ?? [];
  return { token, versionsUrl };
}

/** A CPO backend simulator registered with a tenant of the running bridge; its token for calling the bridge. */
async function registeredBackend(file: string, tenant?: string): Promise<{ backend: RunningOcpiBackend; token: string; versionsUrl: string }> {
  const backend = await startOcpiBackend({ role: 'CPO', countryCode: 'NL', partyId: 'SIM', logger, host: '127.0.0.1', port: 0 });
  const offered = await tokenA(file, tenant);
  const party = await backend.backend.registration.register('bridge', offered.versionsUrl, offered.token);
  return { backend, token: party.outboundToken!, versionsUrl: offered.versionsUrl };
}

/** GET with an OCPI 2.2.1 token: the HTTP status and the body. */
async function ocpiGet(url: string, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: authorizationHeader(token, 'base64') } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The business name of the bridge's credentials as the registered backend reads them. */
async function businessName(url: string, token: string): Promise<unknown> {
  const { status, body } = await ocpiGet(url, token);
  if (status !== 200) return `HTTP ${status} ${JSON.stringify(body)}`;
  return (body.data as { roles: { business_details: { name: string } }[] }).roles[0]!.business_details.name;
}

async function untilLogged(child: Child, message: string, count: number): Promise<Record<string, unknown>> {
  for (const started = Date.now(); logLines(child, message).length < count; await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > 15_000) throw new Error(`no ${count}. "${message}" in the log:\n${child.output()}`);
  }
  return logLines(child, message)[count - 1]!;
}

describe('a running bridge told to reload its tenants (SIGHUP)', () => {
  let dir: string;
  let child: Child | undefined;
  let backend: RunningOcpiBackend | undefined;
  /** The backend tenant c's section names: c registers with it when the reload starts c. */
  let backendC: RunningOcpiBackend | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-reload-'));
  });
  afterAll(async () => {
    if (child && child.process.exitCode === null) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
    await Promise.all([backend?.close(), backendC?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts c, restarts b with its new name keeping its registration, stops a, in the same process; a bad file changes nothing and the log says why', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const file = join(dir, 'bridge.yaml');
    writeFileSync(file, JSON.stringify({ ...shared(dir, port), tenants: [{ id: 'a', ...cpo('DE*AAA', 'AAA', 'Tenant A') }, { id: 'b', ...cpo('DE*BBB', 'BBB', 'B before') }] }));
    child = runTs(CLI, ['serve', '--config', file]);
    await child.waitFor(/"message":"listening"/, 30_000);
    const pid = child.process.pid;

    const b = await registeredBackend(file, 'b');
    backend = b.backend;
    expect(b.versionsUrl).toBe(`${url}/tenants/b/ocpi/versions`);
    const credentialsB = `${url}/tenants/b/ocpi/2.2.1/credentials`;
    expect(await businessName(credentialsB, b.token)).toBe('B before');
    expect((await ocpiGet(`${url}/tenants/a/ocpi/versions`)).status).not.toBe(404);
    expect(await ocpiGet(`${url}/tenants/c/ocpi/versions`)).toEqual({ status: 404, body: expect.objectContaining({ status_code: 2000, status_message: 'no tenant c here' }) });

    backendC = await startOcpiBackend({ role: 'CPO', countryCode: 'NL', partyId: 'SIM', logger, host: '127.0.0.1', port: 0 });
    const tenantC = cpo('DE*CCC', 'CCC', 'Tenant C');
    const sectionC = { id: 'c', ...tenantC, ocpi: { ...tenantC.ocpi, backend: { versionsUrl: backendC.backend.versionsUrl(), token: await backendC.backend.registration.offer('bridge') } } };
    writeFileSync(file, JSON.stringify({ ...shared(dir, port), tenants: [{ id: 'b', ...cpo('DE*BBB', 'BBB', 'B after') }, sectionC] }));
    process.kill(pid!, 'SIGHUP');
    const reloaded = await untilLogged(child, 'configuration reloaded', 1);
    expect(reloaded).toMatchObject({ added: ['c'], removed: ['a'], restarted: ['b'], unchanged: [], needRestart: [] });

    // c's own backend registered with it as it started (below): the versions are read with a token of another party.
    const c = await tokenA(file, 'c', 'probe');
    expect(c.versionsUrl).toBe(`${url}/tenants/c/ocpi/versions`);
    const versionsC = await ocpiGet(c.versionsUrl, c.token);
    expect(versionsC).toMatchObject({ status: 200, body: { status_code: 1000 } });
    expect((versionsC.body.data as { url: string }[]).map((v) => v.url).every((u) => u.startsWith(`${url}/tenants/c/ocpi/`))).toBe(true);
    expect(await ocpiGet(`${url}/tenants/a/ocpi/versions`)).toEqual({ status: 404, body: expect.objectContaining({ status_code: 2000, status_message: 'no tenant a here' }) });
    // b restarted with its new setting, and its backend's registration (in the store) still holds.
    expect(await businessName(credentialsB, b.token)).toBe('B after');
    expect({ pid: child.process.pid, exitCode: child.process.exitCode, signal: child.process.signalCode }).toEqual({ pid, exitCode: null, signal: null });

    // A file with a problem (c takes b's OperatorID, d has no valid id): nothing changes, and the log says why.
    writeFileSync(file, JSON.stringify({ ...shared(dir, port), tenants: [{ id: 'b', ...cpo('DE*BBB', 'BBB', 'B broken') }, { id: 'c', ...cpo('DE*BBB', 'CCC', 'Tenant C') }, { id: 'D_', ...cpo('DE*DDD', 'DDD', 'D') }] }));
    process.kill(pid!, 'SIGHUP');
    const refused = await untilLogged(child, 'configuration not reloaded; the running one stays', 1);
    expect(refused.reason).toEqual(expect.stringContaining('tenants.1.oicp.operatorId'));
    expect(refused.reason).toEqual(expect.stringContaining('tenants.2.id'));
    expect(logLines(child, 'configuration reloaded')).toHaveLength(1);
    expect(await businessName(credentialsB, b.token)).toBe('B after');
    expect((await ocpiGet(c.versionsUrl, c.token)).status).toBe(200);
    expect((await ocpiGet(`${url}/tenants/a/ocpi/versions`)).status).toBe(404);
    expect({ pid: child.process.pid, exitCode: child.process.exitCode, signal: child.process.signalCode }).toEqual({ pid, exitCode: null, signal: null });
  }, 60_000);

  it('registered c, added by the reload, with the backend its section names, as any tenant that starts', async () => {
    for (const started = Date.now(); (await backendC!.backend.peer('bridge')) === undefined && Date.now() - started < 5_000; ) await new Promise((r) => setTimeout(r, 50));
    const failures = logLines(child!, 'registration with the OCPI backend failed; retry with `ocpi-oicp-bridge ocpi register`').map((line) => line.reason);
    expect({ registered: (await backendC!.backend.peer('bridge')) !== undefined, failures }).toEqual({ registered: true, failures: [] });
  });
});

describe('a single-tenant deployment moved to tenants (docs/tenants.md, "Moving a single-tenant deployment")', () => {
  let dir: string;
  const children: Child[] = [];
  let backend: RunningOcpiBackend | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-move-'));
  });
  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps tenant default\'s data and unprefixed URLs, and its backend\'s token is unknown to the new tenant', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const file = join(dir, 'bridge.yaml');
    const single = cpo('DE*DEF', 'DEF', 'Single');
    writeFileSync(file, JSON.stringify({ ...shared(dir, port), ...single }));
    const first = runTs(CLI, ['serve', '--config', file]);
    children.push(first);
    await first.waitFor(/"message":"listening"/, 30_000);
    const registered = await registeredBackend(file);
    backend = registered.backend;
    const { token } = registered;
    expect(registered.versionsUrl).toBe(`${url}/ocpi/versions`);
    expect(await businessName(`${url}/ocpi/2.2.1/credentials`, token)).toBe('Single');
    first.process.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    // Step 2 and 3: the old sections become tenant default; another tenant beside it.
    writeFileSync(file, JSON.stringify({ ...shared(dir, port), tenants: [{ id: 'default', ...single }, { id: 'x', ...cpo('DE*XXX', 'XXX', 'Tenant X') }] }));
    const second = runTs(CLI, ['serve', '--config', file]);
    children.push(second);
    await second.waitFor(/"message":"listening"/, 30_000);
    expect(await businessName(`${url}/ocpi/2.2.1/credentials`, token)).toBe('Single');
    expect(await businessName(`${url}/tenants/default/ocpi/2.2.1/credentials`, token)).toBe('Single');
    // At the other tenant the token is unknown: 401 with OCPI 2000, as any token the bridge did not issue.
    const elsewhere = await ocpiGet(`${url}/tenants/x/ocpi/2.2.1/credentials`, token);
    const unknown = await ocpiGet(`${url}/tenants/x/ocpi/2.2.1/credentials`, 'a-token-nobody-was-given');
    expect(elsewhere).toMatchObject({ status: 401, body: { status_code: 2000 } });
    expect(unknown).toMatchObject({ status: elsewhere.status, body: { status_code: elsewhere.body.status_code, status_message: elsewhere.body.status_message } });
    // The backend's party is still registered in default's part of the store, and x has none.
    const parties = async (tenant: string) => {
      const io = captured();
      expect(await main(['ocpi', 'parties', '--tenant', tenant, '--config', file], io)).toBe(0);
      return io.out();
    };
    expect(await parties('default')).toMatch(/^backend\b.*registered/m);
    expect(await parties('x')).toBe('no OCPI parties yet (ocpi token-a or ocpi register)\n');
  }, 60_000);
});
