/**
 * The two configuration modules every OCPI party serves: Versions (the versions we offer, and each
 * version's endpoints) and Credentials (register with token A, update, unregister). A credentials
 * PUT on the other version's endpoint switches the peer cleanly.
 */
import type { Router } from 'express';
import type { Registration } from './registration';
import type { RouteKit } from './route-kit';
import { OCPI_BASE_PATH, ourEndpoints, versionUrl, type OcpiModule } from './endpoints';
import { writeVersionDetails } from './wire/credentials';
import { OcpiError, type OcpiVersion } from './wire/transport';

export function versionsRoutes(router: Router, kit: RouteKit, versions: readonly OcpiVersion[], publicUrl: () => string, modules: readonly OcpiModule[]): void {
  router.get(`${OCPI_BASE_PATH}/versions`, (_req, res) => {
    kit.send(
      res,
      [...versions].sort().map((version) => ({ version, url: versionUrl(publicUrl(), version) })),
    );
  });
  router.get(
    `${OCPI_BASE_PATH}/:version`,
    kit.handle((req, res) => {
      const version = kit.versionOf(req);
      kit.send(res, writeVersionDetails(version, ourEndpoints(publicUrl(), version, modules)));
    }),
  );
}

export function credentialsRoutes(router: Router, kit: RouteKit, registration: Registration): void {
  const path = `${OCPI_BASE_PATH}/:version/credentials`;
  router.get(
    path,
    kit.handle((req, res) => {
      kit.send(res, registration.credentialsFor(kit.versionOf(req), kit.caller(res).token));
    }),
  );
  for (const method of ['POST', 'PUT'] as const) {
    router[method === 'POST' ? 'post' : 'put'](
      path,
      kit.handle(async (req, res) => {
        const version = kit.versionOf(req);
        const { party, purpose } = kit.caller(res);
        // Token A registers (POST); an access token updates (PUT). Each in the other's place is the wrong state.
        if (method === 'POST' && purpose === 'access') throw new OcpiError(2000, 'already registered: update with PUT, or DELETE first', 405);
        if (method === 'PUT' && purpose === 'registration') throw new OcpiError(2000, 'not registered: register with POST', 405);
        kit.send(res, await registration.accept(party, method, version, req.body));
      }),
    );
  }
  router.delete(
    path,
    kit.handle(async (req, res) => {
      kit.versionOf(req);
      if (kit.caller(res).purpose === 'registration') throw new OcpiError(2000, 'not registered', 405);
      await registration.forget(kit.caller(res).party);
      kit.send(res, undefined);
    }),
  );
}
