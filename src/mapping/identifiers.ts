/**
 * OICP identifier grammars and the OCPI party <-> OICP operator/provider correspondence. Identifiers
 * travel to Hubject exactly as written: Hubject compares them as text with the client certificate, so
 * nothing here normalises an id that is sent.
 *
 * The patterns are the OpenAPI ones (EvseID.yaml, OperatorID.yaml, ProviderID.yaml), written to be
 * valid in unicode-mode RegExps: the official ProviderID pattern escapes `-` (invalid there) and its
 * class `[\*|-]` also admits `|`, which no ProviderID contains.
 */
import { childPath, FindingLog, type Mapped } from './findings';

export const EVSE_ID_PATTERN = '^(([A-Za-z]{2}\\*?[A-Za-z0-9]{3}\\*?E[A-Za-z0-9\\*]{1,30})|(\\+?[0-9]{1,3}\\*[0-9]{3}\\*[0-9\\*]{1,32}))$';
export const OPERATOR_ID_PATTERN = '^(([A-Za-z]{2}\\*?[A-Za-z0-9]{3})|(\\+?[0-9]{1,3}\\*[0-9]{3}))$';
export const PROVIDER_ID_PATTERN = '^[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}$';
/** Hubject's SessionID (SessionID.yaml): GUID-shaped. */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9]{8}(-[A-Za-z0-9]{4}){3}-[A-Za-z0-9]{12}$';

const EVSE_ID = new RegExp(EVSE_ID_PATTERN);
const ISO_OPERATOR_PREFIX = /^([A-Za-z]{2})(\*?)([A-Za-z0-9]{3})/;
const DIN_OPERATOR_PREFIX = /^(\+?[0-9]{1,3})\*([0-9]{3})/;
const ISO_OPERATOR_ID = /^([A-Za-z]{2})\*?([A-Za-z0-9]{3})$/;
const OPERATOR_ID = new RegExp(OPERATOR_ID_PATTERN);
const PROVIDER_ID = new RegExp(PROVIDER_ID_PATTERN);
const SESSION_ID = new RegExp(SESSION_ID_PATTERN);

/** An OCPI party: the URL namespace of the objects it owns. */
export interface OcpiParty {
  countryCode: string;
  partyId: string;
}

export function isEvseId(text: string): boolean {
  return EVSE_ID.test(text);
}

/**
 * The OperatorID an EvseID begins with, spelt as in the EvseID (`DE*AB7*E840*6487` -> `DE*AB7`,
 * `DEAB7E8406487` -> `DEAB7`, `+49*810*000*438` -> `+49*810`); undefined for a malformed EvseID.
 */
export function operatorOfEvseId(evseId: string): string | undefined {
  if (!isEvseId(evseId)) return undefined;
  const din = DIN_OPERATOR_PREFIX.exec(evseId);
  if (din && !/^[A-Za-z]/.test(evseId)) return `${din[1]}*${din[2]}`;
  const iso = ISO_OPERATOR_PREFIX.exec(evseId)!;
  return `${iso[1]}${iso[2]}${iso[3]}`;
}

/** Whether two OperatorIDs name the same operator, whatever their separators and letter case. */
export function sameOperator(a: string, b: string): boolean {
  const canonical = (id: string) => id.replace(/[*+]/g, '').toUpperCase();
  return canonical(a) === canonical(b);
}

/** Whether an EvseID belongs to an operator: Hubject refuses a push naming another's EVSE (018). */
export function isEvseOf(evseId: string, operatorId: string): boolean {
  const operator = operatorOfEvseId(evseId);
  return operator !== undefined && sameOperator(operator, operatorId);
}

/**
 * The EvseID of an OCPI EVSE: the caller's correlation for it, else its `evse_id`. OCPI's `evse_id` is
 * optional, OICP's EvseID is not, and it must keep the OICP grammar as written.
 */
export function ocpiEvseIdOf(evse: { uid: string; evse_id?: string | null }, correlated: string | undefined, path = ''): Mapped<string | undefined> {
  const log = new FindingLog();
  const evseId = correlated ?? evse.evse_id ?? undefined;
  const at = childPath(path, 'evse_id');
  if (evseId === undefined) log.invalid(at, `EVSE ${evse.uid} has no evse_id and no correlated EvseID; OICP requires one`);
  else if (isEvseId(evseId)) return log.result(evseId);
  else log.invalid(at, `${JSON.stringify(evseId)} is not an OICP EvseID (ISO or DIN form)`);
  return log.result(undefined);
}

/**
 * Hubject's SessionID of an OCPI session or CDR: the caller's correlation, else its
 * `authorization_reference` when that holds one (the authorization mapper puts it there).
 */
export function hubjectSessionId(correlated: string | undefined, authorizationReference: string | undefined): string | undefined {
  return correlated ?? (authorizationReference !== undefined && SESSION_ID.test(authorizationReference) ? authorizationReference : undefined);
}

/** `DE*ABC` or `DEABC` -> DE/ABC. A DIN OperatorID (`+49*810`) names no OCPI party: a mapping rule must. */
export function operatorIdToParty(operatorId: string, path = 'OperatorID'): Mapped<OcpiParty | undefined> {
  const log = new FindingLog();
  const iso = ISO_OPERATOR_ID.exec(operatorId);
  if (iso) return log.result({ countryCode: iso[1]!.toUpperCase(), partyId: iso[2]!.toUpperCase() });
  log.invalid(
    path,
    OPERATOR_ID.test(operatorId)
      ? `DIN OperatorID ${operatorId} has no OCPI country_code/party_id; name the party in a mapping rule`
      : `${JSON.stringify(operatorId)} is not an OICP OperatorID`,
  );
  return log.result(undefined);
}

/** DE/ABC -> `DE*ABC`, the ISO spelling with its optional separator. */
export function partyToOperatorId(party: OcpiParty): string {
  return `${party.countryCode.toUpperCase()}*${party.partyId.toUpperCase()}`;
}

/** `DE-ICE`, `DE*ICE` or `DEICE` -> DE/ICE. */
export function providerIdToParty(providerId: string, path = 'ProviderID'): Mapped<OcpiParty | undefined> {
  const log = new FindingLog();
  if (!PROVIDER_ID.test(providerId)) {
    log.invalid(path, `${JSON.stringify(providerId)} is not an OICP ProviderID`);
    return log.result(undefined);
  }
  const letters = providerId.replace(/[*-]/, '');
  return log.result({ countryCode: letters.slice(0, 2).toUpperCase(), partyId: letters.slice(2).toUpperCase() });
}

/** DE/ICE -> `DE-ICE`, the ISO spelling Hubject documents for providers. */
export function partyToProviderId(party: OcpiParty): string {
  return `${party.countryCode.toUpperCase()}-${party.partyId.toUpperCase()}`;
}
