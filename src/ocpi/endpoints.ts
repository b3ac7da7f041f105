/**
 * Where the bridge's OCPI endpoints live: one URL space per version below `/ocpi`
 * (`/ocpi/2.2.1/credentials`), and the functional modules the flows mount there.
 */
import type { Router } from 'express';
import type { OcpiEndpoint } from './wire/credentials';
import type { OcpiVersion } from './wire/transport';

export const OCPI_BASE_PATH = '/ocpi';

/** A functional module the bridge serves: its routes below `/ocpi/{version}/{identifier}`. */
export interface OcpiModule {
  identifier: string;
  role: 'SENDER' | 'RECEIVER';
  versions: readonly OcpiVersion[];
  router: Router;
}

export const versionsUrl = (publicUrl: string) => `${publicUrl}${OCPI_BASE_PATH}/versions`;
export const versionUrl = (publicUrl: string, version: OcpiVersion) => `${publicUrl}${OCPI_BASE_PATH}/${version}`;

/** The modules this bridge serves in a version, as its version details list them. */
export function ourEndpoints(publicUrl: string, version: OcpiVersion, modules: readonly OcpiModule[] = []): OcpiEndpoint[] {
  const base = versionUrl(publicUrl, version);
  return [
    // Credentials' interface role carries no meaning; the spec advises SENDER.
    { identifier: 'credentials', role: 'SENDER', url: `${base}/credentials` },
    ...modules.filter((m) => m.versions.includes(version)).map((m) => ({ identifier: m.identifier, role: m.role, url: `${base}/${m.identifier}` })),
  ];
}
