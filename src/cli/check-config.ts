import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, loadDeploymentFile, unusedSecretVariables, type ConfigProblem, type TenantConfig } from '../config/load';
import { DEFAULT_TENANT } from '../core/tenant';
import { oicpIdentity, partyKindOf, type BridgeConfig } from '../config/schema';
import { sameParty } from '../mapping/identifiers';
import { OPERATOR_ID_PATTERN, PROVIDER_ID_PATTERN } from '../oicp/wire/vocabulary';
import { command, EXIT, reportConfigError, UsageError } from './common';

export const checkConfig = command({
  name: 'check-config',
  usage: `  check-config FILE
        Validate a configuration file; prints every problem with its path (exit 2 if any), per
        tenant when the file has several (tenants: duplicate identities, a client certificate made
        out to another OperatorID or ProviderID than the tenant's).
`,
  options: {},
  run(_options, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('check-config takes exactly one FILE');
    const file = positionals[0]!;
    try {
      const tenants = loadDeploymentFile(file, io.env);
      const notes = unusedSecretVariables(io.env, tenants);
      const checks = tenants.map((tenant, index) => certificateCheck(tenant, tenants.length > 1 || tenant.id !== DEFAULT_TENANT ? `tenants.${index}.` : '', tenants));
      const problems = checks.flatMap((check) => check.problems);
      const unchecked = checks.flatMap((check) => check.unchecked);
      if (problems.length > 0) throw new ConfigError(file, problems);
      if (tenants.length === 1 && tenants[0]!.id === DEFAULT_TENANT) io.stdout.write(`${file}: OK — ${summary(tenants[0]!.config)}\n`);
      else io.stdout.write(`${file}: OK — ${tenants.length} tenant(s)\n${tenants.map(({ id, config }) => `  ${id}: ${summary(config)}\n`).join('')}`);
      for (const note of [...notes, ...unchecked]) io.stdout.write(`note: ${note}\n`);
      return EXIT.ok;
    } catch (err) {
      return reportConfigError(io, err);
    }
  },
});

function summary(config: BridgeConfig): string {
  const { oicp, store, server } = config;
  const party = oicpIdentity(oicp);
  const hub = oicp.environment === 'custom' ? oicp.baseUrl : oicp.environment;
  const storage = store.url ? `PostgreSQL (schema ${store.schema})` : `SQLite ${store.path}`;
  return `OICP ${oicp.role} ${party} over ${oicp.protocol} to ${hub}; OCPI ${config.ocpi.countryCode}*${config.ocpi.partyId} ${config.ocpi.versions.join('/')}; store ${storage}; listening on ${server.host}:${server.port}`;
}

/**
 * Hubject issues a partner's client certificate to its OperatorID or ProviderID (the common name).
 * Where the common name reads as either and is not the tenant's own id, the tenant would call Hubject
 * as another party: a copy-paste slip between tenants, or a CPO's certificate given to an eMSP. Other
 * common names cannot be checked, nor files this machine cannot read (a note says so).
 */
function certificateCheck({ config }: TenantConfig, prefix: string, tenants: readonly TenantConfig[]): { problems: ConfigProblem[]; unchecked: string[] } {
  const { oicp } = config;
  if (!oicp.tls) return { problems: [], unchecked: [] };
  const path = `${prefix}oicp.tls.cert`;
  let pem: Buffer;
  try {
    pem = readFileSync(oicp.tls.cert);
  } catch (err) {
    // A file is often checked away from the machine that holds the certificates.
    return { problems: [], unchecked: [`${path} not checked: ${oicp.tls.cert} cannot be read here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
  }
  let commonName: string | undefined;
  try {
    commonName = /^CN=(.*)$/m.exec(new X509Certificate(pem).subject)?.[1];
  } catch (err) {
    return { problems: [{ path, message: `is not a PEM certificate (${(err as Error).message})` }], unchecked: [] };
  }
  if (commonName === undefined) return { problems: [], unchecked: [] };
  const own = oicpIdentity(oicp);
  const looksLikeId = new RegExp(OPERATOR_ID_PATTERN).test(commonName) || new RegExp(PROVIDER_ID_PATTERN).test(commonName);
  if (!looksLikeId || sameParty(partyKindOf(oicp.role), commonName, own)) return { problems: [], unchecked: [] };
  const other = tenants.find((t) => t.config !== config && sameParty(partyKindOf(t.config.oicp.role), commonName, oicpIdentity(t.config.oicp)));
  const whose = other ? ` (tenant ${other.id}'s ${other.config.oicp.role === 'CPO' ? 'OperatorID' : 'ProviderID'})` : '';
  return { problems: [{ path, message: `is made out to ${commonName}${whose}, not to this tenant's ${oicp.role === 'CPO' ? 'OperatorID' : 'ProviderID'} ${own}` }], unchecked: [] };
}
