import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, controlHandler, isObject, listen, parseJson, readBody, sendJson, SocketTracker, type ControlRoute, type Json } from './http';
import { OCPI_VERSION, authorizationHeader, envelope, type Envelope, isCredentialsToken, newToken, pageRequest, paginate, responseHeaders, tokensOf, type Party } from './ocpi-transport';
import { pace, percentiles, type PaceOptions } from './pacer';

/**
 * An OCPI 2.2.1 CPO backend double, from the spec digest alone (ocpi.md): it issues a token A, lets
 * an eMSP (the bridge) register with it (versions, details, credentials; token A -> B -> C, fetch-back
 * of the peer's versions with token B), serves its locations and tariffs to the peer's pulls with
 * 2.2.1 pagination, and, once registered, pushes to the peer's Receiver interfaces with token B,
 * recording every answer (HTTP status, OCPI status_code, latency). Shares nothing with src/.
 */

export type PushItem =
  | { op: 'putLocation'; location: Json }
  | { op: 'putEvse'; locationId: string; evse: Json }
  | { op: 'patchLocation'; locationId: string; patch: Json }
  | { op: 'patchEvse'; locationId: string; evseUid: string; patch: Json }
  | { op: 'patchConnector'; locationId: string; evseUid: string; connectorId: string; patch: Json }
  | { op: 'putSession'; session: Json }
  | { op: 'patchSession'; sessionId: string; patch: Json }
  | { op: 'postCdr'; cdr: Json }
  | { op: 'putTariff'; tariff: Json }
  | { op: 'authorize'; uid: string; type?: string; locationReferences?: Json };

export type PushOp = PushItem['op'];

export interface PushResult {
  seq: number;
  op: PushOp;
  method: string;
  url: string;
  /** When the request was sent (ISO). */
  at: string;
  latencyMs: number;
  httpStatus?: number;
  statusCode?: number;
  statusMessage?: string;
  data?: unknown;
  /** The `Location` header of a CDR POST's answer. */
  location?: string;
  /** Transport failure, timeout, or an answer without the OCPI envelope. */
  error?: string;
  /** acknowledged: HTTP 2xx with status_code 1xxx; refused: an envelope with any other code; failed: no envelope. */
  outcome: 'acknowledged' | 'refused' | 'failed';
}

export interface StreamReport {
  count: number;
  acknowledged: number;
  refused: number;
  failed: number;
  elapsedMs: number;
  achievedRate: number;
  maxInFlight: number;
  maxLagMs: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  results: PushResult[];
}

export interface Endpoint {
  identifier: string;
  role: 'SENDER' | 'RECEIVER';
  url: string;
}

export interface CredentialsRole {
  role: string;
  business_details: Json & { name: string };
  party_id: string;
  country_code: string;
}

export interface RegistrationState {
  registered: boolean;
  /** The registration token on offer; null once spent. */
  tokenA: string | null;
  /** The token the peer presents to us (token C when the peer registered with us). */
  serverToken?: string;
  /** The token we present to the peer (its token B). */
  clientToken?: string;
  peer?: { versionsUrl: string; roles: CredentialsRole[]; endpoints: Endpoint[] };
  history: { at: string; event: 'registered' | 'updated' | 'unregistered' | 'refused'; detail?: string }[];
}

export interface IncomingRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  auth: 'tokenA' | 'server' | 'unknown' | 'missing';
  httpStatus: number;
  statusCode?: number;
}

type Tally = { sent: number; acknowledged: number; refused: number; failed: number };

export interface OcpiCounters {
  incoming: { total: number; unauthorized: number; byModule: Record<string, number> };
  pushes: Tally & { byOp: Partial<Record<PushOp, Tally>> };
}

export interface OcpiCpoDoubleOptions {
  host?: string;
  port?: number;
  countryCode?: string;
  partyId?: string;
  name?: string;
  tokenA?: string;
  locations?: Json[];
  tariffs?: Json[];
  /** Most objects per page of a list GET (X-Limit); default 100. */
  pageLimit?: number;
  /** Accept `Token <plain token>` besides the Base64 2.2.1 prescribes (default false: a plain token gets 401). */
  acceptPlainTokens?: boolean;
  /** Timeout of the double's own calls to the peer (default 10 s). */
  requestTimeoutMs?: number;
}

export interface OcpiCpoApi {
  registration(): Promise<RegistrationState>;
  /** A fresh token A (after an unregister, or to register a second time). */
  newTokenA(): Promise<string>;
  /** The other direction: the double registers with a peer that gave it `token` (its token A) and its versions URL. */
  registerWith(peer: { versionsUrl: string; token: string }): Promise<RegistrationState>;
  counters(): Promise<OcpiCounters>;
  /** The requests the peer made to the double. */
  requests(): Promise<IncomingRequest[]>;
  pushes(filter?: { op?: PushOp; sinceSeq?: number }): Promise<PushResult[]>;
  /** The backend's own data, which its Sender lists serve and its pushes update (newest last_updated wins). */
  data(): Promise<{ locations: Json[]; tariffs: Json[] }>;
  setData(data: { locations?: Json[]; tariffs?: Json[] }): Promise<void>;
  push(item: PushItem): Promise<PushResult>;
  /** `items` at `rate` per second with at most `concurrency` in flight; every answer recorded. */
  stream(items: PushItem[], options: PaceOptions): Promise<StreamReport>;
  clearRecords(): Promise<void>;
  close(): Promise<void>;
}

export interface OcpiCpoDouble extends OcpiCpoApi {
  url: string;
  /** What the peer is given with token A. */
  versionsUrl: string;
  /** The control API is served by the double itself, under `/_double/...`. */
  controlUrl: string;
  party: Party;
}

const ROLES = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'];

/** What is wrong with a Credentials object (2.2.1, ocpi.md 3.2); [] when nothing. */
function credentialsErrors(body: unknown): string[] {
  if (!isObject(body)) return ['body is not a Credentials object'];
  const errors: string[] = [];
  if (!isCredentialsToken(body.token)) errors.push('token: 1 to 64 printable non-whitespace ASCII characters');
  if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url)) errors.push('url: the versions URL');
  if (!Array.isArray(body.roles) || body.roles.length === 0) errors.push('roles: at least one CredentialsRole');
  else
    (body.roles as unknown[]).forEach((role, i) => {
      if (!isObject(role)) return errors.push(`roles[${i}]: not an object`);
      if (!ROLES.includes(String(role.role))) errors.push(`roles[${i}].role: one of ${ROLES.join(', ')}`);
      if (!isObject(role.business_details) || typeof role.business_details.name !== 'string') errors.push(`roles[${i}].business_details.name: required`);
      if (typeof role.party_id !== 'string' || !/^[A-Za-z0-9]{3}$/.test(role.party_id)) errors.push(`roles[${i}].party_id: CiString(3)`);
      if (typeof role.country_code !== 'string' || !/^[A-Za-z]{2}$/.test(role.country_code)) errors.push(`roles[${i}].country_code: ISO 3166 alpha-2`);
    });
  return errors;
}

/** The methods each served path of ours takes (405 for the others, 404 for paths we do not serve). */
const METHODS: Record<string, string[]> = { versions: ['GET'], details: ['GET'], credentials: ['GET', 'POST', 'PUT', 'DELETE'], locations: ['GET'], tariffs: ['GET'] };

/** `versions`, `details` (the 2.2.1 version details), a module id, or `unknown`, from the decoded path segments. */
function moduleOf(parts: string[]): string {
  if (parts[0] !== 'ocpi') return 'unknown';
  if (parts.length === 2 && parts[1] === 'versions') return 'versions';
  if (parts[1] !== OCPI_VERSION) return 'unknown';
  return parts[2] ?? 'details';
}

const newerOrEqual = (incoming: unknown, current: unknown) =>
  typeof incoming !== 'string' || typeof current !== 'string' || !(Date.parse(incoming) < Date.parse(current));

const later = (a: unknown, b: unknown) => (typeof b === 'string' && (typeof a !== 'string' || Date.parse(b) > Date.parse(a)) ? b : a);

export async function startOcpiCpoDouble(options: OcpiCpoDoubleOptions = {}): Promise<OcpiCpoDouble> {
  const host = options.host ?? '127.0.0.1';
  const party: Party = { countryCode: options.countryCode ?? 'DE', partyId: options.partyId ?? 'ABC' };
  const pageLimit = options.pageLimit ?? 100;
  const acceptPlain = options.acceptPlainTokens ?? false;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;

  let registration: RegistrationState = { registered: false, tokenA: options.tokenA ?? newToken(), history: [] };
  let locations = new Map<string, Json>((options.locations ?? []).map((l) => [String(l.id), structuredClone(l)]));
  let tariffs = new Map<string, Json>((options.tariffs ?? []).map((t) => [String(t.id), structuredClone(t)]));
  let incoming: IncomingRequest[] = [];
  let pushes: PushResult[] = [];
  let seq = 0;
  let pushSeq = 0;
  const emptyTally = (): Tally => ({ sent: 0, acknowledged: 0, refused: 0, failed: 0 });
  let counters: OcpiCounters = { incoming: { total: 0, unauthorized: 0, byModule: {} }, pushes: { ...emptyTally(), byOp: {} } };

  const server = createServer();
  const tracker = new SocketTracker(server);
  const port = await listen(server, options.port ?? 0, host);
  const url = `http://${host}:${port}`;
  const versionsUrl = `${url}/ocpi/versions`;
  const detailsUrl = `${url}/ocpi/${OCPI_VERSION}`;

  const ourCredentials = (token: string) => ({
    token,
    url: versionsUrl,
    roles: [{ role: 'CPO', business_details: { name: options.name ?? `${party.partyId} Charging (OCPI double)` }, party_id: party.partyId, country_code: party.countryCode }],
  });

  /** The peer's party for routing headers: its eMSP role, else its first. */
  const peerParty = (): Party | undefined => {
    const roles = registration.peer?.roles ?? [];
    const role = roles.find((r) => r.role === 'EMSP') ?? roles[0];
    return role ? { countryCode: role.country_code, partyId: role.party_id } : undefined;
  };

  async function ocpiGet(target: string, token: string): Promise<unknown> {
    const res = await fetch(target, { headers: { authorization: authorizationHeader(token) }, signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok || !isObject(body) || body.status_code !== 1000) throw new Error(`GET ${target}: HTTP ${res.status}${isObject(body) ? `, status_code ${String(body.status_code)}` : ', no OCPI envelope'}`);
    return body.data;
  }

  /** The peer's 2.2.1 endpoints, read with the token we will use on it (the fetch-back of 3.4 step 5). */
  async function fetchPeer(peerVersionsUrl: string, token: string): Promise<{ endpoints: Endpoint[] } | { code: number; message: string }> {
    try {
      const versions = await ocpiGet(peerVersionsUrl, token);
      const ours = Array.isArray(versions) ? (versions as Json[]).find((v) => v.version === OCPI_VERSION) : undefined;
      if (!ours) return { code: 3002, message: `the peer offers no version ${OCPI_VERSION}` };
      const details = await ocpiGet(String(ours.url), token);
      if (!isObject(details) || !Array.isArray(details.endpoints)) return { code: 3001, message: 'version details without endpoints' };
      return { endpoints: details.endpoints as Endpoint[] };
    } catch (err) {
      return { code: 3001, message: `unable to use the peer's API: ${(err as Error).message}` };
    }
  }

  const note = (event: RegistrationState['history'][0]['event'], detail?: string) =>
    registration.history.push({ at: new Date().toISOString(), event, ...(detail === undefined ? {} : { detail }) });

  /** POST (register) or PUT (update) of the peer's credentials: fetch back with its token, answer with a new token of ours. */
  async function acceptCredentials(body: unknown, update: boolean): Promise<{ status: number; body: Envelope }> {
    const errors = credentialsErrors(body);
    if (errors.length > 0) {
      note('refused', errors.join('; '));
      return { status: 200, body: envelope(2001, undefined, `invalid credentials: ${errors.join('; ')}`) };
    }
    const credentials = body as Json & { token: string; url: string; roles: CredentialsRole[] };
    const peer = await fetchPeer(credentials.url, credentials.token);
    if ('code' in peer) {
      note('refused', peer.message);
      return { status: 200, body: envelope(peer.code, undefined, peer.message) };
    }
    const serverToken = newToken();
    registration = {
      ...registration,
      registered: true,
      tokenA: null,
      serverToken,
      clientToken: credentials.token,
      peer: { versionsUrl: credentials.url, roles: credentials.roles, endpoints: peer.endpoints },
    };
    note(update ? 'updated' : 'registered', credentials.url);
    return { status: 200, body: envelope(1000, ourCredentials(serverToken)) };
  }

  function authenticate(header: string | undefined): IncomingRequest['auth'] {
    if (header === undefined) return 'missing';
    const tokens = tokensOf(header, acceptPlain);
    if (registration.serverToken !== undefined && tokens.includes(registration.serverToken)) return 'server';
    if (registration.tokenA !== null && tokens.includes(registration.tokenA)) return 'tokenA';
    return 'unknown';
  }

  // ---- the backend's own data, kept newest-first like a real backend's database -----------------

  function applyOwn(item: PushItem): void {
    const touch = (location: Json, lastUpdated: unknown) => (location.last_updated = later(location.last_updated, lastUpdated));
    const evseOf = (location: Json | undefined, uid: string) => (location && Array.isArray(location.evses) ? (location.evses as Json[]).find((e) => e.uid === uid) : undefined);
    switch (item.op) {
      case 'putLocation': {
        const current = locations.get(String(item.location.id));
        if (!current || newerOrEqual(item.location.last_updated, current.last_updated)) locations.set(String(item.location.id), structuredClone(item.location));
        return;
      }
      case 'putEvse': {
        const location = locations.get(item.locationId);
        if (!location) return;
        const evses = (location.evses ??= []) as Json[];
        const index = evses.findIndex((e) => e.uid === item.evse.uid);
        if (index < 0) evses.push(structuredClone(item.evse));
        else if (newerOrEqual(item.evse.last_updated, evses[index]!.last_updated)) evses[index] = structuredClone(item.evse);
        touch(location, item.evse.last_updated);
        return;
      }
      case 'patchLocation': {
        const location = locations.get(item.locationId);
        if (location && newerOrEqual(item.patch.last_updated, location.last_updated)) Object.assign(location, structuredClone(item.patch));
        return;
      }
      case 'patchEvse': {
        const location = locations.get(item.locationId);
        const evse = evseOf(location, item.evseUid);
        if (location && evse && newerOrEqual(item.patch.last_updated, evse.last_updated)) {
          Object.assign(evse, structuredClone(item.patch));
          touch(location, item.patch.last_updated);
        }
        return;
      }
      case 'patchConnector': {
        const location = locations.get(item.locationId);
        const evse = evseOf(location, item.evseUid);
        const connector = Array.isArray(evse?.connectors) ? (evse.connectors as Json[]).find((c) => c.id === item.connectorId) : undefined;
        if (location && evse && connector && newerOrEqual(item.patch.last_updated, connector.last_updated)) {
          Object.assign(connector, structuredClone(item.patch));
          evse.last_updated = later(evse.last_updated, item.patch.last_updated);
          touch(location, item.patch.last_updated);
        }
        return;
      }
      case 'putTariff': {
        const current = tariffs.get(String(item.tariff.id));
        if (!current || newerOrEqual(item.tariff.last_updated, current.last_updated)) tariffs.set(String(item.tariff.id), structuredClone(item.tariff));
        return;
      }
      default:
        return;
    }
  }

  // ---- client side: pushes to the peer's Receiver interfaces -----------------------------------

  const seg = (value: unknown) => encodeURIComponent(String(value));

  /** Method, module, role and path below the module URL of a push (ocpi.md 4.0). */
  function target(item: PushItem): { module: string; role: 'SENDER' | 'RECEIVER'; method: string; path: string; body?: unknown } {
    const owner = (object?: Json) => `/${seg(object?.country_code ?? party.countryCode)}/${seg(object?.party_id ?? party.partyId)}`;
    const here = `/${seg(party.countryCode)}/${seg(party.partyId)}`;
    switch (item.op) {
      case 'putLocation':
        return { module: 'locations', role: 'RECEIVER', method: 'PUT', path: `${owner(item.location)}/${seg(item.location.id)}`, body: item.location };
      case 'putEvse':
        return { module: 'locations', role: 'RECEIVER', method: 'PUT', path: `${here}/${seg(item.locationId)}/${seg(item.evse.uid)}`, body: item.evse };
      case 'patchLocation':
        return { module: 'locations', role: 'RECEIVER', method: 'PATCH', path: `${here}/${seg(item.locationId)}`, body: item.patch };
      case 'patchEvse':
        return { module: 'locations', role: 'RECEIVER', method: 'PATCH', path: `${here}/${seg(item.locationId)}/${seg(item.evseUid)}`, body: item.patch };
      case 'patchConnector':
        return { module: 'locations', role: 'RECEIVER', method: 'PATCH', path: `${here}/${seg(item.locationId)}/${seg(item.evseUid)}/${seg(item.connectorId)}`, body: item.patch };
      case 'putSession':
        return { module: 'sessions', role: 'RECEIVER', method: 'PUT', path: `${owner(item.session)}/${seg(item.session.id)}`, body: item.session };
      case 'patchSession':
        return { module: 'sessions', role: 'RECEIVER', method: 'PATCH', path: `${here}/${seg(item.sessionId)}`, body: item.patch };
      case 'postCdr':
        return { module: 'cdrs', role: 'RECEIVER', method: 'POST', path: '', body: item.cdr };
      case 'putTariff':
        return { module: 'tariffs', role: 'RECEIVER', method: 'PUT', path: `${owner(item.tariff)}/${seg(item.tariff.id)}`, body: item.tariff };
      case 'authorize':
        return { module: 'tokens', role: 'SENDER', method: 'POST', path: `/${seg(item.uid)}/authorize${item.type ? `?type=${seg(item.type)}` : ''}`, ...(item.locationReferences ? { body: item.locationReferences } : {}) };
    }
  }

  function tally(result: PushResult): PushResult {
    const byOp = (counters.pushes.byOp[result.op] ??= emptyTally());
    for (const t of [counters.pushes, byOp]) {
      t.sent++;
      t[result.outcome]++;
    }
    pushes.push(result);
    return result;
  }

  async function push(item: PushItem): Promise<PushResult> {
    const started = Date.now();
    const number = ++pushSeq;
    const spec = target(item);
    const base = { seq: number, op: item.op, method: spec.method, at: new Date(started).toISOString() };
    const endpoint = registration.peer?.endpoints.find((e) => e.identifier === spec.module && e.role === spec.role);
    if (!registration.registered || !registration.clientToken || !endpoint) {
      const why = registration.registered ? `the peer lists no ${spec.module} ${spec.role} endpoint` : 'not registered with a peer';
      return tally({ ...base, url: '', latencyMs: 0, error: why, outcome: 'failed' });
    }
    if (item.op !== 'authorize') applyOwn(item);
    const to = peerParty();
    const requestUrl = `${endpoint.url.replace(/\/$/, '')}${spec.path}`;
    const headers: Record<string, string> = {
      authorization: authorizationHeader(registration.clientToken),
      'x-request-id': randomUUID(),
      'x-correlation-id': randomUUID(),
      'ocpi-from-country-code': party.countryCode,
      'ocpi-from-party-id': party.partyId,
      ...(to ? { 'ocpi-to-country-code': to.countryCode, 'ocpi-to-party-id': to.partyId } : {}),
      ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    try {
      const res = await fetch(requestUrl, { method: spec.method, headers, ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }), signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      const latencyMs = Date.now() - started;
      const parsed = parseJson(text);
      const answer = { ...base, url: requestUrl, latencyMs, httpStatus: res.status, ...(res.headers.get('location') ? { location: res.headers.get('location')! } : {}) };
      if (!isObject(parsed) || typeof parsed.status_code !== 'number') return tally({ ...answer, error: `no OCPI envelope in the answer: ${text.slice(0, 200)}`, outcome: 'failed' });
      const ok = res.ok && parsed.status_code >= 1000 && parsed.status_code < 2000;
      return tally({
        ...answer,
        statusCode: parsed.status_code,
        ...(typeof parsed.status_message === 'string' ? { statusMessage: parsed.status_message } : {}),
        ...(parsed.data === undefined ? {} : { data: parsed.data }),
        outcome: ok ? 'acknowledged' : 'refused',
      });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string } }).cause?.code;
      return tally({ ...base, url: requestUrl, latencyMs: Date.now() - started, error: `${(err as Error).name}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`, outcome: 'failed' });
    }
  }

  async function stream(items: PushItem[], pacing: PaceOptions): Promise<StreamReport> {
    const run = await pace(items, push, pacing);
    const count = (outcome: PushResult['outcome']) => run.results.filter((r) => r.outcome === outcome).length;
    return {
      count: items.length,
      acknowledged: count('acknowledged'),
      refused: count('refused'),
      failed: count('failed'),
      elapsedMs: run.elapsedMs,
      achievedRate: run.achievedRate,
      maxInFlight: run.maxInFlight,
      maxLagMs: run.maxLagMs,
      latencyMs: percentiles(run.results.map((r) => r.latencyMs)),
      results: run.results,
    };
  }

  /** The other handshake direction (3.4 with the roles swapped): we are the Sender of credentials. */
  async function registerWith(peer: { versionsUrl: string; token: string }): Promise<RegistrationState> {
    const found = await fetchPeer(peer.versionsUrl, peer.token);
    if ('code' in found) throw new Error(found.message);
    const credentialsEndpoint = found.endpoints.find((e) => e.identifier === 'credentials');
    if (!credentialsEndpoint) throw new Error('the peer lists no credentials endpoint');
    // The peer reads our versions back with this token before it answers, so it must work already.
    const previous = registration;
    const serverToken = newToken();
    registration = { ...registration, serverToken };
    const res = await fetch(credentialsEndpoint.url, {
      method: 'POST',
      headers: { authorization: authorizationHeader(peer.token), 'content-type': 'application/json' },
      body: JSON.stringify(ourCredentials(serverToken)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok || !isObject(body) || body.status_code !== 1000 || credentialsErrors(body.data).length > 0) {
      registration = previous;
      throw new Error(`credentials POST to the peer: HTTP ${res.status}, ${JSON.stringify(body)}`);
    }
    const theirs = body.data as Json & { token: string; url: string; roles: CredentialsRole[] };
    registration = { ...registration, registered: true, tokenA: null, clientToken: theirs.token, peer: { versionsUrl: theirs.url, roles: theirs.roles, endpoints: found.endpoints } };
    note('registered', peer.versionsUrl);
    return structuredClone(registration);
  }

  // ---- server side -------------------------------------------------------------------------------

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = new URL(req.url ?? '/', url);
    const auth = authenticate(req.headers.authorization);
    const record: IncomingRequest = { seq: ++seq, at: new Date().toISOString(), method: req.method ?? '', path: address.pathname + address.search, auth, httpStatus: 0 };
    incoming.push(record);
    counters.incoming.total++;
    const text = await readBody(req).catch(() => '');
    let parts: string[];
    try {
      parts = address.pathname.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
    } catch {
      parts = [];
    }
    const module = moduleOf(parts);
    counters.incoming.byModule[module] = (counters.incoming.byModule[module] ?? 0) + 1;
    const functional = module === 'locations' || module === 'tariffs';
    const reply = (status: number, body: Envelope, headers: Record<string, string> = {}) => {
      record.httpStatus = status;
      record.statusCode = body.status_code;
      sendJson(res, status, body, { ...responseHeaders(req, functional ? { from: party, ...(peerParty() ? { to: peerParty()! } : {}) } : undefined), ...headers });
    };

    if (auth === 'missing' || auth === 'unknown' || (auth === 'tokenA' && functional)) {
      counters.incoming.unauthorized++;
      return reply(401, envelope(2000, undefined, auth === 'tokenA' ? 'token A opens only versions and credentials' : 'missing or unknown token'));
    }
    const method = req.method ?? 'GET';
    if (module === 'versions' && method === 'GET') return reply(200, envelope(1000, [{ version: OCPI_VERSION, url: detailsUrl }]));
    if (module === 'details' && method === 'GET') {
      const endpoints: Endpoint[] = [
        { identifier: 'credentials', role: 'SENDER', url: `${detailsUrl}/credentials` },
        { identifier: 'locations', role: 'SENDER', url: `${detailsUrl}/locations` },
        { identifier: 'tariffs', role: 'SENDER', url: `${detailsUrl}/tariffs` },
      ];
      return reply(200, envelope(1000, { version: OCPI_VERSION, endpoints }));
    }
    if (module === 'credentials' && parts.length === 3) {
      if (method === 'GET') return reply(200, envelope(1000, ourCredentials(auth === 'server' ? registration.serverToken! : registration.tokenA!)));
      if (method === 'POST' || method === 'PUT') {
        // POST registers with token A; a registered peer updates with PUT (405 the other way round, 3.3).
        if ((method === 'POST') !== (auth === 'tokenA')) return reply(405, envelope(2000, undefined, method === 'POST' ? 'already registered: use PUT' : 'not registered: use POST'));
        const body = parseJson(text);
        if (body instanceof Error) return reply(400, envelope(2001, undefined, body.message));
        const answer = await acceptCredentials(body, method === 'PUT');
        return reply(answer.status, answer.body);
      }
      if (method === 'DELETE') {
        if (auth !== 'server') return reply(405, envelope(2000, undefined, 'not registered'));
        registration = { registered: false, tokenA: null, history: registration.history };
        note('unregistered');
        return reply(200, envelope(1000));
      }
    }
    if (functional && method === 'GET') {
      const store = module === 'locations' ? locations : tariffs;
      if (parts.length === 3) {
        const request = pageRequest(address.searchParams, pageLimit);
        if (typeof request === 'string') return reply(200, envelope(2001, undefined, request));
        const { page, headers } = paginate([...store.values()], request, address);
        return reply(200, envelope(1000, page), headers);
      }
      if (module === 'locations' && parts.length <= 6) {
        const [locationId, evseUid, connectorId] = parts.slice(3);
        const location = store.get(locationId!);
        const evse = evseUid === undefined ? undefined : ((location?.evses as Json[] | undefined) ?? []).find((e) => e.uid === evseUid);
        const connector = connectorId === undefined ? undefined : ((evse?.connectors as Json[] | undefined) ?? []).find((c) => c.id === connectorId);
        const found = connectorId !== undefined ? connector : evseUid !== undefined ? evse : location;
        return found ? reply(200, envelope(1000, found)) : reply(404, envelope(2003, undefined, 'unknown location, EVSE or connector'));
      }
    }
    const allowed = METHODS[module];
    if (allowed && !allowed.includes(method)) return reply(405, envelope(2000, undefined, `${method} is not offered at ${address.pathname}`));
    return reply(404, envelope(2000, undefined, `nothing at ${address.pathname}`));
  }

  const api: OcpiCpoApi = {
    registration: () => Promise.resolve(structuredClone(registration)),
    newTokenA: () => {
      registration = { ...registration, tokenA: newToken() };
      return Promise.resolve(registration.tokenA!);
    },
    registerWith,
    counters: () => Promise.resolve(structuredClone(counters)),
    requests: () => Promise.resolve(structuredClone(incoming)),
    pushes: (filter = {}) => Promise.resolve(structuredClone(pushes.filter((p) => (filter.op === undefined || p.op === filter.op) && (filter.sinceSeq === undefined || p.seq > filter.sinceSeq)))),
    data: () => Promise.resolve(structuredClone({ locations: [...locations.values()], tariffs: [...tariffs.values()] })),
    setData: (data) => {
      if (data.locations) locations = new Map(data.locations.map((l) => [String(l.id), structuredClone(l)]));
      if (data.tariffs) tariffs = new Map(data.tariffs.map((t) => [String(t.id), structuredClone(t)]));
      return Promise.resolve();
    },
    push,
    stream,
    clearRecords: () => {
      incoming = [];
      pushes = [];
      counters = { incoming: { total: 0, unauthorized: 0, byModule: {} }, pushes: { ...emptyTally(), byOp: {} } };
      return Promise.resolve();
    },
    close: async () => {
      tracker.destroyAll(false);
      await closeServer(server);
    },
  };

  const control = controlHandler(ocpiControlRoutes(api));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').startsWith('/_double/')) return control(req, res);
    // A defect of the double must show as one (HTTP 500 with its stack), not crash the test run.
    serve(req, res).catch((err: Error) => sendJson(res, 500, envelope(3000, undefined, `OCPI double defect: ${err.stack ?? err.message}`)));
  });
  return { ...api, url, versionsUrl, controlUrl: url, party };
}

function ocpiControlRoutes(api: OcpiCpoApi): ControlRoute[] {
  const body = (input: { body: unknown }) => (isObject(input.body) ? input.body : {});
  return [
    { method: 'GET', path: '/registration', handle: () => api.registration() },
    { method: 'POST', path: '/token-a', handle: async () => ({ tokenA: await api.newTokenA() }) },
    { method: 'POST', path: '/register', handle: (i) => api.registerWith(body(i) as { versionsUrl: string; token: string }) },
    { method: 'GET', path: '/counters', handle: () => api.counters() },
    { method: 'GET', path: '/requests', handle: () => api.requests() },
    {
      method: 'GET',
      path: '/pushes',
      handle: ({ query }) =>
        api.pushes({ ...(query.get('op') ? { op: query.get('op') as PushOp } : {}), ...(query.get('since') ? { sinceSeq: Number(query.get('since')) } : {}) }),
    },
    { method: 'GET', path: '/data', handle: () => api.data() },
    { method: 'PUT', path: '/data', handle: (i) => api.setData(body(i)) },
    { method: 'POST', path: '/push', handle: (i) => api.push(body(i) as PushItem) },
    {
      method: 'POST',
      path: '/stream',
      handle: (i) => {
        const { items, rate, concurrency } = body(i) as { items?: PushItem[]; rate?: number; concurrency?: number };
        if (!Array.isArray(items)) throw new Error('body needs "items" (PushItem[]), "rate" and "concurrency"');
        return api.stream(items, { rate: rate ?? 50, concurrency: concurrency ?? 8 });
      },
    },
    { method: 'POST', path: '/clear', handle: () => api.clearRecords() },
  ];
}
