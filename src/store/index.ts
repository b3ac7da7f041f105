import type { OutboxPolicy, StoreConfig } from '../config/schema';
import { CorrelationRepository } from './correlations';
import { PartyRepository, TokenRepository } from './credentials';
import { HeldRepository } from './held';
import { acceptOnce, acceptOnceIn, type FirstWrite, type FirstWriteResult } from './intake';
import { migrate } from './migrations';
import { ObjectRepository } from './objects';
import { OutboxRepository } from './outbox';
import { PostgresDatabase } from './postgres';
import type { Dialect, SqlDatabase, SqlExecutor } from './sql';
import { SqliteDatabase } from './sqlite';
import { TraceRepository, TraceWriter, TracedOutboxRepository, insertTraces, tenantSink, tenantTracer, type TenantTraceRecord, type TraceWriterOptions, type Tracer } from './traces';
import { teeSinks, traceEvent, type TraceSink } from '../core/trace-context';

import { DEFAULT_TENANT } from '../core/tenant';

export { DEFAULT_TENANT };

export { CorrelationConflictError, type Correlation } from './correlations';
export { ownerKey, ownerOf, type CachedObject } from './objects';
export { type OcpiParty, type PartyInput, type TokenPurpose } from './credentials';
export { type HeldItem } from './held';
export { type ExchangeSummary, type TenantTraceRecord, type TraceEntry, type Tracer } from './traces';
export { type FirstWrite, type FirstWriteResult } from './intake';
export { retryDelay, type ClaimedItem, type EnqueueResult, type EnqueueRequest, type FailOutcome, type OutboxItem, type OutboxState } from './outbox';

/** The repositories, bound either to the database or to one open transaction. */
export interface StoreRepositories {
  parties: PartyRepository;
  tokens: TokenRepository;
  correlations: CorrelationRepository;
  outbox: OutboxRepository;
  /** The backend's last known OCPI objects. */
  objects: ObjectRepository;
  /** What was accepted but is held back from the other side, and why. */
  held: HeldRepository;
  /** The exchange trace, for reading and the retention purge (events are written through `tracer`). */
  traces: TraceRepository;
}

/**
 * One tenant's view of the store: its repositories, transactions, acceptOnce and tracer read and
 * write only the rows of `tenant`. Every view of one opened store shares its database connection
 * (pool) and its trace writer.
 */
export interface Store extends StoreRepositories {
  readonly tenant: string;
  /** The same database, seen by another tenant (cheap: no connection of its own). */
  forTenant(tenant: string): Store;
  readonly dialect: Dialect;
  /** Where the data lives, without credentials (for logs and the start-up banner). */
  readonly location: string;
  /** The schema versions this opening applied (none when the store was up to date), for the start-up log. */
  readonly migrated: readonly number[];
  /**
   * Runs `fn` atomically: a state change and the outbox item announcing it are committed together or
   * not at all. Use only the `tx` repositories inside; the store's own would wait for the transaction
   * (SQLite) or run outside it (PostgreSQL).
   */
  transaction<T>(fn: (tx: StoreRepositories) => Promise<T>): Promise<T>;
  /** Where the bridge reports the tenant's exchange events; undefined when tracing is off. */
  readonly tracer: Tracer | undefined;
  /** Stores a record written once (a CDR) with its correlation and outbox item, unless it is there already; see intake.ts. Not inside `transaction`. */
  acceptOnce(write: FirstWrite): Promise<FirstWriteResult>;
  ping(): Promise<void>;
  /** Writes the trace events still waiting, then closes; on a view from forTenant, nothing (the opened store owns the database). */
  close(): Promise<void>;
}

export interface StoreOptions {
  now?: () => number;
  random?: () => number;
  /** Record the exchange trace, written in batches as these say. */
  trace?: TraceWriterOptions;
  /** Also told of the store's own trace events (what goes into the outbox), stored or not, each a TenantTraceRecord: the metrics. */
  observe?: TraceSink;
}

/** Opens the configured store and brings its schema up to date; answers the view of DEFAULT_TENANT. */
export async function openStore(config: StoreConfig, policy: OutboxPolicy, options: StoreOptions = {}): Promise<Store> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  let db: SqlDatabase;
  let location: string;
  if (config.url) {
    const pg = new PostgresDatabase({ url: config.url, schema: config.schema, poolSize: config.poolSize });
    location = `postgres ${describeUrl(config.url)} schema ${config.schema}`;
    try {
      await pg.ensureSchema();
    } catch (err) {
      await pg.close();
      throw new Error(`cannot reach the PostgreSQL store (${location}): ${(err as Error).message}`);
    }
    db = pg;
  } else {
    db = new SqliteDatabase(config.path);
    location = `sqlite ${config.path}`;
  }
  let migrated: number[];
  try {
    migrated = await migrate(db, now);
  } catch (err) {
    await db.close();
    throw err;
  }
  const writer =
    options.trace && new TraceWriter<TenantTraceRecord>((records) => db.transaction((tx) => insertTraces(tx, records)), options.trace);
  const view = (tenant: string): Store => {
    const tracer = writer && tenantTracer(writer, tenant);
    const reported = teeSinks(tracer, options.observe && tenantSink(options.observe, tenant));
    const bind = (executor: SqlExecutor): StoreRepositories => ({
      parties: new PartyRepository(executor, tenant, now),
      tokens: new TokenRepository(executor, tenant, now),
      correlations: new CorrelationRepository(executor, tenant, now),
      outbox: reported ? new TracedOutboxRepository(executor, tenant, policy, now, random, reported) : new OutboxRepository(executor, tenant, policy, now, random),
      objects: new ObjectRepository(executor, tenant, now),
      held: new HeldRepository(executor, tenant, now),
      traces: new TraceRepository(executor, tenant),
    });
    return {
      tenant,
      forTenant: view,
      dialect: db.dialect,
      location,
      migrated,
      tracer,
      ...bind(db),
      transaction: (fn) => db.transaction((tx) => fn(bind(tx))),
      acceptOnce: async (write) => {
        if (db.dialect !== 'postgres') return db.transaction((tx) => acceptOnceIn(bind(tx), write));
        const result = await acceptOnce(db, tenant, now, bind(db), write);
        // The one statement writes the outbox item in SQL, past the traced repository: its enqueue is reported here, to the metrics too.
        if (result.outcome === 'stored') {
          traceEvent(reported, { protocol: 'bridge', direction: 'internal', kind: 'enqueued', name: write.announcement.topic, status: 'created', request: write.announcement.payload, outboxId: result.outboxId });
        }
        return result;
      },
      ping: () => db.ping(),
      close: () => Promise.resolve(),
    };
  };
  return {
    ...view(DEFAULT_TENANT),
    close: async () => {
      await writer?.close();
      await db.close();
    },
  };
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
