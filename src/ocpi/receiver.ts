/**
 * The Receiver interfaces of client-owned objects (../shared/spec/ocpi.md §2.2, §4.0): the owner
 * pushes with PUT and PATCH (Tariffs: PUT and DELETE) at
 * `{module}/{country_code}/{party_id}/{id}[/...]` and may GET back. One engine serves every such
 * module from its entry in the table below: bodies are read in the URL's version (2.1.1 raised to
 * 2.2.1), checked, and handed to the flows' handler port as canonical 2.2.1 objects with the
 * findings of that reading. Nothing reaches the port that broke a rule.
 */
import type { Request, Response, Router } from 'express';
import { ocpiModuleRouter } from './ids';
import { Type, type TSchema } from '@sinclair/typebox';
import { childPath, FindingLog, type Finding, type Mapped } from '../core/findings';
import { check } from '../core/typebox';
import type { OcpiParty as StoredParty } from '../store/credentials';
import { roleOf } from './wire/credentials';
import { Connector, Evse, Location, TOKEN_TYPES, Tariff, type Location as LocationObject } from './wire/schemas';
import { Session, Token, type Token as TokenObject } from './wire/transaction-schemas';
import { session211To221, session221To211, sessionPatchUp, token211To221, token221To211, tokenPatchUp } from '../mapping/ocpi-211/transactions';
import { OcpiError, envelope, type OcpiStatusCode, type OcpiVersion } from './wire/transport';
import {
  connector211To221,
  connector221To211,
  connectorUp,
  evse211To221,
  evse221To211,
  location211To221,
  location221To211,
  locationPatchUp,
  tariff211To221,
  tariff221To211,
} from '../mapping/ocpi-211/locations';

/** Which object a URL names: its owner, then the ids of the path in order (location, EVSE, connector). */
export interface ObjectRef {
  countryCode: string;
  partyId: string;
  ids: string[];
  /** Tokens only: the `type` query parameter (2.2.1; RFID when absent). */
  tokenType?: string;
}

export interface ReceiverContext {
  /** The registered peer that pushed (its id in the store). */
  party: string;
  version: OcpiVersion;
  /** What reading the body changed, assumed or could not carry. */
  findings: Finding[];
}

/** What the flows do with an owner's pushes, per module; `level` names the object (location, evse, connector, session, tariff, token). */
export interface ObjectReceiver {
  put(level: string, ref: ObjectRef, object: unknown, context: ReceiverContext): Promise<void>;
  /** Applies the changed members; false when the object is not known (the owner then PUTs it whole). */
  patch(level: string, ref: ObjectRef, changes: Record<string, unknown>, context: ReceiverContext): Promise<boolean>;
  get(level: string, ref: ObjectRef): Promise<unknown>;
  /** Tariffs only; false when unknown. */
  delete?(level: string, ref: ObjectRef, context: ReceiverContext): Promise<boolean>;
}

/** What the 2.1.1 conversions need from the bridge's state and rules. */
export interface ModuleOptions {
  /** The zone of a 2.1.1 location without `time_zone` (2.2.1 requires one): the mapping rules' default for the owner. */
  timeZoneOf?: (party: { countryCode: string; partyId: string }) => string | undefined;
  /** The cached 2.2.1 token a 2.1.1 session's `auth_id` stands for. */
  tokenOf?: (authId: string) => Promise<TokenObject | undefined>;
  /** The cached 2.2.1 location of a session, which 2.1.1 embeds. */
  locationOf?: (ref: { countryCode: string; partyId: string; locationId: string }) => Promise<LocationObject | undefined>;
}

interface Level {
  name: string;
  /** Path ids after the owner. */
  ids: string[];
  /** The body member that must equal the URL's last id. */
  idField: string;
  schema: TSchema;
  /** A whole 2.1.1 object raised to 2.2.1. */
  up(body: unknown, ref: ObjectRef, options: ModuleOptions): Promise<Mapped<unknown>>;
  /** A stored object written for a 2.1.1 peer. */
  down(object: unknown, ref: ObjectRef, options: ModuleOptions): Promise<Mapped<unknown>>;
  /** A 2.1.1 PATCH's members under their 2.2.1 names. */
  patchUp(changes: Record<string, unknown>, log: FindingLog): Record<string, unknown>;
}

interface ReceiverModule {
  identifier: 'locations' | 'sessions' | 'tariffs' | 'tokens';
  levels: Level[];
  /** The methods of the interface per version (2.2.1 dropped PATCH of Tariffs). */
  methods: Record<OcpiVersion, ('PUT' | 'PATCH' | 'DELETE')[]>;
  /** The status code of an unknown object. */
  unknown: OcpiStatusCode;
}

const owner = (ref: ObjectRef) => ({ party: { countryCode: ref.countryCode, partyId: ref.partyId } });
const same = (changes: Record<string, unknown>) => changes;
const sync = <T>(mapped: Mapped<T>) => Promise.resolve(mapped);

/** The table: each receiver module, its levels and how each level crosses between the versions. */
export const RECEIVER_MODULES: Record<ReceiverModule['identifier'], ReceiverModule> = {
  locations: {
    identifier: 'locations',
    methods: { '2.1.1': ['PUT', 'PATCH'], '2.2.1': ['PUT', 'PATCH'] },
    unknown: 2003,
    levels: [
      {
        name: 'location',
        ids: ['location_id'],
        idField: 'id',
        schema: Location,
        up: (body, ref, options) => sync(location211To221(body, { ...owner(ref), timeZoneOf: options.timeZoneOf })),
        down: (object) => sync(location221To211(object)),
        patchUp: locationPatchUp,
      },
      { name: 'evse', ids: ['location_id', 'evse_uid'], idField: 'uid', schema: Evse, up: (body) => sync(evse211To221(body)), down: (object) => sync(evse221To211(object)), patchUp: same },
      {
        name: 'connector',
        ids: ['location_id', 'evse_uid', 'connector_id'],
        idField: 'id',
        schema: Connector,
        up: (body) => sync(connector211To221(body)),
        down: (object) => sync(connector221To211(object)),
        patchUp: (changes) => connectorUp(changes),
      },
    ],
  },
  sessions: {
    identifier: 'sessions',
    methods: { '2.1.1': ['PUT', 'PATCH'], '2.2.1': ['PUT', 'PATCH'] },
    unknown: 2001,
    levels: [
      {
        name: 'session',
        ids: ['session_id'],
        idField: 'id',
        schema: Session,
        up: async (body, ref, options) => {
          const authId = (body as { auth_id?: unknown } | null)?.auth_id;
          const token = typeof authId === 'string' ? await options.tokenOf?.(authId) : undefined;
          return session211To221(body, { ...owner(ref), token });
        },
        down: async (object, ref, options) => {
          const locationId = (object as { location_id: string }).location_id;
          return session221To211(object, { location: await options.locationOf?.({ countryCode: ref.countryCode, partyId: ref.partyId, locationId }) });
        },
        patchUp: sessionPatchUp,
      },
    ],
  },
  tariffs: {
    identifier: 'tariffs',
    methods: { '2.1.1': ['PUT', 'PATCH', 'DELETE'], '2.2.1': ['PUT', 'DELETE'] },
    unknown: 2001,
    levels: [
      {
        name: 'tariff',
        ids: ['tariff_id'],
        idField: 'id',
        schema: Tariff,
        up: (body, ref) => sync(tariff211To221(body, owner(ref))),
        down: (object) => sync(tariff221To211(object)),
        patchUp: same,
      },
    ],
  },
  tokens: {
    identifier: 'tokens',
    methods: { '2.1.1': ['PUT', 'PATCH'], '2.2.1': ['PUT', 'PATCH'] },
    unknown: 2004,
    levels: [
      { name: 'token', ids: ['token_uid'], idField: 'uid', schema: Token, up: (body, ref) => sync(token211To221(body, owner(ref))), down: (object) => sync(token221To211(object)), patchUp: tokenPatchUp },
    ],
  },
};

/**
 * A body as the 2.2.1 object the port receives, or undefined with the reasons: what a 2.1.1 body was
 * raised to is checked again, so no object that breaks 2.2.1 reaches the flows (the official 2.1.1
 * examples have such defects, e.g. two-letter countries).
 */
export function asCanonical(schema: TSchema, read: Mapped<unknown>): Mapped<unknown> {
  if (read.value === undefined) return read;
  const checked = check(schema, read.value);
  return checked.findings.length > 0 ? { value: undefined, findings: [...read.findings, ...checked.findings] } : { value: checked.value, findings: read.findings };
}

export const refused = (findings: Finding[]) => findings.filter((f) => f.kind === 'invalid').map((f) => `${f.path || '(body)'}: ${f.message}`);
const lastId = (ref: ObjectRef) => ref.ids[ref.ids.length - 1]!;

/** Members a level's schema does not know are not handed on: each is a loss finding, never silent. */
function knownMembers(level: Level, changes: Record<string, unknown>, log: FindingLog): Record<string, unknown> {
  const { properties } = level.schema as TSchema & { properties: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(changes).filter(([key]) => {
      if (key in properties) return true;
      log.loss(childPath('', key), `not a member of an OCPI 2.2.1 ${level.name}; not applied`);
      return false;
    }),
  );
}

/** A module's Receiver routes, below `{module}`; the OCPI router has authenticated the caller and loaded its party. */
export function receiverRoutes(module: ReceiverModule, handlers: ObjectReceiver, options: ModuleOptions = {}): Router {
  const router = ocpiModuleRouter();
  const now = () => new Date();
  const versionOf = (req: Request) => req.params.version as OcpiVersion;
  const context = (req: Request, res: Response, findings: Finding[]): ReceiverContext => ({ party: (res.locals.party as StoredParty).id, version: versionOf(req), findings });

  /** The object of the URL; its owner must be one of the caller's roles (404 otherwise, as the spec allows). */
  const refOf = (req: Request, res: Response, level: Level): ObjectRef => {
    const ref: ObjectRef = { countryCode: String(req.params.country_code).toUpperCase(), partyId: String(req.params.party_id).toUpperCase(), ids: level.ids.map((id) => String(req.params[id])) };
    if (!roleOf((res.locals.party as StoredParty).roles, ref)) {
      throw new OcpiError(2001, `${ref.countryCode}/${ref.partyId} is not a party you registered as`, 404);
    }
    if (module.identifier === 'tokens' && versionOf(req) !== '2.1.1') {
      const type = req.query.type ?? 'RFID';
      if (typeof type !== 'string' || !(TOKEN_TYPES as readonly string[]).includes(type)) throw new OcpiError(2001, `type must be one of ${TOKEN_TYPES.join(', ')}`);
      ref.tokenType = type;
    }
    return ref;
  };
  const allowed = (req: Request, method: 'PUT' | 'PATCH' | 'DELETE') => {
    if (!module.methods[versionOf(req)].includes(method)) throw new OcpiError(2000, `${method} is not part of the ${module.identifier} Receiver interface in OCPI ${versionOf(req)}`, 405);
  };
  const unknown = (level: Level, ref: ObjectRef, hint = '') => new OcpiError(module.unknown, `unknown ${level.name} ${lastId(ref)}${hint}`, 404);

  for (const level of module.levels) {
    const path = `/:country_code/:party_id/${level.ids.map((id) => `:${id}`).join('/')}`;
    // Built once: a schema made per request would be compiled (and cached by ajv) per request.
    const partial = Type.Partial(level.schema);

    router.put(path, async (req, res) => {
      allowed(req, 'PUT');
      const ref = refOf(req, res, level);
      const read = versionOf(req) === '2.1.1' ? asCanonical(level.schema, await level.up(req.body, ref, options)) : asCanonical(level.schema, { value: req.body, findings: [] });
      if (read.value === undefined) throw new OcpiError(2001, refused(read.findings).join('; ') || `not a valid ${level.name}`);
      const object = read.value as Record<string, unknown>;
      if (object[level.idField] !== lastId(ref)) throw new OcpiError(2001, `${level.idField} ${JSON.stringify(object[level.idField])} differs from the URL's ${lastId(ref)}`);
      // Top-level objects name their owner in 2.2.1; it must be the URL's.
      if ('country_code' in object && (String(object.country_code).toUpperCase() !== ref.countryCode || String(object.party_id).toUpperCase() !== ref.partyId)) {
        throw new OcpiError(2001, `country_code/party_id ${String(object.country_code)}/${String(object.party_id)} differ from the URL's ${ref.countryCode}/${ref.partyId}`);
      }
      await handlers.put(level.name, ref, object, context(req, res, read.findings));
      res.json(envelope(undefined, now()));
    });

    router.patch(path, async (req, res) => {
      allowed(req, 'PATCH');
      const ref = refOf(req, res, level);
      const body: unknown = req.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(2001, 'a PATCH body is an object of the changed members');
      // 2.2.1 demands last_updated in every PATCH; 2.1.1 did not.
      if (versionOf(req) !== '2.1.1' && (body as Record<string, unknown>).last_updated === undefined) throw new OcpiError(2001, 'last_updated: required in a PATCH');
      const log = new FindingLog();
      const raised = versionOf(req) === '2.1.1' ? level.patchUp(body as Record<string, unknown>, log) : (body as Record<string, unknown>);
      if (refused(log.findings).length > 0) throw new OcpiError(2001, refused(log.findings).join('; '));
      const changes = knownMembers(level, raised, log);
      const checked = check(partial, changes);
      if (checked.findings.length > 0) throw new OcpiError(2001, refused(checked.findings).join('; '));
      const id = changes[level.idField];
      if (id !== undefined && id !== lastId(ref)) throw new OcpiError(2001, `${level.idField} ${JSON.stringify(id)} differs from the URL's ${lastId(ref)}`);
      if (!(await handlers.patch(level.name, ref, checked.value, context(req, res, log.findings)))) throw unknown(level, ref, ': PUT it first');
      res.json(envelope(undefined, now()));
    });

    router.delete(path, async (req, res) => {
      allowed(req, 'DELETE');
      const ref = refOf(req, res, level);
      if (!(await handlers.delete?.(level.name, ref, context(req, res, [])))) throw unknown(level, ref);
      res.json(envelope(undefined, now()));
    });

    router.get(path, async (req, res) => {
      const ref = refOf(req, res, level);
      const found = await handlers.get(level.name, ref);
      if (found === undefined) throw unknown(level, ref);
      if (versionOf(req) !== '2.1.1') {
        res.json(envelope(found, now()));
        return;
      }
      const down = await level.down(found, ref, options);
      if (down.value === undefined) throw new OcpiError(3000, `this ${level.name} cannot be written in OCPI 2.1.1: ${down.findings.map((f) => f.message).join('; ')}`);
      res.json(envelope(down.value, now()));
    });
  }
  return router;
}
