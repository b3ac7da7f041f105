import { BACKEND_PARTY, ocpiSide, publicUrlOf } from '../ocpi';
import { RegistrationFailed } from '../ocpi/registration';
import { versionsUrl } from '../ocpi/endpoints';
import { createLogger } from '../observability/logger';
import { tenantPrefix } from '../core/tenant';
import { command, DEFAULT_CONFIG, TENANT_OPTION, describeParty, EXIT, openConfiguredStore, resolveConfig, UsageError } from './common';

const ACTIONS = ['token-a', 'register', 'update', 'unregister', 'parties'];

/**
 * The OCPI admin commands, on the store the configuration names (shared with the running bridge:
 * a token issued here is one the bridge accepts).
 */
export const ocpi = command({
  name: 'ocpi',
  usage: `  ocpi token-a [--party NAME] [--config FILE] [--tenant ID]
        Issue a one-time registration token (token A) for a backend to register with the bridge.
  ocpi register [--versions-url URL --token A] [--party NAME] [--config FILE] [--tenant ID]
        Register with a backend (default: ocpi.backend of the configuration). The bridge must be
        running: the backend reads our versions back during the handshake. A token that
        starts with "-" is given as --token=VALUE.
  ocpi update|unregister [--party NAME] [--config FILE] [--tenant ID]
        Rotate the tokens (and move to the highest common version), or unregister.
  ocpi parties [--config FILE] [--tenant ID]
        List the OCPI parties: registration state, version, roles, endpoints.
        --party defaults to "${BACKEND_PARTY}"; without --config the ocpi commands use ./${DEFAULT_CONFIG}
        or, when that does not exist, the sandbox's store.
`,
  options: {
    party: { type: 'string', value: 'NAME', help: `The peer's name in the store (default "${BACKEND_PARTY}").` },
    'versions-url': { type: 'string', value: 'URL', help: "register: the backend's versions URL (default ocpi.backend.versionsUrl)." },
    token: { type: 'string', value: 'A', help: "register: the backend's token A (default ocpi.backend.token); --token=VALUE when it starts with \"-\"." },
    config: { type: 'string', value: 'FILE', help: `The configuration file (default ./${DEFAULT_CONFIG}, else the sandbox's store).` },
    tenant: TENANT_OPTION,
  },
  async run(options, positionals, io) {
    const [action, ...extra] = positionals;
    if (action === undefined || !ACTIONS.includes(action) || extra.length > 0) throw new UsageError(`ocpi takes one of ${ACTIONS.join(', ')} (got ${positionals.join(' ') || 'none'})`);
    const resolved = resolveConfig({ config: options.config, tenant: options.tenant }, io);
    if (typeof resolved === 'number') return resolved;
    const { config } = resolved;
    const party = options.party ?? BACKEND_PARTY;
    const target = options['versions-url'] ?? config.ocpi.backend?.versionsUrl;
    const tokenA = options.token ?? config.ocpi.backend?.token;
    if (action === 'register' && (target === undefined || tokenA === undefined)) throw new UsageError('ocpi register needs --versions-url and --token (or ocpi.backend.versionsUrl and token in the configuration)');
    // The commands speak for themselves on stdout; the log only carries warnings.
    const logger = createLogger({ ...config.log, level: 'warn' });
    const store = await openConfiguredStore(config, io, resolved.tenant);
    if (!store) return EXIT.failure;
    const publicUrl = `${publicUrlOf(config, `${config.server.tls ? 'https' : 'http'}://${config.server.host}:${config.server.port}`)}${tenantPrefix(resolved.tenant)}`;
    const { registration } = ocpiSide({ ocpi: config.ocpi, bodyLimit: config.server.bodyLimit, store, logger, publicUrl: () => publicUrl });
    try {
      switch (action) {
        case 'token-a':
          io.stdout.write(`token A for ${party}: ${await registration.offer(party)}\nour versions URL: ${versionsUrl(publicUrl)}\nGive both to the backend; the token works once.\n`);
          break;
        case 'register':
          io.stdout.write(`${describeParty(await registration.register(party, target!, tokenA!))}\n`);
          break;
        case 'update':
          io.stdout.write(`${describeParty(await registration.update(party))}\n`);
          break;
        case 'unregister': {
          const outcome = await registration.unregister(party);
          io.stdout.write(`${party} unregistered${outcome.peerAnswered ? '' : ` here; the peer was not told (${outcome.message ?? ''})`}\n`);
          break;
        }
        default: {
          const parties = await store.parties.list();
          io.stdout.write(parties.length === 0 ? 'no OCPI parties yet (ocpi token-a or ocpi register)\n' : `${parties.map(describeParty).join('\n')}\n`);
        }
      }
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof RegistrationFailed)) throw err;
      io.stderr.write(`ocpi-oicp-bridge: ${err.message}\n`);
      return EXIT.failure;
    } finally {
      await store.close();
    }
  },
});
