#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile, loadMappingRules } from './config/load';
import { SANDBOX_HUB_PORT, sandboxConfig } from './config/sandbox';
import { ocpiTraceLine, oicpTraceLine } from './simulator/trace';
import type { BridgeConfig } from './config/schema';
import { createLogger, type Logger } from './observability/logger';
import { OICP_BASE_PATH, type OicpRole } from './oicp/wire/operations';
import { startHubjectSimulator, type HubPartner, type RunningHubjectSimulator } from './simulator/hubject';
import { operatorIdToParty } from './mapping/identifiers';
import { NO_RULES } from './mapping/rules';
import { startBridge, type RunningBridge } from './runtime';
import { findPair, KINDS, PAIRS, translate } from './translate';
import type { Static, TSchema } from '@sinclair/typebox';
import { Location as LocationSchema, Tariff as TariffSchema } from './ocpi/wire/schemas';
import { check } from './core/typebox';
import { BACKEND_PARTY, ocpiSide, publicUrlOf } from './ocpi';
import { RegistrationFailed } from './ocpi/registration';
import { versionsUrl } from './ocpi/endpoints';
import { startOcpiBackend, type RunningOcpiBackend } from './simulator/ocpi-backend';
import { SIMULATED_OPERATOR, createOicpCpoSimulator, type OicpCpoSimulator } from './simulator/oicp-cpo';
import { startServer } from './server';
import { openStore, type OutboxItem } from './store';
import { discardItem, listHeld, listItems, requeueAllDead, requeueItem, showItem, type ActionOutcome } from './admin/outbox';
import type { OcpiParty } from './store/credentials';

/** Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const DEFAULT_CONFIG = 'bridge.yaml';

const USAGE = `Usage: ocpi-oicp-bridge <command> [options]

Commands:
  serve [--config FILE] [--sandbox] [--role cpo|emp] [--port N] [--hub-port N]
        Run the bridge. Without --config it reads ./${DEFAULT_CONFIG}; when that file does not
        exist (or with --sandbox) it runs in sandbox mode: local SQLite, no secrets needed, and
        the built-in Hubject simulator on 127.0.0.1:${SANDBOX_HUB_PORT} (--hub-port; 0 picks a free one).
        --role: the sandbox's scenario, a CPO backend roaming through Hubject (cpo, default) or an
        eMSP backend (emp: a simulated CPO behind Hubject, a driver charging with a backend card).
  simulate hubject [--host H] [--port N] [--partner ROLE:ID=URL ...]
                   [--tls-cert FILE --tls-key FILE --tls-ca FILE]
        Run the Hubject simulator alone: every OICP operation of the hub side (2.3 REST under
        /api/oicp, 2.x SOAP under /ws), forwarding partner-served calls to the --partner URLs
        (e.g. CPO:DE*ABC=https://cpo.test:9443; soap+https://... for a SOAP partner). With
        the TLS files it speaks HTTPS, demands client certificates from --tls-ca and compares path
        ids with the certificate's CN (017), and presents --tls-cert when calling partners.
        Traffic: GET /simulator/traffic.
  simulate ocpi-cpo|ocpi-emsp [--host H] [--port N] [--register-with URL --token A]
        Run an OCPI backend simulator (a CPO or an eMSP platform, OCPI 2.1.1 and 2.2.1). It prints
        its versions URL and a registration token (token A) for the bridge: give both to
        \`ocpi register\`. With --register-with (the bridge's versions URL) and the bridge's
        token A it registers with the bridge itself.
  ocpi token-a [--party NAME] [--config FILE]
        Issue a one-time registration token (token A) for a backend to register with the bridge.
  ocpi register [--versions-url URL --token A] [--party NAME] [--config FILE]
        Register with a backend (default: ocpi.backend of the configuration). The bridge must be
        running: the backend reads our versions back during the handshake. A token that
        starts with "-" is given as --token=VALUE.
  ocpi update|unregister [--party NAME] [--config FILE]
        Rotate the tokens (and move to the highest common version), or unregister.
  ocpi parties [--config FILE]
        List the OCPI parties: registration state, version, roles, endpoints.
        --party defaults to "${BACKEND_PARTY}"; without --config the ocpi commands use ./${DEFAULT_CONFIG}
        or, when that does not exist, the sandbox's store.
  outbox list [--dead|--pending] [--topic T] [--limit N] [--after ID] [--config FILE]
  outbox show ID | requeue ID | requeue --all-dead [--topic T] | discard ID --reason TEXT
  outbox held [--kind location|evse|...]
        What is waiting or stuck in the configured store: outbox items (the messages to Hubject or
        the backend) with their attempts and last error; a dead letter can be requeued or discarded
        (the reason is kept); \`held\` lists what was accepted but is held back, and why.
  check-config FILE
        Validate a configuration file; prints every problem with its path (exit 2 if any).
  translate --from KIND --to KIND [--rules FILE] [--party CC*PID] [--at TIME] [--tariff FILE]
            [--location FILE] [--session-id ID] [--response-url URL] [FILE|-]
        Translate one JSON document (FILE, or standard input) between OCPI and OICP. The result goes
        to standard output, one JSON line per finding (loss, default, invalid) to standard error.
        Exit 1 when the input breaks its specification. --rules: mapping rules (YAML, the mapping
        section of bridge.yaml); --party: owner of OCPI 2.1.1 objects, or the eMSP of OICP
        identifications; --at: the instant used for time zone offsets and missing timestamps
        (default now); --tariff, --location: the OCPI 2.2.1 tariff and cached location a session
        or CDR needs (OICP carries neither price nor address); --session-id: Hubject's SessionID
        of the session; --response-url: where the CPO posts a command's result.
  translate --list
        Print every supported pair of kinds.

Options:
  -h, --help       Show this help.
  -v, --version    Print the version.

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
`;

export interface CliIo {
  stdout: Pick<NodeJS.WritableStream, 'write'>;
  stderr: Pick<NodeJS.WritableStream, 'write'>;
  env: NodeJS.ProcessEnv;
}

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export function version(): string {
  // Read at run time: the same relative path holds from src/ (tsx) and from dist/ (built).
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        sandbox: { type: 'boolean' },
        port: { type: 'string' },
        'hub-port': { type: 'string' },
        role: { type: 'string' },
        host: { type: 'string' },
        partner: { type: 'string', multiple: true },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        rules: { type: 'string' },
        party: { type: 'string' },
        at: { type: 'string' },
        tariff: { type: 'string' },
        location: { type: 'string' },
        'session-id': { type: 'string' },
        'response-url': { type: 'string' },
        'versions-url': { type: 'string' },
        token: { type: 'string' },
        'register-with': { type: 'string' },
        list: { type: 'boolean' },
        dead: { type: 'boolean' },
        pending: { type: 'boolean' },
        topic: { type: 'string' },
        limit: { type: 'string' },
        after: { type: 'string' },
        'all-dead': { type: 'boolean' },
        reason: { type: 'string' },
        kind: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    return usageError(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (values.help || command === undefined || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  switch (command) {
    case 'check-config':
      if (rest.length !== 1) return usageError(io, 'check-config takes exactly one FILE');
      return checkConfig(rest[0]!, io);
    case 'serve':
      if (rest.length > 0) return usageError(io, `serve takes no positional arguments (got ${rest.join(' ')})`);
      return serve({ config: values.config, sandbox: values.sandbox === true, port: values.port, hubPort: values['hub-port'], role: values.role }, io);
    case 'simulate':
      if (rest.length === 1 && (rest[0] === 'ocpi-cpo' || rest[0] === 'ocpi-emsp')) {
        return simulateOcpiBackend({ role: rest[0] === 'ocpi-cpo' ? 'CPO' : 'EMSP', host: values.host, port: values.port, registerWith: values['register-with'], token: values.token }, io);
      }
      if (rest[0] !== 'hubject' || rest.length > 1) return usageError(io, `simulate takes one simulator name: hubject, ocpi-cpo or ocpi-emsp (got ${rest.join(' ') || 'none'})`);
      return simulateHubject(
        { host: values.host, port: values.port, partners: values.partner ?? [], tls: { cert: values['tls-cert'], key: values['tls-key'], ca: values['tls-ca'] } },
        io,
      );
    case 'translate':
      return translateCommand(values, rest, io);
    case 'ocpi':
      return ocpiCommand(rest, { config: values.config, party: values.party, versionsUrl: values['versions-url'], token: values.token }, io);
    case 'outbox':
      return outboxCommand(rest, values, io);
    default:
      return usageError(io, `unknown command "${command}"`);
  }
}

async function translateCommand(
  options: {
    from?: string;
    to?: string;
    rules?: string;
    party?: string;
    at?: string;
    tariff?: string;
    location?: string;
    'session-id'?: string;
    'response-url'?: string;
    list?: boolean;
  },
  files: string[],
  io: CliIo,
): Promise<number> {
  if (options.list) {
    const width = Math.max(...PAIRS.map((p) => `${p.from} -> ${p.to}`.length));
    for (const pair of PAIRS) io.stdout.write(`${`${pair.from} -> ${pair.to}`.padEnd(width)}  ${pair.description}\n`);
    return EXIT.ok;
  }
  if (options.from === undefined || options.to === undefined) return usageError(io, 'translate needs --from KIND and --to KIND (see translate --list)');
  const pair = findPair(options.from, options.to);
  if (!pair) {
    const unknown = [options.from, options.to].filter((kind) => !(KINDS as readonly string[]).includes(kind));
    return usageError(io, unknown.length > 0 ? `unknown kind ${unknown.join(', ')} (kinds: ${KINDS.join(', ')})` : `no translation from ${options.from} to ${options.to} (see translate --list)`);
  }
  if (files.length > 1) return usageError(io, 'translate reads one FILE (or - for standard input)');
  const now = options.at === undefined ? new Date() : new Date(options.at);
  if (Number.isNaN(now.getTime())) return usageError(io, `--at must be an ISO 8601 date and time (got ${options.at})`);
  let party;
  if (options.party !== undefined) {
    party = operatorIdToParty(options.party).value;
    if (!party) return usageError(io, `--party must be an ISO OperatorID such as NL*TNM (got ${options.party})`);
  }
  let rules = NO_RULES;
  try {
    if (options.rules !== undefined) rules = loadMappingRules(options.rules);
  } catch (err) {
    return reportConfigError(io, err);
  }
  const file = files[0] ?? '-';
  let input: unknown;
  try {
    input = JSON.parse(file === '-' ? await readStdin() : readFileSync(file, 'utf8'));
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: cannot read ${file === '-' ? 'standard input' : file}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  const tariff = options.tariff === undefined ? undefined : readContext(options.tariff, TariffSchema, '--tariff', io);
  const location = options.location === undefined ? undefined : readContext(options.location, LocationSchema, '--location', io);
  if (tariff === null || location === null) return EXIT.usage;
  const result = translate(pair, input, { rules, now, party, tariff, location, sessionId: options['session-id'], responseUrl: options['response-url'] });
  for (const finding of result.findings) io.stderr.write(`${JSON.stringify(finding)}\n`);
  if (result.value !== undefined) io.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
  return result.refused ? EXIT.failure : EXIT.ok;
}

/** A context document (--tariff, --location): valid OCPI 2.2.1, else null after saying what is wrong. */
function readContext<S extends TSchema>(file: string, schema: S, flag: string, io: CliIo): Static<S> | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: ${flag}: cannot read ${file}: ${(err as Error).message}\n`);
    return null;
  }
  const checked = check(schema, data);
  if (checked.findings.length === 0) return checked.value;
  for (const finding of checked.findings) io.stderr.write(`ocpi-oicp-bridge: ${flag} ${file}: ${finding.path} ${finding.message}\n`);
  return null;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`ocpi-oicp-bridge: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

function reportConfigError(io: CliIo, err: unknown): number {
  if (!(err instanceof ConfigError)) throw err;
  io.stderr.write(`${err.message}\n`);
  return EXIT.usage;
}

function checkConfig(file: string, io: CliIo): number {
  try {
    const config = loadConfigFile(file, io.env);
    io.stdout.write(`${file}: OK — ${summary(config)}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportConfigError(io, err);
  }
}

function summary(config: BridgeConfig): string {
  const { oicp, store, server } = config;
  const party = oicp.role === 'CPO' ? oicp.operatorId : oicp.providerId;
  const hub = oicp.environment === 'custom' ? oicp.baseUrl : oicp.environment;
  const storage = store.url ? `PostgreSQL (schema ${store.schema})` : `SQLite ${store.path}`;
  return `OICP ${oicp.role} ${party} over ${oicp.protocol} to ${hub}; OCPI ${config.ocpi.countryCode}*${config.ocpi.partyId} ${config.ocpi.versions.join('/')}; store ${storage}; listening on ${server.host}:${server.port}`;
}

const inSandbox = (options: { config?: string; sandbox?: boolean }) => options.sandbox === true || (options.config === undefined && !existsSync(DEFAULT_CONFIG));

/** The configuration file (--config, else ./bridge.yaml), or the sandbox's when there is none: the config, or an exit code after saying why not. */
function resolveConfig(options: { config?: string; sandbox?: boolean; role?: string }, io: CliIo): { config: BridgeConfig; sandbox: boolean } | number {
  const sandbox = inSandbox(options);
  try {
    return { config: sandbox ? sandboxConfig(io.env, options.role === 'emp' ? 'EMP' : 'CPO') : loadConfigFile(options.config ?? DEFAULT_CONFIG, io.env), sandbox };
  } catch (err) {
    return reportConfigError(io, err);
  }
}

/** A TCP port option: undefined when absent, NaN when not a port. */
function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : NaN;
}

async function serve(options: { config?: string; sandbox: boolean; port?: string; hubPort?: string; role?: string }, io: CliIo): Promise<number> {
  const port = portOption(options.port);
  if (Number.isNaN(port)) return usageError(io, `--port must be a whole number from 0 to 65535 (got ${options.port})`);
  const hubPort = portOption(options.hubPort);
  if (Number.isNaN(hubPort)) return usageError(io, `--hub-port must be a whole number from 0 to 65535 (got ${options.hubPort})`);
  if (options.sandbox && options.config) return usageError(io, '--sandbox and --config exclude each other');
  if (hubPort !== undefined && !inSandbox(options)) return usageError(io, '--hub-port is for sandbox mode, where the Hubject simulator runs beside the bridge');
  if (options.role !== undefined && options.role !== 'cpo' && options.role !== 'emp') return usageError(io, `--role must be cpo or emp (got ${options.role})`);
  if (options.role !== undefined && !inSandbox(options)) return usageError(io, '--role chooses the sandbox scenario; a configuration file sets oicp.role');
  const resolved = resolveConfig(options, io);
  if (typeof resolved === 'number') return resolved;
  const { config, sandbox } = resolved;
  if (port !== undefined) config.server.port = port;

  const logger = createLogger(config.log);
  if (sandbox) logger.info(options.sandbox ? 'sandbox mode (--sandbox)' : `sandbox mode: no ${DEFAULT_CONFIG} here`);
  const stack: { close(): Promise<void> }[] = [];
  try {
    if (sandbox) {
      // The trace: every exchange the simulators see, one line each, beside the bridge's log.
      const hub = await startHubjectSimulator({ logger, host: '127.0.0.1', port: hubPort ?? SANDBOX_HUB_PORT, onTraffic: (entry) => io.stdout.write(`${oicpTraceLine(entry, config.oicp.role)}\n`) });
      stack.push(hub);
      config.oicp.baseUrl = hub.url;
      // EMP: a CPO behind the hub with a small network (the official example, re-keyed), published before the bridge's first pull.
      const cpo = config.oicp.role === 'EMP' ? await startSandboxCpo(hub, logger) : undefined;
      if (cpo) stack.unshift(cpo);
      const bridge = await startBridge(config, logger);
      stack.unshift({ close: () => bridge.stop() });
      // The hub learns where its partner listens once the bridge has a port.
      hub.simulator.partners.push({ role: config.oicp.role, id: config.oicp.operatorId ?? config.oicp.providerId ?? '', url: bridge.url });
      const backend = await startOcpiBackend({ ...SIMULATED_BACKENDS[config.ocpi.roles.includes('CPO') ? 'EMSP' : 'CPO'], logger, host: '127.0.0.1', port: 0 });
      stack.unshift(backend);
      const registered = await registerSandboxBackend(bridge, backend);
      io.stdout.write(sandboxBanner(config, bridge.url, bridge.store.location, hub.url, registered));
      // As a backend does after registering: it pushes its own objects (a CPO its locations and tariffs, an eMSP its tokens), and the flows run.
      await backend.backend.pushAll('bridge', (push) => io.stdout.write(`${ocpiTraceLine(push)}\n`));
      // In the background: Ctrl+C must stop the sandbox even while the scenario runs.
      if (cpo) void empSandboxDrive(bridge, cpo).catch((err: unknown) => logger.error('sandbox EMP scenario failed', { error: err }));
    } else {
      const bridge = await startBridge(config, logger);
      stack.push({ close: () => bridge.stop() });
    }
  } catch (err) {
    logger.error('cannot start', { error: err });
    io.stderr.write(`ocpi-oicp-bridge: cannot start: ${(err as Error).message}\n`);
    await closeAll(stack);
    return EXIT.failure;
  }
  return untilSignal(() => closeAll(stack), logger);
}

async function closeAll(stack: { close(): Promise<void> }[]): Promise<void> {
  for (const item of stack) await item.close();
}

/** Runs until SIGTERM/SIGINT, then stops gracefully: exit 0, or 1 when stopping failed. */
function untilSignal(stop: () => Promise<void>, logger: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info('signal received', { signal });
      stop().then(
        () => resolve(EXIT.ok),
        (err: unknown) => {
          logger.error('shutdown failed', { error: err });
          resolve(EXIT.failure);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

const PARTNER = /^(CPO|EMP):([^=]+)=((?:soap\+)?https?:\/\/\S+)$/;

async function simulateHubject(
  options: { host?: string; port?: string; partners: string[]; tls: { cert?: string; key?: string; ca?: string } },
  io: CliIo,
): Promise<number> {
  const port = portOption(options.port);
  if (Number.isNaN(port)) return usageError(io, `--port must be a whole number from 0 to 65535 (got ${options.port})`);
  const partners: HubPartner[] = [];
  for (const text of options.partners) {
    const match = PARTNER.exec(text);
    if (!match) return usageError(io, `--partner must look like CPO:DE*ABC=https://host:port or EMP:DE-XYZ=soap+https://host:port (got ${text})`);
    // `soap+https://...` registers a partner the hub calls in OICP 2.x SOAP.
    const soap = match[3]!.startsWith('soap+');
    partners.push({ role: match[1] as OicpRole, id: match[2]!, url: soap ? match[3]!.slice('soap+'.length) : match[3], wire: soap ? 'soap' : 'rest' });
  }
  const { cert, key, ca } = options.tls;
  const given = [cert, key, ca].filter((f) => f !== undefined).length;
  if (given !== 0 && given !== 3) return usageError(io, '--tls-cert, --tls-key and --tls-ca go together');
  const logger = createLogger({ level: 'info', format: 'text' });
  let hub: RunningHubjectSimulator;
  try {
    hub = await startHubjectSimulator({ logger, partners, host: options.host ?? '127.0.0.1', port: port ?? SANDBOX_HUB_PORT, tls: cert && key && ca ? { cert, key, ca } : undefined });
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: cannot start the Hubject simulator: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  io.stdout.write(
    [
      `Hubject simulator listening on ${hub.url}${OICP_BASE_PATH} (${cert ? 'mutual TLS' : 'plain HTTP, no certificates'})`,
      ...partners.map((p) => `  partner ${p.role} ${p.id} at ${p.url ?? ''} (${p.wire ?? 'rest'})`),
      `  traffic: GET ${hub.url}/simulator/traffic`,
      '',
    ].join('\n'),
  );
  return untilSignal(() => hub.close(), logger);
}

/**
 * The OCPI admin commands, on the store the configuration names (shared with the running bridge:
 * a token issued here is one the bridge accepts).
 */
async function ocpiCommand(rest: string[], options: { config?: string; party?: string; versionsUrl?: string; token?: string }, io: CliIo): Promise<number> {
  const [action, ...extra] = rest;
  const actions = ['token-a', 'register', 'update', 'unregister', 'parties'];
  if (action === undefined || !actions.includes(action) || extra.length > 0) return usageError(io, `ocpi takes one of ${actions.join(', ')} (got ${rest.join(' ') || 'none'})`);
  const resolved = resolveConfig(options, io);
  if (typeof resolved === 'number') return resolved;
  const { config } = resolved;
  const party = options.party ?? BACKEND_PARTY;
  const target = options.versionsUrl ?? config.ocpi.backend?.versionsUrl;
  const tokenA = options.token ?? config.ocpi.backend?.token;
  if (action === 'register' && (target === undefined || tokenA === undefined)) return usageError(io, 'ocpi register needs --versions-url and --token (or ocpi.backend.versionsUrl and token in the configuration)');
  // The commands speak for themselves on stdout; the log only carries warnings.
  const logger = createLogger({ ...config.log, level: 'warn' });
  let store;
  try {
    store = await openStore(config.store, config.outbox);
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  const publicUrl = publicUrlOf(config, `${config.server.tls ? 'https' : 'http'}://${config.server.host}:${config.server.port}`);
  const { registration } = ocpiSide({ ocpi: config.ocpi, bodyLimit: config.server.bodyLimit, store, logger, publicUrl: () => publicUrl });
  try {
    switch (action) {
      case 'token-a':
        io.stdout.write(`token A for ${party}: ${await registration.offer(party)}\nour versions URL: ${versionsUrl(publicUrl)}\nGive both to the backend; the token works once.\n`);
        break;
      case 'register':
        io.stdout.write(`${describeParty(await registration.register(party, target!, tokenA!))}\n`);
        break;
      case 'update':
        io.stdout.write(`${describeParty(await registration.update(party))}\n`);
        break;
      case 'unregister': {
        const outcome = await registration.unregister(party);
        io.stdout.write(`${party} unregistered${outcome.peerAnswered ? '' : ` here; the peer was not told (${outcome.message ?? ''})`}\n`);
        break;
      }
      default: {
        const parties = await store.parties.list();
        io.stdout.write(parties.length === 0 ? 'no OCPI parties yet (ocpi token-a or ocpi register)\n' : `${parties.map(describeParty).join('\n')}\n`);
      }
    }
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof RegistrationFailed)) throw err;
    io.stderr.write(`ocpi-oicp-bridge: ${err.message}\n`);
    return EXIT.failure;
  } finally {
    await store.close();
  }
}

async function outboxCommand(
  rest: string[],
  options: { config?: string; dead?: boolean; pending?: boolean; topic?: string; limit?: string; after?: string; 'all-dead'?: boolean; reason?: string; kind?: string },
  io: CliIo,
): Promise<number> {
  const [action, id, ...extra] = rest;
  const actions = ['list', 'show', 'requeue', 'discard', 'held'];
  if (action === undefined || !actions.includes(action) || extra.length > 0) return usageError(io, `outbox takes one of ${actions.join(', ')} (got ${rest.join(' ') || 'none'})`);
  const needsId = action === 'show' || action === 'discard' || (action === 'requeue' && !options['all-dead']);
  const itemId = Number(id);
  if (needsId && !(Number.isInteger(itemId) && itemId > 0)) return usageError(io, `outbox ${action} takes an item id (a positive number)`);
  if (!needsId && id !== undefined) return usageError(io, `outbox ${action} takes no id`);
  if (action === 'discard' && !options.reason) return usageError(io, 'outbox discard needs --reason TEXT: it is kept with the item');
  if (options.dead && options.pending) return usageError(io, '--dead and --pending exclude each other');
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!(Number.isInteger(limit) && limit > 0)) return usageError(io, '--limit takes a positive number');
  const resolved = resolveConfig(options, io);
  if (typeof resolved === 'number') return resolved;
  const { config } = resolved;
  let store;
  try {
    store = await openStore(config.store, config.outbox);
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  const outcome = (result: ActionOutcome, done: string) => {
    if (result.done) io.stdout.write(`${done}\n`);
    else io.stderr.write(`ocpi-oicp-bridge: ${result.reason}\n`);
    return result.done ? EXIT.ok : EXIT.failure;
  };
  try {
    switch (action) {
      case 'list': {
        const items = await listItems(store, { state: options.dead ? 'dead' : options.pending ? 'pending' : undefined, topic: options.topic, limit, afterId: options.after === undefined ? undefined : Number(options.after) });
        io.stdout.write(items.length === 0 ? 'no outbox items match\n' : `${items.map(describeItem).join('\n')}\n`);
        if (items.length === limit) io.stdout.write(`(more with --after ${items.at(-1)!.id})\n`);
        return EXIT.ok;
      }
      case 'show': {
        const item = await showItem(store, itemId);
        if (!item) return outcome({ done: false, reason: `no outbox item ${itemId}` }, '');
        io.stdout.write(`${JSON.stringify(item, null, 2)}\n`);
        return EXIT.ok;
      }
      case 'requeue':
        if (options['all-dead']) {
          io.stdout.write(`${await requeueAllDead(store, options.topic)} dead letter(s) requeued\n`);
          return EXIT.ok;
        }
        return outcome(await requeueItem(store, itemId), `item ${itemId} requeued: due now, with a fresh set of attempts`);
      case 'discard':
        return outcome(await discardItem(store, itemId, options.reason!), `item ${itemId} discarded`);
      default: {
        const held = await listHeld(store, { kind: options.kind, limit });
        io.stdout.write(held.length === 0 ? 'nothing is held back\n' : `${held.map((h) => `${h.kind} ${h.ref}: ${h.reason} (since ${new Date(h.createdAt).toISOString()})`).join('\n')}\n`);
        return EXIT.ok;
      }
    }
  } finally {
    await store.close();
  }
}

function describeItem(item: OutboxItem): string {
  const when = item.state === 'pending' ? `due ${new Date(item.dueAt).toISOString()}` : `since ${new Date(item.updatedAt).toISOString()}`;
  const error = item.lastError ? ` — ${item.lastError.length > 160 ? `${item.lastError.slice(0, 157)}...` : item.lastError}` : '';
  const resolution = item.resolution ? ` — discarded: ${item.resolution}` : '';
  return `#${item.id} ${item.topic} ${item.state} attempts ${item.attempts} ${when}${item.key ? ` key ${item.key}` : ''}${error}${resolution}`;
}

function describeParty(party: OcpiParty): string {
  const roles = party.roles.map((r) => `${r.role} ${r.countryCode}*${r.partyId}`).join(', ') || 'roles not known yet';
  const modules = party.endpoints.map((e) => (e.role ? `${e.identifier}(${e.role.toLowerCase()})` : e.identifier)).join(' ');
  return `${party.id}: ${party.state}${party.version ? ` OCPI ${party.version}` : ''} — ${roles}${party.versionsUrl ? ` — ${party.versionsUrl}` : ''}${modules ? `\n  endpoints: ${modules}` : ''}`;
}

/** A backend simulator for the bridge to register with; or, given the bridge's versions URL and token A, one that registers itself. */
async function simulateOcpiBackend(options: { role: 'CPO' | 'EMSP'; host?: string; port?: string; registerWith?: string; token?: string }, io: CliIo): Promise<number> {
  const port = portOption(options.port);
  if (Number.isNaN(port)) return usageError(io, `--port must be a whole number from 0 to 65535 (got ${options.port})`);
  if ((options.registerWith === undefined) !== (options.token === undefined)) return usageError(io, '--register-with and --token go together');
  const logger = createLogger({ level: 'info', format: 'text' });
  let sim: RunningOcpiBackend;
  try {
    sim = await startOcpiBackend({ ...SIMULATED_BACKENDS[options.role], logger, host: options.host ?? '127.0.0.1', port: port ?? 0 });
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: cannot start the OCPI backend simulator: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  const { backend } = sim;
  const lines = [`OCPI ${options.role} backend simulator listening; versions URL ${backend.versionsUrl()}`];
  if (options.registerWith !== undefined) {
    try {
      const party = await backend.registration.register('bridge', options.registerWith, options.token!);
      lines.push(`  registered with the bridge: ${describeParty(party)}`);
      const { pushed, failed } = await backend.pushAll('bridge');
      lines.push(`  pushed ${pushed} object(s) to the modules the bridge receives${failed.length > 0 ? `; refused: ${failed.join('; ')}` : ''}`);
    } catch (err) {
      io.stderr.write(`ocpi-oicp-bridge: registration with ${options.registerWith} failed: ${(err as Error).message}\n`);
      await sim.close();
      return EXIT.failure;
    }
  } else {
    lines.push(`  token A for the bridge: ${await backend.registration.offer('bridge')}`, `  register: ocpi-oicp-bridge ocpi register --versions-url ${backend.versionsUrl()} --token <token A>`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return untilSignal(() => sim.close(), logger);
}

/** Who the simulators are: the counterpart of a bridge in front of them. */
const SIMULATED_BACKENDS = {
  CPO: { role: 'CPO', countryCode: 'NL', partyId: 'SIM', name: 'Simulated CPO backend' },
  EMSP: { role: 'EMSP', countryCode: 'NL', partyId: 'SIM', name: 'Simulated eMSP backend' },
} as const;

/**
 * The sandbox's backend simulator starts empty each time, so the bridge registers with it afresh,
 * first forgetting a registration its store kept from an earlier run.
 */
async function registerSandboxBackend(bridge: RunningBridge, sim: RunningOcpiBackend): Promise<OcpiParty> {
  if ((await bridge.store.parties.get(BACKEND_PARTY))?.state === 'registered') await bridge.ocpi.registration.forget(BACKEND_PARTY);
  return bridge.ocpi.registration.register(BACKEND_PARTY, sim.backend.versionsUrl(), await sim.backend.registration.offer('bridge'));
}

/** The RFID card among the simulated eMSP's seed tokens (fixtures/ocpi-seed/tokens.json). */
const SANDBOX_CARD = '12345678905880';

async function startSandboxCpo(hub: RunningHubjectSimulator, logger: Logger): Promise<OicpCpoSimulator & { close(): Promise<void> }> {
  const cpo = createOicpCpoSimulator({ hubUrl: hub.url, logger, evses: 4 });
  const server = await startServer(cpo.app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 1_000 });
  hub.simulator.partners.push({ role: 'CPO', id: SIMULATED_OPERATOR.OperatorID, url: server.url });
  await cpo.publish();
  return { ...cpo, close: () => (cpo.close(), server.close()) };
}

/** The EMP scenario, once the bridge has the network and its pricing: a driver charges with the backend's card. */
async function empSandboxDrive(bridge: RunningBridge, cpo: OicpCpoSimulator): Promise<void> {
  for (const job of ['EVSE data', 'pricing', 'EVSE status']) await bridge.runJob(job);
  await cpo.charge(cpo.evseIds[0]!, { RFIDMifareFamilyIdentification: { UID: SANDBOX_CARD } }, 11);
}

function sandboxBanner(config: BridgeConfig, url: string, store: string, hubUrl: string, backend: OcpiParty): string {
  return [
    '',
    `ocpi-oicp-bridge ${version()} — sandbox mode`,
    `  listening    ${url}   (try ${url}/healthz, ${url}/readyz, ${url}/metrics)`,
    `  store        ${store}`,
    `  OCPI party   ${config.ocpi.countryCode}*${config.ocpi.partyId} as ${config.ocpi.roles.join('+')}, versions ${config.ocpi.versions.join(', ')}`,
    `  OICP         ${config.oicp.role} ${config.oicp.operatorId ?? config.oicp.providerId} toward the Hubject simulator at ${hubUrl}`,
    `               (its traffic: ${hubUrl}/simulator/traffic)`,
    `  OCPI backend ${describeParty(backend).replace('\n  ', '\n               ')}`,
    `               registered with the bridge (token A, B, C handshake); see \`ocpi-oicp-bridge ocpi parties\``,
    ...(config.oicp.role === 'CPO'
      ? [
          '  flows        CPO: the simulated CPO pushes its locations and tariffs now; the trace below shows each',
          '               OCPI push and the OICP calls it became (EVSE data, statuses, pricing). README: "Connect a',
          '               CPO backend to Hubject" drives sessions, CDRs and remote starts by hand.',
        ]
      : [
          '  flows        EMP: the simulated eMSP pushes its tokens; the bridge pulls the network of the CPO DE*XYZ',
          `               behind Hubject, its pricing and statuses; then a driver charges with card ${SANDBOX_CARD}: the`,
          '               trace shows the authorization, notifications and CDR. README: "Connect an eMSP backend to',
          '               Hubject" drives remote starts by hand.',
        ]),
    '  Stop with Ctrl+C. Write a bridge.yaml (see bridge.example.yaml) to leave sandbox mode.',
    '',
  ].join('\n');
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Normally nothing is left running; this only guards against a handle someone forgot to close.
    setTimeout(() => process.exit(code), 5_000).unref();
  });
}
