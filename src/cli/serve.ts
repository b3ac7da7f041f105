import { SANDBOX_HUB_PORT } from '../config/sandbox';
import { createLogger } from '../observability/logger';
import { startBridge } from '../runtime';
import { command, DEFAULT_CONFIG, EXIT, inSandbox, portOption, resolveConfig, untilSignal, UsageError } from './common';
import { startSandbox } from './sandbox';

export const serve = command({
  name: 'serve',
  usage: `  serve [--config FILE] [--sandbox] [--role cpo|emp] [--port N] [--hub-port N]
        Run the bridge. Without --config it reads ./${DEFAULT_CONFIG}; when that file does not
        exist (or with --sandbox) it runs in sandbox mode: local SQLite, no secrets needed, and
        the built-in Hubject simulator on 127.0.0.1:${SANDBOX_HUB_PORT} (--hub-port; 0 picks a free one).
        --role: the sandbox's scenario, a CPO backend roaming through Hubject (cpo, default) or an
        eMSP backend (emp: a simulated CPO behind Hubject, a driver charging with a backend card).
`,
  options: {
    config: { type: 'string', value: 'FILE', help: `The configuration file (default ./${DEFAULT_CONFIG}); excludes --sandbox.` },
    sandbox: { type: 'boolean', help: `Sandbox mode even when ./${DEFAULT_CONFIG} exists.` },
    role: { type: 'string', value: 'cpo|emp', help: 'The sandbox scenario: a CPO backend (default) or an eMSP backend.' },
    port: { type: 'string', value: 'N', help: 'The port the bridge listens on (overrides server.port; 0 picks a free one).' },
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
    const resolved = resolveConfig(options, io);
    if (typeof resolved === 'number') return resolved;
    const { config, sandbox } = resolved;
    if (port !== undefined) config.server.port = port;

    const logger = createLogger(config.log);
    if (sandbox) logger.info(options.sandbox ? 'sandbox mode (--sandbox)' : `sandbox mode: no ${DEFAULT_CONFIG} here`);
    let running: { close(): Promise<void> };
    try {
      if (sandbox) {
        running = await startSandbox(config, { logger, hubPort: hubPort ?? SANDBOX_HUB_PORT, print: (text) => io.stdout.write(text) });
      } else {
        const bridge = await startBridge(config, logger);
        running = { close: () => bridge.stop() };
      }
    } catch (err) {
      logger.error('cannot start', { error: err });
      io.stderr.write(`ocpi-oicp-bridge: cannot start: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
    return untilSignal(() => running.close(), logger);
  },
});
