/**
 * JSON request bodies at the edge, for every protocol the bridge serves (OCPI, OICP REST, the
 * operational endpoints): the body parser with two hazards checked on the raw bytes before
 * `JSON.parse` runs.
 * - Nesting deeper than 64 levels. V8 parses any depth, but what follows a parse (schema
 *   validation, cloning, `JSON.stringify` for the store and the log) recurses, and a body 100,000
 *   levels deep overflowed the stack there (HTTP 500). No OCPI or OICP message comes near the
 *   limit: the deepest, an OCPI Tariff or an OICP EVSE data push, nest fewer than ten levels.
 * - A NUL character (`\u0000`) in a string. No OCPI or OICP type admits control characters, and
 *   PostgreSQL cannot hold a NUL in text: an id carrying one failed in the store (HTTP 500). The
 *   schemas refuse the other control characters field by field; this one is refused whole.
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

const LETTER_U = 0x75;
const DIGIT_0 = 0x30;

type JsonHazard = 'too-deep' | 'nul';

/**
 * The first hazard in UTF-8 JSON text, reading from the start: objects and arrays nested deeper
 * than `limit`, or a string (member name or value) holding `\u0000`. One pass, no allocation;
 * brackets inside strings do not count. UTF-8 is safe to scan bytewise: every byte of a multi-byte
 * character is 0x80 or above, so none is mistaken for a quote, backslash or bracket. Text that is
 * not JSON gets an answer too; the parser refuses it next.
 */
export function jsonHazard(text: Uint8Array, limit: number): JsonHazard | undefined {
  const length = text.length;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const byte = text[i];
    if (byte === QUOTE) {
      // Skip the string: an escaped character (`\"`, `\\`) cannot end it.
      for (i++; i < length; i++) {
        const inString = text[i];
        if (inString === QUOTE) break;
        if (inString === BACKSLASH) {
          if (text[i + 1] === LETTER_U && text[i + 2] === DIGIT_0 && text[i + 3] === DIGIT_0 && text[i + 4] === DIGIT_0 && text[i + 5] === DIGIT_0) return 'nul';
          i++;
        }
      }
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return 'too-deep';
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return undefined;
}

/** A body refused before parsing; `status` and `type` follow the body parser's errors, so handlers read both alike. */
class BodyRefused extends Error {
  readonly status: number;
  readonly expose = true;
  constructor(
    readonly type: 'entity.too.deep' | 'entity.nul' | 'charset.unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'BodyRefused';
    this.status = type === 'charset.unsupported' ? 415 : 400;
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

/** The body parser's `verify` hook: refuses a body nested deeper than `limit`, or holding a NUL, before it is parsed. */
function refuseHazards(limit = JSON_DEPTH_LIMIT) {
  return (_req: unknown, _res: unknown, body: Buffer, charset: string | undefined): void => {
    const hazard = jsonHazard(utf8Of(body, charset), limit);
    if (hazard === 'too-deep') throw new BodyRefused('entity.too.deep', `the request body nests objects and arrays deeper than ${limit} levels`);
    if (hazard === 'nul') throw new BodyRefused('entity.nul', 'the request body holds a NUL character (\\u0000) in a string; no field may');
  };
}

/** `express.json` with the nesting limit and the NUL refusal; the other options are the parser's own. */
export function jsonBody(options: { limit: string; strict?: boolean; type?: string | ((req: unknown) => boolean) }): RequestHandler {
  return express.json({ ...options, verify: refuseHazards() });
}
