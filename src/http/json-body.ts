/**
 * JSON request bodies at the edge, for every protocol the bridge serves (OCPI, OICP REST, the
 * operational endpoints): the body parser with a nesting limit checked on the raw bytes before
 * `JSON.parse` runs. V8 parses any depth, but what follows a parse (schema validation, cloning,
 * `JSON.stringify` for the store and the log) recurses, and a body 100,000 levels deep overflowed
 * the stack there (HTTP 500). No OCPI or OICP message comes near the limit: the deepest, an OCPI
 * Tariff or an OICP EVSE data push, nest fewer than ten levels.
 */
import express, { type RequestHandler } from 'express';

/** How deep objects and arrays may nest in a request body. */
export const JSON_DEPTH_LIMIT = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether UTF-8 JSON text nests objects and arrays deeper than `limit`. One pass, no allocation;
 * brackets inside strings do not count. UTF-8 is safe to scan bytewise: every byte of a multi-byte
 * character is 0x80 or above, so none is mistaken for a quote, backslash or bracket. Text that is
 * not JSON gets an answer too; the parser refuses it next.
 */
export function nestsDeeperThan(text: Uint8Array, limit: number): boolean {
  const length = text.length;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const byte = text[i];
    if (byte === QUOTE) {
      // Skip the string: an escaped character (`\"`, `\\`) cannot end it.
      for (i++; i < length; i++) {
        const inString = text[i];
        if (inString === QUOTE) break;
        if (inString === BACKSLASH) i++;
      }
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** A body refused before parsing; `status` and `type` follow the body parser's errors, so handlers read both alike. */
export class BodyRefused extends Error {
  readonly status: number;
  readonly expose = true;
  constructor(
    readonly type: 'entity.too.deep' | 'charset.unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'BodyRefused';
    this.status = type === 'entity.too.deep' ? 400 : 415;
  }
}

export const isBodyRefused = (err: unknown): err is BodyRefused => err instanceof BodyRefused;

/** The body as UTF-8 bytes; other charsets a peer declares are decoded first, unknown ones refused. */
function utf8Of(body: Buffer, charset: string | undefined): Uint8Array {
  if (charset === undefined || /^utf-?8$/i.test(charset)) return body;
  let decoded: string;
  try {
    decoded = new TextDecoder(charset).decode(body);
  } catch {
    throw new BodyRefused('charset.unsupported', `the request body's charset ${charset} is not supported; send UTF-8`);
  }
  return Buffer.from(decoded, 'utf8');
}

/** The body parser's `verify` hook: refuses a body nested deeper than `limit` before it is parsed. */
export function refuseDeepJson(limit = JSON_DEPTH_LIMIT) {
  return (_req: unknown, _res: unknown, body: Buffer, charset: string | undefined): void => {
    if (nestsDeeperThan(utf8Of(body, charset), limit)) throw new BodyRefused('entity.too.deep', `the request body nests objects and arrays deeper than ${limit} levels`);
  };
}

/** `express.json` with the nesting limit; the other options are the parser's own. */
export function jsonBody(options: { limit: string; strict?: boolean; type?: string | ((req: unknown) => boolean) }): RequestHandler {
  return express.json({ ...options, verify: refuseDeepJson() });
}
