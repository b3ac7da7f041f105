import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, isObject, listen, parseJson, readBody, seededRandom, sendJson, sleep, SocketTracker, startControlServer, type ControlRoute, type Json } from './http';
import { ack, Hub, type AuthorizationKnobs, type CdrCall, type CdrStats, type EvseStatusState, type HubOptions, type NotificationCall, type Session } from './hubject-hub';
import { OPERATION_NAMES, operationAt, requestErrors, type OperationName } from './oicp-operations';

/**
 * A Hubject double for fault tests: OICP 2.3 REST over plain HTTP at `<url>/api/oicp/...` (the paths
 * of the official OpenAPI), every request body validated against the official schemas, the hub's
 * behaviour in hubject-hub.ts, and transport faults a test can switch at start or at run time.
 * Written from the OpenAPI and the spec digest only; it shares nothing with src/.
 */

export interface FaultKnobs {
  /** Share of requests answered HTTP 503 without being processed (0..1). */
  failureRate: number;
  /** Share of requests held `holdMs` before their answer (0..1). */
  holdRate: number;
  holdMs: number;
  /**
   * `answer-late`: processed on arrival, answered after the hold (the hub did it, the caller may never
   * learn). `process-late`: held first, then processed only if the caller is still connected.
   */
  holdMode: 'answer-late' | 'process-late';
  /** Added to every answer (after processing). */
  slowMs: number;
  /** Share of requests whose connection is reset (TCP RST) after the request was read, unanswered and unprocessed (0..1). */
  resetRate: number;
  /** Reset the connection of the nth request from now on (of `operation`, if given); fires once, then clears. */
  resetNth: { nth: number; operation?: OperationName } | null;
  /** Idle keep-alive connections are closed by the server after this many ms (Node's default is 5000). */
  keepAliveTimeoutMs: number;
  /** Answers carry `Keep-Alive: timeout=<s>` (Node's habit; proxies in front of real hubs rarely send it). */
  advertiseKeepAlive: boolean;
  /** The operations the random faults and resetNth apply to; null for all. */
  operations: OperationName[] | null;
  /** Seed of the fault draws: one seed and one request sequence give one fault pattern. */
  seed: number;
}

export const DEFAULT_FAULTS: FaultKnobs = {
  failureRate: 0,
  holdRate: 0,
  holdMs: 30_000,
  holdMode: 'answer-late',
  slowMs: 0,
  resetRate: 0,
  resetNth: null,
  keepAliveTimeoutMs: 5_000,
  advertiseKeepAlive: false,
  operations: null,
  seed: 1,
};

export interface HubjectCounters {
  /** OICP requests received (control API excluded), per operation in `byOperation`. */
  requests: number;
  byOperation: Record<string, number>;
  /** TCP connections accepted. */
  connections: number;
  /** Idle keep-alive connections the server closed (keepAliveTimeoutMs). */
  keepAliveCloses: number;
  failures503: number;
  holds: number;
  /** process-late holds whose caller had gone: never processed. */
  holdsAbandoned: number;
  resets: number;
  resetsNth: number;
  downPeriods: number;
  /** Connections reset while down in `reset` mode (a `refuse` period leaves no trace here: nothing reaches us). */
  downResets: number;
  slowed: number;
  /** Answers written to a caller that had already gone (after a hold or a slow answer). */
  answersLost: number;
  schemaViolations: number;
  unknownPaths: number;
  /** Defects of the double itself (HTTP 500); a test run should see none. */
  internalErrors: number;
}

export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  operation?: OperationName;
  /** The OperatorID or ProviderID of the path. */
  party?: string;
  body?: unknown;
  fault?: 'failure' | 'hold' | 'reset' | 'resetNth';
  slowed?: boolean;
  httpStatus?: number;
  /** StatusCode.Code of the answer, when it has one. */
  code?: string;
  result?: boolean;
  durationMs?: number;
  /** The caller had gone before the answer (or before processing, for a process-late hold). */
  clientGone?: boolean;
}

export interface Violation {
  seq: number;
  at: string;
  operation: OperationName;
  path: string;
  errors: string[];
  body: unknown;
}

export interface HubjectDoubleOptions extends HubOptions {
  host?: string;
  port?: number;
  controlPort?: number;
  faults?: Partial<FaultKnobs>;
  /** HTTP status of the 022 answer to a schema violation (the acknowledgement is the same either way). */
  violationHttpStatus?: number;
  /** EVSE data records to serve to pulls: official PullEvseDataRecords (see oicp-data.ts for a generator). */
  evseData?: Json[];
  evseStatuses?: { EvseID: string; EvseStatus: string; OperatorID?: string; OperatorName?: string }[];
  /** CDRs for GetChargeDetailRecords, as received now. */
  cdrs?: { records: Json[]; providerId?: string };
  pricing?: { products?: Json[]; evsePricing?: Json[] };
}

/** What a test can do with a Hubject double, in-process or in a child process alike (every method is async). */
export interface HubjectApi {
  counters(): Promise<HubjectCounters>;
  faults(): Promise<FaultKnobs>;
  setFaults(patch: Partial<FaultKnobs>): Promise<FaultKnobs>;
  /** Down for `ms` (null: until `up()`): `refuse` closes the listening socket, `reset` resets every connection. */
  down(ms: number | null, mode?: 'refuse' | 'reset'): Promise<void>;
  up(): Promise<void>;
  /** The request log, oldest first; bodies only with `withBodies` (a long run's bodies are megabytes). */
  requests(filter?: { operation?: OperationName; sinceSeq?: number; withBodies?: boolean }): Promise<RecordedRequest[]>;
  violations(): Promise<Violation[]>;
  evseStatuses(): Promise<Record<string, EvseStatusState>>;
  evseData(operatorId?: string): Promise<Record<string, (Json & { lastUpdate: string })[]>>;
  cdrs(): Promise<Record<string, CdrCall[]>>;
  cdrStats(): Promise<CdrStats>;
  notifications(): Promise<Record<string, NotificationCall[]>>;
  sessions(): Promise<Session[]>;
  issueSession(init?: Partial<Pick<Session, 'SessionID' | 'EvseID' | 'OperatorID' | 'ProviderID'>>): Promise<Session>;
  authorization(): Promise<AuthorizationKnobs>;
  setAuthorization(patch: Partial<AuthorizationKnobs>): Promise<AuthorizationKnobs>;
  seedEvseData(records: Json[]): Promise<void>;
  seedStatuses(records: NonNullable<HubjectDoubleOptions['evseStatuses']>): Promise<void>;
  seedCdrs(records: Json[], providerId?: string): Promise<void>;
  seedPricing(pricing: { products?: Json[]; evsePricing?: Json[] }): Promise<void>;
  pricing(): Promise<{ products: Json[]; evsePricing: Json[] }>;
  /** Forgets the request log, the violations and the counters (not the hub's data): a clean slate after a warm-up. */
  clearRecords(): Promise<void>;
  close(): Promise<void>;
}

export interface HubjectDouble extends HubjectApi {
  /** Origin of the double; the OICP base path is `${url}/api/oicp`. */
  url: string;
  port: number;
  /** Origin of the control API (`${controlUrl}/_double/...`), on a port of its own so `down` never takes it along. */
  controlUrl: string;
}

const emptyCounters = (): HubjectCounters => ({
  requests: 0,
  byOperation: {},
  connections: 0,
  keepAliveCloses: 0,
  failures503: 0,
  holds: 0,
  holdsAbandoned: 0,
  resets: 0,
  resetsNth: 0,
  downPeriods: 0,
  downResets: 0,
  slowed: 0,
  answersLost: 0,
  schemaViolations: 0,
  unknownPaths: 0,
  internalErrors: 0,
});

function checkKnobs(patch: Partial<FaultKnobs>): void {
  for (const rate of ['failureRate', 'holdRate', 'resetRate'] as const) {
    const value = patch[rate];
    if (value !== undefined && !(value >= 0 && value <= 1)) throw new Error(`${rate} must be between 0 and 1, got ${String(value)}`);
  }
  for (const ms of ['holdMs', 'slowMs', 'keepAliveTimeoutMs'] as const) {
    const value = patch[ms];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new Error(`${ms} must be a number of ms >= 0, got ${String(value)}`);
  }
  if (patch.holdMode !== undefined && patch.holdMode !== 'answer-late' && patch.holdMode !== 'process-late') throw new Error(`holdMode must be answer-late or process-late`);
  const unknown = [...(patch.operations ?? []), ...(patch.resetNth?.operation ? [patch.resetNth.operation] : [])].filter((o) => !OPERATION_NAMES.includes(o));
  if (unknown.length > 0) throw new Error(`unknown operations ${unknown.join(', ')}; known: ${OPERATION_NAMES.join(', ')}`);
  if (patch.resetNth && !(Number.isInteger(patch.resetNth.nth) && patch.resetNth.nth >= 1)) throw new Error('resetNth.nth must be an integer >= 1');
}

export async function startHubjectDouble(options: HubjectDoubleOptions = {}): Promise<HubjectDouble> {
  const host = options.host ?? '127.0.0.1';
  const hub = new Hub(options);
  if (options.evseData) hub.seedEvseData(options.evseData);
  if (options.evseStatuses) hub.seedStatuses(options.evseStatuses);
  if (options.cdrs) hub.seedCdrs(options.cdrs.records, options.cdrs.providerId);
  if (options.pricing) hub.seedPricing(options.pricing.products, options.pricing.evsePricing);
  const violationStatus = options.violationHttpStatus ?? 200;

  checkKnobs(options.faults ?? {});
  let knobs: FaultKnobs = { ...DEFAULT_FAULTS, ...options.faults };
  let random = seededRandom(knobs.seed);
  let resetNthSeen = 0;
  let counters = emptyCounters();
  let log: RecordedRequest[] = [];
  let violations: Violation[] = [];
  let seq = 0;
  let downState: { mode: 'refuse' | 'reset'; timer?: NodeJS.Timeout } | undefined;
  const closing = new AbortController();
  const idleTimers = new Map<Socket, NodeJS.Timeout>();

  const server = createServer();
  // Idle connections are closed by our own timer (keepAliveTimeoutMs), so Node neither closes them on
  // its own schedule nor announces a Keep-Alive header unless asked (advertiseKeepAlive).
  server.keepAliveTimeout = 0;
  const tracker = new SocketTracker(server, (socket) => {
    counters.connections++;
    if (downState?.mode === 'reset') {
      counters.downResets++;
      socket.resetAndDestroy();
    }
  });

  const clearIdle = (socket: Socket) => {
    clearTimeout(idleTimers.get(socket));
    idleTimers.delete(socket);
  };
  const armIdle = (socket: Socket) => {
    clearIdle(socket);
    if (socket.destroyed || (tracker.busy.get(socket) ?? 0) > 0 || knobs.keepAliveTimeoutMs <= 0) return;
    idleTimers.set(
      socket,
      setTimeout(() => {
        idleTimers.delete(socket);
        if ((tracker.busy.get(socket) ?? 0) > 0 || socket.destroyed) return;
        counters.keepAliveCloses++;
        socket.destroy();
      }, knobs.keepAliveTimeoutMs),
    );
  };

  const inScope = (operation: OperationName) => knobs.operations === null || knobs.operations.includes(operation);

  function answer(operation: NonNullable<ReturnType<typeof operationAt>>, body: unknown, query: URLSearchParams, requestSeq: number, path: string): { status: number; body: unknown } {
    const errors = body instanceof Error ? [body.message] : body === undefined ? ['request body is empty'] : requestErrors(operation.operation, body);
    if (errors.length > 0) {
      counters.schemaViolations++;
      violations.push({ seq: requestSeq, at: new Date().toISOString(), operation: operation.operation.name, path, errors, body: body instanceof Error ? String(body.message) : body });
      return { status: violationStatus, body: ack(false, '022', 'Data error', { AdditionalInfo: `request breaks the official OICP 2.3 schema: ${errors.slice(0, 5).join('; ')}`.slice(0, 1000) }) };
    }
    return { status: 200, body: hub.handle(operation.operation.name, operation.party, body as Json, query, requestSeq) };
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    clearIdle(req.socket);
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
      armIdle(req.socket);
    });
    const url = new URL(req.url ?? '/', 'http://hub');
    const found = req.method === 'POST' ? operationAt(url.pathname) : undefined;
    const record: RecordedRequest = { seq: ++seq, at: new Date(started).toISOString(), method: req.method ?? '', path: url.pathname + url.search };
    counters.requests++;
    log.push(record);
    const text = await readBody(req).catch(() => undefined);
    if (text === undefined) {
      record.clientGone = true;
      return;
    }
    const body = parseJson(text);
    record.body = body instanceof Error ? text : body;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.httpStatus = status;
      record.durationMs = Date.now() - started;
      if (isObject(payload) && isObject(payload.StatusCode)) record.code = String(payload.StatusCode.Code);
      if (isObject(payload) && typeof payload.Result === 'boolean') record.result = payload.Result;
      if (gone) {
        record.clientGone = true;
        counters.answersLost++;
        return;
      }
      sendJson(res, status, payload, knobs.advertiseKeepAlive && knobs.keepAliveTimeoutMs > 0 ? { 'keep-alive': `timeout=${Math.floor(knobs.keepAliveTimeoutMs / 1000)}`, ...headers } : headers);
    };
    if (!found) {
      counters.unknownPaths++;
      return send(404, { message: `no OICP 2.3 operation served at ${req.method ?? ''} ${url.pathname}` });
    }
    const name = found.operation.name;
    record.operation = name;
    if (found.party !== undefined) record.party = found.party;
    counters.byOperation[name] = (counters.byOperation[name] ?? 0) + 1;

    // Three draws per request whatever the knobs, so one seed gives one pattern for one request sequence.
    const [resetDraw, failureDraw, holdDraw] = [random(), random(), random()];
    const reset = (kind: 'reset' | 'resetNth') => {
      record.fault = kind;
      record.durationMs = Date.now() - started;
      counters[kind === 'reset' ? 'resets' : 'resetsNth']++;
      req.socket.resetAndDestroy();
    };
    let hold = false;
    if (inScope(name)) {
      if (knobs.resetNth && (knobs.resetNth.operation === undefined || knobs.resetNth.operation === name) && ++resetNthSeen === knobs.resetNth.nth) {
        knobs = { ...knobs, resetNth: null };
        return reset('resetNth');
      }
      if (resetDraw < knobs.resetRate) return reset('reset');
      if (failureDraw < knobs.failureRate) {
        counters.failures503++;
        record.fault = 'failure';
        record.httpStatus = 503;
        record.durationMs = Date.now() - started;
        if (!gone) {
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end('Service Unavailable');
        }
        return;
      }
      hold = holdDraw < knobs.holdRate;
    }

    let out: { status: number; body: unknown };
    if (hold) {
      counters.holds++;
      record.fault = 'hold';
      if (knobs.holdMode === 'process-late') {
        await sleep(knobs.holdMs, closing.signal);
        if (gone || closing.signal.aborted) {
          counters.holdsAbandoned++;
          record.clientGone = true;
          return;
        }
        out = answer(found, body, url.searchParams, record.seq, url.pathname);
      } else {
        out = answer(found, body, url.searchParams, record.seq, url.pathname);
        await sleep(knobs.holdMs, closing.signal);
      }
    } else {
      out = answer(found, body, url.searchParams, record.seq, url.pathname);
    }
    if (knobs.slowMs > 0) {
      counters.slowed++;
      record.slowed = true;
      await sleep(knobs.slowMs, closing.signal);
    }
    send(out.status, out.body);
  }

  // A defect of the double must show as one, not as a fault it was asked to inject or a crashed test run.
  server.on('request', (req: IncomingMessage, res: ServerResponse) =>
    void serve(req, res).catch((err: Error) => {
      counters.internalErrors++;
      sendJson(res, 500, { message: `Hubject double defect: ${err.stack ?? err.message}` });
    }),
  );
  const port = await listen(server, options.port ?? 0, host);

  const up = async () => {
    if (!downState) return;
    const { mode, timer } = downState;
    clearTimeout(timer);
    downState = undefined;
    if (mode === 'refuse') await listen(server, port, host);
  };

  const api: HubjectApi = {
    counters: () => Promise.resolve(structuredClone(counters)),
    faults: () => Promise.resolve({ ...knobs }),
    setFaults: (patch) => {
      checkKnobs(patch);
      knobs = { ...knobs, ...patch };
      if (patch.seed !== undefined) random = seededRandom(patch.seed);
      if (patch.resetNth !== undefined) resetNthSeen = 0;
      return Promise.resolve({ ...knobs });
    },
    down: async (ms, mode = 'refuse') => {
      if (downState) await up();
      counters.downPeriods++;
      const timer = ms === null ? undefined : setTimeout(() => void up(), ms);
      downState = { mode, ...(timer ? { timer } : {}) };
      tracker.destroyAll(true);
      if (mode === 'refuse') await closeServer(server);
    },
    up,
    requests: (filter = {}) =>
      Promise.resolve(
        structuredClone(
          log
            .filter((r) => (filter.operation === undefined || r.operation === filter.operation) && (filter.sinceSeq === undefined || r.seq > filter.sinceSeq))
            .map(({ body: requestBody, ...rest }) => (filter.withBodies ? { ...rest, body: requestBody } : rest)),
        ),
      ),
    violations: () => Promise.resolve(structuredClone(violations)),
    evseStatuses: () => Promise.resolve(structuredClone(hub.evseStatuses())),
    evseData: (operatorId) => Promise.resolve(structuredClone(hub.evseData(operatorId))),
    cdrs: () => Promise.resolve(structuredClone(hub.cdrs())),
    cdrStats: () => Promise.resolve(hub.cdrStats()),
    notifications: () => Promise.resolve(structuredClone(hub.notificationsBySession())),
    sessions: () => Promise.resolve(structuredClone(hub.sessionList())),
    issueSession: (init) => Promise.resolve(structuredClone(hub.issueSession(init))),
    authorization: () => Promise.resolve(structuredClone(hub.authorization)),
    setAuthorization: (patch) => {
      hub.authorization = { ...hub.authorization, ...patch };
      return Promise.resolve(structuredClone(hub.authorization));
    },
    seedEvseData: (records) => Promise.resolve(hub.seedEvseData(records)),
    seedStatuses: (records) => Promise.resolve(hub.seedStatuses(records)),
    seedCdrs: (records, providerId) => Promise.resolve(hub.seedCdrs(records, providerId)),
    seedPricing: (pricing) => Promise.resolve(hub.seedPricing(pricing.products, pricing.evsePricing)),
    pricing: () => Promise.resolve(structuredClone(hub.pricing())),
    clearRecords: () => {
      log = [];
      violations = [];
      counters = emptyCounters();
      return Promise.resolve();
    },
    close: async () => {
      closing.abort();
      clearTimeout(downState?.timer);
      for (const timer of idleTimers.values()) clearTimeout(timer);
      tracker.destroyAll(false);
      await closeServer(server);
      await control.close();
    },
  };

  const control = await startControlServer(hubjectControlRoutes(api), host, options.controlPort ?? 0);
  return { ...api, url: `http://${host}:${port}`, port, controlUrl: control.url };
}

/** The control API: one route per method of HubjectApi, JSON in and out (see docs/testing.md). */
function hubjectControlRoutes(api: HubjectApi): ControlRoute[] {
  const body = (input: { body: unknown }) => (isObject(input.body) ? input.body : {});
  const list = (input: { body: unknown }, key: string) => {
    const value = body(input)[key];
    if (!Array.isArray(value)) throw new Error(`body needs an array "${key}"`);
    return value as Json[];
  };
  return [
    { method: 'GET', path: '/counters', handle: () => api.counters() },
    { method: 'GET', path: '/faults', handle: () => api.faults() },
    { method: 'PATCH', path: '/faults', handle: (i) => api.setFaults(body(i)) },
    {
      method: 'POST',
      path: '/down',
      handle: (i) => {
        const { ms = null, mode = 'refuse' } = body(i) as { ms?: number | null; mode?: 'refuse' | 'reset' };
        if (mode !== 'refuse' && mode !== 'reset') throw new Error('mode must be refuse or reset');
        return api.down(ms, mode);
      },
    },
    { method: 'POST', path: '/up', handle: () => api.up() },
    {
      method: 'GET',
      path: '/requests',
      handle: ({ query }) =>
        api.requests({
          ...(query.get('operation') ? { operation: query.get('operation') as OperationName } : {}),
          ...(query.get('since') ? { sinceSeq: Number(query.get('since')) } : {}),
          withBodies: query.get('bodies') === 'true',
        }),
    },
    { method: 'GET', path: '/violations', handle: () => api.violations() },
    { method: 'GET', path: '/evse-statuses', handle: () => api.evseStatuses() },
    { method: 'POST', path: '/evse-statuses', handle: (i) => api.seedStatuses(list(i, 'records') as NonNullable<HubjectDoubleOptions['evseStatuses']>) },
    { method: 'GET', path: '/evse-data', handle: ({ query }) => api.evseData(query.get('operator') ?? undefined) },
    { method: 'POST', path: '/evse-data', handle: (i) => api.seedEvseData(list(i, 'records')) },
    { method: 'GET', path: '/cdrs', handle: () => api.cdrs() },
    { method: 'POST', path: '/cdrs', handle: (i) => api.seedCdrs(list(i, 'records'), body(i).providerId as string | undefined) },
    { method: 'GET', path: '/cdr-stats', handle: () => api.cdrStats() },
    { method: 'GET', path: '/notifications', handle: () => api.notifications() },
    { method: 'GET', path: '/sessions', handle: () => api.sessions() },
    { method: 'POST', path: '/sessions', handle: (i) => api.issueSession(body(i)) },
    { method: 'GET', path: '/authorization', handle: () => api.authorization() },
    { method: 'PATCH', path: '/authorization', handle: (i) => api.setAuthorization(body(i)) },
    { method: 'GET', path: '/pricing', handle: () => api.pricing() },
    { method: 'POST', path: '/pricing', handle: (i) => api.seedPricing(body(i)) },
    { method: 'POST', path: '/clear', handle: () => api.clearRecords() },
  ];
}
