import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { MappingRulesSchema, type MappingRules } from '../mapping/rules';
import { ConfigSchema, envOverrides, type BridgeConfig } from './schema';
import { isSecretKey, redactText } from '../core/redact';

export interface ConfigProblem {
  /** Dotted path of the offending key (`server.port`), or `(file)` for problems with the file itself. */
  path: string;
  message: string;
}

/** Start-up refused: every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source}: ${problems.length} configuration problem(s)\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
addFormats(ajv);
ajv.addKeyword({ keyword: 'x-env', schemaType: 'string' });
const validate = ajv.compile<BridgeConfig>(ConfigSchema);

/** A YAML (or JSON) file's content; unreadable files and YAML errors are ConfigErrors. */
function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError(file, [{ path: '(file)', message: reason }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        // The pretty message repeats the position and draws the line below it; keep the sentence only.
        const sentence = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        const where = e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : '';
        return { path: '(file)', message: `YAML ${where}${sentence}` };
      }),
    );
  }
  return doc.toJS();
}

/** Reads, overrides from the environment, validates and completes with defaults. Throws ConfigError. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  return parseConfig(readYaml(file), file, env);
}

// The root default only serves the configuration's `mapping` key; a rules file is validated as an object.
const validateRules = ajv.compile<MappingRules>({ ...MappingRulesSchema, default: undefined });

/** A mapping rules file (the `mapping:` section on its own, for `translate --rules`), with defaults. */
export function loadMappingRules(file: string): MappingRules {
  return parseMappingRules(readYaml(file) ?? {}, file);
}

/**
 * Mapping rules already parsed (a YAML or JSON document's content), validated and completed with
 * defaults. Throws ConfigError naming `source` and each problem's path. The input is not changed.
 */
export function parseMappingRules(raw: unknown, source = 'mapping rules'): MappingRules {
  const rules = structuredClone(raw);
  if (!validateRules(rules)) throw new ConfigError(source, schemaProblems(validateRules.errors ?? [], rules));
  return rules;
}

/** Validates an already parsed configuration object (a YAML file's content, or the sandbox defaults). */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: '(file)', message: 'must be a mapping of sections (server, store, ocpi, oicp, ...)' }]);
  }
  const candidate = structuredClone(raw) as Record<string, unknown>;
  applyEnvOverrides(candidate, env);
  if (!validate(candidate)) throw new ConfigError(source, schemaProblems(validate.errors ?? [], candidate));
  const problems = crossFieldProblems(candidate);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return candidate;
}

function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const { env: name, path } of envOverrides()) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node = target;
    for (const key of path.slice(0, -1)) {
      if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
}

/** Rules that span several keys; checked once the shapes are right, and all reported together. */
function crossFieldProblems(config: BridgeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { oicp, server, outbox } = config;
  if (oicp.role === 'CPO' && !oicp.operatorId) problems.push({ path: 'oicp.operatorId', message: 'is required when oicp.role is CPO' });
  if (oicp.role === 'EMP' && !oicp.providerId) problems.push({ path: 'oicp.providerId', message: 'is required when oicp.role is EMP' });
  if (oicp.environment === 'custom' && !oicp.baseUrl) problems.push({ path: 'oicp.baseUrl', message: 'is required when oicp.environment is custom' });
  if (oicp.environment !== 'custom' && oicp.baseUrl) {
    problems.push({ path: 'oicp.baseUrl', message: `is only allowed with oicp.environment custom (the ${oicp.environment} URL is built in)` });
  }
  if (server.tls?.requestClientCert && !server.tls.ca) {
    problems.push({ path: 'server.tls.ca', message: 'is required when server.tls.requestClientCert is true (client certificates are checked against it)' });
  }
  if (outbox.baseDelayMs > outbox.maxDelayMs) {
    problems.push({ path: 'outbox.baseDelayMs', message: `must not exceed outbox.maxDelayMs (${outbox.maxDelayMs})` });
  }
  if (config.admin.port !== undefined && config.admin.token === undefined) {
    problems.push({ path: 'admin.token', message: 'is required when admin.port is set (set it with BRIDGE_ADMIN_TOKEN): the admin API refuses every request without it' });
  }
  return problems;
}

function schemaProblems(errors: ErrorObject[], data: unknown): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const error of errors) {
    const problem = describe(error, data);
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function describe(error: ErrorObject, data: unknown): ConfigProblem {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const at = (extra?: string) => [...segments, ...(extra ? [extra] : [])].join('.') || '(file)';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: at(String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: at(String(params.additionalProperty)), message: 'is not a known key (check the spelling; see the configuration reference)' };
    case 'enum':
      return { path: at(), message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got(segments, data)}` };
    default:
      return { path: at(), message: `${error.message ?? error.keyword}${got(segments, data)}` };
  }
}

/** The offending value, echoed to help the reader, unless the key holds a secret. */
function got(segments: string[], data: unknown): string {
  if (segments.some(isSecretKey)) return '';
  const value = segments.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], data);
  const text = JSON.stringify(value);
  return text === undefined || text.length > 80 ? '' : ` (got ${redactText(text)})`;
}
