import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { SqlDatabase, SqlExecutor } from './sql';

type Statement = Database.Statement<unknown[]>;

/** A statement as prepared from our `$n` SQL: SQLite's anonymous `?` in their order, and which parameter each takes. */
interface Prepared {
  statement: Statement;
  /** The 0-based parameter of each `?`; undefined when they are `$1, $2, ...` in order, each once (the parameters bind as given). */
  order: number[] | undefined;
  /** How many `?` it has. */
  count: number;
  /** How many parameters it takes: the highest `$n`. */
  needs: number;
}

/** The transaction control every operation runs, prepared once: `exec` would parse it again each time (a PATCH runs about eight). */
interface Control {
  begin: Database.Statement;
  savepoint: Database.Statement;
  release: Database.Statement;
  rollbackTo: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
}

interface SqliteOptions {
  /** A group commits once it holds this many operations, even with more waiting (bounds the latency a burst adds). */
  maxGroup?: number;
  /** A group commits once it has been open this long (ms), even with more waiting. */
  maxGroupMs?: number;
  /** How the WAL is synced (node:fs `fdatasync`; tests hold it back or fail it). */
  fdatasync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

/** One open write transaction shared by several operations: each is answered once the group committed. */
interface Group {
  openedAt: number;
  /** Answers of the operations that succeeded, given when the group commits (or fails to). */
  answers: ((failure?: Error) => void)[];
  /** Whether any statement of the group may have changed something (one that only read has nothing to sync). */
  wrote: boolean;
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
 *
 * The disk sync runs off the event loop. With `synchronous = FULL` SQLite syncs the WAL inside
 * COMMIT, which blocks the thread for the whole fsync (2.7 ms a commit in the PATCH benchmark on a
 * loaded machine, half of the store's time): requests waited behind the disk, not behind work. In WAL
 * mode `synchronous = NORMAL` writes the commit's frames without syncing them; the group's answers
 * then wait for an `fdatasync` of the WAL file on libuv's thread pool, which makes those frames (and
 * every earlier one) durable exactly as FULL would have (SQLite itself still syncs the WAL and the
 * database around checkpoints). Meanwhile the next group runs. A later operation may read a committed
 * change before it is synced, but it is answered only after its own sync, which covers that change:
 * nothing leaves the bridge (an acknowledgement, a claimed item's delivery) before what it rests on
 * is durable. Syncs are coalesced: while one runs, the groups that commit wait for the next, one sync
 * for all of them. A group that only read is answered at its commit, without a sync, unless one is
 * under way (what it read may be what that sync makes durable).
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new LRUCache<string, Prepared>({ max: 256 });
  private readonly control: Control;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor;
  private readonly maxGroup: number;
  private readonly maxGroupMs: number;
  private group: Group | undefined;
  /** Operations queued and not started yet. */
  private waiting = 0;
  private commitPlanned = false;
  /** The WAL file to sync after commits; undefined for a database without one (`:memory:`), which commits as FULL. */
  private readonly walPath: string | undefined;
  private walFd: number | undefined;
  /** Answers of committed groups waiting for the next sync of the WAL, and whether one runs. */
  private unsynced: ((failure?: Error) => void)[] = [];
  private syncing: Promise<void> | undefined;
  private readonly fdatasync: NonNullable<SqliteOptions['fdatasync']>;
  /**
   * Set by a failed sync, for good. Linux reports a write-back error once and marks the pages clean,
   * so a later sync would succeed over frames that never reached the disk, and SQLite's recovery
   * drops every transaction after a broken frame: nothing written after the failure could be vouched
   * for. Every operation fails from then on (the health check too); a restart recovers from what is
   * really on disk (PostgreSQL stops for the same reason).
   */
  private broken: Error | undefined;

  constructor(file: string, options: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    const wal = this.db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    // SQLite names the WAL after the database file it opened, symbolic links resolved.
    const main = (this.db.pragma('database_list') as { name: string; file: string }[]).find((d) => d.name === 'main');
    this.walPath = wal && main?.file ? `${main.file}-wal` : undefined;
    // A commit is on disk before we answer a peer, so an acknowledged CDR survives power loss too:
    // synced by SQLite inside COMMIT (FULL), or, with a WAL, by us off the event loop (see above).
    this.db.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // 32 MB of page cache instead of SQLite's 2 MB: the indexes a network pull of a million EVSEs
    // reads per record (correlations, objects, outbox by order key) stay in memory.
    this.db.pragma('cache_size = -32768');
    // Every operation runs in a savepoint, and a statement that changes rows there (every INSERT ...
    // RETURNING: traces, outbox items) keeps a statement journal, in a temporary file by default:
    // 44-56 us per such insert, 11-12 us with it in memory (raw better-sqlite3, 20,000 rows). The
    // journals are one statement's undo records, small.
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('foreign_keys = ON');
    this.control = {
      begin: this.db.prepare('BEGIN IMMEDIATE'),
      savepoint: this.db.prepare('SAVEPOINT member'),
      release: this.db.prepare('RELEASE member'),
      rollbackTo: this.db.prepare('ROLLBACK TO member'),
      commit: this.db.prepare('COMMIT'),
      rollback: this.db.prepare('ROLLBACK'),
    };
    this.maxGroup = options.maxGroup ?? 256;
    this.maxGroupMs = options.maxGroupMs ?? 20;
    this.fdatasync = options.fdatasync ?? fdatasync;
    this.direct = {
      dialect: this.dialect,
      all: <T extends object>(sql: string, params: readonly unknown[] = []) => {
        const prepared = this.statement(sql);
        return Promise.resolve(prepared.statement.all(bound(params, prepared)) as T[]);
      },
      run: (sql: string, params: readonly unknown[] = []) => {
        const prepared = this.statement(sql);
        return Promise.resolve(prepared.statement.run(bound(params, prepared)).changes);
      },
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
    return this.exclusive(async () => {
      this.commit();
      await this.synced();
      this.db.close();
      if (this.walFd !== undefined) closeSync(this.walFd);
      this.walFd = undefined;
    });
  }

  /** Runs `work` in the current group, in a savepoint of its own; answers once the group committed. */
  private member<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    return new Promise<T>((resolve, reject: (reason: Error) => void) => {
      void this.exclusive(async () => {
        this.waiting--;
        if (this.broken) {
          reject(this.broken);
          return;
        }
        let group: Group;
        try {
          // IMMEDIATE takes the write lock up front, so two processes sharing the file serialise here
          // instead of failing at their first write.
          if (!this.group) this.control.begin.run();
          group = this.group ??= { openedAt: performance.now(), answers: [], wrote: false };
          this.control.savepoint.run();
        } catch (err) {
          reject(err as Error);
          return;
        }
        try {
          const value = await work();
          this.control.release.run();
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
        this.control.rollbackTo.run();
        this.control.release.run();
        return;
      } catch {
        if (this.db.inTransaction) this.control.rollback.run();
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

  /** Commits the open group and answers its operations once on disk: with their results, or all with the failure. */
  private commit(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.control.commit.run();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.control.rollback.run();
      } finally {
        group.answers.forEach((answer) => answer(err as Error));
      }
      return;
    }
    // Nothing to sync: no WAL, or a group that only read what earlier syncs made durable.
    if (this.walPath === undefined || (!group.wrote && this.syncing === undefined)) {
      group.answers.forEach((answer) => answer());
      return;
    }
    this.unsynced.push(...group.answers);
    void this.synced();
  }

  /** Syncs the WAL until no committed group waits for it; one sync at a time, each for every group committed before it began. */
  private synced(): Promise<void> {
    this.syncing ??= (async () => {
      while (this.unsynced.length > 0) {
        const answers = this.unsynced;
        this.unsynced = [];
        const failure = this.broken ?? (await this.syncWal());
        if (failure) this.broken ??= new Error(`the store's disk sync failed (${failure.message}): what it committed since the last sync may not be on disk; restart the bridge to recover from what is`);
        answers.forEach((answer) => answer(failure));
      }
      this.syncing = undefined;
    })();
    return this.syncing;
  }

  private syncWal(): Promise<Error | undefined> {
    return new Promise((resolve) => {
      try {
        // Opened once the first commit made the file; SQLite keeps it (same inode) while the database
        // is open. Writable: Windows flushes only a handle that may write.
        this.walFd ??= openSync(this.walPath!, 'r+');
        // A failed sync fails the operations waiting for it (their changes are committed but may not
        // survive a power loss, so none is acknowledged: a peer sends again), and the store (see `broken`).
        this.fdatasync(this.walFd, (err) => resolve(err ?? undefined));
      } catch (err) {
        resolve(err as Error);
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * A statement to run in the open group, which it marks as writing unless SQLite says it makes no
   * change (true of a plain SELECT; the store defines no SQL functions, which could write unseen).
   * Outside a group (an executor kept past its transaction) it would neither be in a transaction nor
   * synced: refused.
   */
  private statement(sql: string): Prepared {
    if (!this.group) throw new Error('a store statement ran outside its operation (an executor used after its transaction ended)');
    const prepared = this.prepare(sql);
    if (!prepared.statement.readonly) this.group.wrote = true;
    return prepared;
  }

  /**
   * Positional: binding by name cost an object of `p1`, `p2`, ... keys per statement and a lookup per
   * name (a PATCH runs some twenty statements, half of them the trace's).
   */
  private prepare(sql: string): Prepared {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      const order: number[] = [];
      const statement = this.db.prepare<unknown[]>(
        sql.replace(/\$(\d+)/g, (_, n: string) => {
          order.push(Number(n) - 1);
          return '?';
        }),
      );
      prepared = { statement, order: order.every((n, i) => n === i) ? undefined : order, count: order.length, needs: order.reduce((most, n) => Math.max(most, n + 1), 0) };
      this.statements.set(sql, prepared);
    }
    return prepared;
  }
}

/**
 * The values of a statement's `?` in their order (a value no `$n` names is left out, as by name). A
 * `$n` without its value is refused, as binding by name refused it and PostgreSQL does: better-sqlite3
 * would bind it as NULL.
 */
function bound(params: readonly unknown[], { order, count, needs }: Prepared): unknown[] {
  if (params.length < needs) throw new RangeError(`the statement takes ${needs} parameters; ${params.length} given`);
  return order === undefined && params.length === count ? (params as unknown[]) : (order ?? [...Array(count).keys()]).map((n) => params[n]);
}
