/**
 * The Sender interfaces (../shared/spec/ocpi.md §4.0): the data owner's lists, paginated, for a
 * peer that pulls instead of receiving pushes; single Locations, EVSEs and Connectors by id; and the
 * eMSP's real-time authorization of a token. The flows' handler port answers with canonical 2.2.1
 * objects; a 2.1.1 peer gets them written in 2.1.1, and an object 2.1.1 cannot carry is left out of
 * its page (logged with the findings, never sent half).
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: status-codes-for-2-1-1 (src/ocpi/errata.ts).
import type { Request, Response, Router } from 'express';
import { ocpiModuleRouter } from './ids';
import type { Finding, Mapped } from '../core/findings';
import type { Logger } from '../observability/logger';
import type { OcpiParty as StoredParty } from '../store/credentials';
import { pageHeaders, readPageQuery, type Page, type PageQuery } from './pagination';
import type { ModuleOptions } from './receiver';
import { TOKEN_TYPES, type Location } from './wire/schemas';
import { ChargingPreferences, LocationReferences, type AuthorizationInfo, type ChargingPreferencesResponse } from './wire/transaction-schemas';
import { authorizationInfo221To211, cdr221To211, session221To211, token221To211 } from '../mapping/ocpi-211/transactions';
import { OcpiError, bodyAs, envelope, type OcpiVersion } from './wire/transport';
import { connector221To211, evse221To211, location221To211, tariff221To211 } from '../mapping/ocpi-211/locations';

export type SenderModuleId = 'locations' | 'sessions' | 'cdrs' | 'tariffs' | 'tokens';

interface SenderContext {
  /** The registered peer that asks (its id in the store). */
  party: string;
  version: OcpiVersion;
}

/** What the flows answer a peer that pulls. Lists are oldest first and stable across calls (the spec's order). */
export interface ObjectSender {
  list(module: SenderModuleId, query: PageQuery, context: SenderContext): Promise<Page<unknown>>;
  /** Locations only: one location, EVSE (`ids` = location, EVSE) or connector (location, EVSE, connector). */
  get?(level: 'location' | 'evse' | 'connector', ids: string[], context: SenderContext): Promise<unknown>;
  /**
   * Sessions only (2.2.1): a driver's charging preferences for a running session; undefined when
   * the session is unknown or its EVSE is not CHARGING_PREFERENCES_CAPABLE.
   */
  chargingPreferences?(sessionId: string, preferences: ChargingPreferences, context: SenderContext): Promise<ChargingPreferencesResponse | undefined>;
  /** Tokens only: real-time authorization; undefined for an unknown token. */
  authorize?(uid: string, type: string, location: LocationReferences | undefined, context: SenderContext): Promise<AuthorizationInfo | undefined>;
}

interface SenderModule {
  identifier: SenderModuleId;
  /** Sessions must be asked with date_from (both versions). */
  requireDateFrom?: boolean;
  down(object: unknown, options: ModuleOptions): Promise<Mapped<unknown>>;
}

const locationOf = (object: unknown) => object as { country_code: string; party_id: string; location_id?: string; cdr_location?: { id: string } };
async function cachedLocation(object: unknown, options: ModuleOptions): Promise<Location | undefined> {
  const { country_code, party_id, location_id, cdr_location } = locationOf(object);
  return options.locationOf?.({ countryCode: country_code, partyId: party_id, locationId: location_id ?? cdr_location?.id ?? '' });
}

export const SENDER_MODULES: Record<SenderModuleId, SenderModule> = {
  locations: { identifier: 'locations', down: (object) => Promise.resolve(location221To211(object)) },
  sessions: { identifier: 'sessions', requireDateFrom: true, down: async (object, options) => session221To211(object, { location: await cachedLocation(object, options) }) },
  cdrs: { identifier: 'cdrs', down: async (object, options) => cdr221To211(object, { location: await cachedLocation(object, options) }) },
  tariffs: { identifier: 'tariffs', down: (object) => Promise.resolve(tariff221To211(object)) },
  tokens: { identifier: 'tokens', down: (object) => Promise.resolve(token221To211(object)) },
};

const LOCATION_LEVELS = [
  { level: 'location', path: '/:location_id', ids: ['location_id'], down: location221To211 },
  { level: 'evse', path: '/:location_id/:evse_uid', ids: ['location_id', 'evse_uid'], down: evse221To211 },
  { level: 'connector', path: '/:location_id/:evse_uid/:connector_id', ids: ['location_id', 'evse_uid', 'connector_id'], down: connector221To211 },
] as const;

interface SenderRoutesOptions extends ModuleOptions {
  /** The most objects per page (the cap a larger `limit` is lowered to, and X-Limit). */
  maxLimit?: number;
  /** Where peers reach us, for the absolute `Link` of the next page. */
  publicUrl: () => string;
  logger: Logger;
}

/** A module's Sender routes, below `{module}`; the OCPI router has authenticated the caller and loaded its party. */
export function senderRoutes(module: SenderModule, handlers: ObjectSender, options: SenderRoutesOptions): Router {
  const router = ocpiModuleRouter();
  const now = () => new Date();
  const versionOf = (req: Request) => req.params.version as OcpiVersion;
  const context = (req: Request, res: Response): SenderContext => ({ party: (res.locals.party as StoredParty).id, version: versionOf(req) });
  /** A 2.2.1 object as the peer's version writes it; undefined (and logged) when 2.1.1 cannot carry it. */
  const written = async (req: Request, object: unknown, down: (object: unknown) => Promise<Mapped<unknown>>, what: string): Promise<{ value: unknown; findings: Finding[] }> => {
    if (versionOf(req) !== '2.1.1') return { value: object, findings: [] };
    const lowered = await down(object);
    if (lowered.value === undefined) options.logger.warn('object left out: OCPI 2.1.1 cannot carry it', { module: module.identifier, what, findings: lowered.findings });
    return lowered;
  };

  router.get('/', async (req, res) => {
    const query = readPageQuery(req.query, options.maxLimit ?? 100, module.requireDateFrom);
    const page = await handlers.list(module.identifier, query, context(req, res));
    const items: unknown[] = [];
    for (const object of page.items) {
      const { value } = await written(req, object, (o) => module.down(o, options), `${module.identifier} list item`);
      if (value !== undefined) items.push(value);
    }
    // Offsets count the objects of the list, also those a 2.1.1 page had to leave out.
    // Appended, not resolved: a tenant's public URL has a path (`/tenants/{id}`) that the request's does not repeat.
    const url = new URL(`${options.publicUrl()}${req.originalUrl}`);
    res.set(pageHeaders(url, query, { items: page.items, total: page.total })).json(envelope(items, now()));
  });

  if (module.identifier === 'locations') {
    for (const level of LOCATION_LEVELS) {
      router.get(level.path, async (req, res) => {
        const params = req.params as Record<string, string>;
        const ids = level.ids.map((id) => String(params[id]));
        const found = await handlers.get?.(level.level, ids, context(req, res));
        if (found === undefined) throw new OcpiError(2003, `unknown ${level.level} ${ids[ids.length - 1]!}`, 404);
        const { value } = await written(req, found, (o) => Promise.resolve(level.down(o)), level.level);
        if (value === undefined) throw new OcpiError(3000, `this ${level.level} cannot be written in OCPI 2.1.1`);
        res.json(envelope(value, now()));
      });
    }
  }

  if (module.identifier === 'sessions') {
    router.put('/:session_id/charging_preferences', async (req, res) => {
      if (versionOf(req) === '2.1.1') throw new OcpiError(2000, 'charging preferences are OCPI 2.2.1', 404);
      const preferences = bodyAs(ChargingPreferences, req.body);
      const answer = await handlers.chargingPreferences?.(String(req.params.session_id), preferences, context(req, res));
      // §2.5: an EVSE that takes no preferences (or an unknown session) is 404 with 2001.
      if (answer === undefined) throw new OcpiError(2001, `session ${String(req.params.session_id)} takes no charging preferences`, 404);
      res.json(envelope(answer, now()));
    });
  }

  if (module.identifier === 'tokens') {
    router.post('/:token_uid/authorize', async (req, res) => {
      const type = versionOf(req) === '2.1.1' ? 'RFID' : (req.query.type ?? 'RFID');
      if (typeof type !== 'string' || !(TOKEN_TYPES as readonly string[]).includes(type)) throw new OcpiError(2001, `type must be one of ${TOKEN_TYPES.join(', ')}`);
      // The body is optional: LocationReferences when the CPO names where.
      const body: unknown = req.body;
      const hasBody = body !== undefined && !(typeof body === 'object' && body !== null && Object.keys(body).length === 0);
      const location = hasBody ? bodyAs(LocationReferences, body) : undefined;
      const info = await handlers.authorize?.(String(req.params.token_uid), type, location, context(req, res));
      // 2.1.1 has no 2004 (§5.6): an unknown token is 404 with its generic client error there.
      if (info === undefined) throw new OcpiError(versionOf(req) === '2.1.1' ? 2000 : 2004, `unknown token ${String(req.params.token_uid)}`, 404);
      const { value } = await written(req, info, (o) => Promise.resolve(authorizationInfo221To211(o)), 'authorization');
      if (value === undefined) throw new OcpiError(3000, 'this authorization cannot be written in OCPI 2.1.1');
      res.json(envelope(value, now()));
    });
  }
  return router;
}
