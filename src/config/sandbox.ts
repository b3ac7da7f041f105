import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadMappingRules, parseConfig, type TenantConfig } from './load';
import type { BridgeConfig } from './schema';

export const SANDBOX_HUB_PORT = 8081;

/**
 * What `npm start` runs with when no configuration file exists: everything local, nothing secret,
 * an embedded SQLite file of its own so a sandbox never touches a real store.
 */
export function sandboxConfig(env: NodeJS.ProcessEnv = process.env, role: 'CPO' | 'EMP' = 'CPO'): BridgeConfig {
  // EMP: the bridge is the CPO of the simulated eMSP (NL*SIM), whose ProviderID it uses toward Hubject.
  const emp = role === 'EMP';
  return parseConfig(
    {
      server: { host: '127.0.0.1', port: 8080 },
      store: { path: emp ? './data/sandbox-emp.sqlite' : './data/sandbox.sqlite' },
      ocpi: {
        countryCode: 'DE',
        partyId: 'BRG',
        roles: [emp ? 'CPO' : 'EMSP'],
        businessDetails: { name: 'ocpi-oicp-bridge sandbox' },
      },
      // The simulated CPO's network is the official OCPI example, whose EVSEs are BE*BEC's: the bridge
      // speaks to Hubject as that operator. OCPI does not say how drivers authenticate and pay: the
      // example rules do.
      mapping: loadMappingRules(join(__dirname, '..', '..', 'fixtures', 'mapping-rules.example.yaml')),
      // The built-in Hubject simulator listens beside the bridge and calls it over plain HTTP.
      oicp: {
        ...(emp ? { role: 'EMP', providerId: 'NL-SIM' } : { role: 'CPO', operatorId: 'BE*BEC' }),
        environment: 'custom',
        baseUrl: `http://127.0.0.1:${SANDBOX_HUB_PORT}`,
        inbound: { callerCheck: 'trusted-network' },
      },
      log: { level: 'info', format: 'text' },
      // The operator console on a free port, with a token made for this run (printed with the URL).
      admin: { port: 0, token: randomBytes(18).toString('base64url') },
    },
    'sandbox defaults',
    // Secret overrides are for real deployments; a sandbox must behave the same on every machine.
    Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('BRIDGE_'))),
  );
}

/**
 * `--tenants 2`: the CPO scenario (tenant `cpo`) and the eMSP scenario (tenant `emp`) in one bridge,
 * sharing its listener, its store (a file of their own) and its console.
 */
export function sandboxTenants(env: NodeJS.ProcessEnv = process.env): TenantConfig[] {
  const cpo = sandboxConfig(env, 'CPO');
  const emp = sandboxConfig(env, 'EMP');
  const shared = { store: { ...cpo.store, path: './data/sandbox-tenants.sqlite' }, admin: cpo.admin };
  return [
    { id: 'cpo', config: { ...cpo, ...shared } },
    { id: 'emp', config: { ...emp, ...shared } },
  ];
}
