import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { loadMappingRules } from '../config/load';
import { check } from '../core/typebox';
import { operatorIdToParty } from '../mapping/identifiers';
import { NO_RULES } from '../mapping/rules';
import { Location as LocationSchema, Tariff as TariffSchema } from '../ocpi/wire/schemas';
import { findPair, KINDS, PAIRS, translate as translateDocument } from '../translate';
import { command, EXIT, reportConfigError, UsageError, type CliIo } from './common';

export const translate = command({
  name: 'translate',
  usage: `  translate --from KIND --to KIND [--rules FILE] [--party CC*PID] [--at TIME] [--tariff FILE]
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
`,
  options: {
    from: { type: 'string', value: 'KIND', help: 'The kind of the input document (see --list).' },
    to: { type: 'string', value: 'KIND', help: 'The kind to translate it into.' },
    rules: { type: 'string', value: 'FILE', help: 'Mapping rules: YAML, the mapping section of bridge.yaml on its own.' },
    party: { type: 'string', value: 'CC*PID', help: 'The owner of OCPI 2.1.1 objects, or the eMSP of OICP identifications.' },
    at: { type: 'string', value: 'TIME', help: 'The instant for time zone offsets and missing timestamps (ISO 8601; default now).' },
    tariff: { type: 'string', value: 'FILE', help: 'The OCPI 2.2.1 tariff a session or CDR from OICP is priced with.' },
    location: { type: 'string', value: 'FILE', help: 'The cached OCPI 2.2.1 location a session or CDR from OICP happened at.' },
    'session-id': { type: 'string', value: 'ID', help: "Hubject's SessionID of the session." },
    'response-url': { type: 'string', value: 'URL', help: "Where the CPO posts a command's result." },
    list: { type: 'boolean', help: 'Print every supported pair of kinds.' },
  },
  async run(options, files, io) {
    if (options.list) {
      const width = Math.max(...PAIRS.map((p) => `${p.from} -> ${p.to}`.length));
      for (const pair of PAIRS) io.stdout.write(`${`${pair.from} -> ${pair.to}`.padEnd(width)}  ${pair.description}\n`);
      return EXIT.ok;
    }
    if (options.from === undefined || options.to === undefined) throw new UsageError('translate needs --from KIND and --to KIND (see translate --list)');
    const pair = findPair(options.from, options.to);
    if (!pair) {
      const unknown = [options.from, options.to].filter((kind) => !(KINDS as readonly string[]).includes(kind));
      throw new UsageError(unknown.length > 0 ? `unknown kind ${unknown.join(', ')} (kinds: ${KINDS.join(', ')})` : `no translation from ${options.from} to ${options.to} (see translate --list)`);
    }
    if (files.length > 1) throw new UsageError('translate reads one FILE (or - for standard input)');
    const now = options.at === undefined ? new Date() : new Date(options.at);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--at must be an ISO 8601 date and time (got ${options.at})`);
    let party;
    if (options.party !== undefined) {
      party = operatorIdToParty(options.party).value;
      if (!party) throw new UsageError(`--party must be an ISO OperatorID such as NL*TNM (got ${options.party})`);
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
    const result = translateDocument(pair, input, { rules, now, party, tariff, location, sessionId: options['session-id'], responseUrl: options['response-url'] });
    for (const finding of result.findings) io.stderr.write(`${JSON.stringify(finding)}\n`);
    if (result.value !== undefined) io.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
    return result.refused ? EXIT.failure : EXIT.ok;
  },
});

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
