/**
 * The bridge's OCPI side built from its configuration: the party it presents (roles, versions,
 * public URL), the handshake, and the routes the backend calls.
 */
import type { Router } from 'express';
import type { BridgeConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { ownerOf, type Store } from '../store';
import type { Location as LocationObject } from './wire/schemas';
import type { ModuleOptions } from './receiver';
import type { OcpiPartyRole } from './wire/credentials';
import { OcpiClient } from './client';
import { OcpiPeer } from './peer';
import { Registration } from './registration';
import { versionsUrl, type OcpiModule } from './endpoints';
import { ocpiRouter } from './router';

/** The store's name for the backend the configuration names (`ocpi.backend`) and the CLI's default party. */
export const BACKEND_PARTY = 'backend';

/** A party as a module client, once it is registered (by default the backend, which the flows call). */
export async function registeredPeer(store: Pick<Store, 'parties'>, client: OcpiClient, us: OcpiPartyRole, partyId = BACKEND_PARTY, options: ModuleOptions = {}): Promise<OcpiPeer | undefined> {
  const party = await store.parties.get(partyId);
  return party?.state === 'registered' ? new OcpiPeer(party, client, us, options) : undefined;
}

/**
 * The stored location of a session or CDR: OCPI 2.1.1 embeds the whole location in them, so writing one in 2.1.1
 * (to a peer, or served from a list) needs it.
 */
export function storedLocation(store: Pick<Store, 'objects'>): NonNullable<ModuleOptions['locationOf']> {
  return async (ref) => (await store.objects.get<LocationObject>('locations', ownerOf({ country_code: ref.countryCode, party_id: ref.partyId }), ref.locationId))?.body;
}

/** The roles we present in credentials: one per configured role, all under our country and party id. */
export function ourRoles(ocpi: BridgeConfig['ocpi']): OcpiPartyRole[] {
  return ocpi.roles.map((role) => ({ role, countryCode: ocpi.countryCode, partyId: ocpi.partyId, businessDetails: ocpi.businessDetails }));
}

/** The configured public URL, or the listening address (`url`, once known). */
export function publicUrlOf(config: BridgeConfig, listening: string): string {
  return config.ocpi.publicUrl ?? listening.replace('://0.0.0.0:', '://127.0.0.1:');
}

export interface OcpiSide {
  registration: Registration;
  router: Router;
}

interface OcpiSideOptions {
  ocpi: BridgeConfig['ocpi'];
  bodyLimit: string;
  store: Pick<Store, 'parties' | 'tokens'>;
  logger: Logger;
  /** Where peers reach this party; a function because the listening address is known only once listening. */
  publicUrl: () => string;
  /** The functional modules served (from the flows). */
  modules?: readonly OcpiModule[];
  now?: () => number;
}

/** An OCPI party: the bridge's side toward its backend, and (with a backend's configuration) the backend simulator. */
export function ocpiSide({ ocpi, bodyLimit, store, logger, publicUrl, modules, now }: OcpiSideOptions): OcpiSide {
  const registration = new Registration({
    parties: store.parties,
    tokens: store.tokens,
    client: new OcpiClient({ logger }),
    logger,
    versionsUrl: () => versionsUrl(publicUrl()),
    roles: ourRoles(ocpi),
    versions: ocpi.versions,
    tokenOverlapMs: ocpi.tokenOverlapSeconds * 1000,
    now,
  });
  const router = ocpiRouter({ registration, tokens: store.tokens, roles: ourRoles(ocpi), modules, publicUrl, versions: ocpi.versions, bodyLimit, logger, now: now && (() => new Date(now())) });
  return { registration, router };
}

/**
 * Registers with the configured backend when it is not registered yet (`ocpi.backend` with a
 * token A). A failure is logged with its reason and leaves the bridge running: the operator can
 * retry with `ocpi register`. A store registered with another backend is left as it is (its
 * credentials are the only way to reach that peer), and the mismatch is logged with the way out.
 */
export async function registerWithBackend(config: BridgeConfig, side: OcpiSide, store: Pick<Store, 'parties'>, logger: Logger): Promise<void> {
  const backend = config.ocpi.backend;
  if (!backend) return;
  const stored = await store.parties.get(BACKEND_PARTY);
  if (!backend.token) {
    // Said, not guessed at: a versions URL alone cannot register, and the flows wait for a registered backend.
    if (stored?.state !== 'registered') {
      logger.warn('ocpi.backend has no token A, so the bridge does not register with it: register with `ocpi-oicp-bridge ocpi register` (with --tenant ID for a tenant), or give the token (ocpi.backend.token, from the environment BRIDGE_OCPI_BACKEND_TOKEN or a tenant\'s BRIDGE_TENANT_<ID>_OCPI_BACKEND_TOKEN)', { versionsUrl: backend.versionsUrl });
    }
    return;
  }
  if (stored?.state === 'registered') {
    if (stored.versionsUrl !== backend.versionsUrl) {
      logger.warn('the store is registered with another OCPI backend than the configured one, and keeps that registration; to move, run `ocpi-oicp-bridge ocpi unregister` then `ocpi register`', {
        registered: stored.versionsUrl,
        configured: backend.versionsUrl,
      });
    }
    return;
  }
  try {
    const party = await side.registration.register(BACKEND_PARTY, backend.versionsUrl, backend.token);
    logger.info('registered with the OCPI backend', { versionsUrl: backend.versionsUrl, version: party.version });
  } catch (err) {
    logger.error('registration with the OCPI backend failed; retry with `ocpi-oicp-bridge ocpi register`', { versionsUrl: backend.versionsUrl, reason: (err as Error).message });
  }
}
