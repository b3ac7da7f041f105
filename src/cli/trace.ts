import { exportExchange } from '../admin/trace-export';
import { command, DEFAULT_CONFIG, TENANT_OPTION, EXIT, openConfiguredStore, resolveConfig, UsageError } from './common';

export const trace = command({
  name: 'trace',
  usage: `  trace export ID [--out DIR] [--config FILE] [--tenant ID]
        Write the exchange with correlation id ID (as the console and the X-Correlation-ID header
        show it) as fixture files, secrets redacted: each inbound and outbound message and answer,
        and a manifest, in the layout test/support/replay.ts replays (docs/console.md).
`,
  options: {
    out: { type: 'string', value: 'DIR', help: 'export: the folder to write to (default ./fixtures/recorded/ID).' },
    config: { type: 'string', value: 'FILE', help: `The configuration file (default ./${DEFAULT_CONFIG}, else the sandbox's store).` },
    tenant: TENANT_OPTION,
  },
  async run(options, positionals, io) {
    const [action, id, ...extra] = positionals;
    if (action !== 'export' || id === undefined || extra.length > 0) throw new UsageError(`trace takes: export ID (got ${positionals.join(' ') || 'none'})`);
    const resolved = resolveConfig({ config: options.config, tenant: options.tenant }, io, true, true);
    if (typeof resolved === 'number') return resolved;
    const store = await openConfiguredStore(resolved.config, io, resolved.tenant);
    if (!store) return EXIT.failure;
    try {
      // A correlation id is the caller's text: as a folder name it keeps only what cannot leave the folder.
      const written = await exportExchange(store, id, options.out ?? `fixtures/recorded/${id.replace(/[^A-Za-z0-9_-]/g, '_')}`);
      if (written === undefined) {
        io.stderr.write(`ocpi-oicp-bridge: no exchange ${id} in the trace (kept trace.retentionHours)\n`);
        return EXIT.failure;
      }
      io.stdout.write(`${written.join('\n')}\n`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
});
