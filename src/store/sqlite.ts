import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { SqlDatabase, SqlExecutor } from './sql';

type Statement = Database.Statement<Record<string, unknown>>;

interface SqliteOptions {
  /** A group commits once it holds this many operations, even with more waiting (bounds the latency a burst adds). */
  maxGroup?: number;
  /** A group commits once it has been open this long (ms), even with more waiting. */
  maxGroupMs?: number;
}

/** One open write transaction shared by several operations: each is answered once the group committed. */
interface Group {
  openedAt: number;
  /** Answers of the operations that succeeded, given when the group commits (or fails to). */
  answers: ((failure?: Error) => void)[];
}

/**
 * better-sqlite3 is synchronous and has one connection, but our transactions span awaits. Every
 * operation therefore runs through one queue, one after the other, so no caller's statement lands
 * inside another's transaction.
 *
 * Group commit: with `synchronous = FULL` each COMMIT waits for the disk (an fsync, milliseconds, on
 * the event loop), which bounded the bridge at a few hundred writes per second whatever else it did.
 * Operations that arrive while one runs (or while the disk syncs) join one write transaction, each in
 * its own savepoint, and share its COMMIT: the group commits when nothing more is waiting (checked
 * after the event loop took the requests that arrived meanwhile), or at `maxGroup` operations, or
 * after `maxGroupMs`. Nobody is answered before the group is on disk, so durability is unchanged:
 * an operation's result — a stored CDR, a claimed outbox item — is only ever seen once it is durable.
 * An operation that fails rolls back to its savepoint and is answered at once; the others go on.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new LRUCache<string, Statement>({ max: 256 });
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor;
  private readonly maxGroup: number;
  private readonly maxGroupMs: number;
  private group: Group | undefined;
  /** Operations queued and not started yet. */
  private waiting = 0;
  private commitPlanned = false;

  constructor(file: string, options: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before we answer a peer, so an acknowledged CDR survives power loss too.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // 32 MB of page cache instead of SQLite's 2 MB: the indexes a network pull of a million EVSEs
    // reads per record (correlations, objects, outbox by order key) stay in memory.
    this.db.pragma('cache_size = -32768');
    this.db.pragma('foreign_keys = ON');
    this.maxGroup = options.maxGroup ?? 256;
    this.maxGroupMs = options.maxGroupMs ?? 20;
    this.direct = {
      dialect: this.dialect,
      all: <T extends object>(sql: string, params: readonly unknown[] = []) => Promise.resolve(this.prepare(sql).all(bind(params)) as T[]),
      run: (sql: string, params: readonly unknown[] = []) => Promise.resolve(this.prepare(sql).run(bind(params)).changes),
    };
  }

  all<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.member(() => this.direct.all<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.member(() => this.direct.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.member(() => fn(this.direct));
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.exclusive(() => {
      this.commit();
      this.db.close();
      return Promise.resolve();
    });
  }

  /** Runs `work` in the current group, in a savepoint of its own; answers once the group committed. */
  private member<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    return new Promise<T>((resolve, reject: (reason: Error) => void) => {
      void this.exclusive(async () => {
        this.waiting--;
        let group: Group;
        try {
          // IMMEDIATE takes the write lock up front, so two processes sharing the file serialise here
          // instead of failing at their first write.
          if (!this.group) this.db.exec('BEGIN IMMEDIATE');
          group = this.group ??= { openedAt: performance.now(), answers: [] };
          this.db.exec('SAVEPOINT member');
        } catch (err) {
          reject(err as Error);
          return;
        }
        try {
          const value = await work();
          this.db.exec('RELEASE member');
          group.answers.push((failure) => (failure === undefined ? resolve(value) : reject(failure)));
        } catch (err) {
          this.rollbackMember(group);
          reject(err as Error);
        }
        if (this.group === group) this.planCommit(group);
      });
    });
  }

  /** Undoes a failed operation; when SQLite rolled back the whole transaction instead (I/O error, disk full), the group's others failed with it. */
  private rollbackMember(group: Group): void {
    if (this.db.inTransaction) {
      try {
        this.db.exec('ROLLBACK TO member');
        this.db.exec('RELEASE member');
        return;
      } catch {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      }
    }
    this.group = undefined;
    const lost = new Error('the database rolled back the shared transaction; the operation was not stored');
    group.answers.forEach((answer) => answer(lost));
  }

  private planCommit(group: Group): void {
    if (group.answers.length >= this.maxGroup || performance.now() - group.openedAt >= this.maxGroupMs) {
      this.commit();
      return;
    }
    if (this.waiting > 0 || this.commitPlanned) return;
    this.commitPlanned = true;
    // After the event loop's I/O phase: requests that arrived meanwhile join this group.
    setImmediate(() => {
      void this.exclusive(() => {
        this.commitPlanned = false;
        this.commit();
        return Promise.resolve();
      });
    });
  }

  /** Commits the open group and answers its operations: with their results, or all with the failure. */
  private commit(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    let failure: Error | undefined;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      failure = err as Error;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    }
    group.answers.forEach((answer) => answer(failure));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<Record<string, unknown>>(sql.replace(/\$(\d+)/g, '@p$1'));
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function bind(params: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value]));
}
