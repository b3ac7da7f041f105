import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, loadDeploymentFile, type ConfigProblem, type TenantConfig } from '../config/load';
import { DEFAULT_TENANT } from '../core/tenant';
import type { BridgeConfig } from '../config/schema';
import { sameOperator } from '../mapping/identifiers';
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
      const problems = tenants.flatMap((tenant, index) => certificateProblems(tenant, tenants.length > 1 || tenant.id !== DEFAULT_TENANT ? `tenants.${index}.` : ''));
      if (problems.length > 0) throw new ConfigError(file, problems);
      if (tenants.length === 1 && tenants[0]!.id === DEFAULT_TENANT) io.stdout.write(`${file}: OK — ${summary(tenants[0]!.config)}\n`);
      else io.stdout.write(`${file}: OK — ${tenants.length} tenant(s)\n${tenants.map(({ id, config }) => `  ${id}: ${summary(config)}\n`).join('')}`);
      return EXIT.ok;
    } catch (err) {
      return reportConfigError(io, err);
    }
  },
});

function summary(config: BridgeConfig): string {
  const { oicp, store, server } = config;
  const party = oicp.role === 'CPO' ? oicp.operatorId : oicp.providerId;
  const hub = oicp.environment === 'custom' ? oicp.baseUrl : oicp.environment;
  const storage = store.url ? `PostgreSQL (schema ${store.schema})` : `SQLite ${store.path}`;
  return `OICP ${oicp.role} ${party} over ${oicp.protocol} to ${hub}; OCPI ${config.ocpi.countryCode}*${config.ocpi.partyId} ${config.ocpi.versions.join('/')}; store ${storage}; listening on ${server.host}:${server.port}`;
}

/**
 * Hubject issues a partner's client certificate to its OperatorID or ProviderID (the common name).
 * Where the common name reads as such an id and is not the tenant's, the tenant would call Hubject
 * as another party: a copy-paste slip between tenants. Other common names cannot be checked.
 */
function certificateProblems({ config }: TenantConfig, prefix: string): ConfigProblem[] {
  const { oicp } = config;
  if (!oicp.tls) return [];
  const path = `${prefix}oicp.tls.cert`;
  let pem: Buffer;
  try {
    pem = readFileSync(oicp.tls.cert);
  } catch {
    // Checked where it is readable: a file is often checked away from the machine that holds the certificates.
    return [];
  }
  let commonName: string | undefined;
  try {
    commonName = /^CN=(.*)$/m.exec(new X509Certificate(pem).subject)?.[1];
  } catch (err) {
    return [{ path, message: `is not a PEM certificate (${(err as Error).message})` }];
  }
  if (commonName === undefined) return [];
  const own = oicp.role === 'CPO' ? oicp.operatorId! : oicp.providerId!;
  const looksLikeId = new RegExp(oicp.role === 'CPO' ? OPERATOR_ID_PATTERN : PROVIDER_ID_PATTERN).test(commonName);
  const same = oicp.role === 'CPO' ? sameOperator(commonName, own) : commonName.toUpperCase() === own.toUpperCase();
  return looksLikeId && !same ? [{ path, message: `is made out to ${commonName}, not to this tenant's ${oicp.role === 'CPO' ? 'OperatorID' : 'ProviderID'} ${own}` }] : [];
}
