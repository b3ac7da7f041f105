/**
 * Two tenants in one bridge (issue 24): a CPO tenant (BE*BEC, in front of a CPO backend) and an EMP
 * tenant (NL-SIM, in front of an eMSP backend, pulling the network of the CPO DE*XYZ behind Hubject),
 * against the simulators. What one tenant's credentials, URLs and identity reach, and what they never do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDeployment, type TenantConfig } from '../../src/config/load';
import { startBridge, type RunningBridge } from '../../src/runtime';
import { startHubjectSimulator, type RunningHubjectSimulator } from '../../src/simulator/hubject';
import { startOcpiBackend, type RunningOcpiBackend } from '../../src/simulator/ocpi-backend';
import { startSandboxCpo } from '../../src/cli/sandbox';
import { operationPath } from '../../src/oicp/wire/operations';
import { assertConformance } from '../support/conformance';
import { quietLogger } from '../support/oicp-network';
import { createLogger } from '../../src/observability/logger';
import { RULES, untilDelivered } from '../support/cpo-scene';

const ADMIN_TOKEN = 'tenants-admin-token-0123456789';

describe('two tenants in one bridge', () => {
  const logger = process.env.TENANT_DEBUG ? createLogger({ level: 'info', format: 'text' }) : quietLogger();
  let hub: RunningHubjectSimulator;
  let cpo: Awaited<ReturnType<typeof startSandboxCpo>>;
  let acmeBackend: RunningOcpiBackend;
  let voltBackend: RunningOcpiBackend;
  let bridge: RunningBridge;

  const tenant = (id: string) => bridge.tenants.get(id)!;
  const tokenOf = async (backend: RunningOcpiBackend) => (await backend.backend.store.parties.get('bridge'))!.outboundToken!;
  const hubReceived = (operation: string) => hub.simulator.traffic.filter((t) => t.direction === 'in' && t.operation === operation);

  beforeAll(async () => {
    hub = await startHubjectSimulator({ logger, host: '127.0.0.1', port: 0 });
    cpo = await startSandboxCpo(hub, logger);
    acmeBackend = await startOcpiBackend({ role: 'CPO', countryCode: 'NL', partyId: 'SIM', logger, host: '127.0.0.1', port: 0 });
    voltBackend = await startOcpiBackend({ role: 'EMSP', countryCode: 'NL', partyId: 'SIM', logger, host: '127.0.0.1', port: 0 });
    const oicp = { environment: 'custom', baseUrl: hub.url, inbound: { callerCheck: 'trusted-network' }, fullLoadMinutes: 0 };
    const tenants: TenantConfig[] = parseDeployment(
      {
        server: { host: '127.0.0.1', port: 0 },
        store: { path: join(mkdtempSync(join(tmpdir(), 'bridge-tenants-')), 'bridge.sqlite') },
        outbox: { baseDelayMs: 100, maxDelayMs: 200, pollMs: 50, leaseMs: 1_000 },
        mapping: RULES,
        admin: { port: 0, token: ADMIN_TOKEN },
        tenants: [
          {
            id: 'acme',
            ocpi: { countryCode: 'DE', partyId: 'ACM', roles: ['EMSP'], businessDetails: { name: 'Acme' }, backend: { versionsUrl: acmeBackend.backend.versionsUrl(), token: await acmeBackend.backend.registration.offer('bridge') } },
            oicp: { ...oicp, role: 'CPO', operatorId: 'BE*BEC' },
          },
          {
            id: 'volt',
            ocpi: { countryCode: 'DE', partyId: 'VLT', roles: ['CPO'], businessDetails: { name: 'Volt' }, backend: { versionsUrl: voltBackend.backend.versionsUrl(), token: await voltBackend.backend.registration.offer('bridge') } },
            oicp: { ...oicp, role: 'EMP', providerId: 'NL-SIM', fullLoadMinutes: 1_440 },
          },
        ],
      },
      'test',
      {},
    );
    bridge = await startBridge(tenants, logger);
    for (const id of ['acme', 'volt']) {
      const { config, url } = tenant(id);
      hub.simulator.partners.push({ role: config.oicp.role, id: config.oicp.operatorId ?? config.oicp.providerId!, url });
    }
    await acmeBackend.backend.pushAll('bridge');
    await voltBackend.backend.pushAll('bridge');
    await tenant('volt').runJob('EVSE data');
    await Promise.all([untilDelivered(tenant('acme').store, 20_000), untilDelivered(tenant('volt').store, 20_000)]);
  }, 60_000);

  afterAll(async () => {
    await bridge?.stop();
    await Promise.all([acmeBackend?.close(), voltBackend?.close(), cpo?.close()]);
    await hub?.close();
    assertConformance(hub.simulator.traffic, acmeBackend.backend.wire);
  });

  it('registers each backend at its own prefix, and the URLs it hands out keep it', async () => {
    const acme = await acmeBackend.backend.store.parties.get('bridge');
    expect(acme?.versionsUrl).toBe(`${bridge.url}/tenants/acme/ocpi/versions`);
    expect(acme?.endpoints.map((e) => e.url).every((url) => url.startsWith(`${bridge.url}/tenants/acme/ocpi/`))).toBe(true);
    const volt = await voltBackend.backend.store.parties.get('bridge');
    expect(volt?.versionsUrl).toBe(`${bridge.url}/tenants/volt/ocpi/versions`);
  });

  it("a tenant's token opens its own routes only; a tenant the bridge does not run is a 404 naming it", async () => {
    const get = async (path: string, token: string) => fetch(`${bridge.url}${path}`, { headers: { authorization: `Token ${Buffer.from(token).toString('base64')}` } });
    const acmeToken = await tokenOf(acmeBackend);
    expect((await get('/tenants/acme/ocpi/versions', acmeToken)).status).toBe(200);
    const crossed = await get('/tenants/volt/ocpi/versions', acmeToken);
    expect(crossed.status).toBe(401);
    expect(await crossed.json()).toMatchObject({ status_code: 2000, status_message: 'unknown token' });
    // Not at the root either: there is no tenant `default` here, and the refusal says where the tenants are.
    const root = await get('/ocpi/versions', acmeToken);
    expect(root.status).toBe(404);
    expect(await root.json()).toMatchObject({ status_code: 2000, status_message: 'this bridge serves several tenants (acme, volt): call /tenants/{id}/ocpi/versions' });
    const unknown = await get('/tenants/nobody/ocpi/versions', acmeToken);
    expect(unknown.status).toBe(404);
    // Refused in the caller's protocol: an OCPI envelope, an OICP 017, a SOAP fault.
    expect(await unknown.json()).toMatchObject({ status_code: 2000, status_message: 'no tenant nobody here' });
  });

  it("each tenant's store holds its own objects only", async () => {
    const acmeLocations = await tenant('acme').store.objects.page('locations', { offset: 0, limit: 100 });
    const voltLocations = await tenant('volt').store.objects.page('locations', { offset: 0, limit: 100 });
    // acme: the CPO backend's own network; volt: what it pulled from Hubject (the CPO DE*XYZ).
    expect(acmeLocations.items.length).toBeGreaterThan(0);
    expect(voltLocations.items.length).toBeGreaterThan(0);
    const ownersOf = (items: { owner: string }[]) => new Set(items.map((item) => item.owner));
    expect([...ownersOf(acmeLocations.items)]).toEqual(['NL*SIM']);
    expect([...ownersOf(voltLocations.items)].some((owner) => owner === 'NL*SIM')).toBe(false);
  });

  it('pushes EVSE data under each identity only: the CPO tenant as BE*BEC, the EMP tenant never', () => {
    const pushes = hubReceived('PushEvseData').map((t) => ({ partyId: t.partyId, operator: (t.request as { OperatorEvseData: { OperatorID: string } }).OperatorEvseData.OperatorID }));
    const fromBridge = pushes.filter((p) => p.partyId !== 'DE*XYZ');
    expect(fromBridge.length).toBeGreaterThan(0);
    expect(fromBridge.every((p) => p.partyId === 'BE*BEC' && p.operator === 'BE*BEC')).toBe(true);
  });

  it("an EVSE of another operator pushed to the CPO tenant is held, never sent under the tenant's identity", async () => {
    const peer = (await acmeBackend.backend.peer('bridge'))!;
    const foreign = cpo.evseIds[0]!; // DE*XYZ's, the CPO behind the hub
    const location = {
      country_code: 'NL',
      party_id: 'SIM',
      id: 'FOREIGN1',
      publish: true,
      address: 'Main street 1',
      city: 'Utrecht',
      country: 'NLD',
      coordinates: { latitude: '52.090000', longitude: '5.120000' },
      time_zone: 'Europe/Amsterdam',
      evses: [{ uid: 'F1', evse_id: foreign, status: 'AVAILABLE', connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, last_updated: '2026-11-30T10:00:00Z' }], last_updated: '2026-11-30T10:00:00Z' }],
      last_updated: '2026-11-30T10:00:00Z',
    };
    const before = hubReceived('PushEvseData').length;
    const answer = await peer.put('locations', { countryCode: 'NL', partyId: 'SIM' }, ['FOREIGN1'], location);
    expect(answer.ok).toBe(true);
    await untilDelivered(tenant('acme').store, 10_000);
    const held = await tenant('acme').store.held.list();
    expect(held.some((item) => item.reason.includes(foreign))).toBe(true);
    const sent = hubReceived('PushEvseData').slice(before).flatMap((t) => (t.request as { OperatorEvseData: { EvseDataRecord: { EvseID: string }[] } }).OperatorEvseData.EvseDataRecord.map((r) => r.EvseID));
    expect(sent).not.toContain(foreign);
    // Nor does the other tenant see it.
    expect((await tenant('volt').store.held.list()).some((item) => item.reason.includes(foreign))).toBe(false);
  });

  it("a remote start at the CPO tenant's address for another operator's EVSE is refused 018, and at an unknown tenant 404", async () => {
    const body = { ProviderID: 'DE-DCB', EvseID: cpo.evseIds[0]!, Identification: { RemoteIdentification: { EvcoID: 'DE-DCB-C12345678-X' } }, SessionID: 'b2688855-7f00-0002-6d8e-48d498e1a1d5' };
    const post = (prefix: string) => fetch(`${bridge.url}${prefix}${operationPath('AuthorizeRemoteStart', 'DE-DCB')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await post('/tenants/acme');
    expect(((await refused.json()) as { StatusCode: { Code: string } }).StatusCode.Code).toBe('018');
    const unknownTenant = await post('/tenants/nobody');
    expect(unknownTenant.status).toBe(404);
    expect(await unknownTenant.json()).toMatchObject({ Result: false, StatusCode: { Code: '017', AdditionalInfo: 'no tenant nobody here' } });
    const soap = await fetch(`${bridge.url}/tenants/nobody/ws/authorization/v2.1`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect([soap.status, soap.headers.get('content-type')]).toEqual([404, expect.stringContaining('text/xml')]);
    expect(await soap.text()).toContain('<faultstring>OICP: no tenant nobody here</faultstring>');
  });

  it('labels the outbox and held metrics with the tenant', async () => {
    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metrics).toMatch(/bridge_outbox_items\{state="pending",tenant="acme"\} \d+/);
    expect(metrics).toMatch(/bridge_outbox_items\{state="pending",tenant="volt"\} \d+/);
    expect(metrics).toMatch(/bridge_held_items\{kind="[a-z]+",tenant="acme"\} [1-9]/);
    expect(metrics).toMatch(/bridge_deliveries_total\{flow="oicp:PushEvseData",outcome="delivered",tenant="acme"\} [1-9]/);
  });

  it("each tenant's console shows that tenant, behind the one admin token", async () => {
    const admin = (path: string) => fetch(`${bridge.adminUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const acme = (await (await admin('/tenants/acme/admin/overview')).json()) as { tenant: string; tenants: string[]; oicp: { id: string } };
    expect(acme.tenants).toEqual(['acme', 'volt']);
    const volt = (await (await admin('/tenants/volt/admin/overview')).json()) as { tenant: string; oicp: { id: string } };
    expect([acme.tenant, acme.oicp.id, volt.tenant, volt.oicp.id]).toEqual(['acme', 'BE*BEC', 'volt', 'NL-SIM']);
    const held = (await (await admin('/tenants/volt/admin/held')).json()) as { held: unknown[] };
    expect(held.held).toEqual([]);
    expect((await fetch(`${bridge.adminUrl}/tenants/acme/admin/overview`)).status).toBe(401);
    // No tenant is `default`: the root lists the consoles and answers no tenant's API.
    const index = await (await fetch(`${bridge.adminUrl}/`)).text();
    expect(index).toContain('href="/tenants/acme/"');
    expect(index).toContain('href="/tenants/volt/"');
    const rootApi = await admin('/admin/overview');
    expect(rootApi.status).toBe(404);
    expect(((await rootApi.json()) as { detail: string }).detail).toContain('(acme, volt)');
    // Each tenant's page, with the script and style it loads from the root.
    expect(await (await fetch(`${bridge.adminUrl}/tenants/volt/`)).text()).toContain('<script type="module" src="/console/app.js">');
    expect((await fetch(`${bridge.adminUrl}/console/app.js`)).status).toBe(200);
  });

  it("serves the metrics, every tenant's, at the root only", async () => {
    expect((await fetch(`${bridge.url}/tenants/acme/metrics`)).status).toBe(404);
    expect((await fetch(`${bridge.url}/metrics`)).status).toBe(200);
  });
});
