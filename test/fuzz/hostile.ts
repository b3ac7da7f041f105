/**
 * What the fuzz tests throw at the bridge, and how they judge the answers. A hostile request is a
 * valid one (an official example, addressed to its URL) with a few mutations drawn by fast-check:
 * in the body a member deleted, set to null, to a value of another type, to a huge or hostile
 * string (control characters, lone surrogates, non-ASCII), to a deep nesting, an unknown member
 * added, or the whole body replaced by other JSON or by text that is not JSON; in the URL an id
 * replaced by a hostile string (percent-encoded as a client would) or by bytes that are not valid
 * percent-encoding, a hostile query; an odd Content-Type. Runs are bounded (FUZZ_RUNS, 200 by
 * default) and seeded: fixed in CI (CI=true), fresh elsewhere, printed on failure with how to
 * replay it (FUZZ_SEED=...).
 */
import http from 'node:http';
import fc from 'fast-check';

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** CI replays one known sequence; a developer's run explores a new one each time. */
export const FUZZ_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.CI === 'true' ? 20_261_130 : Math.floor(Math.random() * 2 ** 31);

/** Runs `property` FUZZ_RUNS times from FUZZ_SEED; a failure names the seed and how to replay it. */
export async function fuzz<T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => Promise<void>, runs = FUZZ_RUNS): Promise<void> {
  try {
    // No shrinking: it would replay requests against a bridge whose state the failing run changed.
    await fc.assert(fc.asyncProperty(arbitrary, property), { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true });
  } catch (err) {
    // fast-check keeps the property's own error (the exchange) as the cause.
    const cause = (err as Error & { cause?: unknown }).cause;
    throw new Error(`fuzz failed with seed ${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${runs})\n${(err as Error).message}${cause instanceof Error ? `\n${cause.message}` : ''}`);
  }
}

type Path = (string | number)[];

/** Every place in a JSON value, the root first. */
export function pathsOf(value: unknown, at: Path = []): Path[] {
  const here = [at];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => pathsOf(v, [...at, i])));
  if (value !== null && typeof value === 'object') return here.concat(...Object.entries(value).map(([k, v]) => pathsOf(v, [...at, k])));
  return here;
}

const DELETE = Symbol('delete');

/** `root` with the value at `path` replaced (or deleted); the root itself can be replaced, not deleted. */
function withAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value === DELETE ? undefined : value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value !== DELETE) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

/** Strings no id and few fields may hold: control characters, lone surrogates, bidi overrides, other scripts. */
const NASTY = ['', ' ', '\u0000', 'a\u0000b', '\r\n', 'x\ty', '\u007f', '\u0085', '\ud800', 'a\udfffb', '\u2028', '\u202eevil', 'é', '東京', '🚗', '%00', '../..', '\\', '"', '${x}', "'; --"];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Text a parser would take for a number or a DateTime at first sight: past the ranges, impossible dates (month 13, hour 25). */
const nearlyValid: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double().map(String),
  fc
    .record({ y: fc.integer({ min: 0, max: 9999 }), mo: fc.integer({ min: 0, max: 99 }), d: fc.integer({ min: 0, max: 99 }), h: fc.integer({ min: 0, max: 99 }), mi: fc.integer({ min: 0, max: 99 }), z: fc.constantFrom('Z', '', '+00:00', '+01:00', '.123456789Z') })
    .map(({ y, mo, d, h, mi, z }) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(mi, 2)}${z}`),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY),
  nearlyValid,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 37, max: 300_000 }).map((n) => `\u0001HUGE:${n}\u0001`),
);

/** A huge string stands in the value as a marker expanded when sent, so a failure report stays readable. */
const HUGE = { quoted: /\\u0001HUGE:(\d+)\\u0001/g, raw: new RegExp(`${String.fromCharCode(1)}HUGE:(\\d+)${String.fromCharCode(1)}`, 'g') };
const expandHuge = (text: string, quoted: boolean) => text.replace(quoted ? HUGE.quoted : HUGE.raw, (_, n: string) => 'x'.repeat(Number(n)));

/**
 * An array or object nesting `depth` levels, around the 64-level limit and far past it. Stands in
 * the value as a marker the serialiser expands: a JavaScript value that deep would overflow the
 * test's own stack (cloning, fast-check's reporting) before the bridge ever saw it.
 */
const deepValue: fc.Arbitrary<string> = fc
  .record({ depth: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 71, max: 100_000 })), object: fc.boolean() })
  .map(({ depth, object }) => `\u0001DEEP:${depth}:${object ? 'o' : 'a'}\u0001`);
const DEEP_MARKER = /"\\u0001DEEP:(\d+):([oa])\\u0001"/g;
const expandDeep = (json: string) => json.replace(DEEP_MARKER, (_, depth: string, kind: string) => (kind === 'o' ? `${'{"a":'.repeat(Number(depth))}1${'}'.repeat(Number(depth))}` : `${'['.repeat(Number(depth))}1${']'.repeat(Number(depth))}`));

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(1e308, -1e308, 0.1 + 0.2, -0, 2 ** 53 + 1),
  hostileString,
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 3 }),
  deepValue,
);

type BodyMutation = { kind: 'delete'; at: number } | { kind: 'set'; at: number; value: unknown } | { kind: 'add'; at: number; key: string; value: unknown } | { kind: 'text'; text: string };

const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: anyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')), value: anyValue }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(fc.constantFrom('', 'null', '[]', '"x"', '{', '{"a":}', '\u0000', '{"a":1}{"b":2}', '\ufeff{}'), fc.string({ unit: 'binary', maxLength: 200 })),
    }),
  },
);

/** The body after the mutations, as sent: JSON text, or the replacing text. */
function mutatedBody(base: unknown, mutations: BodyMutation[]): string | undefined {
  let body = base;
  for (const mutation of mutations) {
    if (mutation.kind === 'text') return mutation.text;
    const paths = pathsOf(body);
    const path = paths[mutation.at % paths.length]!;
    if (mutation.kind === 'delete') body = withAt(body, path, DELETE);
    else if (mutation.kind === 'set') body = withAt(body, path, mutation.value);
    else {
      const target = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], body);
      // JSON text, not an object: `__proto__` must arrive as a member, as a client would send it.
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) body = withAt(body, path, JSON.parse(`{${JSON.stringify(mutation.key)}:${JSON.stringify(mutation.value ?? null)}}`));
    }
  }
  return body === undefined ? undefined : expandHuge(expandDeep(JSON.stringify(body)), true);
}

/** Percent-encodes every byte that is not unreserved (RFC 3986), as a client library would; lone surrogates become U+FFFD. */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Segments a client could send that do not decode (or decode to a slash or a dot segment). */
const RAW_SEGMENTS = ['%', '%E0%A4%A', '%zz', '%C3%28', '%FF', '%ED%A0%80', '%F4%90%80%80', '%C0%AF', '%00', '%2F', '%2e%2e', '..', '.'];

type UrlMutation = { kind: 'segment'; at: number; value: string; raw: boolean } | { kind: 'query'; key: string; value: string };

const urlMutation: fc.Arbitrary<UrlMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('segment' as const), at: fc.nat(), value: hostileString, raw: fc.constant(false) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('segment' as const), at: fc.nat(), value: fc.constantFrom(...RAW_SEGMENTS), raw: fc.constant(true) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('query' as const),
      key: fc.constantFrom('type', 'offset', 'limit', 'date_from', 'date_to', 'x', 'response_url', 'duration'),
      // Query parameters are numbers and DateTimes: mostly text that nearly is one.
      value: fc.oneof({ weight: 2, arbitrary: nearlyValid }, { weight: 1, arbitrary: hostileString }),
    }),
  },
);

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/json; charset=utf-16le', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'];

/** One request of the bridge's API: method, path segments below the base, query, body. */
export interface BaseRequest {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** The path's segments, unencoded. */
  segments: string[];
  /** Which segments carry ids (the URL mutations replace those), e.g. all after /ocpi/{version}/{module}. */
  mutable: number[];
  query?: Record<string, string>;
  body?: unknown;
}

export interface HostileRequest {
  method: string;
  path: string;
  contentType: string;
  body: string | undefined;
}

export interface Mutations {
  body: BodyMutation[];
  url: UrlMutation[];
  contentType: number | null;
}

/** Mostly body mutations, sometimes the URL, rarely the Content-Type; occasionally none at all (the valid request). */
export const mutations: fc.Arbitrary<Mutations> = fc.record({
  body: fc.array(bodyMutation, { minLength: 0, maxLength: 3 }),
  url: fc.array(urlMutation, { minLength: 0, maxLength: 2 }),
  contentType: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
});

/** The base request with the mutations applied. */
export function hostile(base: BaseRequest, m: Mutations): HostileRequest {
  const segments = base.segments.map((s) => percentEncode(s));
  const query: Record<string, string> = { ...base.query };
  // URLs stay within Node's 16 KiB header limit mostly (the HTTP edge tests cover the rest).
  const inUrl = (value: string, max: number) => expandHuge(value, false).slice(0, max);
  for (const mutation of m.url) {
    if (mutation.kind === 'query') query[mutation.key] = inUrl(mutation.value, 2_000);
    else if (base.mutable.length > 0) segments[base.mutable[mutation.at % base.mutable.length]!] = mutation.raw ? mutation.value : percentEncode(inUrl(mutation.value, 5_000));
  }
  const search = Object.entries(query)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  return {
    method: base.method,
    path: `/${segments.join('/')}${search ? `?${search}` : ''}`,
    contentType: m.contentType === null ? 'application/json' : CONTENT_TYPES[m.contentType % CONTENT_TYPES.length]!,
    body: mutatedBody(base.body, m.body),
  };
}

export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** Sends a request as bytes over HTTP/1.1 (no client-side rewriting of the path or body). */
export function send(baseUrl: string, request: HostileRequest, headers: Record<string, string>): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method: request.method, path: request.path, agent, headers: { ...headers, ...(body && { 'content-type': request.contentType, 'content-length': String(body.length) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A readable account of a request and its answer, cut to a size a failure message can carry. */
export function describeExchange(request: HostileRequest, answer: Answer): string {
  const cut = (s: string | undefined, n: number) => (s === undefined ? '(none)' : s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  return `${request.method} ${cut(request.path, 300)}\ncontent-type: ${request.contentType}\nbody: ${cut(request.body, 600)}\n-> HTTP ${answer.status} ${cut(answer.text, 600)}`;
}

/** The OCPI promise: no 5xx, and an envelope with status_code and timestamp. */
export function assertOcpiAnswer(request: HostileRequest, answer: Answer): void {
  const envelope = answer.json as { status_code?: unknown; timestamp?: unknown } | undefined;
  const ok = answer.status < 500 && typeof envelope?.status_code === 'number' && typeof envelope.timestamp === 'string';
  if (!ok) throw new Error(`not an OCPI answer to a client's request:\n${describeExchange(request, answer)}`);
}

/**
 * The OICP promise: no 5xx, and an eRoamingAcknowledgement (or answer) with a StatusCode. A path
 * with an empty segment (an empty party id) addresses no OICP route: the listener answers it, with
 * its JSON 404 (or its 4xx for a body it cannot read).
 */
export function assertOicpAnswer(request: HostileRequest, answer: Answer): void {
  const ack = answer.json as { StatusCode?: { Code?: unknown }; error?: unknown } | undefined;
  const noRoute = answer.status >= 400 && request.path.split('?')[0]!.includes('//') && typeof ack?.error === 'string';
  const ok = answer.status < 500 && (typeof ack?.StatusCode?.Code === 'string' || noRoute);
  if (!ok) throw new Error(`not an OICP answer to a client's request:\n${describeExchange(request, answer)}`);
}
