/**
 * OCPI transport rules shared by server and client, both versions (../shared/spec/ocpi.md §2):
 * the response envelope, the status codes with the HTTP status each travels with, the
 * `Authorization: Token` header in its 2.1.1 (plain) and 2.2.1 (Base64) forms, and time stamps.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: token-either-encoding, version-2-1-is-2-1-1 (src/ocpi/errata.ts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { check } from '../../core/typebox';

export const OCPI_VERSIONS = ['2.1.1', '2.2.1'] as const;
export type OcpiVersion = (typeof OCPI_VERSIONS)[number];

/** The standard codes (§2.4) and what each means; 4xxx are hub codes of 2.2.1. */
export const OCPI_STATUS = {
  1000: 'Success',
  2000: 'Generic client error',
  2001: 'Invalid or missing parameters',
  2002: 'Not enough information',
  2003: 'Unknown Location',
  2004: 'Unknown Token',
  3000: 'Generic server error',
  3001: 'Unable to use the client’s API',
  3002: 'Unsupported version',
  3003: 'No matching endpoints or expected endpoints missing between parties',
  4000: 'Generic hub error',
  4001: 'Unknown receiver',
  4002: 'Timeout on forwarded request',
  4003: 'Connection problem',
} as const;
export type OcpiStatusCode = keyof typeof OCPI_STATUS;

export const Envelope = Type.Object({
  data: Type.Optional(Type.Unknown()),
  status_code: Type.Integer({ minimum: 1000, maximum: 4999 }),
  status_message: Type.Optional(Type.String()),
  timestamp: Type.String({ minLength: 1 }),
});
export type Envelope = Static<typeof Envelope>;

/** An instant as OCPI writes it: UTC, whole seconds, `Z` (both versions accept this form). */
export function ocpiDateTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function envelope(data: unknown, now: Date, code: OcpiStatusCode = 1000, message?: string): Envelope {
  return { ...(data === undefined ? {} : { data }), status_code: code, ...(message === undefined ? {} : { status_message: message }), timestamp: ocpiDateTime(now) };
}

/**
 * A refusal in OCPI terms. `httpStatus` is the transport status it travels with: 200 for the OCPI
 * layer's own answers (§2.5: an authenticated, valid request gets no HTTP error), 400 for a body
 * that is not JSON, 401 for a missing or unknown token, 404 for an unknown object, 405 for a
 * credentials call in the wrong registration state.
 */
export class OcpiError extends Error {
  constructor(
    readonly code: OcpiStatusCode,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
    this.name = 'OcpiError';
  }
}

const TOKEN = /^[\x21-\x7E]{1,64}$/;

/**
 * The tokens an `Authorization` header may carry: as written (2.1.1, and 2.2.1 peers that never
 * encoded) and Base64-decoded (2.2.1). The decoded form is trimmed: the spec's own examples carry an
 * `echo` newline. Empty when the header is absent or not `Token <value>`.
 */
export function presentedTokens(header: string | undefined): string[] {
  const match = /^Token (\S+)$/.exec(header?.trim() ?? '');
  if (!match) return [];
  const written = match[1]!;
  const candidates = new Set<string>();
  if (TOKEN.test(written)) candidates.add(written);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(written) && written.length % 4 === 0) {
    const decoded = Buffer.from(written, 'base64').toString('utf8').trim();
    if (TOKEN.test(decoded)) candidates.add(decoded);
  }
  return [...candidates];
}

export type TokenEncoding = 'plain' | 'base64';

/** 2.1.1 sends the token as is; 2.2.1 Base64-encodes it (RFC 4648 §4, padded). */
export const defaultEncoding = (version: OcpiVersion | undefined): TokenEncoding => (version === '2.1.1' ? 'plain' : 'base64');

export function authorizationHeader(token: string, encoding: TokenEncoding): string {
  return `Token ${encoding === 'plain' ? token : Buffer.from(token, 'utf8').toString('base64')}`;
}

/** A version string as peers write it: some 2.1.1 implementations advertise `2.1` (spec issue #143). */
export function knownVersion(written: string): OcpiVersion | undefined {
  if (written === '2.1') return '2.1.1';
  return (OCPI_VERSIONS as readonly string[]).includes(written) ? (written as OcpiVersion) : undefined;
}

/** A request body as `schema` reads it, or OCPI 2001 naming every field that breaks it (`whole` names the body itself). */
export function bodyAs<S extends TSchema>(schema: S, body: unknown, whole = '(body)'): Static<S> {
  const checked = check(schema, body);
  if (checked.findings.length > 0) throw new OcpiError(2001, checked.findings.map((f) => `${f.path || whole}: ${f.message}`).join('; '));
  return checked.value;
}
