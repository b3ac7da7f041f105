/**
 * The exchange trace's vocabulary and its scope. Each place that sees a message (the OCPI request
 * handler, the OICP client and server, the outbox) reports a `TraceEvent` to a `TraceSink`; the
 * scope, carried by AsyncLocalStorage through the awaits of one request, one delivery or one job,
 * says which exchange (correlation id) the event belongs to. So no flow passes ids around for the
 * trace, and a place without a scope (a test calling the client directly) still records, under an
 * exchange of its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Finding } from './findings';

export type TraceProtocol = 'ocpi' | 'oicp' | 'bridge';

/**
 * request: an OCPI request the bridge answered (in) or sent (out); call: an OICP call answered (in)
 * or made (out, one per attempt); findings: what a mapper could not carry; enqueued: a mapped
 * message put in the outbox; delivery: how an outbox delivery was settled; job: a scheduled run.
 */
export type TraceKind = 'request' | 'call' | 'findings' | 'enqueued' | 'delivery' | 'job';

export interface TraceEvent {
  protocol: TraceProtocol;
  direction: 'in' | 'out' | 'internal';
  kind: TraceKind;
  /** `PUT /ocpi/2.2.1/cdrs`, an OICP operation, an outbox topic, a log message. */
  name: string;
  /** The HTTP status, an OICP StatusCode, a delivery outcome. */
  status?: string;
  request?: unknown;
  response?: unknown;
  /** An answer as its bytes came (JSON or XML): parsed when written, not on the path that reported it. */
  responseText?: string;
  findings?: readonly Finding[];
  /** A reason or an error, in words. */
  note?: string;
  durationMs?: number;
  /** The outbox item the event is about, when not the scope's (an enqueue). */
  outboxId?: number;
  /** Ids users know that the messages do not carry themselves (a path's location id). */
  refs?: readonly string[];
}

/** An event placed in its exchange. */
export interface TraceRecord extends TraceEvent {
  correlationId: string;
  at: number;
  /** Past its scope's MAX_EVENTS_PER_SCOPE: counted (metrics), not stored. */
  beyondCap?: true;
}

export interface TraceSink {
  /** Never blocks nor throws: the writer stores it later, off the path that reported it. */
  record(record: TraceRecord): void;
}

interface TraceScope {
  correlationId: string;
  /**
   * The outbox items a delivery sends. A delivery of one item: its events are that item's. Of
   * several (a batch of EVSE statuses): each event is stored once, in the delivery's exchange, and
   * each item's settlement (a `delivery` event, which names its item) ties the item to it.
   */
  outboxIds?: readonly number[];
}

/** A scope as it runs: how many of its events were recorded, and how many were not (past the cap). */
interface RunningScope {
  scope: TraceScope;
  recorded: number;
  skipped: number;
}

/**
 * Events one scope records at most (what an exchange shows at most, too). A request reports a handful;
 * a job pulling Hubject's 100,000 EVSEs would report one per record: it keeps its first ones and a
 * count of the rest, so a bulk pull costs the trace nothing more than a counter.
 */
export const MAX_EVENTS_PER_SCOPE = 500;

const scopes = new AsyncLocalStorage<RunningScope>();

/** Runs `fn` (and everything it awaits) inside an exchange. */
export function inTraceScope<T>(scope: TraceScope, fn: () => T): T {
  return scopes.run({ scope, recorded: 0, skipped: 0 }, fn);
}

export function traceScope(): TraceScope | undefined {
  return scopes.getStore()?.scope;
}

/** Events of the current scope not recorded because it reached MAX_EVENTS_PER_SCOPE. */
export function skippedInScope(): number {
  return scopes.getStore()?.skipped ?? 0;
}

/**
 * Reports an event in the current scope (those past MAX_EVENTS_PER_SCOPE marked `beyondCap`), once:
 * a batch of N items recorded per item cost N copies of an N-record call and N^2 id rows, and counted
 * the call N times in the metrics. No sink: nothing happens.
 */
export function traceEvent(sink: TraceSink | undefined, event: TraceEvent, at = Date.now()): void {
  if (!sink) return;
  const running = scopes.getStore();
  // Always stored: a job's own outcome, which says how many of its events were not, and each item's
  // settlement, which ties the item to its delivery (a batch of 500 statuses settles 500).
  const beyondCap = running !== undefined && event.kind !== 'job' && event.kind !== 'delivery' && running.recorded++ >= MAX_EVENTS_PER_SCOPE;
  if (beyondCap) running.skipped++;
  const scope = running?.scope;
  const correlationId = scope?.correlationId ?? randomUUID();
  const outboxId = event.outboxId ?? (scope?.outboxIds?.length === 1 ? scope.outboxIds[0] : undefined);
  sink.record({ ...event, correlationId, at, ...(outboxId !== undefined && { outboxId }), ...(beyondCap && { beyondCap }) });
}

/** Reports to each sink given (the trace writer, the metrics); undefined when none. */
export function teeSinks(...sinks: (TraceSink | undefined)[]): TraceSink | undefined {
  const present = sinks.filter((sink): sink is TraceSink => sink !== undefined);
  if (present.length <= 1) return present[0];
  return { record: (record) => present.forEach((sink) => sink.record(record)) };
}

/** A sink whose target is given later: the store reports to it before the metrics that count its events exist. */
export function lateSink(): TraceSink & { attach(target: TraceSink): void } {
  let target: TraceSink | undefined;
  return {
    record: (record) => target?.record(record),
    attach: (sink) => {
      target = sink;
    },
  };
}

/** Keys whose string values are ids an operator searches by, in both protocols. */
const REF_KEYS = new Set([
  // OICP
  'EvseID',
  'EvseId',
  'SessionID',
  'CPOPartnerSessionID',
  'EMPPartnerSessionID',
  'EvcoID',
  'UID',
  'PricingProductID',
  // OCPI
  'evse_id',
  'uid',
  'session_id',
  'location_id',
  'contract_id',
  'auth_id',
  'authorization_reference',
  'tariff_id',
]);
/** `id` names a record only near the top (a location, session, CDR, token); deeper it is a connector's "1". */
const ID_DEPTH = 2;
const MAX_REFS = 100;
const MAX_REF_LENGTH = 80;

/** The ids a message carries, for the exchange search; bounded, so a bulk push indexes its first records only. */
export function refsOf(value: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (into.size >= MAX_REFS || depth > 8 || value === null || typeof value !== 'object') return into;
  if (Array.isArray(value)) {
    for (const item of value) refsOf(item, into, depth + 1);
    return into;
  }
  for (const [key, item] of Object.entries(value)) {
    if (into.size >= MAX_REFS) break;
    if (typeof item === 'string') {
      if ((REF_KEYS.has(key) || (key === 'id' && depth <= ID_DEPTH)) && item.length > 0 && item.length <= MAX_REF_LENGTH) into.add(item);
    } else refsOf(item, into, depth + 1);
  }
  return into;
}

