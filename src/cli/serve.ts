import { SANDBOX_HUB_PORT } from '../config/sandbox';
import { createLogger } from '../observability/logger';
import { loadDeploymentFile, unusedSecretVariables, type TenantConfig } from '../config/load';
import type { Logger } from '../observability/logger';
import { startBridge, type ReloadOutcome } from '../runtime';
import { command, DEFAULT_CONFIG, EXIT, inSandbox, portOption, resolveConfig, untilSignal, UsageError } from './common';
import { startSandbox } from './sandbox';

export const serve = command({
  name: 'serve',
  usage: `  serve [--config FILE] [--sandbox] [--role cpo|emp] [--tenants 2] [--port N] [--hub-port N]
        Run the bridge. Without --config it reads ./${DEFAULT_CONFIG}; when that file does not
        exist (or with --sandbox) it runs in sandbox mode: local SQLite, no secrets needed, and
        the built-in Hubject simulator on 127.0.0.1:${SANDBOX_HUB_PORT} (--hub-port; 0 picks a free one).
        --role: the sandbox's scenario, a CPO backend roaming through Hubject (cpo, default) or an
        eMSP backend (emp: a simulated CPO behind Hubject, a driver charging with a backend card).
        --tenants 2: both scenarios at once, as two tenants of one bridge (docs/tenants.md).
        With a configuration file, SIGHUP reloads it: tenants added, changed or removed are
        started, restarted or stopped, the others go on; a file with problems changes nothing.
`,
  options: {
    config: { type: 'string', value: 'FILE', help: `The configuration file (default ./${DEFAULT_CONFIG}); excludes --sandbox.` },
    sandbox: { type: 'boolean', help: `Sandbox mode even when ./${DEFAULT_CONFIG} exists.` },
    role: { type: 'string', value: 'cpo|emp', help: 'The sandbox scenario: a CPO backend (default) or an eMSP backend.' },
    port: { type: 'string', value: 'N', help: 'The port the bridge listens on (overrides server.port; 0 picks a free one).' },
    tenants: { type: 'string', value: '2', help: 'Sandbox mode: run the CPO and the eMSP scenario as two tenants of one bridge.' },
    'hub-port': { type: 'string', value: 'N', help: `Sandbox mode: the Hubject simulator's port (default ${SANDBOX_HUB_PORT}; 0 picks a free one).` },
  },
  async run(options, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`serve takes no positional arguments (got ${positionals.join(' ')})`);
    const port = portOption('--port', options.port);
    const hubPort = portOption('--hub-port', options['hub-port']);
    if (options.sandbox && options.config) throw new UsageError('--sandbox and --config exclude each other');
    if (hubPort !== undefined && !inSandbox(options)) throw new UsageError('--hub-port is for sandbox mode, where the Hubject simulator runs beside the bridge');
    if (options.role !== undefined && options.role !== 'cpo' && options.role !== 'emp') throw new UsageError(`--role must be cpo or emp (got ${options.role})`);
    if (options.role !== undefined && !inSandbox(options)) throw new UsageError('--role chooses the sandbox scenario; a configuration file sets oicp.role');
    if (options.tenants !== undefined && options.tenants !== '2') throw new UsageError(`--tenants takes 2, the sandbox's two-tenant scenario (got ${options.tenants})`);
    if (options.tenants !== undefined && !inSandbox(options)) throw new UsageError('--tenants is for sandbox mode; a configuration file lists its tenants');
    if (options.tenants !== undefined && options.role !== undefined) throw new UsageError('--tenants 2 runs both roles; leave out --role');
    const resolved = resolveConfig(options, io, false);
    if (typeof resolved === 'number') return resolved;
    const { config, sandbox, tenants } = resolved;
    // The listener is shared: every tenant's configuration carries the same server section.
    if (port !== undefined) for (const tenant of tenants) tenant.config.server.port = port;

    const logger = createLogger(config.log);
    // Secret variables that reach nothing are set for a reason: said at start (the sandbox reads none).
    if (!sandbox) for (const note of unusedSecretVariables(io.env, tenants)) logger.warn(note);
    if (sandbox) logger.info(options.sandbox ? 'sandbox mode (--sandbox)' : `sandbox mode: no ${DEFAULT_CONFIG} here`);
    let running: { close(): Promise<void> };
    try {
      if (sandbox) {
        // Nothing to read again: without a handler SIGHUP would end the process uncleanly.
        process.on('SIGHUP', () => logger.info('signal received; nothing to reload in sandbox mode', { signal: 'SIGHUP' }));
        running = await startSandbox(tenants, { logger, hubPort: hubPort ?? SANDBOX_HUB_PORT, print: (text) => io.stdout.write(text) });
      } else {
        const bridge = await startBridge(tenants, logger);
        running = { close: () => bridge.stop() };
        reloadOnHangup(() => bridge.reload(withPort(loadDeploymentFile(options.config ?? DEFAULT_CONFIG, io.env), port)), logger);
      }
    } catch (err) {
      logger.error('cannot start', { error: err });
      io.stderr.write(`ocpi-oicp-bridge: cannot start: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
    return untilSignal(() => running.close(), logger);
  },
});

const withPort = (tenants: TenantConfig[], port: number | undefined): TenantConfig[] => {
  if (port !== undefined) for (const tenant of tenants) tenant.config.server.port = port;
  return tenants;
};

/**
 * SIGHUP reads the configuration file again: tenants added, removed or changed are started, stopped
 * or restarted, the others go on. A file that does not validate changes nothing, and the log says why.
 */
function reloadOnHangup(reload: () => Promise<ReloadOutcome>, logger: Logger): void {
  process.on('SIGHUP', () => {
    logger.info('signal received: reloading the configuration', { signal: 'SIGHUP' });
    // Synchronous throws (the file does not validate) and failed starts alike keep what runs.
    Promise.resolve()
      .then(reload)
      .catch((err: unknown) => logger.error('configuration not reloaded; the running one stays', { reason: (err as Error).message }));
  });
}
