import { Client } from 'pg';
import { PG_TEST_URL } from './postgres-url';

/**
 * Decides once per run whether the PostgreSQL half of the store suites runs. On CI the database is
 * part of the machine, so its absence is a failure, not a reason to skip.
 */
export default async function globalSetup(): Promise<void> {
  const client = new Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.BRIDGE_TEST_PG = 'available';
  } catch (err) {
    const reason = `PostgreSQL not reachable at ${PG_TEST_URL} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
    process.env.BRIDGE_TEST_PG = 'unavailable';
    console.warn(`\n${reason}: the PostgreSQL store tests are SKIPPED (set BRIDGE_TEST_PG_URL to point elsewhere).\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
