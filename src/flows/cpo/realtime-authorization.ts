/**
 * CPO side, real-time authorization (issue 7): the backend asks the bridge, its eMSP, to authorize
 * a token (`POST {tokens}/{uid}/authorize`); the bridge asks Hubject (AuthorizeStart) and answers
 * with what Hubject decided. Hubject's SessionID is the `authorization_reference`, which the
 * backend puts on the session and CDR that follow; the bridge keeps what it will need for them (the
 * provider, the identification, the EVSE) under that SessionID.
 */
import type { Logger } from '../../observability/logger';
import { oicpAuthorizationToOcpi } from '../../mapping/authorization';
import { identificationToOcpiToken, tokenToIdentification } from '../../mapping/identification';
import { providerIdToParty, type OcpiParty } from '../../mapping/identifiers';
import type { OicpCaller } from '../../oicp/client';
import type { ObjectSender } from '../../ocpi/sender';
import { pageOf } from '../../ocpi/pagination';
import type { Location } from '../../ocpi/wire/schemas';
import type { AuthorizationInfo, LocationReferences, TokenType } from '../../ocpi/wire/transaction-schemas';
import { OcpiError } from '../../ocpi/wire/transport';
import { ownerKey, type Store } from '../../store';
import { recordAuthorization } from './authorization-index';

interface CpoTokensOptions {
  store: Store;
  oicp: OicpCaller;
  operatorId: string;
  /** The bridge's own OCPI party: toward the backend it is the eMSP of a token Hubject names no provider for. */
  ownParty: OcpiParty;
  logger: Logger;
  now: () => Date;
}

export function cpoTokens(options: CpoTokensOptions): ObjectSender {
  const { now } = options;

  /** The EvseID of the first EVSE the backend named, from the cached location. */
  async function evseIdOf(location: LocationReferences | undefined, owner: string | undefined): Promise<string | undefined> {
    const uid = location?.evse_uids?.[0];
    if (location === undefined || uid === undefined || owner === undefined) return undefined;
    const cached = await options.store.objects.get<Location>('locations', owner, location.location_id);
    return cached?.body.evses?.find((e) => e.uid === uid)?.evse_id ?? undefined;
  }

  return {
    // Hubject's drivers are not listed to CPOs: there is nothing to pull.
    list: (_module, query) => Promise.resolve(pageOf([], query)),

    async authorize(uid, type, location, context): Promise<AuthorizationInfo | undefined> {
      // OCPI names the token by uid and type only; for the app and ad-hoc types that uid is the contract id.
      const identification = tokenToIdentification({ uid, type: type as TokenType, contract_id: uid }, 'authorization');
      if (identification.value === undefined) {
        options.logger.info('token cannot be asked of Hubject', { uid, type, findings: identification.findings });
        return undefined;
      }
      const party = await options.store.parties.get(context.party);
      const owner = party?.roles[0] && ownerKey(party.roles[0]);
      const evseId = await evseIdOf(location, owner);
      const result = await options.oicp.call('AuthorizeStart', { OperatorID: options.operatorId, Identification: identification.value, ...(evseId !== undefined && { EvseID: evseId }) });
      if (!result.ok) throw new OcpiError(3000, `Hubject did not decide: ${result.error.message}`);
      // The token as the backend will see it: issued by Hubject's provider when it names one, else by us.
      const provider = (result.value.ProviderID !== undefined && providerIdToParty(result.value.ProviderID).value) || options.ownParty;
      const token = identificationToOcpiToken(identification.value, provider, now()).value;
      const answer = oicpAuthorizationToOcpi(result.value, { location, now: now(), ...(token && { token }) });
      if (answer.value === undefined) throw new OcpiError(3000, `Hubject's answer cannot be given in OCPI: ${answer.findings.map((f) => `${f.path} ${f.message}`).join('; ')}`);
      const sessionId = answer.value.authorization_reference;
      if (sessionId !== undefined) {
        const allowed = token !== undefined && answer.value.allowed === 'ALLOWED';
        await options.store.transaction((tx) =>
          recordAuthorization(tx, {
            attrs: { providerId: result.value.ProviderID, identification: identification.value, ...(evseId !== undefined && { evseId }) },
            ...(allowed && { token }),
            given: { sessionId, ...(evseId !== undefined && { evseId }), at: now().toISOString() },
          }),
        );
      }
      return answer.value;
    },
  };
}
