import { SANDBOX_HUB_PORT } from '../config/sandbox';
import { createLogger } from '../observability/logger';
import { OICP_BASE_PATH, type OicpRole } from '../oicp/wire/operations';
import { LATEST_RELEASE, type SoapRelease } from '../oicp/wire/soap-services';
import { startHubjectSimulator, type HubPartner, type RunningHubjectSimulator } from '../simulator/hubject';
import { startOcpiBackend, type RunningOcpiBackend } from '../simulator/ocpi-backend';
import { SIMULATED_OPERATOR } from '../simulator/oicp-cpo';
import { command, describeParty, EXIT, portOption, untilSignal, UsageError, type CliIo, type OptionValues } from './common';
import { SIMULATED_BACKENDS, startSandboxCpo } from './sandbox';

const options = {
  host: { type: 'string', value: 'H', help: 'The address to listen on (default 127.0.0.1).' },
  port: { type: 'string', value: 'N', help: `The port to listen on (hubject: default ${SANDBOX_HUB_PORT}; ocpi-*: default 0, a free one).` },
  partner: { type: 'string', multiple: true, value: 'ROLE:ID=URL', help: 'hubject: a partner the hub forwards to, e.g. CPO:DE*ABC=https://cpo:9443 (soap+https:// for SOAP 2.2, soap2.0+ or soap2.1+ for older releases).' },
  'with-cpo': { type: 'boolean', help: "hubject: a simulated OICP CPO (DE*XYZ) behind the hub publishes four EVSEs, their statuses and pricing, as in the sandbox's EMP scenario." },
  'tls-cert': { type: 'string', value: 'FILE', help: 'hubject: the certificate it presents (with --tls-key and --tls-ca: mutual TLS).' },
  'tls-key': { type: 'string', value: 'FILE', help: "hubject: that certificate's private key." },
  'tls-ca': { type: 'string', value: 'FILE', help: 'hubject: the CA its clients must present certificates from.' },
  'register-with': { type: 'string', value: 'URL', help: "ocpi-*: the bridge's versions URL to register with (with --token)." },
  token: { type: 'string', value: 'A', help: "ocpi-*: the bridge's token A for --register-with." },
} as const;

type Options = OptionValues<typeof options>;

export const simulate = command({
  name: 'simulate',
  usage: `  simulate hubject [--host H] [--port N] [--partner ROLE:ID=URL ...] [--with-cpo]
                   [--tls-cert FILE --tls-key FILE --tls-ca FILE]
        Run the Hubject simulator alone: every OICP operation of the hub side (2.3 REST under
        /api/oicp, 2.x SOAP under /ws), forwarding partner-served calls to the --partner URLs
        (e.g. CPO:DE*ABC=https://cpo.test:9443; soap+https://... for a SOAP 2.2 partner,
        soap2.0+https://... or soap2.1+https://... for one on an older release). With
        the TLS files it speaks HTTPS, demands client certificates from --tls-ca and compares path
        ids with the certificate's CN (017), and presents --tls-cert when calling partners.
        Traffic: GET /simulator/traffic.
  simulate ocpi-cpo|ocpi-emsp [--host H] [--port N] [--register-with URL --token A]
        Run an OCPI backend simulator (a CPO or an eMSP platform, OCPI 2.1.1 and 2.2.1). It prints
        its versions URL and a registration token (token A) for the bridge: give both to
        \`ocpi register\`. With --register-with (the bridge's versions URL) and the bridge's
        token A it registers with the bridge itself.
`,
  options,
  run(values, positionals, io) {
    const [name] = positionals;
    if (positionals.length === 1 && (name === 'ocpi-cpo' || name === 'ocpi-emsp')) return simulateOcpiBackend(name === 'ocpi-cpo' ? 'CPO' : 'EMSP', values, io);
    if (name !== 'hubject' || positionals.length > 1) throw new UsageError(`simulate takes one simulator name: hubject, ocpi-cpo or ocpi-emsp (got ${positionals.join(' ') || 'none'})`);
    return simulateHubject(values, io);
  },
});

/** `ROLE:ID=URL`; a URL scheme `soap+` (2.2) or `soap2.0+`/`soap2.1+`/`soap2.2+` makes a SOAP partner of that release. */
const PARTNER = /^(CPO|EMP):([^=]+)=(?:soap(2\.[012])?(\+))?(https?:\/\/\S+)$/;

async function simulateHubject(options: Options, io: CliIo): Promise<number> {
  const port = portOption('--port', options.port);
  const partners: HubPartner[] = [];
  for (const text of options.partner ?? []) {
    const match = PARTNER.exec(text);
    if (!match) throw new UsageError(`--partner must look like CPO:DE*ABC=https://host:port or EMP:DE-XYZ=soap+https://host:port (soap2.0+, soap2.1+ for older SOAP releases; got ${text})`);
    const [, role, id, release, soap, url] = match;
    partners.push({ role: role as OicpRole, id: id!, url, ...(soap ? { wire: 'soap' as const, soapRelease: (release ?? LATEST_RELEASE) as SoapRelease } : { wire: 'rest' as const }) });
  }
  const { 'tls-cert': cert, 'tls-key': key, 'tls-ca': ca } = options;
  const given = [cert, key, ca].filter((f) => f !== undefined).length;
  if (given !== 0 && given !== 3) throw new UsageError('--tls-cert, --tls-key and --tls-ca go together');
  // The simulated CPO calls the hub over plain HTTP, as in the sandbox.
  if (options['with-cpo'] && given === 3) throw new UsageError('--with-cpo runs without the TLS files');
  const logger = createLogger({ level: 'info', format: 'text' });
  let hub: RunningHubjectSimulator;
  try {
    hub = await startHubjectSimulator({ logger, partners, host: options.host ?? '127.0.0.1', port: port ?? SANDBOX_HUB_PORT, tls: cert && key && ca ? { cert, key, ca } : undefined });
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: cannot start the Hubject simulator: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  let cpo: Awaited<ReturnType<typeof startSandboxCpo>> | undefined;
  try {
    if (options['with-cpo']) cpo = await startSandboxCpo(hub, logger);
  } catch (err) {
    await hub.close();
    io.stderr.write(`ocpi-oicp-bridge: cannot start the simulated CPO: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  io.stdout.write(
    [
      `Hubject simulator listening on ${hub.url}${OICP_BASE_PATH} (${cert ? 'mutual TLS' : 'plain HTTP, no certificates'})`,
      ...partners.map((p) => `  partner ${p.role} ${p.id} at ${p.url ?? ''} (${p.wire === 'soap' ? `soap ${p.soapRelease ?? LATEST_RELEASE}` : 'rest'})`),
      ...(cpo ? [`  behind it: CPO ${SIMULATED_OPERATOR.OperatorID} with EVSEs ${cpo.evseIds.join(', ')}, their statuses and pricing`] : []),
      `  traffic: GET ${hub.url}/simulator/traffic`,
      '',
    ].join('\n'),
  );
  return untilSignal(async () => {
    await cpo?.close();
    await hub.close();
  }, logger);
}

/** A backend simulator for the bridge to register with; or, given the bridge's versions URL and token A, one that registers itself. */
async function simulateOcpiBackend(role: 'CPO' | 'EMSP', options: Options, io: CliIo): Promise<number> {
  const port = portOption('--port', options.port);
  const registerWith = options['register-with'];
  if ((registerWith === undefined) !== (options.token === undefined)) throw new UsageError('--register-with and --token go together');
  const logger = createLogger({ level: 'info', format: 'text' });
  let sim: RunningOcpiBackend;
  try {
    sim = await startOcpiBackend({ ...SIMULATED_BACKENDS[role], logger, host: options.host ?? '127.0.0.1', port: port ?? 0 });
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: cannot start the OCPI backend simulator: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  const { backend } = sim;
  const lines = [`OCPI ${role} backend simulator listening; versions URL ${backend.versionsUrl()}`];
  if (registerWith !== undefined) {
    try {
      const party = await backend.registration.register('bridge', registerWith, options.token!);
      lines.push(`  registered with the bridge: ${describeParty(party)}`);
      const { pushed, failed } = await backend.pushAll('bridge');
      lines.push(`  pushed ${pushed} object(s) to the modules the bridge receives${failed.length > 0 ? `; refused: ${failed.join('; ')}` : ''}`);
    } catch (err) {
      io.stderr.write(`ocpi-oicp-bridge: registration with ${registerWith} failed: ${(err as Error).message}\n`);
      await sim.close();
      return EXIT.failure;
    }
  } else {
    lines.push(`  token A for the bridge: ${await backend.registration.offer('bridge')}`, `  register: ocpi-oicp-bridge ocpi register --versions-url ${backend.versionsUrl()} --token <token A>`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return untilSignal(() => sim.close(), logger);
}
