import type { SqlExecutor } from './sql';

/**
 * What the bridge accepted from a peer but holds back, and why: a location or EVSE that is valid OCPI
 * but cannot go to Hubject (another operator's EvseID, no EvseID, unpublished), a CDR that cannot be
 * priced yet. The peer was answered (it may push its whole network to every partner), so this list,
 * not a log line, is where an operator sees it. An entry goes when its object can be forwarded again.
 */
export interface HeldItem {
  /** What is held: `location`, `evse`, `cdr`, ... */
  kind: string;
  /** Which one, in the ids the operator knows (`DE*ABC/LOC1`, an EvseID, a CDR id). */
  ref: string;
  reason: string;
  /** The mappers' findings or other facts behind the reason. */
  details: unknown;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  kind: string;
  ref: string;
  reason: string;
  details: string;
  created_at: number;
  updated_at: number;
}

export class HeldRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly tenant: string,
    private readonly now: () => number,
  ) {}

  /** Records (or updates) why an object is held; its first time is kept. */
  async hold(entry: { kind: string; ref: string; reason: string; details?: unknown }): Promise<void> {
    const at = this.now();
    await this.db.run(
      `INSERT INTO held_items (tenant, kind, ref, reason, details, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (tenant, kind, ref) DO UPDATE SET reason = excluded.reason, details = excluded.details, updated_at = excluded.updated_at`,
      [this.tenant, entry.kind, entry.ref, entry.reason, JSON.stringify(entry.details ?? null), at],
    );
  }

  /** The object is forwarded again (or gone): it is no longer held. */
  async release(kind: string, ref: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM held_items WHERE tenant = $1 AND kind = $2 AND ref = $3', [this.tenant, kind, ref])) === 1;
  }

  async get(kind: string, ref: string): Promise<HeldItem | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM held_items WHERE tenant = $1 AND kind = $2 AND ref = $3', [this.tenant, kind, ref]);
    return row && toHeld(row);
  }

  /** Held items (of a kind), oldest first. */
  async list(options: { kind?: string; limit?: number; offset?: number } = {}): Promise<HeldItem[]> {
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    const rows =
      options.kind === undefined
        ? await this.db.all<Row>('SELECT * FROM held_items WHERE tenant = $1 ORDER BY created_at, kind, ref LIMIT $2 OFFSET $3', [this.tenant, limit, offset])
        : await this.db.all<Row>('SELECT * FROM held_items WHERE tenant = $1 AND kind = $2 ORDER BY created_at, ref LIMIT $3 OFFSET $4', [this.tenant, options.kind, limit, offset]);
    return rows.map(toHeld);
  }

  /** How many are held, per kind (for metrics). */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ kind: string; n: number | string }>('SELECT kind, COUNT(*) AS n FROM held_items WHERE tenant = $1 GROUP BY kind', [this.tenant]);
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  }
}

function toHeld(row: Row): HeldItem {
  return { kind: row.kind, ref: row.ref, reason: row.reason, details: JSON.parse(row.details) as unknown, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
