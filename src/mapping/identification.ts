/**
 * OCPI tokens <-> OICP Identification (../shared/spec/mapping.md §4.6).
 *
 * OICP identifies a driver by one of five forms; OCPI by a token (uid, type, contract_id). RFID cards
 * travel as their UID (OICP wants 8, 14 or 20 upper-case hex digits, which we normalise to and refuse
 * otherwise); every other token travels as its contract id, the eMAID OICP calls EvcoID. An ISO EvcoID
 * without its check digit gets the computed one, because Hubject's schema requires it.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: evco-id-check-digit-optional (src/oicp/errata.ts).
import { Token as TokenSchema, type AuthMethod, type CdrToken, type Token, type TokenType } from '../ocpi/wire/transaction-schemas';
import type { Identification } from '../oicp/wire/transaction-schemas';
import { childPath, FindingLog, type Mapped } from '../core/findings';
import { writtenOcpi } from './text-limits';
import { partyToProviderId, type OcpiParty } from './identifiers';
import { ocpiDateTime } from '../ocpi/wire/transport';

const UID = /^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/;
const ISO_EMAID = /^([A-Za-z]{2})(-?)([A-Za-z0-9]{3})(-?)(C[A-Za-z0-9]{8})(?:(-?)([0-9A-Za-z]))?$/;
const DIN_EMAID = /^([A-Za-z]{2})([*-]?)([A-Za-z0-9]{3})([*-]?)([A-Za-z0-9]{6})(?:([*-]?)([0-9X]))?$/;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** An RFID UID as OICP writes it: separators dropped, upper-case hex of 4, 7 or 10 bytes. */
export function rfidUid(uid: string, path = 'uid'): Mapped<string | undefined> {
  const log = new FindingLog();
  const hex = uid.replace(/[\s:-]/g, '').toUpperCase();
  if (!UID.test(hex)) {
    log.invalid(path, `${JSON.stringify(uid)} is not an RFID UID OICP accepts (8, 14 or 20 hexadecimal digits)`);
    return log.result(undefined);
  }
  if (hex !== uid) log.loss(path, `UID ${JSON.stringify(uid)} is sent as ${hex}; its spelling is not carried`);
  return log.result(hex);
}

type Matrix = readonly [readonly [number, number], readonly [number, number]];
const times = (a: Matrix, b: Matrix, mod: number): Matrix => [
  [(a[0][0] * b[0][0] + a[0][1] * b[1][0]) % mod, (a[0][0] * b[0][1] + a[0][1] * b[1][1]) % mod],
  [(a[1][0] * b[0][0] + a[1][1] * b[1][0]) % mod, (a[1][0] * b[0][1] + a[1][1] * b[1][1]) % mod],
];

/**
 * The check digit of a 14-character ISO eMAID, per eMI3 "Check Digit Calculation for Contract-IDs":
 * each character's value v = 9q + r is taken as a pair over Z2 (q) and a pair over Z3 (r), weighted by
 * powers of two fixed matrices; the check character makes both weighted sums vanish.
 */
export function emaidCheckDigit(emaid14: string): string {
  const p1: Matrix = [[0, 1], [1, 1]];
  const p2: Matrix = [[0, 1], [1, 2]];
  let w1 = p1;
  let w2 = p2;
  const q = [0, 0];
  const r = [0, 0];
  for (const char of emaid14.toUpperCase()) {
    const v = ALPHABET.indexOf(char);
    const [q1, q2, r1, r2] = [Math.floor(v / 18), Math.floor(v / 9) % 2, Math.floor((v % 9) / 3), v % 3];
    q[0] = (q[0]! + w1[0][0] * q1 + w1[0][1] * q2) % 2;
    q[1] = (q[1]! + w1[1][0] * q1 + w1[1][1] * q2) % 2;
    r[0] = (r[0]! + w2[0][0] * r1 + w2[0][1] * r2) % 3;
    r[1] = (r[1]! + w2[1][0] * r1 + w2[1][1] * r2) % 3;
    w1 = times(w1, p1, 2);
    w2 = times(w2, p2, 3);
  }
  // The 15th weights are P1^15 = I over Z2 and P2^15 = [[1,1],[1,0]] over Z3.
  const q15 = [(2 - q[0]!) % 2, (2 - q[1]!) % 2];
  const a = (3 - r[1]!) % 3;
  const r15 = [a, (((3 - r[0]!) % 3) - a + 3) % 3];
  return ALPHABET[(q15[0]! * 2 + q15[1]!) * 9 + r15[0]! * 3 + r15[1]!]!;
}

/** The party an eMAID names: `DE-8AC-...` -> DE/8AC. */
export function emaidParty(emaid: string): OcpiParty | undefined {
  const match = ISO_EMAID.exec(emaid) ?? DIN_EMAID.exec(emaid);
  return match ? { countryCode: match[1]!.toUpperCase(), partyId: match[3]!.toUpperCase() } : undefined;
}

/** An OCPI contract_id as an OICP EvcoID: written as given, with the ISO check digit added when missing. */
export function contractIdToEvcoId(contractId: string, path = 'contract_id'): Mapped<string | undefined> {
  const log = new FindingLog();
  const iso = ISO_EMAID.exec(contractId);
  if (iso) {
    if (iso[7] !== undefined) return log.result(contractId);
    const digit = emaidCheckDigit(`${iso[1]}${iso[3]}${iso[5]}`);
    log.defaulted(path, `${contractId} has no check digit; OICP requires one, the computed ${digit} is appended`);
    return log.result(`${contractId}${iso[2]}${digit}`);
  }
  const din = DIN_EMAID.exec(contractId);
  if (din?.[7] !== undefined) return log.result(contractId);
  log.invalid(
    path,
    din
      ? `${contractId} is a DIN EvcoID without its check digit, which OICP requires`
      : `${JSON.stringify(contractId)} is not an eMAID (ISO 15118 or DIN SPEC 91286), which OICP requires as EvcoID`,
  );
  return log.result(undefined);
}

/** What a token is used for: authorization requests accept fewer forms than records (OICP Identification.yaml). */
type IdentificationUse = 'authorization' | 'remote' | 'record';

/**
 * The Identification of an OCPI token. RFID tokens become RFIDMifareFamilyIdentification in
 * authorizations and RFIDIdentification (with the EvcoID) in records; remote operations and every
 * other token type use RemoteIdentification with the contract id. A record whose RFID UID OICP cannot
 * carry falls back to the contract id, reported.
 */
export function tokenToIdentification(token: Pick<Token, 'uid' | 'type' | 'contract_id' | 'visual_number'>, use: IdentificationUse, path = ''): Mapped<Identification | undefined> {
  const log = new FindingLog();
  const remote = (): Identification | undefined => {
    const evcoId = log.take(contractIdToEvcoId(token.contract_id, childPath(path, 'contract_id')));
    return evcoId === undefined ? undefined : { RemoteIdentification: { EvcoID: evcoId } };
  };
  if (token.type !== 'RFID' || use === 'remote') {
    if (token.type !== 'APP_USER') log.loss(childPath(path, 'type'), `OICP identifies a ${token.type} token remotely, by its contract id`);
    return log.result(remote());
  }
  const uidCheck = rfidUid(token.uid, childPath(path, 'uid'));
  const uid = uidCheck.value;
  if (uid === undefined) {
    if (use === 'authorization') return { value: undefined, findings: uidCheck.findings };
    log.loss(childPath(path, 'uid'), `RFID UID ${JSON.stringify(token.uid)} cannot be an OICP UID; the record identifies the driver by contract id`);
    return log.result(remote());
  }
  log.findings.push(...uidCheck.findings);
  if (use === 'authorization') {
    if (token.visual_number !== undefined) log.loss(childPath(path, 'visual_number'), 'RFIDMifareFamilyIdentification carries the UID only');
    return log.result({ RFIDMifareFamilyIdentification: { UID: uid } });
  }
  const evcoId = contractIdToEvcoId(token.contract_id, childPath(path, 'contract_id'));
  if (evcoId.value === undefined) log.loss(childPath(path, 'contract_id'), `${token.contract_id} is not an eMAID; the record carries the UID only`);
  else log.take(evcoId);
  log.defaulted(childPath(path, 'type'), 'OCPI does not tell the card technology; RFID type mifareFamily is sent');
  return log.result({
    RFIDIdentification: {
      UID: uid,
      RFID: 'mifareFamily',
      ...(evcoId.value !== undefined && { EvcoID: evcoId.value }),
      ...(token.visual_number !== undefined && { PrintedNumber: token.visual_number }),
    },
  });
}

interface IdentifiedToken {
  uid: string;
  type: TokenType;
  contract_id: string;
  visual_number?: string;
  /** How OCPI records the authorization of this identification. */
  auth_method: AuthMethod;
}

/**
 * The OCPI token fields of an Identification. QR codes and remote starts come from an app (APP_USER);
 * Plug&Charge has no 2.2.1 token type (OTHER). A PIN never leaves the bridge.
 */
export function identificationToToken(identification: Identification, path = 'Identification'): Mapped<IdentifiedToken | undefined> {
  const log = new FindingLog();
  const {
    RFIDMifareFamilyIdentification: mifare,
    RFIDIdentification: rfid,
    QRCodeIdentification: qr,
    PlugAndChargeIdentification: pnc,
    RemoteIdentification: remote,
  } = identification;
  if (rfid) {
    log.loss(childPath(childPath(path, 'RFIDIdentification'), 'RFID'), `OCPI does not carry the card technology (${rfid.RFID})`);
    if (rfid.ExpiryDate !== undefined) log.loss(childPath(childPath(path, 'RFIDIdentification'), 'ExpiryDate'), 'OCPI tokens in sessions and CDRs carry no expiry date');
    if (rfid.EvcoID === undefined) log.defaulted(childPath(path, 'RFIDIdentification'), 'no EvcoID: the UID stands as contract_id');
    return log.result({
      uid: rfid.UID,
      type: 'RFID',
      contract_id: rfid.EvcoID ?? rfid.UID,
      ...(rfid.PrintedNumber !== undefined && { visual_number: rfid.PrintedNumber }),
      auth_method: 'AUTH_REQUEST',
    });
  }
  if (mifare) {
    log.defaulted(childPath(path, 'RFIDMifareFamilyIdentification'), 'no EvcoID: the UID stands as contract_id');
    return log.result({ uid: mifare.UID, type: 'RFID', contract_id: mifare.UID, auth_method: 'AUTH_REQUEST' });
  }
  if (qr) {
    if (qr.PIN !== undefined || qr.HashedPIN !== undefined) log.loss(childPath(path, 'QRCodeIdentification'), 'the PIN is not passed on');
    return log.result({ uid: qr.EvcoID, type: 'APP_USER', contract_id: qr.EvcoID, auth_method: 'AUTH_REQUEST' });
  }
  if (pnc) {
    log.loss(childPath(path, 'PlugAndChargeIdentification'), 'OCPI 2.2.1 has no Plug&Charge token type; OTHER is used');
    return log.result({ uid: pnc.EvcoID, type: 'OTHER', contract_id: pnc.EvcoID, auth_method: 'AUTH_REQUEST' });
  }
  if (remote) return log.result({ uid: remote.EvcoID, type: 'APP_USER', contract_id: remote.EvcoID, auth_method: 'COMMAND' });
  log.invalid(path, 'no identification given (one of RFIDMifareFamilyIdentification, RFIDIdentification, QRCodeIdentification, PlugAndChargeIdentification, RemoteIdentification)');
  return log.result(undefined);
}

/** The eMSP owning a token: the given one, else the party its EvcoID names. */
function ownerOf(token: IdentifiedToken, provider: OcpiParty | undefined, path: string, log: FindingLog): OcpiParty | undefined {
  const owner = provider ?? emaidParty(token.contract_id);
  if (owner === undefined) log.invalid(path, 'the token owner (eMSP) is unknown: no provider given and no EvcoID to read it from');
  return owner;
}

/** The OCPI CdrToken of an Identification, with the auth_method it implies. */
export function identificationToCdrToken(
  identification: Identification,
  provider: OcpiParty | undefined,
  path = 'Identification',
  known?: Pick<Token, 'country_code' | 'party_id' | 'uid' | 'type' | 'contract_id'>,
): Mapped<(CdrToken & { auth_method: AuthMethod }) | undefined> {
  const log = new FindingLog();
  const token = log.take(identificationToToken(identification, path));
  if (token === undefined) return log.result(undefined);
  // The eMSP's own token, when it is known, says what the identification cannot: the contract behind a card.
  if (known !== undefined && known.uid === token.uid && known.type === token.type) {
    return log.result({ country_code: known.country_code, party_id: known.party_id, uid: known.uid, type: known.type, contract_id: known.contract_id, auth_method: token.auth_method });
  }
  const owner = ownerOf(token, provider, path, log);
  if (owner === undefined) return log.result(undefined);
  return log.result({ country_code: owner.countryCode, party_id: owner.partyId, uid: token.uid, type: token.type, contract_id: token.contract_id, auth_method: token.auth_method });
}

/**
 * A whole OCPI Token for an Identification, for the places OCPI wants one (AuthorizationInfo, commands):
 * issued by the eMSP's ProviderID, valid, whitelist NEVER because Hubject authorizes each use.
 */
export function identificationToOcpiToken(identification: Identification, provider: OcpiParty | undefined, now: Date, path = 'Identification'): Mapped<Token | undefined> {
  const log = new FindingLog();
  const token = log.take(identificationToToken(identification, path));
  const owner = token && ownerOf(token, provider, path, log);
  if (token === undefined || owner === undefined) return log.result(undefined);
  const issuer = partyToProviderId(owner);
  log.defaulted(path, `the OCPI token is built from the identification: issuer ${issuer}, valid, whitelist NEVER (Hubject authorizes each use)`);
  return log.result(writtenOcpi(TokenSchema, {
    country_code: owner.countryCode,
    party_id: owner.partyId,
    uid: token.uid,
    type: token.type,
    contract_id: token.contract_id,
    ...(token.visual_number !== undefined && { visual_number: token.visual_number }),
    issuer,
    valid: true,
    whitelist: 'NEVER',
    last_updated: ocpiDateTime(now),
  }, log));
}
