#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from './config/load';
import { sandboxConfig } from './config/sandbox';
import type { BridgeConfig } from './config/schema';
import { createLogger } from './observability/logger';
import { startBridge } from './runtime';

/** Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const DEFAULT_CONFIG = 'bridge.yaml';

const USAGE = `Usage: ocpi-oicp-bridge <command> [options]

Commands:
  serve [--config FILE] [--sandbox] [--port N]
        Run the bridge. Without --config it reads ./${DEFAULT_CONFIG}; when that file does not
        exist (or with --sandbox) it runs in sandbox mode: local SQLite, no secrets needed.
  check-config FILE
        Validate a configuration file; prints every problem with its path (exit 2 if any).

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
      return serve({ config: values.config, sandbox: values.sandbox === true, port: values.port }, io);
    default:
      return usageError(io, `unknown command "${command}"`);
  }
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

async function serve(options: { config?: string; sandbox: boolean; port?: string }, io: CliIo): Promise<number> {
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    return usageError(io, `--port must be a whole number from 0 to 65535 (got ${options.port})`);
  }
  if (options.sandbox && options.config) return usageError(io, '--sandbox and --config exclude each other');
  const file = options.config ?? DEFAULT_CONFIG;
  const sandbox = options.sandbox || (options.config === undefined && !existsSync(file));
  let config: BridgeConfig;
  try {
    config = sandbox ? sandboxConfig(io.env) : loadConfigFile(file, io.env);
  } catch (err) {
    return reportConfigError(io, err);
  }
  if (port !== undefined) config.server.port = port;

  const logger = createLogger(config.log);
  if (sandbox) logger.info(options.sandbox ? 'sandbox mode (--sandbox)' : `sandbox mode: no ${DEFAULT_CONFIG} here`);
  let bridge;
  try {
    bridge = await startBridge(config, logger);
  } catch (err) {
    logger.error('cannot start', { error: err });
    io.stderr.write(`ocpi-oicp-bridge: cannot start: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
  if (sandbox) io.stdout.write(sandboxBanner(config, bridge.url, bridge.store.location));

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info('signal received', { signal });
      bridge.stop().then(
        () => resolve(EXIT.ok),
        (err: unknown) => {
          logger.error('shutdown failed', { error: err });
          resolve(EXIT.failure);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function sandboxBanner(config: BridgeConfig, url: string, store: string): string {
  return [
    '',
    `ocpi-oicp-bridge ${version()} — sandbox mode`,
    `  listening    ${url}   (try ${url}/healthz, ${url}/readyz, ${url}/metrics)`,
    `  store        ${store}`,
    `  OCPI party   ${config.ocpi.countryCode}*${config.ocpi.partyId} as ${config.ocpi.roles.join('+')}, versions ${config.ocpi.versions.join(', ')}`,
    `  OICP         ${config.oicp.role} ${config.oicp.operatorId ?? config.oicp.providerId} toward ${config.oicp.baseUrl ?? config.oicp.environment}`,
    '  simulators   not in this build yet: the built-in Hubject and OCPI simulators come with the OICP and',
    '               OCPI transport work; until then the sandbox serves health, readiness and metrics only.',
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
