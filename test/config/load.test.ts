import { NO_RULES } from '../../src/mapping/rules';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, loadMappingRules, parseConfig } from '../../src/config/load';
import { sandboxConfig } from '../../src/config/sandbox';
import { envOverrides } from '../../src/config/schema';
import { problemsOf, yamlFile } from '../support/config-files';

const REPO = join(__dirname, '..', '..');
const NO_ENV = {};

/** A valid minimal configuration; tests change one thing at a time. */
const minimal = () => ({
  ocpi: { countryCode: 'DE', partyId: 'BRG', roles: ['EMSP'], businessDetails: { name: 'Bridge' } },
  oicp: { role: 'CPO', operatorId: 'DE*ABC' },
});



describe('configuration', () => {
  it('accepts the shipped example and completes it with defaults', () => {
    const config = loadConfigFile(join(REPO, 'bridge.example.yaml'), NO_ENV);
    expect(config.oicp).toMatchObject({ role: 'CPO', operatorId: 'DE*ABC', environment: 'qa', protocol: 'rest-2.3' });
    expect(config.outbox).toEqual({ maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 900000, jitter: 0.2, leaseMs: 60000, pollMs: 1000, concurrency: 16, retention: { deliveredHours: 24, keyedDeliveredDays: 90, everyMinutes: 60 } });
    expect(config.store).toEqual({ path: './data/bridge.sqlite', schema: 'public', poolSize: 10 });
    expect(config.mapping.operators['DE*ABC']).toMatchObject({ hotlinePhoneNumber: '+4930123456789', timeZone: 'Europe/Berlin' });
  });

  it('reads the example mapping rules file and names a wrong rule by its path', () => {
    expect(loadMappingRules(join(REPO, 'fixtures', 'mapping-rules.example.yaml')).status.toOcpi).toEqual({ OutOfService: 'OUTOFORDER' });
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'rules.yaml'), 'status:\n  toOicp:\n    BLOCKED: Parked\noperators:\n  "DE*ABC":\n    hotlinePhoneNumber: "030 123"\n');
    expect(() => loadMappingRules(join(dir, 'rules.yaml'))).toThrow(/operators\.DE\*ABC\.hotlinePhoneNumber: must match pattern[\s\S]*status\.toOicp\.BLOCKED: must be one of/);
  });

  it('takes a contracted tariff in OCPI form and names what is wrong in one by its path', () => {
    expect(loadMappingRules(join(REPO, 'fixtures', 'mapping-rules.example.yaml')).tariffs.contracted['DE*XYZ']).toMatchObject({ id: 'XYZ-CONTRACT', currency: 'EUR' });
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'rules.yaml'), 'tariffs:\n  contracted:\n    "*":\n      id: X\n      currency: EUR\n      elements: []\n      last_updated: "2026-01-01T00:00:00Z"\n');
    expect(() => loadMappingRules(join(dir, 'rules.yaml'))).toThrow(/tariffs\.contracted\.\*\.elements: must NOT have fewer than 1 items/);
  });

  it('fills every section default for a minimal file', () => {
    const config = parseConfig(minimal(), 'test', NO_ENV);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, bodyLimit: '1mb', shutdownTimeoutMs: 10000 });
    expect(config.log).toEqual({ level: 'info', format: 'json' });
    expect(config.ocpi.versions).toEqual(['2.2.1', '2.1.1']);
    // The schema's defaults and the mappers' "no rules" are the same thing.
    expect(config.mapping).toEqual(NO_RULES);
  });

  it('reports all three mistakes of a file, each with its path', () => {
    const problems = problemsOf(() => loadConfigFile(join(REPO, 'fixtures/config/three-mistakes.yaml'), NO_ENV));
    expect(problems).toEqual([
      { path: 'server.port', message: 'must be <= 65535 (got 70000)' },
      { path: 'oicp.protocl', message: expect.stringMatching(/^is not a known key/) },
      { path: 'log.level', message: 'must be one of "error", "warn", "info", "debug" (got "verbose")' },
    ]);
  });

  it('names missing sections and missing keys', () => {
    expect(problemsOf(() => parseConfig({}, 'test', NO_ENV))).toEqual([
      { path: 'ocpi', message: 'is required' },
      { path: 'oicp', message: 'is required' },
    ]);
    const { ocpi } = minimal();
    expect(problemsOf(() => parseConfig({ ocpi: { ...ocpi, partyId: undefined }, oicp: {} }, 'test', NO_ENV))).toEqual([
      { path: 'ocpi.partyId', message: 'is required' },
      { path: 'oicp.role', message: 'is required' },
    ]);
  });

  it.each([
    [{ oicp: { role: 'CPO' } }, 'oicp.operatorId', 'is required when oicp.role is CPO'],
    [{ oicp: { role: 'EMP', operatorId: 'DE*ABC' } }, 'oicp.providerId', 'is required when oicp.role is EMP'],
    [{ oicp: { role: 'CPO', operatorId: 'DE*ABC', environment: 'custom' } }, 'oicp.baseUrl', 'is required when oicp.environment is custom'],
    [{ oicp: { role: 'CPO', operatorId: 'DE*ABC', baseUrl: 'https://hub.test' } }, 'oicp.baseUrl', expect.stringContaining('only allowed with oicp.environment custom')],
    [{ server: { tls: { cert: 'c.pem', key: 'k.pem', requestClientCert: true } } }, 'server.tls.ca', expect.stringContaining('is required when server.tls.requestClientCert')],
    [{ outbox: { baseDelayMs: 5000, maxDelayMs: 1000 } }, 'outbox.baseDelayMs', 'must not exceed outbox.maxDelayMs (1000)'],
  ])('checks rules that span keys: %j', (change, path, message) => {
    expect(problemsOf(() => parseConfig({ ...minimal(), ...change }, 'test', NO_ENV))).toEqual([{ path, message }]);
  });

  it.each([
    ['CPO', 'operatorId', 'DE*ABC', true],
    ['CPO', 'operatorId', 'DEABC', true],
    ['CPO', 'operatorId', '+49*810', true],
    ['CPO', 'operatorId', '49*810', true],
    ['CPO', 'operatorId', 'DE**ABC', false],
    ['CPO', 'operatorId', 'DE*AB', false],
    ['EMP', 'providerId', 'DE-ICE', true],
    ['EMP', 'providerId', 'DE*ICE', true],
    ['EMP', 'providerId', 'DEICE', true],
    ['EMP', 'providerId', 'DE|ICE', false],
    ['EMP', 'providerId', 'D-ICE', false],
  ] as const)('role %s: validates %s %s by the OICP grammar (valid: %s)', (role, key, id, ok) => {
    const attempt = () => parseConfig({ ...minimal(), oicp: { role, [key]: id } }, 'test', NO_ENV);
    if (ok) expect(attempt().oicp[key]).toBe(id);
    else expect(problemsOf(attempt)).toEqual([{ path: `oicp.${key}`, message: expect.stringMatching(/^must match pattern/) }]);
  });

  it('lets the environment supply secrets, and never echoes them in a problem', () => {
    const env = {
      BRIDGE_OCPI_BACKEND_TOKEN: 'token-A-from-env',
      BRIDGE_STORE_URL: 'postgres://bridge:hunter2@db:5432/bridge',
    };
    const base = { ...minimal(), ocpi: { ...minimal().ocpi, backend: { versionsUrl: 'https://cpo.test/ocpi/versions' } } };
    const config = parseConfig(base, 'test', env);
    expect(config.ocpi.backend?.token).toBe('token-A-from-env');
    expect(config.store.url).toBe('postgres://bridge:hunter2@db:5432/bridge');

    const problems = problemsOf(() => parseConfig(base, 'test', { BRIDGE_OCPI_BACKEND_TOKEN: 'has a space', BRIDGE_STORE_URL: 'mysql://u:hunter2@x/y' }));
    expect(problems.map((p) => p.path)).toEqual(['store.url', 'ocpi.backend.token']);
    const text = JSON.stringify(problems);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('has a space');
  });

  it('documents exactly the environment overrides it applies', () => {
    expect(envOverrides().map((o) => `${o.env}=${o.path.join('.')}`)).toEqual([
      'BRIDGE_SERVER_TLS_PASSPHRASE=server.tls.passphrase',
      'BRIDGE_STORE_URL=store.url',
      'BRIDGE_OCPI_BACKEND_TOKEN=ocpi.backend.token',
      'BRIDGE_OICP_TLS_PASSPHRASE=oicp.tls.passphrase',
      'BRIDGE_ADMIN_TOKEN=admin.token',
    ]);
  });

  it('reports YAML syntax errors with their line, and duplicate keys', () => {
    const broken = problemsOf(() => loadConfigFile(yamlFile('server:\n  port: 1\n  host: [unclosed\n'), NO_ENV));
    expect(broken[0]).toEqual({ path: '(file)', message: expect.stringMatching(/^YAML line \d+, column \d+: /) });
    const duplicate = problemsOf(() => loadConfigFile(yamlFile('log:\n  level: info\nlog:\n  level: debug\n'), NO_ENV));
    expect(duplicate[0]!.message).toMatch(/unique/i);
  });

  it('explains a missing file and a file that is not a mapping', () => {
    expect(problemsOf(() => loadConfigFile('/nonexistent/bridge.yaml', NO_ENV))).toEqual([{ path: '(file)', message: 'file not found' }]);
    expect(problemsOf(() => loadConfigFile(yamlFile('- just\n- a list\n'), NO_ENV))).toEqual([
      { path: '(file)', message: expect.stringContaining('must be a mapping') },
    ]);
  });

  it('gives sandbox mode a valid local configuration that no environment secret changes', () => {
    const config = sandboxConfig({ BRIDGE_STORE_URL: 'postgres://prod-db/bridge' });
    expect(config.store.url).toBeUndefined();
    expect(config.store.path).toBe('./data/sandbox.sqlite');
    expect(config.server.host).toBe('127.0.0.1');
  });
});
