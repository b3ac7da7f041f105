/**
 * The bridge as an OCPI party: the configuration modules and the functional modules the flows
 * provide, under `/ocpi`. Every answer is an OCPI envelope; tokens are checked before anything else
 * (authentication.ts), refusals are shaped in errors.ts.
 */
import express, { type Router } from 'express';
import { jsonBody } from '../http/json-body';
import type { Logger } from '../observability/logger';
import type { TokenRepository } from '../store/credentials';
import { authenticate, registeredPeer } from './authentication';
import { credentialsRoutes, versionsRoutes } from './configuration-routes';
import { OCPI_BASE_PATH, type OcpiModule } from './endpoints';
import { ocpiErrors } from './errors';
import type { Registration } from './registration';
import { routeKit } from './route-kit';
import type { OcpiPartyRole } from './wire/credentials';
import { OcpiError, type OcpiVersion } from './wire/transport';

interface OcpiRouterOptions {
  registration: Registration;
  tokens: TokenRepository;
  /** Who we are (the routing headers of 2.2.1 answers name our first role). */
  roles: readonly OcpiPartyRole[];
  /** The functional modules served; the flows provide them. */
  modules?: readonly OcpiModule[];
  /** Where peers reach this bridge (scheme, host, port, no trailing slash): the URLs in our documents start here. */
  publicUrl: () => string;
  versions: readonly OcpiVersion[];
  bodyLimit: string;
  logger: Logger;
  now?: () => Date;
}

export function ocpiRouter(options: OcpiRouterOptions): Router {
  const router = express.Router();
  const now = options.now ?? (() => new Date());
  const kit = routeKit(options.versions, options.publicUrl, now);
  const modules = options.modules ?? [];

  router.use(OCPI_BASE_PATH, jsonBody({ limit: options.bodyLimit }), authenticate(options.tokens));
  versionsRoutes(router, kit, options.versions, options.publicUrl, modules);
  credentialsRoutes(router, kit, options.registration);
  for (const module of modules) {
    router.use(`${OCPI_BASE_PATH}/:version/${module.identifier}`, registeredPeer(module, kit, options.roles, options.registration), module.router);
  }
  router.use(OCPI_BASE_PATH, (req, _res, next) => next(new OcpiError(2000, `no such OCPI endpoint: ${req.method} ${req.originalUrl.split('?')[0]}`, 404)));
  router.use(ocpiErrors(options.logger, now));
  return router;
}
