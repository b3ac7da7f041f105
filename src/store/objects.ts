import type { SqlExecutor } from './sql';

/**
 * The last known OCPI objects of the backend (locations, tariffs, sessions, tokens), as canonical
 * 2.2.1 JSON: a PATCH changes only some members, and the OICP side needs the whole object to map
 * it (an EVSE status PATCH names neither the EvseID nor the address). Kept as TEXT, returned as stored.
 */
/** The owner of a cached object as its key writes it: `CC*PID`. */
export const ownerKey = (party: { countryCode: string; partyId: string }): string => `${party.countryCode}*${party.partyId}`;

/** The owner key of an OCPI object by the party it names (OCPI compares them case-insensitively). */
export const ownerOf = (object: { country_code: string; party_id: string }): string => ownerKey({ countryCode: object.country_code.toUpperCase(), partyId: object.party_id.toUpperCase() });

export interface CachedObject<T = unknown> {
  module: string;
  /** The owner as `CC*PID` (country code and party id, upper case). */
  owner: string;
  id: string;
  body: T;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  module: string;
  owner: string;
  id: string;
  body: string;
  created_at: number;
  updated_at: number;
}

export class ObjectRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly tenant: string,
    private readonly now: () => number,
  ) {}

  async put(module: string, owner: string, id: string, body: unknown): Promise<void> {
    const at = this.now();
    await this.db.run(
      `INSERT INTO ocpi_objects (tenant, module, owner, id, body, created_at, updated_at, last_updated) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
       ON CONFLICT (tenant, module, owner, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, last_updated = excluded.last_updated`,
      [this.tenant, module, owner, id, JSON.stringify(body), at, lastUpdatedOf(body)],
    );
  }

  /**
   * Holds the object (existing or not yet) until the transaction ends, so that concurrent updates of
   * it — from several instances too — read, compare and write one after the other. Call first in the
   * transaction. SQLite transactions are exclusive already. Tenants never wait for each other's objects.
   */
  async lock(module: string, owner: string, id: string): Promise<void> {
    if (this.db.dialect === 'postgres') await this.db.all('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${this.tenant} ${module} ${owner} ${id}`]);
  }

  async get<T>(module: string, owner: string, id: string): Promise<CachedObject<T> | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM ocpi_objects WHERE tenant = $1 AND module = $2 AND owner = $3 AND id = $4', [this.tenant, module, owner, id]);
    return row && toObject<T>(row);
  }

  /** A module's objects, oldest first (the order OCPI lists ask for). */
  async list<T>(module: string): Promise<CachedObject<T>[]> {
    return (await this.db.all<Row>('SELECT * FROM ocpi_objects WHERE tenant = $1 AND module = $2 ORDER BY created_at, owner, id', [this.tenant, module])).map((row) => toObject<T>(row));
  }

  /**
   * One page of a module's objects, oldest first, for an OCPI list: `from` inclusive and `to`
   * exclusive on the objects' own last_updated; `total` counts every match.
   */
  async page<T>(module: string, query: { offset: number; limit: number; from?: Date; to?: Date }): Promise<{ items: CachedObject<T>[]; total: number }> {
    const where = ['tenant = $1', 'module = $2'];
    const params: unknown[] = [this.tenant, module];
    if (query.from) where.push(`last_updated >= $${params.push(query.from.toISOString())}`);
    if (query.to) where.push(`last_updated < $${params.push(query.to.toISOString())}`);
    const filter = where.join(' AND ');
    const [count] = await this.db.all<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ocpi_objects WHERE ${filter}`, params);
    const rows = await this.db.all<Row>(`SELECT * FROM ocpi_objects WHERE ${filter} ORDER BY created_at, owner, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
      ...params,
      query.limit,
      query.offset,
    ]);
    return { items: rows.map((row) => toObject<T>(row)), total: Number(count?.total ?? 0) };
  }

  /** Deletes a module's objects not written since `before` (epoch ms); returns how many went. */
  async deleteUnchangedSince(module: string, before: number): Promise<number> {
    return this.db.run('DELETE FROM ocpi_objects WHERE tenant = $1 AND module = $2 AND updated_at < $3', [this.tenant, module, before]);
  }

  async delete(module: string, owner: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM ocpi_objects WHERE tenant = $1 AND module = $2 AND owner = $3 AND id = $4', [this.tenant, module, owner, id])) === 1;
  }
}

/** The body's own last_updated, normalised so that text order is time order; OCPI without a zone means UTC. */
export function lastUpdatedOf(body: unknown): string | null {
  const stamp = (body as { last_updated?: unknown } | null)?.last_updated;
  if (typeof stamp !== 'string') return null;
  const time = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(stamp) ? stamp : `${stamp}Z`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function toObject<T>(row: Row): CachedObject<T> {
  return { module: row.module, owner: row.owner, id: row.id, body: JSON.parse(row.body) as T, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
