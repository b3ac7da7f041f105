import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDeploymentFile, parseDeployment, tenantEnvName } from '../../src/config/load';
import { main } from '../../src/cli/main';
import { makeTestPki } from '../support/certs';
import { problemsOf, yamlFile } from '../support/config-files';
import { captured } from '../support/io';

const REPO = join(__dirname, '..', '..');
const NO_ENV = {};

const cpo = (operatorId: string, partyId = 'ACM') => ({
  ocpi: { countryCode: 'DE', partyId, roles: ['EMSP'], businessDetails: { name: `Tenant ${partyId}` } },
  oicp: { role: 'CPO', operatorId },
});
const emp = (providerId: string, partyId = 'VLT') => ({
  ocpi: { countryCode: 'DE', partyId, roles: ['CPO'], businessDetails: { name: `Tenant ${partyId}` } },
  oicp: { role: 'EMP', providerId },
});



describe('a configuration with tenants', () => {
  it('a file without tenants is one tenant, default, exactly as before', () => {
    const [only, ...rest] = parseDeployment({ ...cpo('DE*ABC') }, 'test', NO_ENV);
    expect(rest).toEqual([]);
    expect(only!.id).toBe('default');
    expect(only!.config.oicp).toMatchObject({ role: 'CPO', operatorId: 'DE*ABC', environment: 'qa' });
  });

  it('gives each tenant the shared sections, its own party and identity, and its mapping over the shared one', () => {
    const tenants = parseDeployment(
      {
        server: { port: 9000 },
        mapping: { operators: { '*': { hotlinePhoneNumber: '+4930123456' } }, tariffs: { defaultPrice: 1 } },
        tenants: [
          { id: 'acme', ...cpo('DE*ACM') },
          { id: 'volt', ...emp('DE-VLT'), mapping: { tariffs: { providerId: 'DE-VLT' } } },
        ],
      },
      'test',
      NO_ENV,
    );
    expect(tenants.map((t) => t.id)).toEqual(['acme', 'volt']);
    const [acme, volt] = tenants.map((t) => t.config);
    expect([acme!.server.port, volt!.server.port]).toEqual([9000, 9000]);
    expect(acme!.oicp.operatorId).toBe('DE*ACM');
    expect(volt!.oicp.providerId).toBe('DE-VLT');
    // The tenant's key wins; the shared keys beside it stay; defaults fill the rest.
    expect(volt!.mapping.tariffs).toMatchObject({ providerId: 'DE-VLT', defaultPrice: 1 });
    expect(acme!.mapping.tariffs).toMatchObject({ providerId: '*', defaultPrice: 1 });
    expect(volt!.mapping.operators['*']?.hotlinePhoneNumber).toBe('+4930123456');
  });

  it('names every problem by its place in the file, a shared one once', () => {
    const problems = problemsOf(() =>
      parseDeployment(
        {
          server: { port: 'x' },
          tenants: [
            { id: 'acme', ...cpo('DE*ACM') },
            { id: 'volt', ...emp('DE-VLT'), oicp: { role: 'EMP' } },
            { id: 'Bad_Id', ...cpo('DE*BAD') },
            { id: 'acme', ...cpo('DE*AC2', 'AC2'), extra: 1 },
          ],
        },
        'test',
        NO_ENV,
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'server.port', message: expect.stringContaining('integer') },
        { path: 'tenants.2.id', message: expect.stringContaining('lower-case') },
        { path: 'tenants.3.id', message: 'acme names two tenants' },
        { path: 'tenants.3.extra', message: expect.stringContaining('not a known key') },
      ]),
    );
    expect(problems.filter((p) => p.path === 'server.port')).toHaveLength(1);
    // Rules spanning several keys are checked once the shapes are right, per tenant as for one.
    expect(problemsOf(() => parseDeployment({ tenants: [{ id: 'acme', ...cpo('DE*ACM') }, { id: 'volt', ...emp('DE-VLT'), oicp: { role: 'EMP' } }] }, 'test', NO_ENV))).toEqual([
      { path: 'tenants.1.oicp.providerId', message: 'is required when oicp.role is EMP' },
    ]);
  });

  it('refuses two tenants with one OICP identity, whatever its spelling, and top-level ocpi/oicp beside tenants', () => {
    const problems = problemsOf(() =>
      parseDeployment({ ...cpo('DE*ACM'), tenants: [{ id: 'a', ...cpo('DE*ACM') }, { id: 'b', ...cpo('DEACM', 'AC2') }, { id: 'c', ...emp('DE-VLT') }, { id: 'd', ...emp('de-vlt', 'VL2') }] }, 'test', NO_ENV),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'ocpi', message: expect.stringContaining('cannot be combined with tenants') },
        { path: 'oicp', message: expect.stringContaining('cannot be combined with tenants') },
        { path: 'tenants.1.oicp.operatorId', message: expect.stringContaining("tenant a's") },
        { path: 'tenants.3.oicp.providerId', message: expect.stringContaining("tenant c's") },
      ]),
    );
    // A CPO and an EMP may carry the same letters: they are different identities.
    expect(() => parseDeployment({ tenants: [{ id: 'a', ...cpo('DE*ACM') }, { id: 'b', ...emp('DE-ACM') }] }, 'test', NO_ENV)).not.toThrow();
  });

  it("takes a tenant's secrets from its own variables, never from the single-tenant ones", () => {
    const backend = { versionsUrl: 'https://backend.example/ocpi/versions' };
    const raw = { tenants: [{ id: 'acme-1', ...cpo('DE*ACM'), ocpi: { ...cpo('DE*ACM').ocpi, backend } }, { id: 'volt', ...emp('DE-VLT'), ocpi: { ...emp('DE-VLT').ocpi, backend } }] };
    expect(tenantEnvName('acme-1', 'BRIDGE_OCPI_BACKEND_TOKEN')).toBe('BRIDGE_TENANT_ACME_1_OCPI_BACKEND_TOKEN');
    const [acme, volt] = parseDeployment(raw, 'test', { BRIDGE_OCPI_BACKEND_TOKEN: 'everyone', BRIDGE_TENANT_ACME_1_OCPI_BACKEND_TOKEN: 'acme-token', BRIDGE_ADMIN_TOKEN: 'shared-admin-token-0123' });
    expect(acme!.config.ocpi.backend?.token).toBe('acme-token');
    expect(volt!.config.ocpi.backend?.token).toBeUndefined();
    expect([acme!.config.admin.token, volt!.config.admin.token]).toEqual(['shared-admin-token-0123', 'shared-admin-token-0123']);
  });

  it('the example of docs/tenants.md is a valid configuration', () => {
    const page = readFileSync(join(REPO, 'docs', 'tenants.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(page)![1]!;
    const tenants = parseDeployment(parse(example), 'docs/tenants.md', NO_ENV);
    expect(tenants.map((t) => [t.id, t.config.oicp.role])).toEqual([
      ['acme', 'CPO'],
      ['volt-emsp', 'EMP'],
    ]);
    expect(tenants[1]!.config.mapping.tariffs.providerId).toBe('DE-VLT');
  });
});

describe('check-config with tenants', () => {
  const pki = makeTestPki();

  it('summarises each tenant', async () => {
    const file = yamlFile(
      `tenants:\n  - id: acme\n    ocpi: { countryCode: DE, partyId: ACM, roles: [EMSP], businessDetails: { name: Acme } }\n    oicp: { role: CPO, operatorId: DE*ACM }\n  - id: volt\n    ocpi: { countryCode: DE, partyId: VLT, roles: [CPO], businessDetails: { name: Volt } }\n    oicp: { role: EMP, providerId: DE-VLT, protocol: soap-2.1 }\n`,
    );
    const io = captured();
    expect(await main(['check-config', file], io)).toBe(0);
    expect(io.out()).toMatch(/2 tenant\(s\)\n {2}acme: OICP CPO DE\*ACM over rest-2\.3.*\n {2}volt: OICP EMP DE-VLT over soap-2\.1/);
  });

  it("refuses a tenant's client certificate made out to another operator, and accepts its own", async () => {
    const own = pki.issueClient('acme', 'DE*ACM');
    const other = pki.issueClient('other', 'DE*XYZ');
    const file = (cert: { cert: string; key: string }) =>
      yamlFile(
        `tenants:\n  - id: acme\n    ocpi: { countryCode: DE, partyId: ACM, roles: [EMSP], businessDetails: { name: Acme } }\n    oicp: { role: CPO, operatorId: DE*ACM, tls: { cert: '${cert.cert}', key: '${cert.key}' } }\n  - id: volt\n    ocpi: { countryCode: DE, partyId: VLT, roles: [CPO], businessDetails: { name: Volt } }\n    oicp: { role: EMP, providerId: DE-VLT }\n`,
      );
    const bad = captured();
    expect(await main(['check-config', file(other)], bad)).toBe(2);
    expect(bad.err()).toContain("tenants.0.oicp.tls.cert: is made out to DE*XYZ, not to this tenant's OperatorID DE*ACM");
    const good = captured();
    expect(await main(['check-config', file(own)], good)).toBe(0);
    // The eMSP tenant's certificate given to the CPO tenant: the mix-up of two tenants of different roles.
    const mixed = captured();
    expect(await main(['check-config', file(pki.issueClient('volt', 'DE-VLT'))], mixed)).toBe(2);
    expect(mixed.err()).toContain("tenants.0.oicp.tls.cert: is made out to DE-VLT (tenant volt's ProviderID), not to this tenant's OperatorID DE*ACM");
    // A file this machine cannot read is not checked, and the output says so.
    const elsewhere = captured();
    expect(await main(['check-config', file({ cert: '/nonexistent/acme.pem', key: '/nonexistent/acme.key' })], elsewhere)).toBe(0);
    expect(elsewhere.out()).toContain('note: tenants.0.oicp.tls.cert not checked: /nonexistent/acme.pem cannot be read here (ENOENT)');
  });

  it('notes secret variables the configuration does not read', async () => {
    const file = yamlFile(
      `tenants:\n  - id: acme-1\n    ocpi: { countryCode: DE, partyId: ACM, roles: [EMSP], businessDetails: { name: Acme }, backend: { versionsUrl: 'https://backend.example/ocpi/versions' } }\n    oicp: { role: CPO, operatorId: DE*ACM }\n  - id: volt\n    ocpi: { countryCode: DE, partyId: VLT, roles: [CPO], businessDetails: { name: Volt } }\n    oicp: { role: EMP, providerId: DE-VLT }\n`,
    );
    const io = { ...captured(), env: { BRIDGE_OCPI_BACKEND_TOKEN: 'x', BRIDGE_TENANT_ACME1_OCPI_BACKEND_TOKEN: 'y', BRIDGE_TENANT_ACME_1_OCPI_BACKEND_TOKEN: 'z' } };
    expect(await main(['check-config', file], io)).toBe(0);
    expect(io.out()).toContain("note: BRIDGE_OCPI_BACKEND_TOKEN is not read: with tenants, each tenant's is BRIDGE_TENANT_<ID>_OCPI_BACKEND_TOKEN");
    expect(io.out()).toContain('note: BRIDGE_TENANT_ACME1_OCPI_BACKEND_TOKEN is not read: it names no tenant of this configuration (acme-1, volt)');
    expect(io.out()).not.toContain('BRIDGE_TENANT_ACME_1_OCPI_BACKEND_TOKEN is not read');
  });

  it('commands on one tenant need --tenant when there are several, and refuse an unknown one', async () => {
    const file = yamlFile(
      `store: { path: '${join(mkdtempSync(join(tmpdir(), 'bridge-tenants-store-')), 'store.sqlite')}' }\ntenants:\n  - id: acme\n    ocpi: { countryCode: DE, partyId: ACM, roles: [EMSP], businessDetails: { name: Acme } }\n    oicp: { role: CPO, operatorId: DE*ACM }\n  - id: volt\n    ocpi: { countryCode: DE, partyId: VLT, roles: [CPO], businessDetails: { name: Volt } }\n    oicp: { role: EMP, providerId: DE-VLT }\n`,
    );
    const unsaid = captured();
    expect(await main(['outbox', 'list', '--config', file], unsaid)).toBe(2);
    expect(unsaid.err()).toContain('several tenants (acme, volt): say which with --tenant ID');
    const unknown = captured();
    expect(await main(['ocpi', 'parties', '--config', file, '--tenant', 'nope'], unknown)).toBe(2);
    expect(unknown.err()).toContain('no tenant nope in this configuration');
    // A tenant removed from the file keeps its rows: the outbox can still be read and settled.
    const removed = captured();
    expect(await main(['outbox', 'list', '--config', file, '--tenant', 'gone'], removed)).toBe(0);
    expect(removed.err()).toContain("note: no tenant gone in this configuration (it has acme, volt); reading its rows in the store");
    const said = captured();
    expect(await main(['outbox', 'list', '--config', file, '--tenant', 'volt'], said)).toBe(0);
    expect(said.out()).toContain('no outbox items match');
    expect(loadDeploymentFile(file, NO_ENV)).toHaveLength(2);
  });
});
