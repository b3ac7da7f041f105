/**
 * Who may call what: the token is checked before any OCPI logic runs; a registration token (token A)
 * opens only versions and credentials; functional modules take a registered peer's access token in
 * the version it registered, with 2.2.1's routing headers naming only the parties on each side.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: token-either-encoding (src/ocpi/errata.ts).
import type { NextFunction, Request, Response } from 'express';
import type { OcpiParty, TokenRepository } from '../store/credentials';
import type { OcpiModule } from './endpoints';
import type { Registration } from './registration';
import type { Caller, RouteKit } from './route-kit';
import { roleOf, type OcpiPartyRole } from './wire/credentials';
import { OcpiError, presentedTokens } from './wire/transport';

/** Where `authenticate` leaves the token's party as read with the token, for `registeredPeer` to check. */
const HOLDER = 'tokenHolder';

/** The caller's token, verified; refuses with 401 before any OCPI logic runs. */
export function authenticate(tokens: TokenRepository) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      for (const token of presentedTokens(req.get('authorization'))) {
        const known = await tokens.verify(token);
        if (known) {
          res.locals.caller = { party: known.party, purpose: known.purpose, token } satisfies Caller;
          res.locals[HOLDER] = known.holder;
          next();
          return;
        }
      }
      next(new OcpiError(2000, req.get('authorization') === undefined ? 'Authorization header missing' : 'unknown token', 401));
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Modules take only a registered peer's access token, in the version it registered (the party as read
 * with the token). A party still `offered` while our registration with it is in flight is checked as
 * that registration leaves it: the peer may use our token as soon as it has answered our credentials.
 */
export function registeredPeer(module: OcpiModule, kit: RouteKit, ourRoles: readonly OcpiPartyRole[], registration: Pick<Registration, 'settled'>) {
  const admit = (req: Request, res: Response, party: OcpiParty) => {
    const version = kit.versionOf(req);
    if (!module.versions.includes(version)) throw new OcpiError(2000, `no ${module.identifier} module in OCPI ${version}`, 404);
    if (kit.caller(res).purpose !== 'access') throw new OcpiError(2000, 'a registration token opens only versions and credentials', 401);
    if (party.state !== 'registered') throw new OcpiError(2000, 'not registered', 401);
    if (party.version !== version) throw new OcpiError(3002, `registered in OCPI ${party.version ?? '?'}; use that version's endpoints`, 404);
    res.locals.party = party;
    if (version === '2.2.1') routingHeaders(req, res, party.roles, ourRoles);
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const holder = res.locals[HOLDER] as OcpiParty;
    const handshake = holder.state === 'offered' ? registration.settled(holder.id) : undefined;
    if (handshake) {
      handshake.then((party) => admit(req, res, party ?? holder)).then(() => next(), next);
      return;
    }
    try {
      admit(req, res, holder);
    } catch (err) {
      next(err);
      return;
    }
    next();
  };
}

/**
 * 2.2.1 routing headers on functional modules (§2.7): a sender may name itself and us; both must
 * be who registered. The answer swaps them.
 */
function routingHeaders(req: Request, res: Response, theirRoles: readonly OcpiPartyRole[], ourRoles: readonly OcpiPartyRole[]) {
  const named = (side: 'from' | 'to') => {
    const countryCode = req.get(`OCPI-${side}-country-code`)?.toUpperCase();
    const partyId = req.get(`OCPI-${side}-party-id`)?.toUpperCase();
    return countryCode === undefined && partyId === undefined ? undefined : { countryCode, partyId };
  };
  const from = named('from');
  const to = named('to');
  if (from && !roleOf(theirRoles, from)) throw new OcpiError(2001, `OCPI-from-country-code/party-id ${from.countryCode ?? '?'}/${from.partyId ?? '?'} is not a party you registered as`);
  if (to && !roleOf(ourRoles, to)) throw new OcpiError(2001, `OCPI-to-country-code/party-id ${to.countryCode ?? '?'}/${to.partyId ?? '?'} is not served here`);
  const them = from ?? theirRoles[0];
  const us = (to && roleOf(ourRoles, to)) ?? ourRoles[0];
  if (us) res.set({ 'OCPI-from-country-code': us.countryCode, 'OCPI-from-party-id': us.partyId });
  if (them?.countryCode && them.partyId) res.set({ 'OCPI-to-country-code': them.countryCode, 'OCPI-to-party-id': them.partyId });
}
