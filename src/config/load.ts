import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { MappingRulesSchema, type MappingRules } from '../mapping/rules';
import { ConfigSchema, envOverrides, oicpIdentity, partyKindOf, type BridgeConfig } from './schema';
import { DEFAULT_TENANT, TENANT_ID_PATTERN } from '../core/tenant';
import { sameParty } from '../mapping/identifiers';
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

/** One tenant of a deployment: its id and its whole configuration (shared sections included). */
export interface TenantConfig {
  id: string;
  config: BridgeConfig;
}

/** Reads a configuration file that may hold several tenants; a file without `tenants:` is one tenant, `default`. Throws ConfigError. */
export function loadDeploymentFile(file: string, env: NodeJS.ProcessEnv = process.env): TenantConfig[] {
  return parseDeployment(readYaml(file), file, env);
}

const TENANT_KEYS = new Set(['id', 'ocpi', 'oicp', 'mapping']);
const PER_TENANT_SECTIONS = new Set(['ocpi', 'oicp']);

/**
 * Every tenant of a parsed configuration, each validated as a whole configuration: the shared sections
 * with its own `ocpi`, `oicp` and `mapping` (over the shared rules). Problems name their path in the file
 * (`tenants.1.oicp.operatorId`); a problem of a shared section is reported once.
 */
export function parseDeployment(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): TenantConfig[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('tenants' in raw)) {
    return [{ id: DEFAULT_TENANT, config: parseConfig(raw, source, env) }];
  }
  const { tenants, ...shared } = raw as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  for (const section of PER_TENANT_SECTIONS) {
    if (section in shared) problems.push({ path: section, message: `cannot be combined with tenants (each tenant has its own ${section})` });
  }
  if (!Array.isArray(tenants) || tenants.length === 0) throw new ConfigError(source, [...problems, { path: 'tenants', message: 'must be a list of at least one tenant' }]);
  const resolved: TenantConfig[] = [];
  const seen = new Set<string>();
  tenants.forEach((tenant: unknown, index) => {
    const at = `tenants.${index}`;
    if (tenant === null || typeof tenant !== 'object' || Array.isArray(tenant)) {
      problems.push({ path: at, message: 'must be a mapping with id, ocpi, oicp (and optionally mapping)' });
      return;
    }
    const { id, ocpi, oicp, mapping } = tenant as Record<string, unknown>;
    for (const key of Object.keys(tenant)) {
      if (!TENANT_KEYS.has(key)) problems.push({ path: `${at}.${key}`, message: 'is not a known key of a tenant (id, ocpi, oicp, mapping)' });
    }
    if (typeof id !== 'string' || !new RegExp(TENANT_ID_PATTERN).test(id)) {
      problems.push({ path: `${at}.id`, message: `must be lower-case letters, digits and dashes, at most 32, starting with a letter or digit${typeof id === 'string' ? ` (got ${JSON.stringify(id)})` : ''}` });
      return;
    }
    if (seen.has(id)) problems.push({ path: `${at}.id`, message: `${id} names two tenants` });
    seen.add(id);
    const mine = mapping !== undefined && (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) ? undefined : (mapping as Record<string, unknown> | undefined);
    try {
      resolved.push({ id, config: parseConfig({ ...shared, ocpi, oicp, mapping: overlay(shared.mapping, mine) }, source, tenantEnv(env, id)) });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const problem of err.problems) problems.push(inTenant(problem, at, mine));
    }
  });
  problems.push(...duplicateIdentities(resolved, tenants as { id?: unknown }[]));
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
  if (unique.length > 0) throw new ConfigError(source, unique);
  return resolved;
}

/** A tenant's problem named by its path in the file: its own sections under `tenants.N`, the shared ones as they are. */
function inTenant(problem: ConfigProblem, at: string, mapping: Record<string, unknown> | undefined): ConfigProblem {
  const [section, key] = problem.path.split('.');
  const own = PER_TENANT_SECTIONS.has(section ?? '') || (section === 'mapping' && key !== undefined && mapping !== undefined && key in mapping);
  return own ? { ...problem, path: `${at}.${problem.path}` } : problem;
}

/** Two tenants speaking to Hubject as the same operator or provider would receive each other's calls and data. */
function duplicateIdentities(resolved: TenantConfig[], raw: { id?: unknown }[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  resolved.forEach(({ id, config }, i) => {
    const earlier = resolved.slice(0, i).find((other) => sameIdentity(other.config.oicp, config.oicp));
    if (earlier) {
      const index = raw.findIndex((t) => t.id === id);
      const field = config.oicp.role === 'CPO' ? 'operatorId' : 'providerId';
      problems.push({ path: `tenants.${index}.oicp.${field}`, message: `is also tenant ${earlier.id}'s (${oicpIdentity(config.oicp)}): one OICP identity belongs to one tenant` });
    }
  });
  return problems;
}

function sameIdentity(a: BridgeConfig['oicp'], b: BridgeConfig['oicp']): boolean {
  return a.role === b.role && sameParty(partyKindOf(a.role), oicpIdentity(a), oicpIdentity(b));
}

/** Plain objects merged key by key (the tenant's over the shared); anything else is replaced whole. */
function overlay(shared: unknown, own: Record<string, unknown> | undefined): unknown {
  if (own === undefined) return shared;
  if (shared === null || typeof shared !== 'object' || Array.isArray(shared)) return own;
  const merged: Record<string, unknown> = { ...(shared as Record<string, unknown>) };
  for (const [key, value] of Object.entries(own)) {
    const base = merged[key];
    merged[key] = value !== null && typeof value === 'object' && !Array.isArray(value) && base !== null && typeof base === 'object' && !Array.isArray(base) ? overlay(base, value as Record<string, unknown>) : value;
  }
  return merged;
}

/**
 * The environment a tenant's configuration is read with: the secrets of its own sections come from
 * `BRIDGE_TENANT_<ID>_...` (`BRIDGE_OCPI_BACKEND_TOKEN` would give every tenant the same backend token),
 * the shared ones (store URL, admin token) as for one tenant.
 */
export function tenantEnv(env: NodeJS.ProcessEnv, tenant: string): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  for (const name of TENANT_SECRETS) result[name] = env[tenantEnvName(tenant, name)];
  return result;
}

/** The secret variables of the sections each tenant has its own of (`BRIDGE_OCPI_BACKEND_TOKEN`, ...). */
const TENANT_SECRETS = envOverrides()
  .filter(({ path }) => PER_TENANT_SECTIONS.has(path[0] ?? ''))
  .map(({ env: name }) => name);

/**
 * Secret variables set in `env` that this configuration does not read, each with why: the single-tenant
 * ones beside `tenants:` (they would be silently dropped), a tenant's that names no tenant (a typo).
 */
export function unusedSecretVariables(env: NodeJS.ProcessEnv, tenants: readonly TenantConfig[]): string[] {
  const several = !(tenants.length === 1 && tenants[0]!.id === DEFAULT_TENANT);
  const notes: string[] = [];
  for (const name of TENANT_SECRETS) {
    if (several && env[name]) notes.push(`${name} is not read: with tenants, each tenant's is ${tenantEnvName('<ID>', name)}`);
  }
  const names = new Set(tenants.flatMap(({ id }) => TENANT_SECRETS.map((name) => tenantEnvName(id, name))));
  for (const name of Object.keys(env).filter((n) => n.startsWith('BRIDGE_TENANT_') && env[n])) {
    if (!names.has(name)) notes.push(`${name} is not read: it names no tenant of this configuration${several ? ` (${tenants.map((t) => t.id).join(', ')})` : ' (it has none)'}`);
  }
  return notes;
}

/** `BRIDGE_OCPI_BACKEND_TOKEN` of tenant `acme-1`: `BRIDGE_TENANT_ACME_1_OCPI_BACKEND_TOKEN`. */
export function tenantEnvName(tenant: string, name: string): string {
  return `BRIDGE_TENANT_${tenant.toUpperCase().replace(/-/g, '_')}_${name.replace(/^BRIDGE_/, '')}`;
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
