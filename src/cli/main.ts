#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkConfig } from './check-config';
import { commandHelp, EXIT, EXIT_CODES_LINE, HELP_OPTION, optionLines, UsageError, version, type CliIo, type Command, type OptionSpecs, type OptionValues } from './common';
import { ocpi } from './ocpi';
import { outbox } from './outbox';
import { serve } from './serve';
import { simulate } from './simulate';
import { trace } from './trace';
import { translate } from './translate';

/**
 * The `ocpi-oicp-bridge` binary: the first argument names the command, the command's own options follow.
 * Options are parsed with node:util's parseArgs: built in (no dependency), strict (an unknown option or a
 * missing value is an error, not a guess), and enough for flat options, which is all the commands have.
 */

/** In the order of the overall help. */
const COMMANDS: Command[] = [serve, simulate, ocpi, outbox, trace, checkConfig, translate];

/** Options given without a command. */
const TOP_LEVEL = { help: HELP_OPTION, version: { type: 'boolean', short: 'v', help: 'Print the version.' } } as const satisfies OptionSpecs;

const USAGE = `Usage: ocpi-oicp-bridge <command> [options]

Commands:
${COMMANDS.map((c) => c.usage).join('')}
Options:
${optionLines(TOP_LEVEL)}
${EXIT_CODES_LINE}`;

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stdout.write(USAGE);
    return EXIT.usage;
  }
  if (first.startsWith('-')) return topLevel(argv, io);
  if (first === 'help') {
    // `help serve` is `serve --help`; `help` alone, the overall help.
    const named = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(named ? commandHelp(named) : USAGE);
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) return usageError(io, `unknown command "${first}"`);
  const parsed = parse(rest, { ...cmd.options, help: HELP_OPTION }, cmd.name);
  if (typeof parsed === 'string') return usageError(io, parsed);
  if (parsed.values.help) {
    io.stdout.write(commandHelp(cmd));
    return EXIT.ok;
  }
  try {
    return await cmd.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err.message);
    throw err;
  }
}

/** Options before any command: only --help and --version are the binary's own. */
function topLevel(argv: string[], io: CliIo): number {
  const parsed = parse(argv, TOP_LEVEL, undefined);
  if (typeof parsed === 'string') return usageError(io, parsed);
  if (parsed.values.version) {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  io.stdout.write(USAGE);
  return parsed.values.help ? EXIT.ok : EXIT.usage;
}

/** Strict parsing of one command's options (`where`; undefined before a command): the values, or what is wrong. */
function parse<O extends OptionSpecs>(args: string[], specs: O, where: string | undefined): { values: OptionValues<O>; positionals: string[] } | string {
  // parseArgs refuses keys it does not know (value, help) and an explicit `short: undefined`.
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, { type, multiple, short }] of Object.entries(specs)) options[name] = { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) };
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as OptionValues<O>, positionals };
  } catch (err) {
    return foreignOption(args, options, where) ?? (err as Error).message;
  }
}

/** When the parse failed on an option another command takes, says whose it is: the user put it in the wrong place. */
function foreignOption(args: string[], options: NonNullable<ParseArgsConfig['options']>, where: string | undefined): string | undefined {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const token = tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
  if (token?.kind !== 'option') return undefined;
  const long = token.rawName.startsWith('--');
  const takes = (specs: OptionSpecs) => Object.entries(specs).some(([name, spec]) => (long ? name === token.name : spec.short === token.name));
  const owners = [...(takes(TOP_LEVEL) ? ['ocpi-oicp-bridge itself'] : []), ...COMMANDS.filter((c) => takes(c.options)).map((c) => c.name)];
  if (owners.length === 0) return undefined;
  return where === undefined
    ? `${token.rawName} is an option of ${owners.join(', ')}: it comes after the command (see ocpi-oicp-bridge <command> --help)`
    : `${where} does not take ${token.rawName}: it is an option of ${owners.join(', ')} (see ocpi-oicp-bridge ${where} --help)`;
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`ocpi-oicp-bridge: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Normally nothing is left running; this only guards against a handle someone forgot to close.
    setTimeout(() => process.exit(code), 5_000).unref();
  });
}
