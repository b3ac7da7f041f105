/**
 * Tenants: one deployment serving several OCPI parties and OICP identities (docs/tenants.md). Their
 * names are shared by the configuration, the store, the routes and the metrics.
 */

/** The tenant of a configuration without `tenants:`; what a store of schema version 6 held became its rows, and it is served without a URL prefix. */
export const DEFAULT_TENANT = 'default';

/** Lower-case letters, digits and dashes: a tenant id is a URL path segment (`/tenants/{id}`), a store key and a metrics label. */
export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';

/** Where a tenant's routes are on the listener: `/tenants/{id}/ocpi/versions`, `/tenants/{id}/api/oicp/...`. */
export const TENANT_PATH = '/tenants';

/** A tenant's URL prefix: none for `default`, which keeps the URLs of a single-tenant deployment. */
export const tenantPrefix = (tenant: string): string => (tenant === DEFAULT_TENANT ? '' : `${TENANT_PATH}/${tenant}`);
