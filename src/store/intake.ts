import { CorrelationConflictError, type CorrelationRepository } from './correlations';
import { lastUpdatedOf, type ObjectRepository } from './objects';
import type { EnqueueRequest, OutboxRepository } from './outbox';
import type { SqlExecutor } from './sql';

/** A correlation pair, as a record may name it. */
type Pair = { kind: string; ocpiId: string; oicpId: string };

/** A record accepted once for good (a CDR): stored, correlated with its OICP id, and announced. */
export interface FirstWrite {
  object: { module: string; owner: string; id: string; body: unknown };
  correlation: Pair;
  announcement: EnqueueRequest & { key: string };
  /** Written only if this pair is stored (a CDR's authorization), checked in the same statement or transaction. */
  requires?: Pair;
}

/**
 * stored: all three written now (the outbox item's id); known: the object was there already (its
 * body, as stored), nothing written; unmet: neither, the required pair is not stored, nothing written.
 */
export type FirstWriteResult = { outcome: 'stored'; outboxId: number } | { outcome: 'known'; body: unknown } | { outcome: 'unmet' };

/**
 * Accepts a record that is written once and never changed (a CDR): the object, its correlation and
 * its outbox item together, or nothing when the object is already there. A correlation of the OICP
 * id with another object throws CorrelationConflictError (one CDR per Hubject session).
 *
 * On PostgreSQL this is one statement — one round trip, its own transaction — where the general
 * path (begin, lock, read, check, three writes, commit) took nine: the unique indexes serialise
 * concurrent attempts at the same record instead of an advisory lock. The required pair is looked at
 * in the same statement, not in a read before it. SQLite runs in-process, so there the repositories do
 * it step by step in one transaction.
 */
export async function acceptOnce(db: SqlExecutor, tenant: string, now: () => number, repositories: { objects: ObjectRepository }, write: FirstWrite): Promise<FirstWriteResult> {
  const { object, correlation, announcement, requires } = write;
  const at = now();
  const met = '($15::text IS NULL OR EXISTS (SELECT 1 FROM correlations WHERE tenant = $14 AND kind = $15 AND ocpi_id = $16 AND oicp_id = $17))';
  let rows: { stored: number | string; existing: string | null; outbox_id: number | string | null; met: boolean }[];
  try {
    rows = await db.all(
      `WITH object AS (
         INSERT INTO ocpi_objects (tenant, module, owner, id, body, created_at, updated_at, last_updated) SELECT $14, $1, $2, $3, $4, $5, $5, $6 WHERE ${met}
         ON CONFLICT (tenant, module, owner, id) DO NOTHING RETURNING id
       ), pair AS (
         INSERT INTO correlations (tenant, kind, ocpi_id, oicp_id, attrs, created_at, updated_at) SELECT $14, $7, $8, $9, '{}', $5, $5 FROM object
         ON CONFLICT (tenant, kind, ocpi_id) DO UPDATE SET oicp_id = excluded.oicp_id, attrs = excluded.attrs, updated_at = excluded.updated_at RETURNING 1
       ), announced AS (
         INSERT INTO outbox (tenant, topic, dedupe_key, payload, state, attempts, due_at, created_at, updated_at, order_key, barrier, replace_key)
         SELECT $14, $10, $11, $12, 'pending', 0, $5, $5, $5, $13, 0, NULL FROM pair
         ON CONFLICT (tenant, topic, dedupe_key) DO NOTHING RETURNING id
       )
       SELECT (SELECT COUNT(*) FROM object) AS stored, (SELECT id FROM announced) AS outbox_id,
         (SELECT body FROM ocpi_objects WHERE tenant = $14 AND module = $1 AND owner = $2 AND id = $3) AS existing, ${met} AS met`,
      [
        object.module,
        object.owner,
        object.id,
        JSON.stringify(object.body),
        at,
        lastUpdatedOf(object.body),
        correlation.kind,
        correlation.ocpiId,
        correlation.oicpId,
        announcement.topic,
        announcement.key,
        JSON.stringify(announcement.payload),
        announcement.order ?? null,
        tenant,
        requires?.kind ?? null,
        requires?.ocpiId ?? null,
        requires?.oicpId ?? null,
      ],
    );
  } catch (err) {
    if ((err as { code?: unknown }).code === '23505' && (err as { constraint?: unknown }).constraint === 'correlations_oicp') throw new CorrelationConflictError(correlation.kind, correlation.oicpId);
    throw err;
  }
  const [row] = rows;
  if (Number(row?.stored ?? 0) > 0) return { outcome: 'stored', outboxId: Number(row!.outbox_id) };
  // The statement's snapshot predates a concurrent first attempt it waited for: read what that one stored.
  if (row?.existing != null) return { outcome: 'known', body: JSON.parse(row.existing) as unknown };
  if (row?.met === false) return { outcome: 'unmet' };
  const stored = await repositories.objects.get(object.module, object.owner, object.id);
  if (!stored) throw new Error(`${object.module} ${object.owner}/${object.id} was neither stored nor found`);
  return { outcome: 'known', body: stored.body };
}

/** The same, step by step in the caller's transaction (SQLite). */
export async function acceptOnceIn(tx: { objects: ObjectRepository; correlations: CorrelationRepository; outbox: OutboxRepository }, { object, correlation, announcement, requires }: FirstWrite): Promise<FirstWriteResult> {
  const known = await tx.objects.get(object.module, object.owner, object.id);
  if (known) return { outcome: 'known', body: known.body };
  if (requires && (await tx.correlations.byOcpi(requires.kind, requires.ocpiId))?.oicpId !== requires.oicpId) return { outcome: 'unmet' };
  const first = await tx.correlations.byOicp(correlation.kind, correlation.oicpId);
  if (first && first.ocpiId !== correlation.ocpiId) throw new CorrelationConflictError(correlation.kind, correlation.oicpId);
  await tx.correlations.put(correlation);
  await tx.objects.put(object.module, object.owner, object.id, object.body);
  const { id } = await tx.outbox.enqueue(announcement);
  return { outcome: 'stored', outboxId: id };
}
