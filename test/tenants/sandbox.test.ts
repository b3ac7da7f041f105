/**
 * `serve --sandbox --tenants 2` (issue 24): the CPO and the eMSP scenario as two tenants of one
 * bridge process, each under its prefix, each with its own backend simulator, one Hubject simulator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runTs } from '../support/child';

it('runs both scenarios as tenants cpo and emp, each registered at its prefix, and stops cleanly', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bridge-sandbox-tenants-'));
  const child = runTs(CLI, ['serve', '--sandbox', '--tenants', '2', '--port', '0', '--hub-port', '0'], { cwd });
  try {
    const [, cpoUrl] = await child.waitFor(/sandbox mode, tenant cpo \(its routes under (http:\/\/127\.0\.0\.1:\d+\/tenants\/cpo)\)/);
    const [, empUrl] = await child.waitFor(/sandbox mode, tenant emp \(its routes under (http:\/\/127\.0\.0\.1:\d+\/tenants\/emp)\)/);
    // Each backend registered with its own tenant (the handshake reads the tenant's versions back).
    expect(child.output()).toMatch(/OCPI backend backend: registered OCPI 2\.2\.1 — CPO NL\*SIM — /);
    expect(child.output()).toMatch(/OCPI backend backend: registered OCPI 2\.2\.1 — EMSP NL\*SIM — /);
    // The CPO tenant pushes its network as BE*BEC; the eMSP tenant's driver charges at the CPO behind the hub.
    await child.waitFor(/OICP REST {2}bridge -> Hubject: PushEvseData update \(2 records\) => 000 Success/);
    await child.waitFor(/OICP REST {2}Hubject -> bridge \(for DE\*XYZ\): AuthorizeStart => Authorized 000 Success/);
    // The simulated CPO's own pushes are not the bridge's.
    expect(child.output()).toMatch(/OICP REST {2}CPO partner -> Hubject: PushEvseData fullLoad \(4 records\)/);
    expect(child.output()).not.toMatch(/bridge -> Hubject: PushEvseData fullLoad \(4 records\)/);
    // Without a token the tenants' OCPI routes refuse; a tenant the sandbox does not run is a 404.
    expect((await fetch(`${cpoUrl!}/ocpi/versions`)).status).toBe(401);
    expect((await fetch(`${empUrl!}/ocpi/versions`)).status).toBe(401);
    expect((await fetch(`${cpoUrl!.replace('/tenants/cpo', '/tenants/other')}/ocpi/versions`)).status).toBe(404);
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  } finally {
    child.process.kill('SIGKILL');
  }
}, 60_000);
