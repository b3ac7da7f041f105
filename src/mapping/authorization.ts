/**
 * Authorization results: OCPI AuthorizationInfo <-> OICP AuthorizationStart/Stop responses
 * (../shared/spec/mapping.md §4.7).
 *
 * Every OCPI refusal gets the OICP StatusCode that says most precisely why, from one table
 * (AUTHORIZATION_REFUSALS); a refusal that depends on how the driver identified (a bad RFID card vs
 * a bad QR code) takes the code of that identification. Hubject's SessionID travels to OCPI as the
 * `authorization_reference`, which OCPI copies into the Session and the CDR: that is how a session
 * started at a CPO finds its Hubject SessionID again.
 */
import type { AllowedType, AuthorizationInfo, LocationReferences, Token } from '../ocpi/wire/transaction-schemas';
import { AuthorizationInfo as AuthorizationInfoSchema } from '../ocpi/wire/transaction-schemas';
import { AuthorizationStart as AuthorizationStartSchema } from '../oicp/wire/transaction-schemas';
import type { AuthorizationStart, Identification, StatusCode } from '../oicp/wire/transaction-schemas';
import { statusCode } from '../oicp/wire/status-codes';
import { checkInto } from '../core/typebox';
import { FindingLog, type Mapped } from '../core/findings';
import { writtenOcpi } from './text-limits';
import { partyToProviderId, providerIdToParty } from './identifiers';
import { identificationToOcpiToken } from './identification';

/** Outcomes the OCPI side can give besides an AllowedType. */
type AuthorizationOutcome = AllowedType | 'UNKNOWN_TOKEN' | 'NO_ANSWER';
type IdentificationKind = keyof Identification;

/** Refusals whose code depends on the identification: the "authentication failed" code of each form. */
const AUTHENTICATION_FAILED: Record<IdentificationKind, StatusCode> = {
  RFIDMifareFamilyIdentification: statusCode('102'),
  RFIDIdentification: statusCode('102'),
  QRCodeIdentification: statusCode('101'),
  PlugAndChargeIdentification: statusCode('105'),
  RemoteIdentification: statusCode('106'),
};

/** The one table: OCPI outcome -> OICP StatusCode of a NotAuthorized answer. */
export const AUTHORIZATION_REFUSALS: Record<Exclude<AuthorizationOutcome, 'ALLOWED'>, StatusCode | 'by identification'> = {
  BLOCKED: statusCode('200'),
  EXPIRED: statusCode('210', 'the contract has expired'),
  NO_CREDIT: statusCode('210', 'no credit left'),
  NOT_ALLOWED: 'by identification',
  UNKNOWN_TOKEN: 'by identification',
  NO_ANSWER: statusCode('310'),
};

/** OICP refusal codes read back as OCPI AllowedType; any other code is NOT_ALLOWED. */
const ALLOWED_OF_CODE: Readonly<Record<string, AllowedType>> = { '200': 'BLOCKED' };

function identificationKind(identification: Identification | undefined): IdentificationKind {
  const kinds = Object.keys(identification ?? {}) as IdentificationKind[];
  return kinds[0] ?? 'RemoteIdentification';
}

export interface AuthorizationContext {
  /** The identification of the AuthorizeStart request being answered. */
  identification?: Identification;
  /** Hubject's SessionID and partner ids from the request, echoed. */
  sessionId?: string;
  cpoPartnerSessionId?: string;
}

/**
 * The eMSP's answer as Hubject's AuthorizationStart response. `input` is an AuthorizationInfo, or one of
 * the outcomes without one: UNKNOWN_TOKEN (OCPI 2004 / HTTP 404) or NO_ANSWER (timeout, error).
 */
export function ocpiAuthorizationToOicp(input: unknown, context: AuthorizationContext = {}): Mapped<AuthorizationStart | undefined> {
  const log = new FindingLog();
  const echo = {
    ...(context.sessionId !== undefined && { SessionID: context.sessionId }),
    ...(context.cpoPartnerSessionId !== undefined && { CPOPartnerSessionID: context.cpoPartnerSessionId }),
  };
  let outcome: AuthorizationOutcome;
  let info: AuthorizationInfo | undefined;
  if (input === 'UNKNOWN_TOKEN' || input === 'NO_ANSWER') outcome = input;
  else {
    info = checkInto(AuthorizationInfoSchema, input, log);
    if (info === undefined) return log.result(undefined);
    outcome = info.allowed;
  }
  const provider = info ? { ProviderID: partyToProviderId({ countryCode: info.token.country_code, partyId: info.token.party_id }) } : {};
  if (info?.info !== undefined) log.loss('info', 'OICP has no driver message in the authorization response');
  if (info?.location !== undefined) log.loss('location', 'OICP authorizes for the requested EVSE only; the list of allowed EVSEs is not carried');
  if (outcome === 'ALLOWED') {
    return log.result({
      ...echo,
      ...(info?.authorization_reference !== undefined && { EMPPartnerSessionID: info.authorization_reference }),
      ...provider,
      AuthorizationStatus: 'Authorized',
      StatusCode: statusCode('000'),
      ...(context.identification !== undefined && { AuthorizationStopIdentifications: [context.identification] }),
    });
  }
  const refusal = AUTHORIZATION_REFUSALS[outcome];
  const refusedWith = refusal === 'by identification' ? AUTHENTICATION_FAILED[identificationKind(context.identification)] : refusal;
  return log.result({ ...echo, ...provider, AuthorizationStatus: 'NotAuthorized', StatusCode: refusedWith });
}

export interface AuthorizationToOcpiOptions {
  /** The token the CPO asked about; else one is built from the response's identification and ProviderID. */
  token?: Token;
  /** The LocationReferences of the CPO's request, echoed when authorized. */
  location?: LocationReferences;
  now: Date;
}

/**
 * Hubject's AuthorizationStart (or Stop) response as the OCPI AuthorizationInfo the CPO backend waits
 * for. Hubject's SessionID becomes the authorization_reference.
 */
export function oicpAuthorizationToOcpi(input: unknown, options: AuthorizationToOcpiOptions): Mapped<AuthorizationInfo | undefined> {
  const log = new FindingLog();
  const response = checkInto(AuthorizationStartSchema, input, log);
  if (response === undefined) return log.result(undefined);
  const token = options.token ?? tokenOfResponse(response, options.now, log);
  if (token === undefined) return log.result(undefined);
  const authorized = response.AuthorizationStatus === 'Authorized';
  const allowed: AllowedType = authorized ? 'ALLOWED' : (ALLOWED_OF_CODE[response.StatusCode.Code] ?? 'NOT_ALLOWED');
  if (!authorized) log.loss('StatusCode', `OICP ${response.StatusCode.Code} ${response.StatusCode.Description ?? ''} is given to OCPI as ${allowed}`.trim());
  if (response.EMPPartnerSessionID !== undefined) log.loss('EMPPartnerSessionID', 'kept in the session correlation, not in OCPI');
  // The schema has checked the SessionID's shape.
  const reference = authorized ? response.SessionID : undefined;
  return log.result(writtenOcpi(AuthorizationInfoSchema, {
    allowed,
    token,
    ...(authorized && options.location !== undefined && { location: options.location }),
    ...(reference !== undefined && { authorization_reference: reference }),
    ...(!authorized && response.StatusCode.Description !== undefined && { info: { language: 'en', text: response.StatusCode.Description.slice(0, 512) } }),
  }, log));
}

/** The token of a response, from its first stop identification and its ProviderID, when the caller has none. */
function tokenOfResponse(response: AuthorizationStart, now: Date, log: FindingLog): Token | undefined {
  const identification = response.AuthorizationStopIdentifications?.[0];
  if (identification === undefined || response.ProviderID === undefined) {
    log.invalid('AuthorizationStopIdentifications', 'the token is unknown: give the token asked about (or a response with identification and ProviderID)');
    return undefined;
  }
  const owner = log.take(providerIdToParty(response.ProviderID));
  return owner && log.take(identificationToOcpiToken(identification, owner, now, 'AuthorizationStopIdentifications[0]'));
}
