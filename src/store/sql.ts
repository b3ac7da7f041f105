/**
 * The narrow SQL port the repositories are written against, once, for both SQLite and PostgreSQL.
 * Statements use PostgreSQL's `$1` placeholders; the SQLite driver rewrites them.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface SqlExecutor {
  readonly dialect: Dialect;
  /** Rows of a query (or of a statement with RETURNING). */
  all<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Executes a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `$1, $2, ...` for a list of values starting after `offset` existing parameters. */
export function placeholders(count: number, offset = 0): string {
  return Array.from({ length: count }, (_, i) => `$${offset + i + 1}`).join(', ');
}
