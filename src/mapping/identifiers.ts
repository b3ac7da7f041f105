/**
 * OICP identifier grammars and the OCPI party <-> OICP operator/provider correspondence. Identifiers
 * travel to Hubject exactly as written: Hubject compares them as text with the client certificate, so
 * nothing here normalises an id that is sent.
 *
 * DIN ids (`+49*810`, `+49*810*000*438`) name their country by E.164 calling code. OCPI's `evse_id`
 * is the eMI3/ISO form, so a DIN EvseID whose calling code names one country is written to OCPI as
 * `DE*810*E000*438`; Hubject's spelling stays in the EVSE's `uid` (see hubjectEvseIdOf), which is
 * what every message to Hubject names.
 *
 * The patterns are the OpenAPI ones (EvseID.yaml, OperatorID.yaml, ProviderID.yaml), written to be
 * valid in unicode-mode RegExps: the official ProviderID pattern escapes `-` (invalid there) and its
 * class `[\*|-]` also admits `|`, which no ProviderID contains.
 */
import { childPath, FindingLog, type Mapped } from '../core/findings';
import { EVSE_ID_PATTERN, OPERATOR_ID_PATTERN, PROVIDER_ID_PATTERN, SESSION_ID_PATTERN } from '../oicp/wire/vocabulary';

const EVSE_ID = new RegExp(EVSE_ID_PATTERN);
const ISO_OPERATOR_PREFIX = /^([A-Za-z]{2})(\*?)([A-Za-z0-9]{3})/;
const DIN_OPERATOR_PREFIX = /^(\+?[0-9]{1,3})\*([0-9]{3})/;
const ISO_OPERATOR_ID = /^([A-Za-z]{2})\*?([A-Za-z0-9]{3})$/;
const OPERATOR_ID = new RegExp(OPERATOR_ID_PATTERN);
const PROVIDER_ID = new RegExp(PROVIDER_ID_PATTERN);
const SESSION_ID = new RegExp(SESSION_ID_PATTERN);

const DIN_EVSE_ID = /^\+?([0-9]{1,3})\*([0-9]{3})\*([0-9*]{1,32})$/;
const DIN_OPERATOR_ID = /^\+?([0-9]{1,3})\*([0-9]{3})$/;
/** The ISO form allows 30 characters after the `E`. */
const ISO_EVSE_SUFFIX_MAX = 30;

/**
 * E.164 country calling codes -> ISO 3166-1 alpha-2, for the codes that name one country (or one
 * country and its dependencies, which roam under it: +44 GB, +47 NO, +358 FI, +39 IT, +61 AU). Codes
 * shared by independent countries (+1 North America, +7 Russia/Kazakhstan) are absent: such DIN ids
 * do not convert, and a mapping rule names the party.
 */
const CALLING_CODES: Readonly<Record<string, string>> = {
  '20': 'EG', '27': 'ZA', '30': 'GR', '31': 'NL', '32': 'BE', '33': 'FR', '34': 'ES', '36': 'HU', '39': 'IT', '40': 'RO', '41': 'CH', '43': 'AT',
  '44': 'GB', '45': 'DK', '46': 'SE', '47': 'NO', '48': 'PL', '49': 'DE', '52': 'MX', '54': 'AR', '55': 'BR', '56': 'CL', '57': 'CO', '60': 'MY',
  '61': 'AU', '62': 'ID', '63': 'PH', '64': 'NZ', '65': 'SG', '66': 'TH', '81': 'JP', '82': 'KR', '84': 'VN', '86': 'CN', '90': 'TR', '91': 'IN',
  '212': 'MA', '216': 'TN', '350': 'GI', '351': 'PT', '352': 'LU', '353': 'IE', '354': 'IS', '355': 'AL', '356': 'MT', '357': 'CY', '358': 'FI',
  '359': 'BG', '370': 'LT', '371': 'LV', '372': 'EE', '373': 'MD', '375': 'BY', '376': 'AD', '377': 'MC', '378': 'SM', '380': 'UA', '381': 'RS',
  '382': 'ME', '385': 'HR', '386': 'SI', '387': 'BA', '389': 'MK', '420': 'CZ', '421': 'SK', '423': 'LI', '852': 'HK', '886': 'TW',
  '971': 'AE', '972': 'IL', '974': 'QA', '966': 'SA',
};

/** The ISO country of a DIN id's calling code (`+49` -> DE); undefined when the code names no single country. */
const countryOfCallingCode = (code: string): string | undefined => (Object.prototype.hasOwnProperty.call(CALLING_CODES, code) ? CALLING_CODES[code] : undefined);

/** `+49*810` -> `DE*810`; an ISO OperatorID as written; undefined for a DIN id whose calling code is unknown or shared. */
export function isoOperatorIdOf(operatorId: string): string | undefined {
  const din = DIN_OPERATOR_ID.exec(operatorId);
  if (!din) return ISO_OPERATOR_ID.test(operatorId) ? operatorId : undefined;
  const country = countryOfCallingCode(din[1]!);
  return country && `${country}*${din[2]!}`;
}

/**
 * The eMI3/ISO form of an EvseID: `+49*810*000*438` -> `DE*810*E000*438`, an ISO EvseID as written;
 * undefined for a DIN EvseID that has no single country or is too long for the ISO grammar.
 */
export function isoEvseIdOf(evseId: string): string | undefined {
  const din = DIN_EVSE_ID.exec(evseId);
  if (!din) return isEvseId(evseId) ? evseId : undefined;
  const country = countryOfCallingCode(din[1]!);
  if (country === undefined || din[3]!.length > ISO_EVSE_SUFFIX_MAX) return undefined;
  return `${country}*${din[2]!}*E${din[3]!}`;
}

const isDinEvseId = (id: string): boolean => DIN_EVSE_ID.test(id);

/**
 * Hubject's EvseID of an OCPI EVSE: its `uid` when that is the DIN EvseID its `evse_id` was written
 * from (the EMP side builds EVSEs so), else its `evse_id`.
 */
export function hubjectEvseIdOf(evse: { uid: string; evse_id?: string | null }): string | undefined {
  const evseId = evse.evse_id ?? undefined;
  if (evseId !== undefined && isDinEvseId(evse.uid) && isoEvseIdOf(evse.uid)?.toUpperCase() === evseId.toUpperCase()) return evse.uid;
  return evseId;
}

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
const canonicalOperator = (id: string) => id.replace(/[*+]/g, '').toUpperCase();

export function sameOperator(a: string, b: string): boolean {
  // Mostly asked of an id and itself (an EVSE's operator and the location's), which needs no rewriting.
  return a === b || canonicalOperator(a) === canonicalOperator(b);
}

/** Whether two party ids of one kind are the same: operators whatever their separators, providers as written but for case. */
export function sameParty(kind: 'operator' | 'provider', a: string, b: string): boolean {
  return kind === 'operator' ? sameOperator(a, b) : a.toUpperCase() === b.toUpperCase();
}

/** Whether an EvseID belongs to an operator: Hubject refuses a push naming another's EVSE (018). */
export function isEvseOf(evseId: string, operatorId: string): boolean {
  const operator = operatorOfEvseId(evseId);
  return operator !== undefined && sameOperator(operator, operatorId);
}

/**
 * The EvseID of an OCPI EVSE: the caller's correlation for it, else Hubject's form (hubjectEvseIdOf).
 * OCPI's `evse_id` is optional, OICP's EvseID is not, and it must keep the OICP grammar as written.
 */
export function ocpiEvseIdOf(evse: { uid: string; evse_id?: string | null }, correlated: string | undefined, path = ''): Mapped<string | undefined> {
  const log = new FindingLog();
  const evseId = correlated ?? hubjectEvseIdOf(evse);
  if (evseId === undefined) log.invalid(childPath(path, 'evse_id'), `EVSE ${evse.uid} has no evse_id and no correlated EvseID; OICP requires one`);
  else if (isEvseId(evseId)) return log.result(evseId);
  else log.invalid(childPath(path, 'evse_id'), `${JSON.stringify(evseId)} is not an OICP EvseID (ISO or DIN form)`);
  return log.result(undefined);
}

/**
 * Hubject's SessionID of an OCPI session or CDR: the caller's correlation, else its
 * `authorization_reference` when that holds one (the authorization mapper puts it there).
 */
export function hubjectSessionId(correlated: string | undefined, authorizationReference: string | undefined): string | undefined {
  return correlated ?? (authorizationReference !== undefined && SESSION_ID.test(authorizationReference) ? authorizationReference : undefined);
}

/**
 * `DE*ABC` or `DEABC` -> DE/ABC; a DIN OperatorID by its calling code (`+49*810` -> DE/810). A DIN id
 * whose calling code names no single country (+1, +7) names no OCPI party: a mapping rule must.
 */
export function operatorIdToParty(operatorId: string, path = 'OperatorID'): Mapped<OcpiParty | undefined> {
  const log = new FindingLog();
  const iso = ISO_OPERATOR_ID.exec(isoOperatorIdOf(operatorId) ?? '');
  if (iso) return log.result({ countryCode: iso[1]!.toUpperCase(), partyId: iso[2]!.toUpperCase() });
  log.invalid(
    path,
    OPERATOR_ID.test(operatorId)
      ? `the calling code of DIN OperatorID ${operatorId} names no single country, so no OCPI country_code/party_id; name the party in a mapping rule`
      : `${JSON.stringify(operatorId)} is not an OICP OperatorID`,
  );
  return log.result(undefined);
}

/**
 * The OCPI `evse_id` of a Hubject EvseID: its ISO form, or Hubject's DIN form with a finding when it
 * has none (see isoEvseIdOf).
 */
export function oicpEvseIdToOcpi(evseId: string, path = 'EvseID'): Mapped<string> {
  const log = new FindingLog();
  const iso = isoEvseIdOf(evseId);
  if (iso === undefined) log.loss(path, `DIN EvseID ${evseId} has no unambiguous ISO form (calling code or length); OCPI evse_id keeps Hubject's form`);
  return log.result(iso ?? evseId);
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
