/**
 * The exchange trace, stored: every event the bridge reports (src/observability/trace-context.ts) as
 * one row, redacted, found by its exchange (correlation id) and by the ids it carries, so an operator
 * finds an exchange by an EvseID, a SessionID, a CDR id or a token uid: on PostgreSQL through an index
 * on the correlation id and one `trace_refs` row per id, on SQLite through one full-text row per event
 * (`trace_search`, see `searchTokens`). Written by `TraceWriter` in batches, after the answer: the path
 * that reported an event only appends it to a buffer. One writer serves every tenant; each event
 * carries its tenant, and a tenant reads only its own.
 */
import type { Finding } from '../core/findings';
import type { OutboxPolicy } from '../config/schema';
import { isMessageSecret, redact } from '../core/redact';
import { refsOf, traceEvent, type TraceKind, type TraceProtocol, type TraceRecord, type TraceSink } from '../core/trace-context';
import { OutboxRepository, type EnqueueRequest, type EnqueueResult } from './outbox';
import { placeholders, type SqlExecutor } from './sql';

/** An event as the writer stores it: reported in a tenant's scope of the store. */
export interface TenantTraceRecord extends TraceRecord {
  tenant: string;
}

/** A stored event, as read back. */
export interface TraceEntry {
  id: number;
  correlationId: string;
  outboxId: number | null;
  at: number;
  protocol: TraceProtocol;
  direction: 'in' | 'out' | 'internal';
  kind: TraceKind;
  name: string;
  status: string | null;
  request?: unknown;
  response?: unknown;
  findings?: Finding[];
  note?: string;
  durationMs?: number;
}

/** One exchange as a search lists it. */
export interface ExchangeSummary {
  correlationId: string;
  startedAt: number;
  lastAt: number;
  events: number;
  /** What opened it: `PUT /ocpi/2.2.1/cdrs/...`, an OICP operation, a job. */
  first: { protocol: TraceProtocol; direction: string; kind: TraceKind; name: string; status: string | null };
}

interface Row {
  id: number | string;
  correlation_id: string;
  outbox_id: number | string | null;
  at: number | string;
  protocol: TraceProtocol;
  direction: TraceEntry['direction'];
  kind: TraceKind;
  name: string;
  status: string | null;
  body: string;
}

/**
 * Time order; within one millisecond the inbound message first: it opened the exchange, though it is
 * reported when answered, after what its handling reported.
 */
const TIME_ORDER = `at, CASE WHEN direction = 'in' THEN 0 ELSE 1 END, id`;

/** What one exchange shows at most (a job's pull may report many pages). */
const MAX_EVENTS = 500;
/** How many recent events the unfiltered list groups into exchanges. */
const RECENT_EVENTS = 2_000;

/** An event as its rows: the trace row's values (without its id) and the ids it carries. */
interface EventRows {
  values: unknown[];
  tenant: string;
  correlationId: string;
  at: number;
  refs: string[];
}

function rowsOf(record: TenantTraceRecord): EventRows {
  const { tenant, correlationId, outboxId, at, protocol, direction, kind, name, status, refs, responseText, ...event } = record;
  const content = { ...event, ...(responseText !== undefined && { response: parsedText(responseText) }) };
  const body = keptBody(JSON.stringify(redact(content, 0, new WeakSet(), isMessageSecret)));
  return {
    values: [tenant, correlationId, outboxId ?? null, at, protocol, direction, kind, name.slice(0, 500), status ?? null, body],
    tenant,
    correlationId,
    at,
    refs: [...refsOf([content.request, content.response, content.findings?.map((f) => f.subject)], new Set(refs ?? []))],
  };
}

const TRACE_COLUMNS = 'tenant, correlation_id, outbox_id, at, protocol, direction, kind, name, status, body';
/** Rows per multi-row INSERT on PostgreSQL (11 parameters each, far below its 65,535). */
const ROWS_PER_INSERT = 500;
/**
 * Rows per multi-row INSERT on SQLite, largest first: a batch goes in statements of these sizes (70
 * events: 64 + 4 + 1 + 1), so a few prepared statements serve every batch (one per row count would
 * churn the statement cache) and 704 parameters at most stay below SQLite's 32,766.
 */
const SQLITE_ROWS = [64, 16, 4, 1];

/** A multi-row INSERT's SQL, by table and row count: built once. */
const insertSql = new Map<string, string>();
function insertOf(head: string, columns: number, rows: number, tail = ''): string {
  const key = `${head} ${rows}`;
  let sql = insertSql.get(key);
  if (sql === undefined) {
    sql = `${head} VALUES ${Array.from({ length: rows }, (_, i) => `(${placeholders(columns, i * columns)})`).join(', ')}${tail}`;
    insertSql.set(key, sql);
  }
  return sql;
}

/** The sizes `count` rows are inserted in. */
function chunksOf(count: number, dialect: SqlExecutor['dialect']): number[] {
  const sizes: number[] = [];
  for (let left = count; left > 0; left -= sizes[sizes.length - 1]!) sizes.push(dialect === 'postgres' ? Math.min(ROWS_PER_INSERT, left) : SQLITE_ROWS.find((size) => size <= left)!);
  return sizes;
}

/**
 * The ids of `count` new trace rows, ascending: given in the events' order, so within one millisecond
 * the id keeps the order they were reported in. PostgreSQL takes them from the sequence. SQLite's
 * AUTOINCREMENT never reuses an id (sqlite_sequence keeps the highest ever given) and the writer's
 * transaction holds the database's write lock, so the next ones are free until it commits.
 */
async function newTraceIds(db: SqlExecutor, count: number): Promise<number[]> {
  if (db.dialect === 'postgres') {
    const rows = await db.all<{ id: number | string }>(`SELECT nextval(pg_get_serial_sequence('traces', 'id')) AS id FROM generate_series(1, $1)`, [count]);
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }
  const [row] = await db.all<{ last: number | string }>(
    `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'traces'), 0), COALESCE((SELECT MAX(id) FROM traces), 0)) AS last`,
  );
  const last = Number(row!.last);
  return Array.from({ length: count }, (_, i) => last + 1 + i);
}

/** Inserts `rows` (each `columns` values) in multi-row INSERTs of the sizes `chunksOf` gives. */
async function insertAll(db: SqlExecutor, head: string, columns: number, rows: readonly unknown[][], tail = ''): Promise<void> {
  let start = 0;
  for (const size of chunksOf(rows.length, db.dialect)) {
    await db.run(insertOf(head, columns, size, tail), rows.slice(start, start + size).flat());
    start += size;
  }
}

/**
 * The terms SQLite finds an event by: its exchange (`k`) and each id it carries (`r`), within its
 * tenant. A term is the bytes of tenant, newline and value in hex: one bareword for FTS5's tokenizer
 * whatever the value holds (`*`, `-`, spaces), and an exact match. The migration that built the index
 * writes the same (`'k' || lower(hex(tenant || char(10) || correlation_id))`).
 */
function searchToken(kind: 'k' | 'r', tenant: string, value: string): string {
  return kind + Buffer.from(`${tenant}\n${value}`).toString('hex');
}

function searchTokens(event: EventRows): string {
  return [searchToken('k', event.tenant, event.correlationId), ...event.refs.map((ref) => searchToken('r', event.tenant, ref))].join(' ');
}

/**
 * Stores events (of any tenants) with their ids; call inside one transaction per batch. The rows and
 * the ids go in multi-row INSERTs with the rows' ids chosen first: a statement per event and per id
 * was some 10 round trips per CDR on PostgreSQL (the writer fell behind and dropped events: 635-677
 * of 1,000 stored in a 67 CDR/s run), and on SQLite some 10 statements per EVSE status PATCH, 7% of
 * the bridge's CPU under that load.
 *
 * On SQLite the ids go into the full-text index, one row per event: B-tree indexes on the correlation
 * id and on the ids (UUIDs, EvseIDs: random keys) wrote about two 4 KB pages to the WAL per event,
 * synced before the next answers; FTS5 writes a commit's terms together as a new segment (8.7 -> 1.6
 * KB of WAL per event, 17.6 -> 9.4 us of CPU, batches of 100 PATCH events into 200,000).
 */
export async function insertTraces(db: SqlExecutor, records: readonly TenantTraceRecord[]): Promise<void> {
  if (records.length === 0) return;
  const events = records.map(rowsOf);
  const ids = await newTraceIds(db, events.length);
  const override = db.dialect === 'postgres' ? ' OVERRIDING SYSTEM VALUE' : '';
  await insertAll(db, `INSERT INTO traces (id, ${TRACE_COLUMNS})${override}`, 11, events.map((event, i) => [ids[i], ...event.values]));
  if (db.dialect === 'sqlite') {
    await insertAll(db, 'INSERT INTO trace_search (rowid, tokens)', 2, events.map((event, i) => [ids[i], searchTokens(event)]));
    return;
  }
  const refRows = events.flatMap((event, i) => event.refs.map((ref) => [event.tenant, ref, ids[i], event.at]));
  await insertAll(db, 'INSERT INTO trace_refs (tenant, ref, trace_id, at)', 4, refRows, ' ON CONFLICT DO NOTHING');
}

/** A tenant's stored trace: found, read and purged within the tenant. */
export class TraceRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly tenant: string,
  ) {}

  /** Stores events of this tenant; call inside one transaction per batch. */
  insert(records: readonly TraceRecord[]): Promise<void> {
    return insertTraces(this.db, records.map((record) => ({ ...record, tenant: this.tenant })));
  }

  /**
   * The events of an exchange, oldest first: its own, and those of the outbox items it enqueued (each
   * delivery attempt runs in a scope of its own, later, maybe in another instance). A delivery of
   * several items stored its calls once, in its own exchange, without an item: they count for each
   * item whose settlement was recorded in that exchange.
   */
  async exchange(correlationId: string): Promise<TraceEntry[]> {
    // Each part is read by its own index, then the parts are put in time order. One condition ORing
    // the three read the tenant's whole trace in time order (0.37 s on 231,000 events, SQLite); the
    // outbox ids go as lists, which no planner drives from the outbox index over the whole trace;
    // UNION ALL, as UNION had SQLite read a part in id order over the whole trace to merge.
    const own = (first: number) => this.inExchanges([correlationId], first)!;
    const mine = own(2);
    const ownRows = await this.db.all<{ outbox_id: number | string | null }>(`SELECT outbox_id FROM traces WHERE tenant = $1 AND ${mine.sql}`, [this.tenant, ...mine.params]);
    const items = [...new Set(ownRows.flatMap((row) => (row.outbox_id === null ? [] : [Number(row.outbox_id)])))];
    const deliveries =
      items.length === 0
        ? []
        : await this.db.all<{ correlation_id: string }>(
            `SELECT DISTINCT correlation_id FROM traces WHERE tenant = $1 AND kind = 'delivery' AND outbox_id IN (${placeholders(items.length, 1)})`,
            [this.tenant, ...items],
          );
    const ours = own(3);
    const parts = [`SELECT id FROM traces WHERE tenant = $1 AND ${ours.sql}`];
    const params: unknown[] = [this.tenant, MAX_EVENTS, ...ours.params];
    if (items.length > 0) {
      parts.push(`SELECT id FROM traces WHERE tenant = $1 AND outbox_id IN (${placeholders(items.length, params.length)})`);
      params.push(...items);
    }
    const theirs = this.inExchanges(
      deliveries.map((d) => d.correlation_id).filter((id) => id !== correlationId),
      params.length + 1,
    );
    if (theirs) {
      parts.push(`SELECT id FROM traces WHERE tenant = $1 AND outbox_id IS NULL AND ${theirs.sql}`);
      params.push(...theirs.params);
    }
    const rows = await this.db.all<Row>(`SELECT * FROM traces WHERE id IN (${parts.join(' UNION ALL ')}) ORDER BY ${TIME_ORDER} LIMIT $2`, params);
    return rows.map(toEntry);
  }

  /**
   * The condition that an event of the tenant (`tenant = $1`) belongs to one of the exchanges, its
   * parameters numbered from `first`; undefined for none. SQLite looks their terms up in its
   * full-text index (FTS5's OR of terms), PostgreSQL in its index on the correlation id.
   */
  private inExchanges(correlationIds: readonly string[], first: number): { sql: string; params: unknown[] } | undefined {
    if (correlationIds.length === 0) return undefined;
    if (this.db.dialect === 'sqlite') {
      return {
        sql: `id IN (SELECT rowid FROM trace_search WHERE trace_search MATCH $${first})`,
        params: [correlationIds.map((id) => searchToken('k', this.tenant, id)).join(' OR ')],
      };
    }
    return { sql: `correlation_id IN (${placeholders(correlationIds.length, first - 1)})`, params: [...correlationIds] };
  }

  /** The latest events carrying `ref` (all the latest without one), newest first: each one's exchange and outbox item. */
  private latestEvents(ref: string | undefined): Promise<{ correlation_id: string; outbox_id: number | string | null }[]> {
    if (ref === undefined) return this.db.all(`SELECT correlation_id, outbox_id FROM traces WHERE tenant = $1 ORDER BY id DESC LIMIT $2`, [this.tenant, RECENT_EVENTS]);
    if (this.db.dialect === 'sqlite') {
      return this.db.all(
        `SELECT t.correlation_id, t.outbox_id FROM trace_search s JOIN traces t ON t.id = s.rowid
         WHERE s.trace_search MATCH $2 AND t.tenant = $1 ORDER BY s.rowid DESC LIMIT $3`,
        [this.tenant, searchToken('r', this.tenant, ref), RECENT_EVENTS],
      );
    }
    return this.db.all(`SELECT t.correlation_id, t.outbox_id FROM trace_refs r JOIN traces t ON t.id = r.trace_id WHERE r.tenant = $1 AND r.ref = $2 ORDER BY t.id DESC LIMIT $3`, [
      this.tenant,
      ref,
      RECENT_EVENTS,
    ]);
  }

  /**
   * Exchanges, newest first: those carrying `ref` (an EvseID, a SessionID, a CDR id, a token uid), or
   * the latest ones. A delivery's events count for the exchange that enqueued the item.
   */
  async search(options: { ref?: string; limit?: number } = {}): Promise<ExchangeSummary[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 200));
    const hits = await this.latestEvents(options.ref);
    const outboxIds = [...new Set(hits.flatMap((h) => (h.outbox_id === null ? [] : [Number(h.outbox_id)])))];
    const enqueuedBy = new Map<number, string>();
    for (let i = 0; i < outboxIds.length; i += 500) {
      const chunk = outboxIds.slice(i, i + 500);
      const rows = await this.db.all<{ outbox_id: number | string; correlation_id: string }>(
        `SELECT outbox_id, correlation_id FROM traces WHERE tenant = $1 AND kind = 'enqueued' AND outbox_id IN (${placeholders(chunk.length, 1)})`,
        [this.tenant, ...chunk],
      );
      for (const row of rows) enqueuedBy.set(Number(row.outbox_id), row.correlation_id);
    }
    const roots = [...new Set(hits.map((h) => (h.outbox_id === null ? undefined : enqueuedBy.get(Number(h.outbox_id))) ?? h.correlation_id))].slice(0, limit);
    return this.summaries(roots);
  }

  private async summaries(correlationIds: readonly string[]): Promise<ExchangeSummary[]> {
    const exchanges = this.inExchanges(correlationIds, 2);
    if (!exchanges) return [];
    const params = [this.tenant, ...exchanges.params];
    const spans = await this.db.all<{ correlation_id: string; started: number | string; last: number | string; events: number | string }>(
      `SELECT correlation_id, MIN(at) AS started, MAX(at) AS last, COUNT(*) AS events FROM traces WHERE tenant = $1 AND ${exchanges.sql} GROUP BY correlation_id`,
      params,
    );
    // The first event of each: those of its earliest millisecond, in the exchange's order. Picked here
    // from the events at any exchange's start: a correlated MIN(at) per row took SQLite 0.6-78 s on
    // 231,000 events.
    const startedOf = new Map(spans.map((span) => [span.correlation_id, Number(span.started)]));
    const starts = [...new Set(startedOf.values())];
    const earliest =
      starts.length === 0
        ? []
        : await this.db.all<Row>(
            `SELECT * FROM traces WHERE tenant = $1 AND ${exchanges.sql} AND at IN (${placeholders(starts.length, params.length)}) ORDER BY ${TIME_ORDER}`,
            [...params, ...starts],
          );
    const firstOf = new Map<string, Row>();
    for (const row of earliest) if (Number(row.at) === startedOf.get(row.correlation_id) && !firstOf.has(row.correlation_id)) firstOf.set(row.correlation_id, row);
    const byId = new Map(
      spans.map((span) => {
        const first = firstOf.get(span.correlation_id)!;
        return [
          span.correlation_id,
          {
            correlationId: span.correlation_id,
            startedAt: Number(span.started),
            lastAt: Number(span.last),
            events: Number(span.events),
            first: { protocol: first.protocol, direction: first.direction, kind: first.kind, name: first.name, status: first.status },
          } satisfies ExchangeSummary,
        ];
      }),
    );
    return correlationIds.flatMap((id) => byId.get(id) ?? []);
  }

  /** Deletes events (and their ids) recorded before `before`, in batches; returns how many events went. */
  async purge(before: number, batch = 5_000): Promise<number> {
    const oldest = `SELECT id FROM traces WHERE tenant = $1 AND at < $2 LIMIT $3`;
    let purged = 0;
    let deleted: number;
    do {
      // Their terms first, chosen by the same query: the rows it picks are still there.
      if (this.db.dialect === 'sqlite') await this.db.run(`DELETE FROM trace_search WHERE rowid IN (${oldest})`, [this.tenant, before, batch]);
      deleted = await this.db.run(`DELETE FROM traces WHERE id IN (${oldest})`, [this.tenant, before, batch]);
      purged += deleted;
    } while (deleted === batch);
    if (this.db.dialect === 'sqlite') return purged;
    // By the whole key, so each batch finds its rows by the primary key instead of reading the table.
    const refs = `DELETE FROM trace_refs WHERE (tenant, ref, trace_id) IN (SELECT tenant, ref, trace_id FROM trace_refs WHERE tenant = $1 AND at < $2 LIMIT $3)`;
    while ((await this.db.run(refs, [this.tenant, before, batch])) === batch);
    return purged;
  }
}

/** A message larger than this is not kept whole (a full sync's pages); its size is. */
const MAX_BODY_CHARS = 512 * 1024;

function keptBody(json: string): string {
  return json.length <= MAX_BODY_CHARS ? json : JSON.stringify({ note: `the messages (${json.length} characters) are larger than the trace keeps` });
}

/** JSON as its value; anything else (XML, an HTML error page) as text. */
function parsedText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toEntry(row: Row): TraceEntry {
  const body = JSON.parse(row.body) as Pick<TraceEntry, 'request' | 'response' | 'findings' | 'note' | 'durationMs'>;
  return {
    id: Number(row.id),
    correlationId: row.correlation_id,
    outboxId: row.outbox_id === null ? null : Number(row.outbox_id),
    at: Number(row.at),
    protocol: row.protocol,
    direction: row.direction,
    kind: row.kind,
    name: row.name,
    status: row.status,
    ...body,
  };
}

export interface TraceWriterOptions {
  /** The longest an event waits in memory: what a crash can lose. */
  flushMs: number;
  /** Events that make a batch: written at once when this many wait. */
  batch: number;
  /** Beyond this many waiting (a store that does not keep up), new events are dropped and counted, never the bridge slowed. */
  maxBuffered: number;
  onError: (error: unknown) => void;
}

/**
 * Where events wait to be stored: in memory for at most `flushMs` (or until a batch is full), then
 * written in one transaction, one batch at a time, never on the path that reported them.
 */
export class TraceWriter<R extends TraceRecord = TraceRecord> {
  private buffer: R[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Events handed to a write that has not finished: they count against `maxBuffered` too. */
  private queued = 0;
  private closed = false;
  /** Events dropped because the store did not keep up. */
  dropped = 0;

  constructor(
    private readonly write: (records: R[]) => Promise<void>,
    private readonly options: TraceWriterOptions,
  ) {}

  record(record: R): void {
    if (this.closed || record.beyondCap) return;
    if (this.buffer.length + this.queued >= this.options.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length >= this.options.batch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs).unref();
  }

  /** Writes what waits; resolves when it (and every earlier batch) is stored or failed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.writing;
    this.queued += batch.length;
    this.writing = this.writing
      .then(() => this.write(batch))
      .catch(this.options.onError)
      .finally(() => {
        this.queued -= batch.length;
      });
    return this.writing;
  }

  /** Writes what waits and takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}

/** What a tenant's store reports its events to (the bridge's flows too). */
export interface Tracer extends TraceSink {
  /** Events dropped because the store did not keep up: the deployment's, all tenants together. */
  readonly dropped: number;
  /** Writes what waits, of every tenant. */
  flush(): Promise<void>;
}

/** Reports to `sink` each event marked with its tenant. */
export function tenantSink(sink: { record(record: TenantTraceRecord): void }, tenant: string): TraceSink {
  return { record: (record) => sink.record({ ...record, tenant }) };
}

/** A tenant's tracer: its events, marked with it, go into the deployment's one writer. */
export function tenantTracer(writer: TraceWriter<TenantTraceRecord>, tenant: string): Tracer {
  const sink = tenantSink(writer, tenant);
  return {
    record: (record) => sink.record(record),
    get dropped() {
      return writer.dropped;
    },
    flush: () => writer.flush(),
  };
}

/** The outbox, telling the trace what each enqueue put in it: the mapped message, tied to the exchange that made it. */
export class TracedOutboxRepository extends OutboxRepository {
  constructor(
    db: SqlExecutor,
    tenant: string,
    policy: OutboxPolicy,
    now: () => number,
    random: () => number,
    private readonly sink: TraceSink,
  ) {
    super(db, tenant, policy, now, random);
  }

  /** Reported even when the transaction around it rolls back later: the trace says what was attempted. */
  override async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    const result = await super.enqueue(request);
    this.enqueued(request, result);
    return result;
  }

  /** Each item reported as `enqueue` reports it. */
  override async enqueueAll(requests: readonly Omit<EnqueueRequest, 'key'>[]): Promise<EnqueueResult[]> {
    const results = await super.enqueueAll(requests);
    results.forEach((result, i) => this.enqueued(requests[i]!, result));
    return results;
  }

  private enqueued(request: Pick<EnqueueRequest, 'topic' | 'payload'>, result: EnqueueResult): void {
    traceEvent(this.sink, {
      protocol: 'bridge',
      direction: 'internal',
      kind: 'enqueued',
      name: request.topic,
      status: result.created ? 'created' : result.replaced ? 'replaced' : 'duplicate',
      request: request.payload,
      outboxId: result.id,
    });
  }
}
