/**
 * EMP side, tokens and authorization (issue 8). The backend pushes its tokens to the bridge (its
 * CPO); they are kept, and with `oicp.pushAuthenticationData` the ones that may be authorized
 * without asking (valid, whitelist other than NEVER) are sent to Hubject as PushAuthenticationData
 * (offline authorization); a token that stops qualifying is deleted there. Hubject's AuthorizeStart
 * is answered from the stored token when its whitelist says so (ALWAYS), else from the backend's
 * real-time authorization within `oicp.authorizeTimeoutMs`, falling back to the stored token
 * (ALLOWED / ALLOWED_OFFLINE) when the backend does not answer. Refusals carry the precise
 * StatusCode of the mapping table (mapping/authorization.ts).
 */
import { ocpiAuthorizationToOicp } from '../../mapping/authorization';
import { identificationToOcpiToken, identificationToToken, tokenToIdentification } from '../../mapping/identification';
import type { OcpiParty } from '../../mapping/identifiers';
import { statusCode } from '../../oicp/wire/status-codes';
import type { AuthorizeStart, AuthorizeStop, AuthorizationStart, AuthorizationStop, Identification } from '../../oicp/wire/transaction-schemas';
import type { ObjectReceiver, ObjectRef } from '../../ocpi/receiver';
import { AuthorizationInfo, type Session, type Token } from '../../ocpi/wire/transaction-schemas';
import { check } from '../../core/typebox';
import { ownerKey, type ClaimedItem } from '../../store';
import { BACKEND_PARTY } from '../../ocpi';
import { deliveryOf, type Deliverer, type Delivery } from '../outbox-worker';
import { isStale } from '../freshness';
import { announcing, ourKey, type EmpContext } from './context';
import type { EmpNetwork } from './network';

export const AUTHENTICATION_DATA_TOPIC = 'oicp:PushAuthenticationData';

const tokenId = (type: string, uid: string) => `${type}/${uid}`;

/** A token Hubject may authorize on its own. */
const offline = (token: Token | undefined) => token !== undefined && token.valid && token.whitelist !== 'NEVER';

export interface EmpTokens {
  receiver: ObjectReceiver;
  authorizeStart(request: AuthorizeStart): Promise<AuthorizationStart>;
  authorizeStop(request: AuthorizeStop): Promise<AuthorizationStop>;
  /** The eMSP party of the backend: owner of the tokens in sessions and CDRs. */
  provider(): Promise<OcpiParty | undefined>;
  /** The backend's stored token an identification names (its contract id goes into sessions and CDRs). */
  tokenOf(identification: Identification | undefined): Promise<Token | undefined>;
}

export function empTokens(context: EmpContext & { pushAuthenticationData: boolean; authorizeTimeoutMs: number }, network: EmpNetwork): EmpTokens {
  const { store, logger } = context;

  /** Applies a token push in a transaction holding the token: newest wins (an older push is acknowledged, not applied). */
  const apply = (ref: ObjectRef, change: (cached: Token | undefined) => Token | undefined) =>
    store.transaction(async (tx) => {
      const owner = ownerKey(ref);
      const id = tokenId(ref.tokenType ?? 'RFID', ref.ids[0]!);
      await tx.objects.lock('tokens', owner, id);
      const cached = (await tx.objects.get<Token>('tokens', owner, id))?.body;
      const token = change(cached);
      if (token === undefined) return cached !== undefined;
      if (isStale(token, cached)) {
        context.stale({ module: 'tokens', ref: `${owner}/${id}`, incoming: token, held: cached });
        return true;
      }
      await tx.objects.put('tokens', owner, id, token);
      if (context.pushAuthenticationData) await tx.outbox.enqueue({ topic: AUTHENTICATION_DATA_TOPIC, payload: { owner, id }, ...announcing(`token:${owner}/${id}`) });
      return true;
    });

  const receiver: ObjectReceiver = {
    put: async (_level, ref, object) => {
      await apply(ref, () => object as Token);
    },
    patch: (_level, ref, changes) => apply(ref, (cached) => cached && { ...cached, ...changes }),
    get: async (_level, ref) => (await store.objects.get<Token>('tokens', ownerKey(ref), tokenId(ref.tokenType ?? 'RFID', ref.ids[0]!)))?.body,
  };

  async function provider(): Promise<OcpiParty | undefined> {
    const role = (await store.parties.get(BACKEND_PARTY))?.roles[0];
    return role && { countryCode: role.countryCode, partyId: role.partyId };
  }

  /** The stored token an identification names, under any of the backend's roles. */
  async function storedToken(uid: string, type: string): Promise<Token | undefined> {
    for (const role of (await store.parties.get(BACKEND_PARTY))?.roles ?? []) {
      const token = (await store.objects.get<Token>('tokens', ownerKey(role), tokenId(type, uid)))?.body;
      if (token) return token;
    }
    return undefined;
  }

  /** The backend's real-time answer: AuthorizationInfo, UNKNOWN_TOKEN, or NO_ANSWER when it fails or is too slow. */
  async function askBackend(token: { uid: string; type: string }, evseId: string | undefined, fallback: Token): Promise<unknown> {
    const peer = await context.backend();
    if (!peer) return 'NO_ANSWER';
    const place = evseId === undefined ? undefined : await network.locationOf(evseId);
    const timeout = new Promise<'NO_ANSWER'>((resolve) => setTimeout(() => resolve('NO_ANSWER'), context.authorizeTimeoutMs).unref());
    const answer = await Promise.race([peer.authorize(token.uid, token.type, place && { location_id: place.location.id, evse_uids: [place.evse.uid] }), timeout]);
    if (answer === 'NO_ANSWER') return answer;
    if (!answer.ok) return (answer.failure.kind === 'ocpi' && answer.failure.statusCode === 2004) || (answer.failure.kind !== 'network' && 'httpStatus' in answer.failure && answer.failure.httpStatus === 404) ? 'UNKNOWN_TOKEN' : 'NO_ANSWER';
    // 2.1.1 answers without the token: the one asked about stands in.
    const info = { token: fallback, ...(answer.value as object) };
    return check(AuthorizationInfo, info).findings.length === 0 ? info : 'NO_ANSWER';
  }

  async function decide(identification: Identification, evseId: string | undefined): Promise<unknown> {
    const read = identificationToToken(identification).value;
    if (read === undefined) return 'UNKNOWN_TOKEN';
    const stored = await storedToken(read.uid, read.type);
    const owner = await provider();
    const asked = stored ?? identificationToOcpiToken(identification, owner, context.now()).value;
    if (stored?.whitelist === 'ALWAYS') return { allowed: stored.valid ? 'ALLOWED' : 'BLOCKED', token: stored };
    if (asked === undefined) return 'UNKNOWN_TOKEN';
    const answer = await askBackend(read, evseId, asked);
    if (answer === 'NO_ANSWER' && stored && (stored.whitelist === 'ALLOWED' || stored.whitelist === 'ALLOWED_OFFLINE')) {
      logger.warn('backend gave no authorization in time: the stored token decides', { whitelist: stored.whitelist });
      return { allowed: stored.valid ? 'ALLOWED' : 'BLOCKED', token: stored };
    }
    return answer;
  }

  async function authorizeStart(request: AuthorizeStart): Promise<AuthorizationStart> {
    const outcome = await decide(request.Identification, request.EvseID);
    const mapped = ocpiAuthorizationToOicp(outcome, { identification: request.Identification, sessionId: request.SessionID, cpoPartnerSessionId: request.CPOPartnerSessionID });
    const answer: AuthorizationStart = mapped.value ?? { SessionID: request.SessionID, AuthorizationStatus: 'NotAuthorized', StatusCode: statusCode('021', 'the backend\'s authorization could not be written in OICP') };
    if (!mapped.value) logger.warn('backend authorization not carried to OICP', { findings: mapped.findings });
    logger.info('AuthorizeStart answered', { evseId: request.EvseID, status: answer.AuthorizationStatus, code: answer.StatusCode.Code });
    // Hubject knows us by our ProviderID, whatever party the backend issues its tokens as.
    return { ...answer, ProviderID: context.providerId };
  }

  /** A stop by the card that started the session is the driver's own; anything else is decided like a start. */
  async function authorizeStop(request: AuthorizeStop): Promise<AuthorizationStop> {
    const session = (await store.objects.get<Session>('sessions', ourKey(context), request.SessionID))?.body;
    const read = identificationToToken(request.Identification).value;
    const same = session !== undefined && read !== undefined && session.cdr_token.uid === read.uid && session.cdr_token.type === read.type;
    const start = same ? undefined : await authorizeStart({ ...request, PartnerProductID: undefined });
    return {
      SessionID: request.SessionID,
      ...(request.CPOPartnerSessionID !== undefined && { CPOPartnerSessionID: request.CPOPartnerSessionID }),
      ProviderID: context.providerId,
      AuthorizationStatus: start?.AuthorizationStatus ?? 'Authorized',
      StatusCode: start?.StatusCode ?? statusCode('000'),
    };
  }

  async function tokenOf(identification: Identification | undefined): Promise<Token | undefined> {
    const read = identification && identificationToToken(identification).value;
    return read && storedToken(read.uid, read.type);
  }

  return { receiver, authorizeStart, authorizeStop, provider, tokenOf };
}

/**
 * Sends the announced tokens as they are now: those that qualify in one `update`, the others in one
 * `delete` (Hubject must stop authorizing a token the backend blocked).
 */
export function authenticationDataDeliverer(context: EmpContext): Deliverer {
  return { batch: 500, deliver: async (items: readonly ClaimedItem[]) => {
    const update: Identification[] = [];
    const remove: Identification[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const { owner, id } = item.payload as { owner: string; id: string };
      if (seen.has(`${owner}/${id}`)) continue;
      seen.add(`${owner}/${id}`);
      const token = (await context.store.objects.get<Token>('tokens', owner, id))?.body;
      const mapped = token && tokenToIdentification(token, 'authorization');
      // Reported (to the delivery's trace, too): what of the token the identification leaves out.
      if (mapped && mapped.findings.length > 0) context.logger.debug('token mapped to an identification', { findings: mapped.findings });
      const identification = mapped?.value;
      if (identification) (offline(token) ? update : remove).push(identification);
    }
    const ProviderID = context.providerId;
    const push = (ActionType: 'update' | 'delete', list: Identification[]) =>
      context.oicp.call('PushAuthenticationData', { ActionType, ProviderAuthenticationData: { ProviderID, AuthenticationDataRecord: list.map((Identification) => ({ Identification })) } });
    let delivery: Delivery = { outcome: 'delivered' };
    if (update.length > 0) delivery = deliveryOf(await push('update', update));
    if (delivery.outcome === 'delivered' && remove.length > 0) delivery = deliveryOf(await push('delete', remove));
    return items.map(() => delivery);
  } };
}
