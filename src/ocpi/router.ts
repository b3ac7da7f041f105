/**
 * The bridge as an OCPI party: the Versions and Credentials modules under `/ocpi`, one URL space per
 * version (`/ocpi/2.2.1/credentials`), so a credentials PUT on the other version's endpoint switches
 * the peer cleanly. Every answer is an OCPI envelope; tokens are checked before anything else, and a
 * registration token (token A) opens only these configuration modules.
 */
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response, type Router } from 'express';
import { isBodyRefused, jsonBody } from '../http/json-body';
import { originForm } from '../http/origin-form';
import type { Logger } from '../observability/logger';
import type { PartyRepository, TokenPurpose, TokenRepository } from '../store/credentials';
import type { OcpiEndpoint, OcpiPartyRole } from './wire/credentials';
import { roleOf, writeVersionDetails } from './wire/credentials';
import type { Registration } from './registration';
import { OcpiError, envelope, presentedTokens, type OcpiStatusCode, type OcpiVersion } from './wire/transport';

export const OCPI_BASE_PATH = '/ocpi';

/** A functional module the bridge serves: its routes below `/ocpi/{version}/{identifier}`. */
export interface OcpiModule {
  identifier: string;
  role: 'SENDER' | 'RECEIVER';
  versions: readonly OcpiVersion[];
  router: Router;
  /** A configuration module (HubClientInfo): no routing headers. */
  configuration?: boolean;
}

export interface OcpiRouterOptions {
  registration: Registration;
  tokens: TokenRepository;
  parties: PartyRepository;
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

/** Who is calling, from the token they presented. */
interface Caller {
  party: string;
  purpose: TokenPurpose;
  token: string;
}

export const versionsUrl = (publicUrl: string) => `${publicUrl}${OCPI_BASE_PATH}/versions`;
const versionUrl = (publicUrl: string, version: OcpiVersion) => `${publicUrl}${OCPI_BASE_PATH}/${version}`;

/** The modules this bridge serves in a version, as its version details list them. */
export function ourEndpoints(publicUrl: string, version: OcpiVersion, modules: readonly OcpiModule[] = []): OcpiEndpoint[] {
  const base = versionUrl(publicUrl, version);
  return [
    // Credentials' interface role carries no meaning; the spec advises SENDER.
    { identifier: 'credentials', role: 'SENDER', url: `${base}/credentials` },
    ...modules.filter((m) => m.versions.includes(version)).map((m) => ({ identifier: m.identifier, role: m.role, url: `${base}/${m.identifier}` })),
  ];
}

export function ocpiRouter(options: OcpiRouterOptions): Router {
  const router = express.Router();
  const now = options.now ?? (() => new Date());
  const send = (res: Response, data: unknown, httpStatus = 200) => res.status(httpStatus).json(envelope(data, now()));

  /** The caller's token, verified; refuses with 401 before any OCPI logic runs. */
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    try {
      for (const token of presentedTokens(req.get('authorization'))) {
        const known = await options.tokens.verify(token);
        if (known) {
          res.locals.caller = { ...known, token } satisfies Caller;
          next();
          return;
        }
      }
      next(new OcpiError(2000, req.get('authorization') === undefined ? 'Authorization header missing' : 'unknown token', 401));
    } catch (err) {
      next(err);
    }
  };
  const caller = (res: Response) => res.locals.caller as Caller;

  /** The version of the URL, when we offer it. */
  const versionOf = (req: Request): OcpiVersion => {
    const version = options.versions.find((v) => v === req.params.version);
    if (!version) throw new OcpiError(3002, `version ${String(req.params.version)} is not offered here; see ${versionsUrl(options.publicUrl())}`, 404);
    return version;
  };
  const handle = (work: (req: Request, res: Response) => Promise<void> | void) => (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => work(req, res))
      .catch(next);
  };

  router.use(OCPI_BASE_PATH, jsonBody({ limit: options.bodyLimit }), authenticate);

  router.get(`${OCPI_BASE_PATH}/versions`, (_req, res) => {
    send(
      res,
      [...options.versions].sort().map((version) => ({ version, url: versionUrl(options.publicUrl(), version) })),
    );
  });

  router.get(
    `${OCPI_BASE_PATH}/:version`,
    handle((req, res) => {
      const version = versionOf(req);
      send(res, writeVersionDetails(version, ourEndpoints(options.publicUrl(), version, options.modules)));
    }),
  );

  const credentials = `${OCPI_BASE_PATH}/:version/credentials`;
  router.get(
    credentials,
    handle((req, res) => {
      send(res, options.registration.credentialsFor(versionOf(req), caller(res).token));
    }),
  );
  for (const method of ['POST', 'PUT'] as const) {
    router[method === 'POST' ? 'post' : 'put'](
      credentials,
      handle(async (req, res) => {
        const version = versionOf(req);
        const { party, purpose } = caller(res);
        // Token A registers (POST); an access token updates (PUT). Each in the other's place is the wrong state.
        if (method === 'POST' && purpose === 'access') throw new OcpiError(2000, 'already registered: update with PUT, or DELETE first', 405);
        if (method === 'PUT' && purpose === 'registration') throw new OcpiError(2000, 'not registered: register with POST', 405);
        send(res, await options.registration.accept(party, method, version, req.body));
      }),
    );
  }
  router.delete(
    credentials,
    handle(async (req, res) => {
      versionOf(req);
      if (caller(res).purpose === 'registration') throw new OcpiError(2000, 'not registered', 405);
      await options.registration.forget(caller(res).party);
      send(res, undefined);
    }),
  );

  /** Modules take only a registered peer's access token, in the version it registered. */
  const registeredPeer = (module: OcpiModule) => (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(async () => {
        const version = versionOf(req);
        if (!module.versions.includes(version)) throw new OcpiError(2000, `no ${module.identifier} module in OCPI ${version}`, 404);
        if (caller(res).purpose !== 'access') throw new OcpiError(2000, 'a registration token opens only versions and credentials', 401);
        const party = await options.parties.get(caller(res).party);
        if (party?.state !== 'registered') throw new OcpiError(2000, 'not registered', 401);
        if (party.version !== version) throw new OcpiError(3002, `registered in OCPI ${party.version ?? '?'}; use that version's endpoints`, 404);
        res.locals.party = party;
        if (version === '2.2.1' && !module.configuration) routing(req, res, party.roles);
      })
      .then(() => next(), next);
  };
  /**
   * 2.2.1 routing headers on functional modules (§2.7): a sender may name itself and us; both must
   * be who registered. The answer swaps them.
   */
  const routing = (req: Request, res: Response, theirRoles: readonly OcpiPartyRole[]) => {
    const named = (side: 'from' | 'to') => {
      const countryCode = req.get(`OCPI-${side}-country-code`)?.toUpperCase();
      const partyId = req.get(`OCPI-${side}-party-id`)?.toUpperCase();
      return countryCode === undefined && partyId === undefined ? undefined : { countryCode, partyId };
    };
    const from = named('from');
    const to = named('to');
    if (from && !roleOf(theirRoles, from)) throw new OcpiError(2001, `OCPI-from-country-code/party-id ${from.countryCode ?? '?'}/${from.partyId ?? '?'} is not a party you registered as`);
    if (to && !roleOf(options.roles, to)) throw new OcpiError(2001, `OCPI-to-country-code/party-id ${to.countryCode ?? '?'}/${to.partyId ?? '?'} is not served here`);
    const them = from ?? theirRoles[0];
    const us = (to && roleOf(options.roles, to)) ?? options.roles[0];
    if (us) res.set({ 'OCPI-from-country-code': us.countryCode, 'OCPI-from-party-id': us.partyId });
    if (them?.countryCode && them.partyId) res.set({ 'OCPI-to-country-code': them.countryCode, 'OCPI-to-party-id': them.partyId });
  };
  for (const module of options.modules ?? []) {
    router.use(`${OCPI_BASE_PATH}/:version/${module.identifier}`, registeredPeer(module), module.router);
  }

  router.use(OCPI_BASE_PATH, (req, _res, next) => next(new OcpiError(2000, `no such OCPI endpoint: ${req.method} ${req.originalUrl.split('?')[0]}`, 404)));
  router.use(ocpiErrors(options.logger, now));
  return router;
}

/**
 * Refusals as envelopes. OcpiError as it says; what the caller sent wrong before any OCPI logic ran
 * is answered with the HTTP status it deserves: a path segment that is not percent-encoded UTF-8
 * (the router's decoding fails) and a body nested too deep or holding a NUL are 400 with 2001, a body that is not
 * JSON 400 and one over the limit 413 with 2000, any other refusal of the body parser (an unknown
 * charset or Content-Encoding, an aborted upload) its own 4xx with 2000. Anything else is ours:
 * 500 with 3000, logged.
 */
const in211 = (url: string) => originForm(url).startsWith(`${OCPI_BASE_PATH}/2.1.1/`);

/** A 2.1.1 peer gets only the codes 2.1.1 has: 2004 (unknown token) is its generic client error, the 2.2.1 hub codes its generic server error. */
function codeIn211(code: OcpiStatusCode): OcpiStatusCode {
  if (code === 2004) return 2000;
  return code >= 4000 ? 3000 : code;
}

function ocpiErrors(logger: Logger, now: () => Date): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (!originForm(req.originalUrl).startsWith(OCPI_BASE_PATH)) {
      next(err);
      return;
    }
    const refuse = (httpStatus: number, code: OcpiStatusCode, message: string) => res.status(httpStatus).json(envelope(undefined, now(), in211(req.originalUrl) ? codeIn211(code) : code, message));
    const clientError = err as { type?: string; status?: unknown; message?: string };
    if (err instanceof OcpiError) refuse(err.httpStatus, err.code, err.message);
    else if (err instanceof URIError && clientError.status === 400) refuse(400, 2001, `the URL path is not valid percent-encoded UTF-8: ${req.originalUrl.split('?')[0]!.slice(0, 200)}`);
    else if (isBodyRefused(err)) refuse(err.status, err.status === 400 ? 2001 : 2000, err.message);
    else if (clientError.type === 'entity.parse.failed') refuse(400, 2000, 'the request body is not valid JSON');
    else if (clientError.type === 'entity.too.large') refuse(413, 2000, 'the request body is too large');
    else if (typeof clientError.status === 'number' && clientError.status >= 400 && clientError.status < 500) refuse(clientError.status, 2000, clientError.message ?? 'unreadable request');
    else {
      ((res.locals.log as Logger | undefined) ?? logger).error('OCPI request failed', { error: err });
      refuse(500, 3000, 'internal error');
    }
  };
}
