/**
 * OICP StatusCode catalogue (three-digit strings) with Hubject's descriptions, and the
 * acknowledgement every refusal is answered with. One place, so the server, the client and the
 * simulator describe a code the same way.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: rest-refusal-http-status (src/oicp/errata.ts).
import type { Acknowledgement, StatusCode } from './transaction-schemas';

const STATUS_CODES = {
  '000': 'Success',
  '001': 'Hubject system error',
  '002': 'Hubject database error',
  '009': 'Data transaction error',
  '017': 'Unauthorized Access',
  '018': 'Inconsistent EvseID',
  '019': 'Inconsistent EvcoID',
  '021': 'System error',
  '022': 'Data error',
  '101': 'QR Code Authentication failed - Invalid Credentials',
  '102': 'RFID Authentication failed - invalid UID',
  '103': 'RFID Authentication failed - card not readable',
  '105': 'PLC Authentication failed - invalid EvcoID',
  '106': 'No positive authentication response',
  '110': 'QR Code App Authentication failed - time out error',
  '120': 'PLC (ISO/ IEC 15118) Authentication failed - invalid underlying EvcoID',
  '121': 'PLC (ISO/ IEC 15118) Authentication failed - invalid certificate',
  '122': 'PLC (ISO/ IEC 15118) Authentication failed - time out error',
  '200': 'EvcoID locked',
  '210': 'No valid contract',
  '300': 'Partner not found',
  '310': 'Partner did not respond',
  '320': 'Service not available',
  '400': 'Session is invalid',
  '501': 'Communication to EVSE failed',
  '510': 'No EV connected to EVSE',
  '601': 'EVSE already reserved',
  '602': 'EVSE already in use/ wrong token',
  '603': 'Unknown EVSE ID',
  '604': 'EVSE ID is not Hubject compatible',
  '700': 'EVSE out of service',
} as const;
export type StatusCodeValue = keyof typeof STATUS_CODES;

/** A StatusCode with the catalogue's description; `additionalInfo` says what exactly went wrong. */
export function statusCode(code: StatusCodeValue, additionalInfo?: string): StatusCode {
  return additionalInfo === undefined ? { Code: code, Description: STATUS_CODES[code] } : { Code: code, Description: STATUS_CODES[code], AdditionalInfo: clip(additionalInfo, 1000) };
}

/** The eRoamingAcknowledgement for a code: Result is true exactly for 000. */
export function acknowledgement(code: StatusCodeValue, additionalInfo?: string, ids: Omit<Acknowledgement, 'Result' | 'StatusCode'> = {}): Acknowledgement {
  return { Result: code === '000', StatusCode: statusCode(code, additionalInfo), ...ids };
}

/**
 * A refusal in OICP terms, thrown by a handler (or the transport) and answered as an acknowledgement
 * with Result false. `httpStatus` is 200 for business refusals; protocol errors use 4xx/5xx.
 */
export class OicpRefusal extends Error {
  constructor(
    readonly code: StatusCodeValue,
    readonly additionalInfo?: string,
    readonly httpStatus = 200,
  ) {
    super(`OICP ${code} ${STATUS_CODES[code]}${additionalInfo ? `: ${additionalInfo}` : ''}`);
    this.name = 'OicpRefusal';
  }

  get acknowledgement(): Acknowledgement {
    return acknowledgement(this.code, this.additionalInfo);
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
