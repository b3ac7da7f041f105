import { loadConfigFile } from '../config/load';
import type { BridgeConfig } from '../config/schema';
import { command, EXIT, reportConfigError, UsageError } from './common';

export const checkConfig = command({
  name: 'check-config',
  usage: `  check-config FILE
        Validate a configuration file; prints every problem with its path (exit 2 if any).
`,
  options: {},
  run(_options, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('check-config takes exactly one FILE');
    const file = positionals[0]!;
    try {
      const config = loadConfigFile(file, io.env);
      io.stdout.write(`${file}: OK — ${summary(config)}\n`);
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
