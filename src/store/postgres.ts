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

function executor(target: Pool | PoolClient): SqlExecutor {
  return {
    dialect: 'postgres',
    async all<T extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<T & QueryResultRow>(sql, params as unknown[]);
      return result.rows;
    },
    async run(sql: string, params: readonly unknown[] = []) {
      const result = await target.query(sql, params as unknown[]);
      return result.rowCount ?? 0;
    },
  };
}
