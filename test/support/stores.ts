import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { OutboxPolicy, StoreConfig } from '../../src/config/schema';
import { openStore, type Store, type StoreOptions } from '../../src/store';
import { PostgresDatabase } from '../../src/store/postgres';
import type { SqlDatabase } from '../../src/store/sql';
import { SqliteDatabase } from '../../src/store/sqlite';
import { PG_TEST_URL } from './postgres-url';

export const TEST_POLICY: OutboxPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, jitter: 0, leaseMs: 60_000 };

/** A manual clock: tests move time instead of waiting for it. */
export class TestClock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** One place a store's data lives; `open` may be called again to see what survived. */
export interface StoreSite {
  config: StoreConfig;
  open(options?: StoreOptions, policy?: OutboxPolicy): Promise<Store>;
  /** The bare database, to look at rows as stored. */
  raw(): SqlDatabase;
  destroy(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  available: boolean;
  site(): StoreSite;
}

function sqliteSite(): StoreSite {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-store-'));
  const config: StoreConfig = { path: join(dir, 'nested', 'bridge.sqlite'), schema: 'public', poolSize: 1 };
  return {
    config,
    open: (options, policy = TEST_POLICY) => openStore(config, policy, options),
    raw: () => new SqliteDatabase(config.path),
    destroy: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

function postgresSite(): StoreSite {
  const schema = `bridge_test_${randomBytes(6).toString('hex')}`;
  const config: StoreConfig = { path: 'unused', url: PG_TEST_URL, schema, poolSize: 4 };
  return {
    config,
    open: (options, policy = TEST_POLICY) => openStore(config, policy, options),
    raw: () => new PostgresDatabase({ url: PG_TEST_URL, schema, poolSize: 1 }),
    async destroy() {
      const client = new Client({ connectionString: PG_TEST_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

export const BACKENDS: Backend[] = [
  { name: 'sqlite', available: true, site: sqliteSite },
  { name: 'postgres', available: process.env.BRIDGE_TEST_PG === 'available', site: postgresSite },
];

/** `describe` for an available backend, `describe.skip` with the reason in its title otherwise. */
export function describeBackend(backend: Backend, body: () => void): void {
  if (backend.available) describe(`store on ${backend.name}`, body);
  else describe.skip(`store on ${backend.name} (SKIPPED: PostgreSQL unreachable)`, body);
}

/** Runs `fn` on a raw connection to the site's database (past the repositories), closed after. */
export async function withRaw<T>(site: StoreSite, fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const db = site.raw();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
