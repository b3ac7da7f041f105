import { Pool, TypeOverrides, types, type PoolClient, type QueryResultRow } from 'pg';
import type { SqlDatabase, SqlExecutor } from './sql';

/** Timestamps are epoch milliseconds and ids are counters in BIGINT columns; both fit a JS number exactly. */
const typeOverrides = new TypeOverrides();
typeOverrides.setTypeParser(types.builtins.INT8, Number);

interface PostgresOptions {
  url: string;
  schema: string;
  poolSize: number;
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly pool: Pool;

  constructor(private readonly options: PostgresOptions) {
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolSize,
      // Every connection sees only the bridge's schema, so tables need no qualification.
      options: `-c search_path=${options.schema}`,
      types: typeOverrides,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Creates the configured schema; run before migrations. */
  async ensureSchema(): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${this.options.schema}"`);
  }

  all<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return executor(this.pool).all<T>(sql, params);
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return executor(this.pool).run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Statement texts prepared by name: each connection prepares a text once and runs it again without
 * PostgreSQL parsing and planning it anew (a CDR's accept is one large statement, run for every CDR).
 * Bounded: the first texts seen with parameters (the hot paths' come first and come back) get a
 * name, later ones go unnamed, so texts that vary (an IN list per length) cannot fill every connection.
 */
const PREPARED_TEXTS = 256;
const names = new Map<string, string>();

function query(sql: string, params: readonly unknown[]): { text: string; values: unknown[]; name?: string } {
  // Without parameters: a migration's or a check's text, run seldom (and perhaps several statements, which only the simple protocol takes).
  if (params.length === 0) return { text: sql, values: [] };
  let name = names.get(sql);
  if (name === undefined && names.size < PREPARED_TEXTS) names.set(sql, (name = `bridge_${names.size}`));
  return { text: sql, values: params as unknown[], name };
}

function executor(target: Pool | PoolClient): SqlExecutor {
  return {
    dialect: 'postgres',
    async all<T extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<T & QueryResultRow>(query(sql, params));
      return result.rows;
    },
    async run(sql: string, params: readonly unknown[] = []) {
      const result = await target.query(query(sql, params));
      return result.rowCount ?? 0;
    },
  };
}
