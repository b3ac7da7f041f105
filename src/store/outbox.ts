import { randomUUID } from 'node:crypto';
import type { OutboxPolicy } from '../config/schema';
import { redactText } from '../observability/redact';
import { placeholders, type SqlExecutor } from './sql';

export type OutboxState = 'pending' | 'done' | 'dead';

export interface OutboxItem {
  id: number;
  topic: string;
  /** Deduplication key: a second enqueue with the same topic and key is ignored, even after delivery. */
  key: string | null;
  payload: unknown;
  state: OutboxState;
  /** Delivery attempts started so far (a claim counts, so a message that crashes its sender still runs out). */
  attempts: number;
  dueAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An item reserved for one sender; only the holder of `claimToken` may settle it. */
export interface ClaimedItem extends OutboxItem {
  claimToken: string;
}

export interface EnqueueRequest {
  topic: string;
  key?: string;
  payload: unknown;
  /** Earliest delivery time (epoch ms); default now. */
  dueAt?: number;
}

export type FailOutcome = 'retry' | 'dead' | 'stale';

interface Row {
  id: number;
  topic: string;
  dedupe_key: string | null;
  payload: string;
  state: OutboxState;
  attempts: number;
  due_at: number;
  claim_token: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * Exponential backoff with a cap and a random spread: attempt 1 failed -> about baseDelay, then
 * doubling up to maxDelay.
 */
export function retryDelay(attempt: number, policy: Pick<OutboxPolicy, 'baseDelayMs' | 'maxDelayMs' | 'jitter'>, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const spread = nominal * policy.jitter;
  return Math.round(Math.min(policy.maxDelayMs, nominal - spread + random() * 2 * spread));
}

const MAX_ERROR_LENGTH = 2_000;

export class OutboxRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly policy: OutboxPolicy,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {}

  /** Adds an item; call inside the transaction that makes the state change it announces. */
  async enqueue(request: EnqueueRequest): Promise<{ id: number; created: boolean }> {
    const at = this.now();
    const rows = await this.db.all<{ id: number }>(
      `INSERT INTO outbox (topic, dedupe_key, payload, state, attempts, due_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', 0, $4, $5, $5)
       ON CONFLICT (topic, dedupe_key) DO NOTHING
       RETURNING id`,
      [request.topic, request.key ?? null, JSON.stringify(request.payload), request.dueAt ?? at, at],
    );
    if (rows[0]) return { id: rows[0].id, created: true };
    const [existing] = await this.db.all<{ id: number }>('SELECT id FROM outbox WHERE topic = $1 AND dedupe_key = $2', [request.topic, request.key]);
    return { id: existing!.id, created: false };
  }

  /**
   * Reserves up to `limit` due items, oldest first, for `leaseMs`. PostgreSQL skips rows another
   * instance is claiming at this moment; a sender that dies loses its lease and the item is due again.
   */
  async claim(options: { limit: number; topics?: readonly string[] }): Promise<ClaimedItem[]> {
    const at = this.now();
    const token = randomUUID();
    const topics = options.topics ?? [];
    const topicFilter = topics.length > 0 ? `AND topic IN (${placeholders(topics.length, 4)})` : '';
    const lock = this.db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.all<Row>(
      `UPDATE outbox SET attempts = attempts + 1, due_at = $1, claim_token = $2, updated_at = $3
       WHERE id IN (
         SELECT id FROM outbox WHERE state = 'pending' AND due_at <= $3 ${topicFilter}
         ORDER BY due_at, id LIMIT $4 ${lock}
       )
       RETURNING *`,
      [at + this.policy.leaseMs, token, at, options.limit, ...topics],
    );
    return rows.sort((a, b) => a.id - b.id).map((row) => ({ ...toItem(row), claimToken: token }));
  }

  /** Delivered. False when the claim had expired and the item was taken over (the caller's send was a duplicate). */
  async complete(item: Pick<ClaimedItem, 'id' | 'claimToken'>): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE outbox SET state = 'done', claim_token = NULL, updated_at = $1 WHERE id = $2 AND claim_token = $3 AND state = 'pending'`,
      [this.now(), item.id, item.claimToken],
    );
    return changed === 1;
  }

  /**
   * Not delivered: due again after the backoff delay, or dead-lettered when attempts are used up or
   * the failure is permanent (the peer refused the content; retrying cannot help).
   */
  async fail(item: Pick<ClaimedItem, 'id' | 'claimToken' | 'attempts'>, error: string, options: { permanent?: boolean } = {}): Promise<FailOutcome> {
    const at = this.now();
    const dead = options.permanent === true || item.attempts >= this.policy.maxAttempts;
    const changed = await this.db.run(
      `UPDATE outbox SET state = $1, due_at = $2, last_error = $3, claim_token = NULL, updated_at = $4
       WHERE id = $5 AND claim_token = $6 AND state = 'pending'`,
      [
        dead ? 'dead' : 'pending',
        dead ? at : at + retryDelay(item.attempts, this.policy, this.random),
        redactText(error).slice(0, MAX_ERROR_LENGTH),
        at,
        item.id,
        item.claimToken,
      ],
    );
    if (changed !== 1) return 'stale';
    return dead ? 'dead' : 'retry';
  }

  async get(id: number): Promise<OutboxItem | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM outbox WHERE id = $1', [id]);
    return row && toItem(row);
  }

  async listDead(options: { topic?: string; limit?: number } = {}): Promise<OutboxItem[]> {
    const rows = options.topic
      ? await this.db.all<Row>(`SELECT * FROM outbox WHERE state = 'dead' AND topic = $1 ORDER BY id LIMIT $2`, [options.topic, options.limit ?? 100])
      : await this.db.all<Row>(`SELECT * FROM outbox WHERE state = 'dead' ORDER BY id LIMIT $1`, [options.limit ?? 100]);
    return rows.map(toItem);
  }

  /** Gives a dead letter a fresh set of attempts, due now. */
  async requeue(id: number): Promise<boolean> {
    const at = this.now();
    const changed = await this.db.run(`UPDATE outbox SET state = 'pending', attempts = 0, due_at = $1, updated_at = $1 WHERE id = $2 AND state = 'dead'`, [at, id]);
    return changed === 1;
  }

  /**
   * Deletes delivered items settled before the given times: those without a key from `unkeyedBefore`, keyed ones
   * (whose row is what makes a second enqueue of the key a no-op) from `keyedBefore`. Pending and dead items stay.
   * Works in batches so neither database holds a long write lock; returns how many went.
   */
  async purgeDelivered(options: { unkeyedBefore: number; keyedBefore: number; batch?: number }): Promise<number> {
    const batch = options.batch ?? 5_000;
    let purged = 0;
    for (const [keyed, before] of [['IS NULL', options.unkeyedBefore], ['IS NOT NULL', options.keyedBefore]] as const) {
      let deleted: number;
      do {
        deleted = await this.db.run(
          `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'done' AND updated_at < $1 AND dedupe_key ${keyed} LIMIT $2)`,
          [before, batch],
        );
        purged += deleted;
      } while (deleted === batch);
    }
    return purged;
  }

  /** Items not yet delivered, by state (for metrics and readiness). */
  async depth(): Promise<{ pending: number; dead: number }> {
    const rows = await this.db.all<{ state: OutboxState; n: number | string }>(`SELECT state, COUNT(*) AS n FROM outbox WHERE state <> 'done' GROUP BY state`);
    const count = (state: OutboxState) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return { pending: count('pending'), dead: count('dead') };
  }
}

function toItem(row: Row): OutboxItem {
  return {
    id: Number(row.id),
    topic: row.topic,
    key: row.dedupe_key,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state,
    attempts: row.attempts,
    dueAt: row.due_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
