import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadDeploymentFile, type TenantConfig } from '../config/load';
import { DEFAULT_TENANT, TENANT_ID_PATTERN } from '../core/tenant';
import { sandboxConfig, sandboxTenants } from '../config/sandbox';
import type { BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { openStore, type Store } from '../store';
import type { OcpiParty } from '../store/credentials';

/** What every command shares: exit codes, streams, the option model and its help, configuration loading. */

/** Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export const EXIT_CODES_LINE = 'Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.\n';

export const DEFAULT_CONFIG = 'bridge.yaml';

export interface CliIo {
  stdout: Pick<NodeJS.WritableStream, 'write'>;
  stderr: Pick<NodeJS.WritableStream, 'write'>;
  env: NodeJS.ProcessEnv;
}

/**
 * One option of a command: what `node:util` parseArgs needs (type, multiple, short) and what its help
 * line shows (`value`, the placeholder of a string option, and `help`).
 */
interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  value?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** The values parseArgs gives for a set of options: absent ones are undefined. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string;
};

export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** Its section of the overall help, verbatim; its own help shows it above the option list. */
  usage: string;
  /** Its options, and only these: `--help` is added to every command, any other option is refused. */
  options: O;
  /** Runs it on its parsed options and positional arguments; throws UsageError on a usage mistake. */
  run(values: OptionValues<O>, positionals: string[], io: CliIo): Promise<number> | number;
}

/** Declares a command with its option types inferred from its option specs. */
export const command = <O extends OptionSpecs>(spec: Command<O>): Command<O> => spec;

/** A usage mistake: the dispatcher prints it with the help and exits 2. */
export class UsageError extends Error {}

export const HELP_OPTION = { type: 'boolean', short: 'h', help: 'Show this help.' } as const satisfies OptionSpec;

/** The option list of a help text: one line per option, the descriptions aligned. */
export function optionLines(options: OptionSpecs): string {
  const left = Object.entries(options).map(([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 4;
  return Object.values(options)
    .map((spec, i) => `  ${left[i]!.padEnd(width)}${spec.help}${spec.multiple ? ' (repeatable)' : ''}\n`)
    .join('');
}

/** `ocpi-oicp-bridge <command> --help`: the command's section of the overall help and every option it takes. */
export function commandHelp(cmd: Command): string {
  return `Usage: ocpi-oicp-bridge ${cmd.name} [options]\n\n${cmd.usage}\nOptions:\n${optionLines({ ...cmd.options, help: HELP_OPTION })}\n${EXIT_CODES_LINE}`;
}

export function version(): string {
  // Read at run time: the same relative path holds from src/cli/ (tsx) and from dist/cli/ (built).
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A configuration error: its message (every problem with its path), exit 2; anything else is rethrown. */
export function reportConfigError(io: CliIo, err: unknown): number {
  if (!(err instanceof ConfigError)) throw err;
  io.stderr.write(`${err.message}\n`);
  return EXIT.usage;
}

export const inSandbox = (options: { config?: string; sandbox?: boolean }) => options.sandbox === true || (options.config === undefined && !existsSync(DEFAULT_CONFIG));

/** The option of the commands that read or change one tenant's part of the store. */
export const TENANT_OPTION = { type: 'string', value: 'ID', help: 'The tenant (required when the configuration has several; `default` otherwise).' } as const satisfies OptionSpec;

export interface ResolvedConfig {
  /** The tenant a command works on (`--tenant`, or the only one). */
  config: BridgeConfig;
  tenant: string;
  /** Every tenant of the configuration (`serve` runs them all). */
  tenants: TenantConfig[];
  sandbox: boolean;
}

/**
 * The configuration file (--config, else ./bridge.yaml), or the sandbox's when there is none: the
 * config, or an exit code after saying why not. With several tenants, `tenant` chooses one; a command
 * on one tenant's data that is not told which is a usage error, never a guess.
 */
export function resolveConfig(
  options: { config?: string; sandbox?: boolean; role?: string; tenant?: string; tenants?: string },
  io: CliIo,
  needsTenant = true,
  /** The store's rows of a tenant the configuration no longer lists (removed or renamed) may be read and settled. */
  storeOnly = false,
): ResolvedConfig | number {
  const sandbox = inSandbox(options);
  let tenants: TenantConfig[];
  try {
    if (!sandbox) tenants = loadDeploymentFile(options.config ?? DEFAULT_CONFIG, io.env);
    else if (options.tenants === '2') tenants = sandboxTenants(io.env);
    else tenants = [{ id: DEFAULT_TENANT, config: sandboxConfig(io.env, options.role === 'emp' ? 'EMP' : 'CPO') }];
  } catch (err) {
    return reportConfigError(io, err);
  }
  const ids = tenants.map((t) => t.id).join(', ');
  if (needsTenant && options.tenant === undefined && tenants.length > 1) throw new UsageError(`this configuration has several tenants (${ids}): say which with --tenant ID`);
  let chosen = options.tenant === undefined ? tenants[0]! : tenants.find((t) => t.id === options.tenant);
  if (!chosen && storeOnly && new RegExp(TENANT_ID_PATTERN).test(options.tenant ?? '')) {
    io.stderr.write(`note: no tenant ${options.tenant} in this configuration (it has ${ids}); reading its rows in the store\n`);
    chosen = { id: options.tenant!, config: tenants[0]!.config };
  }
  if (!chosen) throw new UsageError(`no tenant ${options.tenant} in this configuration (it has ${ids})`);
  return { config: chosen.config, tenant: chosen.id, tenants, sandbox };
}

/** A TCP port option: undefined when absent; a usage error when not a port. */
export function portOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  throw new UsageError(`${flag} must be a whole number from 0 to 65535 (got ${value})`);
}

/** Runs until SIGTERM/SIGINT, then stops gracefully: exit 0, or 1 when stopping failed. */
export function untilSignal(stop: () => Promise<void>, logger: Logger): Promise<number> {
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

/** An OCPI party in one or two lines: state, version, roles, versions URL, endpoints. */
export function describeParty(party: OcpiParty): string {
  const roles = party.roles.map((r) => `${r.role} ${r.countryCode}*${r.partyId}`).join(', ') || 'roles not known yet';
  const modules = party.endpoints.map((e) => (e.role ? `${e.identifier}(${e.role.toLowerCase()})` : e.identifier)).join(' ');
  return `${party.id}: ${party.state}${party.version ? ` OCPI ${party.version}` : ''} — ${roles}${party.versionsUrl ? ` — ${party.versionsUrl}` : ''}${modules ? `\n  endpoints: ${modules}` : ''}`;
}

/** The configured store as one tenant sees it, for a command that reads or changes it; undefined once the reason it cannot be opened is printed. */
export async function openConfiguredStore(config: BridgeConfig, io: CliIo, tenant = DEFAULT_TENANT): Promise<Store | undefined> {
  try {
    const root = await openStore(config.store, config.outbox);
    if (tenant === root.tenant) return root;
    // The tenant's view, closing the database when the command is done with it.
    return Object.create(root.forTenant(tenant), { close: { value: () => root.close() } }) as Store;
  } catch (err) {
    io.stderr.write(`ocpi-oicp-bridge: ${(err as Error).message}\n`);
    return undefined;
  }
}
