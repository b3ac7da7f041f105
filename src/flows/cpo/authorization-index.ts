/**
 * CPO side: the authorizations Hubject gave (real-time AuthorizeStart answers and accepted remote
 * starts), findable by the token they were given for. OCPI 2.2.1 backends name the authorization of a
 * session or CDR by `authorization_reference` (Hubject's SessionID); 2.1.1 has no such field, so a
 * 2.1.1 session or CDR is matched here instead: the latest authorization of its token at its EVSE
 * shortly before it began (../shared/spec/ocpi.md §5.7, "keep locally to stitch Session/CDR"). The
 * same record gives the OCPI token behind a 2.1.1 `auth_id`, which names a token the backend never got.
 */
import type { Token } from '../../ocpi/wire/transaction-schemas';
import type { StoreRepositories } from '../../store';

/** The correlation kind of an authorization: OCPI authorization_reference = Hubject SessionID. */
export const AUTHORIZATION_KIND = 'authorization';
/** The correlation of a notified session: OCPI owner/session id <-> Hubject SessionID, with what was sent. */
export const NOTIFIED_KIND = 'notified-session';

/** Where each token's authorizations are kept (the `retention` job forgets a token `authorizationsDays` after its last one). */
export const AUTHORIZATIONS_MODULE = 'cpo:authorizations';
const MODULE = AUTHORIZATIONS_MODULE;
/** One owner for the index: it is the bridge's own bookkeeping. */
const OWNER = 'bridge';
/** How many authorizations of one token are kept: a driver does not charge more often than this in a day. */
const KEPT = 20;
/** An authorization older than this when the session begins is not its authorization. */
const VALID_MS = 24 * 3_600_000;
/** Clocks of the charge point and the bridge disagree a little: a session may seem to begin before it was authorized. */
const SKEW_MS = 5 * 60_000;

interface Given {
  sessionId: string;
  evseId?: string;
  at: string;
}

interface Entry {
  token: Token;
  given: Given[];
}

type Repositories = Pick<StoreRepositories, 'objects' | 'correlations'>;

/**
 * Records Hubject's authorization of a session (real-time or a remote start): its SessionID is the OCPI
 * authorization_reference, and `attrs` what the session and CDR will need. With the token it was given for, it is
 * also noted under each name the backend may use for that token (its uid, and its contract id, 2.1.1's auth_id).
 */
export async function recordAuthorization(store: Repositories, authorization: { attrs: Record<string, unknown>; token?: Token; given: Given }): Promise<void> {
  const { sessionId } = authorization.given;
  await store.correlations.put({ kind: AUTHORIZATION_KIND, ocpiId: sessionId, oicpId: sessionId, attrs: authorization.attrs });
  if (authorization.token) await remember(store, authorization.token, authorization.given);
}

async function remember(store: Repositories, token: Token, given: Given): Promise<void> {
  for (const name of new Set([token.uid, token.contract_id])) {
    const known = (await store.objects.get<Entry>(MODULE, OWNER, name))?.body;
    await store.objects.put(MODULE, OWNER, name, { token, given: [...(known?.given ?? []), given].slice(-KEPT) });
  }
}

/** The token Hubject authorized under a 2.1.1 auth_id (or uid), as OCPI 2.2.1 writes it. */
export async function authorizedToken(store: Repositories, name: string): Promise<Token | undefined> {
  return (await store.objects.get<Entry>(MODULE, OWNER, name))?.body.token;
}

/**
 * Hubject's SessionID for a session or CDR that does not name it: an authorization of the token at the EVSE
 * (when both say one) given at most a day before `startedAt`, the latest before it first, then one given just
 * after it (clock skew). A session (`sessionKey`) passes over authorizations another session already uses; a
 * CDR takes the one whose session began when the CDR did, else the closest.
 */
export async function matchingAuthorization(
  store: Repositories,
  match: { tokenNames: readonly string[]; evseId: string | undefined; startedAt: string; sessionKey?: string },
): Promise<string | undefined> {
  const start = Date.parse(match.startedAt);
  // One authorization is noted under the token's uid and its contract id: each is weighed once.
  const candidates = new Map<string, Given>();
  for (const name of new Set(match.tokenNames)) for (const given of (await store.objects.get<Entry>(MODULE, OWNER, name))?.body.given ?? []) candidates.set(given.sessionId, given);
  const distance = (given: Given) => Math.abs(start - Date.parse(given.at)) + (Date.parse(given.at) > start ? VALID_MS : 0);
  const eligible = [...candidates.values()]
    .filter((given) => Date.parse(given.at) <= start + SKEW_MS && start - Date.parse(given.at) <= VALID_MS)
    .filter((given) => given.evseId === undefined || match.evseId === undefined || given.evseId === match.evseId)
    .sort((a, b) => distance(a) - distance(b));
  let closest: string | undefined;
  for (const given of eligible) {
    const used = await store.correlations.byOicp(NOTIFIED_KIND, given.sessionId);
    if (match.sessionKey !== undefined) {
      if (used === undefined || used.ocpiId === match.sessionKey) return given.sessionId;
      continue;
    }
    if (used !== undefined && (await sessionStart(store, used.ocpiId)) === start) return given.sessionId;
    closest ??= given.sessionId;
  }
  return closest;
}

/** When a notified session (`owner/id`) began, as epoch ms. */
async function sessionStart(store: Repositories, key: string): Promise<number | undefined> {
  const at = key.indexOf('/');
  const session = (await store.objects.get<{ start_date_time: string }>('sessions', key.slice(0, at), key.slice(at + 1)))?.body;
  return session && Date.parse(session.start_date_time);
}

