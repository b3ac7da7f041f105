/**
 * SQLite's disk sync off the event loop (src/store/sqlite.ts): with a WAL, COMMIT does not sync and
 * each operation is answered only once an fdatasync of the WAL, run on libuv's pool, has completed
 * after its commit; the event loop runs other operations meanwhile; a failed sync fails the
 * operations that waited for it.
 */
import { fstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../../src/store/sqlite';

type Done = (err: NodeJS.ErrnoException | null) => void;

/** An fdatasync that waits until the test lets it finish (or fails it). */
function heldSync() {
  const waiting: { fd: number; done: Done }[] = [];
  return {
    waiting,
    fdatasync: (fd: number, done: Done) => void waiting.push({ fd, done }),
    finish: (err: NodeJS.ErrnoException | null = null) => waiting.splice(0).forEach((w) => w.done(err)),
  };
}

const settled = async <T>(promise: Promise<T>) => {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  // Several turns of the event loop: a commit is planned with setImmediate.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('SQLite store: the WAL synced off the event loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-sync-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a write only after the WAL sync that follows its commit, while other work goes on', async () => {
    const sync = heldSync();
    const db = new SqliteDatabase(join(dir, 'a.sqlite'), { fdatasync: sync.fdatasync });
    const create = db.run('CREATE TABLE t (n INTEGER)');
    expect(await settled(create)).toBe('pending');
    sync.finish();
    await create;
    const write = db.run('INSERT INTO t (n) VALUES (1)');
    expect(await settled(write)).toBe('pending');
    expect(sync.waiting).toHaveLength(1);
    expect(fstatSync(sync.waiting[0]!.fd).ino).toBe(statSync(join(dir, 'a.sqlite-wal')).ino);
    // Committed (another connection sees it) but not yet acknowledged.
    const other = new SqliteDatabase(join(dir, 'a.sqlite'), { fdatasync: (_fd, done) => done(null) });
    expect(await other.all('SELECT n FROM t')).toEqual([{ n: 1 }]);
    await other.close();
    // The event loop is free: a second write commits meanwhile and waits for the next sync, one for every group committed while the first ran.
    const second = db.run('INSERT INTO t (n) VALUES (2)');
    const third = db.run('INSERT INTO t (n) VALUES (3)');
    expect(await settled(second)).toBe('pending');
    sync.finish();
    expect(await write).toBe(1);
    expect(await settled(second)).toBe('pending');
    expect(sync.waiting).toHaveLength(1);
    sync.finish();
    expect([await second, await third]).toEqual([1, 1]);
    await db.close();
  });

  it('answers a read without a sync once what it could read is durable, and after the sync while a write is not', async () => {
    const sync = heldSync();
    const db = new SqliteDatabase(join(dir, 'r.sqlite'), { fdatasync: sync.fdatasync });
    const create = db.run('CREATE TABLE t (n INTEGER)');
    await settled(create);
    sync.finish();
    await create;
    expect(await db.all('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 0 }]);
    expect(sync.waiting).toEqual([]);
    // A write waits for its sync; a read that may have seen it waits for it too.
    const write = db.run('INSERT INTO t (n) VALUES (1)');
    await settled(write);
    const read = db.all('SELECT COUNT(*) AS n FROM t');
    expect(await settled(read)).toBe('pending');
    sync.finish();
    await write;
    await settled(read);
    sync.finish();
    expect(await read).toEqual([{ n: 1 }]);
    expect(await db.all('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 1 }]);
    expect(sync.waiting).toEqual([]);
    await db.close();
  });

  it('after a failed sync, fails the operations that waited for it and every one after (reads too) until restarted', async () => {
    const sync = heldSync();
    const file = join(dir, 'b.sqlite');
    const db = new SqliteDatabase(file, { fdatasync: sync.fdatasync });
    const create = db.run('CREATE TABLE t (n INTEGER)');
    await settled(create);
    sync.finish();
    await create;
    const write = db.run('INSERT INTO t (n) VALUES (1)');
    await settled(write);
    sync.finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(write).rejects.toThrow('EIO');
    // The row is committed but not known to be on disk: neither read back nor written over.
    await expect(db.all('SELECT n FROM t')).rejects.toThrow(/disk sync failed .*EIO.*restart the bridge/);
    await expect(db.run('INSERT INTO t (n) VALUES (2)')).rejects.toThrow(/disk sync failed/);
    await expect(db.ping()).rejects.toThrow(/disk sync failed/);
    expect(sync.waiting).toEqual([]);
    await db.close();
    // A restart recovers from what the file holds.
    const again = new SqliteDatabase(file);
    expect(await again.all('SELECT n FROM t')).toEqual([{ n: 1 }]);
    await again.close();
  });

  it('syncs the WAL of the file SQLite opened when the configured path is a symbolic link', async () => {
    const sync = heldSync();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const db = new SqliteDatabase(join(dir, 'link', 'd.sqlite'), { fdatasync: sync.fdatasync });
    const create = db.run('CREATE TABLE t (n INTEGER)');
    await settled(create);
    expect(fstatSync(sync.waiting[0]!.fd).ino).toBe(statSync(join(dir, 'real', 'd.sqlite-wal')).ino);
    sync.finish();
    await create;
    await db.close();
  });

  it('syncs with FULL inside COMMIT where there is no WAL (in memory), and answers at once', async () => {
    const sync = heldSync();
    const db = new SqliteDatabase(':memory:', { fdatasync: sync.fdatasync });
    await db.run('CREATE TABLE t (n INTEGER)');
    expect(await db.run('INSERT INTO t (n) VALUES (1)')).toBe(1);
    expect(sync.waiting).toEqual([]);
    expect(await db.all('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    await db.close();
  });

  it('commits without syncing where there is a WAL (NORMAL), the sync being ours', async () => {
    const db = new SqliteDatabase(join(dir, 'c.sqlite'));
    expect(await db.all('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await db.all('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    await db.close();
  });
});

describe('SQLite store: parameters', () => {
  it('binds $n by its number, in any order, repeated, and ignores values no $n names', async () => {
    const db = new SqliteDatabase(':memory:');
    expect(await db.all('SELECT $2 AS b, $1 AS a, $2 AS c', ['one', 'two'])).toEqual([{ b: 'two', a: 'one', c: 'two' }]);
    expect(await db.all('SELECT $1 AS a, $2 AS b', ['one', 'two'])).toEqual([{ a: 'one', b: 'two' }]);
    expect(await db.all('SELECT $1 AS a', ['one', 'unused'])).toEqual([{ a: 'one' }]);
    // A $n without its value is refused (better-sqlite3 would bind NULL), as by name and on PostgreSQL.
    await expect(db.all('SELECT $1 AS a, $2 AS b', ['one'])).rejects.toThrow(/takes 2 parameters; 1 given/);
    await expect(db.all('SELECT $2 AS b', ['one'])).rejects.toThrow(/takes 2 parameters; 1 given/);
    await db.close();
  });
});
