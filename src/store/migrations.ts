import type { Dialect, SqlDatabase } from './sql';

interface ColumnTypes {
  /** Auto-increasing integer key: the outbox's delivery order. */
  serialKey: string;
  /** Epoch milliseconds. */
  millis: string;
  /** For what only one store has (SQLite's full-text index). */
  dialect: Dialect;
}

const TYPES: Record<Dialect, ColumnTypes> = {
  sqlite: { serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT', millis: 'INTEGER', dialect: 'sqlite' },
  postgres: { serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', millis: 'BIGINT', dialect: 'postgres' },
};

interface Migration {
  version: number;
  name: string;
  statements(types: ColumnTypes): string[];
}

/**
 * Append-only: a released migration is never edited, a change is a new version. JSON columns are TEXT
 * on purpose: payloads come back byte-for-byte as stored (signed meter data must), which jsonb would not
 * guarantee.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'credentials, correlations, outbox',
    statements: (t) => [
      `CREATE TABLE ocpi_parties (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        version TEXT,
        versions_url TEXT,
        roles TEXT NOT NULL,
        endpoints TEXT NOT NULL,
        outbound_token TEXT,
        created_at ${t.millis} NOT NULL,
        updated_at ${t.millis} NOT NULL
      )`,
      `CREATE TABLE ocpi_tokens (
        token_hash TEXT PRIMARY KEY,
        party TEXT NOT NULL REFERENCES ocpi_parties(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        expires_at ${t.millis},
        created_at ${t.millis} NOT NULL
      )`,
      `CREATE INDEX ocpi_tokens_party ON ocpi_tokens (party, purpose)`,
      `CREATE TABLE correlations (
        kind TEXT NOT NULL,
        ocpi_id TEXT NOT NULL,
        oicp_id TEXT NOT NULL,
        attrs TEXT NOT NULL,
        created_at ${t.millis} NOT NULL,
        updated_at ${t.millis} NOT NULL,
        PRIMARY KEY (kind, ocpi_id)
      )`,
      `CREATE UNIQUE INDEX correlations_oicp ON correlations (kind, oicp_id)`,
      `CREATE TABLE outbox (
        id ${t.serialKey},
        topic TEXT NOT NULL,
        dedupe_key TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        due_at ${t.millis} NOT NULL,
        claim_token TEXT,
        last_error TEXT,
        created_at ${t.millis} NOT NULL,
        updated_at ${t.millis} NOT NULL
      )`,
      // NULL keys are distinct in both databases: only keyed items are deduplicated.
      `CREATE UNIQUE INDEX outbox_dedupe ON outbox (topic, dedupe_key)`,
      `CREATE INDEX outbox_due ON outbox (state, due_at, id)`,
    ],
  },
  {
    version: 2,
    name: 'OCPI object cache',
    statements: (t) => [
      `CREATE TABLE ocpi_objects (
        module TEXT NOT NULL,
        owner TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at ${t.millis} NOT NULL,
        updated_at ${t.millis} NOT NULL,
        PRIMARY KEY (module, owner, id)
      )`,
    ],
  },
  {
    version: 3,
    name: 'OCPI objects served as lists: last_updated for the date filters',
    statements: () => [
      // ISO 8601 UTC with milliseconds, so text order is time order; NULL for bodies without one.
      `ALTER TABLE ocpi_objects ADD COLUMN last_updated TEXT`,
      `CREATE INDEX ocpi_objects_listing ON ocpi_objects (module, created_at, owner, id)`,
      `CREATE INDEX correlations_age ON correlations (kind, updated_at)`,
    ],
  },
  {
    version: 4,
    name: 'delivered outbox items found by age for the retention purge',
    statements: () => [`CREATE INDEX outbox_settled ON outbox (state, updated_at)`],
  },
  {
    version: 5,
    name: 'outbox delivery order per object, barriers, replaceable items, operator resolutions; items held back',
    statements: (t) => [
      // Items sharing an order key (an EVSE, a Hubject session) are delivered one at a time, in id order.
      `ALTER TABLE outbox ADD COLUMN order_key TEXT`,
      // A barrier (a fullLoad) goes after every earlier item of its topic and before every later one.
      `ALTER TABLE outbox ADD COLUMN barrier INTEGER NOT NULL DEFAULT 0`,
      // An item announcing an object's state, not yet claimed, takes the payload of a newer announcement of the same object.
      `ALTER TABLE outbox ADD COLUMN replace_key TEXT`,
      // Why an operator discarded an item.
      `ALTER TABLE outbox ADD COLUMN resolution TEXT`,
      `CREATE INDEX outbox_order ON outbox (order_key, state, id)`,
      `CREATE INDEX outbox_topic ON outbox (topic, state, id)`,
      `CREATE INDEX outbox_barriers ON outbox (topic, id) WHERE barrier = 1 AND state = 'pending'`,
      `CREATE TABLE held_items (
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        reason TEXT NOT NULL,
        details TEXT NOT NULL,
        created_at ${t.millis} NOT NULL,
        updated_at ${t.millis} NOT NULL,
        PRIMARY KEY (kind, ref)
      )`,
    ],
  },
  {
    version: 6,
    name: 'exchange trace: what was received, mapped, sent and answered, by correlation id and by the ids users know',
    statements: (t) => [
      `CREATE TABLE traces (
        id ${t.serialKey},
        correlation_id TEXT NOT NULL,
        outbox_id BIGINT,
        at ${t.millis} NOT NULL,
        protocol TEXT NOT NULL,
        direction TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT,
        body TEXT NOT NULL
      )`,
      `CREATE INDEX traces_correlation ON traces (correlation_id, id)`,
      `CREATE INDEX traces_outbox ON traces (outbox_id) WHERE outbox_id IS NOT NULL`,
      `CREATE INDEX traces_age ON traces (at)`,
      // One row per id a trace entry carries (EvseID, SessionID, CDR id, token uid, ...): the search's index.
      `CREATE TABLE trace_refs (
        ref TEXT NOT NULL,
        trace_id BIGINT NOT NULL,
        at ${t.millis} NOT NULL,
        PRIMARY KEY (ref, trace_id)
      )`,
      `CREATE INDEX trace_refs_age ON trace_refs (at)`,
    ],
  },
  {
    version: 7,
    name: 'every row belongs to a tenant; what was there belongs to tenant default',
    statements: (t) => [
      // SQLite cannot change a primary key, so the tables keyed by their content are rebuilt (the same
      // statements on PostgreSQL). The new tables take their final names only after the old ones are
      // dropped; primary keys are named so that PostgreSQL's constraints do not carry the temporary name.
      // The parties' tokens first: ON DELETE CASCADE must have nothing to act on when the old tables go.
      `CREATE TABLE ocpi_parties_v7 (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        state TEXT NOT NULL,
        version TEXT,
        versions_url TEXT,
        roles TEXT NOT NULL,
        endpoints TEXT NOT NULL,
        outbound_token TEXT,
        created_at ${t.millis} NOT NULL,
        updated_at ${t.millis} NOT NULL,
        CONSTRAINT ocpi_parties_key PRIMARY KEY (tenant, id)
      )`,
      `CREATE TABLE ocpi_tokens_v7 (
        tenant TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        party TEXT NOT NULL,
        purpose TEXT NOT NULL,
        expires_at ${t.millis},
        created_at ${t.millis} NOT NULL,
        CONSTRAINT ocpi_tokens_key PRIMARY KEY (tenant, token_hash),
        FOREIGN KEY (tenant, party) REFERENCES ocpi_parties_v7 (tenant, id) ON DELETE CASCADE
      )`,
      `INSERT INTO ocpi_parties_v7 (tenant, id, state, version, versions_url, roles, endpoints, outbound_token, created_at, updated_at)
       SELECT 'default', id, state, version, versions_url, roles, endpoints, outbound_token, created_at, updated_at FROM ocpi_parties`,
      `INSERT INTO ocpi_tokens_v7 (tenant, token_hash, party, purpose, expires_at, created_at)
       SELECT 'default', token_hash, party, purpose, expires_at, created_at FROM ocpi_tokens`,
      `DROP TABLE ocpi_tokens`,
      `DROP TABLE ocpi_parties`,
      // SQLite rewrites the tokens' REFERENCES to the new name; PostgreSQL's follows the table anyway.
      `ALTER TABLE ocpi_parties_v7 RENAME TO ocpi_parties`,
      `ALTER TABLE ocpi_tokens_v7 RENAME TO ocpi_tokens`,
      `CREATE INDEX ocpi_tokens_party ON ocpi_tokens (tenant, party, purpose)`,

      ...keyedByTenant('correlations', ['kind TEXT NOT NULL', 'ocpi_id TEXT NOT NULL', 'oicp_id TEXT NOT NULL', 'attrs TEXT NOT NULL', `created_at ${t.millis} NOT NULL`, `updated_at ${t.millis} NOT NULL`], ['kind', 'ocpi_id']),
      // The name is what acceptOnce recognises a taken OICP id by on PostgreSQL.
      `CREATE UNIQUE INDEX correlations_oicp ON correlations (tenant, kind, oicp_id)`,
      `CREATE INDEX correlations_age ON correlations (tenant, kind, updated_at)`,
      ...keyedByTenant(
        'ocpi_objects',
        ['module TEXT NOT NULL', 'owner TEXT NOT NULL', 'id TEXT NOT NULL', 'body TEXT NOT NULL', `created_at ${t.millis} NOT NULL`, `updated_at ${t.millis} NOT NULL`, 'last_updated TEXT'],
        ['module', 'owner', 'id'],
      ),
      `CREATE INDEX ocpi_objects_listing ON ocpi_objects (tenant, module, created_at, owner, id)`,
      ...keyedByTenant('held_items', ['kind TEXT NOT NULL', 'ref TEXT NOT NULL', 'reason TEXT NOT NULL', 'details TEXT NOT NULL', `created_at ${t.millis} NOT NULL`, `updated_at ${t.millis} NOT NULL`], ['kind', 'ref']),
      ...keyedByTenant('trace_refs', ['ref TEXT NOT NULL', 'trace_id BIGINT NOT NULL', `at ${t.millis} NOT NULL`], ['ref', 'trace_id']),
      `CREATE INDEX trace_refs_age ON trace_refs (tenant, at)`,

      // Keyed by an identity, which PostgreSQL would not let a copy keep: a column is enough, and the
      // indexes the per-tenant queries use lead with it. The default only fills the existing rows;
      // every statement writes its tenant.
      `ALTER TABLE outbox ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default'`,
      `DROP INDEX outbox_dedupe`,
      `DROP INDEX outbox_due`,
      `DROP INDEX outbox_settled`,
      `DROP INDEX outbox_order`,
      `DROP INDEX outbox_topic`,
      `DROP INDEX outbox_barriers`,
      `CREATE UNIQUE INDEX outbox_dedupe ON outbox (tenant, topic, dedupe_key)`,
      `CREATE INDEX outbox_due ON outbox (tenant, state, due_at, id)`,
      `CREATE INDEX outbox_settled ON outbox (tenant, state, updated_at)`,
      `CREATE INDEX outbox_order ON outbox (tenant, order_key, state, id)`,
      `CREATE INDEX outbox_topic ON outbox (tenant, topic, state, id)`,
      `CREATE INDEX outbox_barriers ON outbox (tenant, topic, id) WHERE barrier = 1 AND state = 'pending'`,

      `ALTER TABLE traces ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default'`,
      `DROP INDEX traces_correlation`,
      `DROP INDEX traces_outbox`,
      `DROP INDEX traces_age`,
      `CREATE INDEX traces_correlation ON traces (tenant, correlation_id, id)`,
      `CREATE INDEX traces_outbox ON traces (tenant, outbox_id) WHERE outbox_id IS NOT NULL`,
      `CREATE INDEX traces_age ON traces (tenant, at)`,
      // A tenant's latest events, for the unfiltered search.
      `CREATE INDEX traces_recent ON traces (tenant, id)`,
    ],
  },
  {
    version: 8,
    name: 'SQLite finds trace events through one full-text row each instead of two random-key indexes',
    // On SQLite each event's row in traces_correlation (a UUID) and in trace_refs (an EvseID, a location
    // id) went to a random place in its B-tree: about two 4 KB pages written to the WAL per event. An
    // FTS5 index writes each commit's terms as a new segment, merged later: see searchTokens in
    // traces.ts for the terms. PostgreSQL keeps both indexes (its pages are not synced per commit).
    statements: (t) =>
      t.dialect !== 'sqlite'
        ? []
        : [
            `CREATE VIRTUAL TABLE trace_search USING fts5(tokens, content='', contentless_delete=1, detail=none)`,
            `INSERT INTO trace_search (rowid, tokens)
             SELECT t.id, 'k' || lower(hex(t.tenant || char(10) || t.correlation_id)) || COALESCE(' ' || r.tokens, '')
             FROM traces t LEFT JOIN (
               SELECT trace_id, group_concat('r' || lower(hex(tenant || char(10) || ref)), ' ') AS tokens FROM trace_refs GROUP BY trace_id
             ) r ON r.trace_id = t.id`,
            `DROP TABLE trace_refs`,
            `DROP INDEX traces_correlation`,
          ],
  },
];

/**
 * A table rebuilt with `tenant` leading its key, its rows moved to tenant default: created under a
 * temporary name, filled, and renamed once the old one is dropped (indexes are the caller's to make).
 * `columns` are the table's own, as in its CREATE TABLE; `key` the columns after tenant.
 */
function keyedByTenant(table: string, columns: readonly string[], key: readonly string[]): string[] {
  const names = columns.map((column) => column.split(' ')[0]!).join(', ');
  return [
    `CREATE TABLE ${table}_v7 (tenant TEXT NOT NULL, ${columns.join(', ')}, CONSTRAINT ${table}_key PRIMARY KEY (tenant, ${key.join(', ')}))`,
    `INSERT INTO ${table}_v7 (tenant, ${names}) SELECT 'default', ${names} FROM ${table}`,
    `DROP TABLE ${table}`,
    `ALTER TABLE ${table}_v7 RENAME TO ${table}`,
  ];
}

/** Arbitrary constant: the advisory lock that keeps two starting instances from migrating at once. */
const MIGRATION_LOCK = 7_020_301;

/** Applies pending migrations, each in its own transaction. Returns the versions applied now. */
export async function migrate(db: SqlDatabase, now: () => number, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.run(
        `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${TYPES[tx.dialect].millis} NOT NULL)`,
      );
      const [{ current }] = await tx.all<{ current: number | null }>('SELECT MAX(version) AS current FROM schema_migrations') as [{ current: number | null }];
      if ((current ?? 0) > latest) {
        throw new Error(`the database is at schema version ${current}, newer than this bridge knows (${latest}); run a newer bridge`);
      }
      if ((current ?? 0) >= migration.version) return false;
      for (const statement of migration.statements(TYPES[tx.dialect])) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, now()]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
