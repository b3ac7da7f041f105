import { randomUUID } from 'node:crypto';
import type { OutboxPolicy } from '../config/schema';
import { redactText } from '../core/redact';
import { placeholders, type SqlExecutor } from './sql';

/** pending: to be delivered (claimed ones too); done: delivered; dead: given up, waiting for an operator; discarded: an operator gave it up. */
export type OutboxState = 'pending' | 'done' | 'dead' | 'discarded';

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
  /** Items with the same order key are delivered one at a time, oldest first (all statuses of one EVSE; a session's notifications, then its CDR). */
  orderKey: string | null;
  /** Goes after every earlier item of its topic and before every later one (a fullLoad). */
  barrier: boolean;
  /** The object whose current state it announces (EnqueueRequest.replaces), or null. */
  replaces: string | null;
  /** Why an operator discarded it. */
  resolution: string | null;
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
  /** The order key: items sharing it are delivered one at a time, in enqueue order, across topics. */
  order?: string;
  /** See OutboxItem.barrier. */
  barrier?: boolean;
  /**
   * With `order`: the item announces the state of the object this key names, so a newer announcement
   * of it replaces the payload while the item waits as the newest of its order key (not once a sender
   * holds it: then the newer one follows it). A burst of changes to one object costs one delivery.
   */
  replaces?: string;
}

export interface EnqueueResult {
  id: number;
  /** False when the key was already there (nothing added) or a waiting item took the payload (`replaced`). */
  created: boolean;
  replaced?: boolean;
}

/** What settling an item needs to know of it. */
type Settled = Pick<ClaimedItem, 'id' | 'claimToken' | 'key' | 'replaces'>;

/** retry: due again after the backoff; dead: dead-lettered; superseded: a newer announcement of the same object waits, so this one is settled; stale: another sender holds it now. */
export type FailOutcome = 'retry' | 'dead' | 'stale' | 'superseded';

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
  order_key: string | null;
  barrier: number;
  replace_key: string | null;
  resolution: string | null;
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

/** The columns an enqueue writes, in the order its values are given. */
const COLUMNS = 'tenant, topic, dedupe_key, payload, state, attempts, due_at, created_at, updated_at, order_key, barrier, replace_key';

/**
 * A tenant's outbox: every statement reads and settles only the items of `tenant`, so its senders
 * claim only its items, and its order keys and barriers hold back only its own: another tenant's
 * refusals or outage never delay these deliveries.
 */
export class OutboxRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly tenant: string,
    private readonly policy: OutboxPolicy,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {}

  /** Adds an item; call inside the transaction that makes the state change it announces. */
  async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    const at = this.now();
    const values = [this.tenant, request.topic, request.key ?? null, JSON.stringify(request.payload), request.dueAt ?? at, at, request.order ?? null, request.barrier ? 1 : 0, request.replaces ?? null];
    const row = `$1, $2, $3, $4, 'pending', 0, $5, $6, $6, $7, $8, $9`;
    let added: { id: number } | undefined;
    if (request.replaces !== undefined && request.order !== undefined && this.db.dialect === 'postgres') {
      // One round trip where the steps below take two: the look at the newest item of the order key,
      // its replacement (re-checked under the row lock, as replacePayload does), and the insert when
      // nothing was replaced, all in one snapshot as the two statements would see it.
      const [result] = await this.db.all<{ replaced: number | null; added: number | null }>(
        `WITH newest AS (SELECT id FROM outbox WHERE tenant = $1 AND order_key = $7 ORDER BY id DESC LIMIT 1),
         replaced AS (
           UPDATE outbox SET payload = $4, updated_at = $6
           WHERE tenant = $1 AND id = (SELECT id FROM newest) AND topic = $2 AND replace_key = $9 AND state = 'pending' AND claim_token IS NULL
           RETURNING id
         ), added AS (INSERT INTO outbox (${COLUMNS}) SELECT ${row} WHERE NOT EXISTS (SELECT 1 FROM replaced) ON CONFLICT (tenant, topic, dedupe_key) DO NOTHING RETURNING id)
         SELECT (SELECT id FROM replaced) AS replaced, (SELECT id FROM added) AS added`,
        values,
      );
      if (result?.replaced != null) return { id: Number(result.replaced), created: false, replaced: true };
      if (result?.added != null) added = { id: Number(result.added) };
    } else {
      if (request.replaces !== undefined && request.order !== undefined) {
        const [last] = await this.db.all<Newest>('SELECT id, topic, state, replace_key, claim_token FROM outbox WHERE tenant = $1 AND order_key = $2 ORDER BY id DESC LIMIT 1', [
          this.tenant,
          request.order,
        ]);
        if (last && takesOver(last, request) && (await this.replacePayload(Number(last.id), values[3] as string, at))) return { id: Number(last.id), created: false, replaced: true };
      }
      [added] = await this.db.all<{ id: number }>(`INSERT INTO outbox (${COLUMNS}) VALUES (${row}) ON CONFLICT (tenant, topic, dedupe_key) DO NOTHING RETURNING id`, values);
    }
    if (added) return { id: Number(added.id), created: true };
    const [existing] = await this.db.all<{ id: number }>('SELECT id FROM outbox WHERE tenant = $1 AND topic = $2 AND dedupe_key = $3', [this.tenant, request.topic, request.key]);
    return { id: Number(existing!.id), created: false };
  }

  /**
   * Adds several unkeyed items as `enqueue` one after the other would — the same rows, in the same
   * order, the same replacements — in a few statements: one read of the newest item of each order key
   * (64 keys a statement) and one insert per 64 new items, where `enqueue` costs a read and an insert
   * per item (a network pull announces hundreds of locations a page). Call inside the transaction
   * that makes the state changes they announce, after them. Unkeyed only: a keyed item may be a no-op
   * (its key is there), which a multi-row insert cannot tell row by row.
   */
  async enqueueAll(requests: readonly Omit<EnqueueRequest, 'key'>[]): Promise<EnqueueResult[]> {
    // The type says unkeyed; a request built elsewhere may still carry a key, which a multi-row insert would drop.
    if (requests.some((r) => (r as EnqueueRequest).key !== undefined)) throw new Error('enqueueAll takes unkeyed items only; enqueue a keyed item on its own');
    const at = this.now();
    const orders = [...new Set(requests.flatMap((r) => (r.replaces !== undefined && r.order !== undefined ? [r.order] : [])))];
    /** The newest item of each order key, as the requests so far left it: a stored row, or one of the new rows (by its place in `added`). */
    const newest = new Map<string, Newest | { added: number; topic: string; replace_key: string | null }>();
    for (const keys of batches(orders)) {
      const rows = await this.db.all<Newest & { order_key: string }>(
        `SELECT id, order_key, topic, state, replace_key, claim_token FROM outbox o
         WHERE tenant = $1 AND order_key IN (${placeholders(keys.length, 1)})
           AND NOT EXISTS (SELECT 1 FROM outbox n WHERE n.tenant = o.tenant AND n.order_key = o.order_key AND n.id > o.id)`,
        [this.tenant, ...keys],
      );
      for (const row of rows) newest.set(row.order_key, row);
    }
    const added: unknown[][] = [];
    /** Per request: what enqueue would have answered, a new row's id known only once it is inserted. */
    const outcomes: ({ id: number; replaced: true } | { added: number; replaced: boolean })[] = [];
    for (const request of requests) {
      const payload = JSON.stringify(request.payload);
      if (request.replaces !== undefined && request.order !== undefined) {
        const last = newest.get(request.order);
        if (last && 'added' in last && last.topic === request.topic && last.replace_key === request.replaces) {
          added[last.added]![1] = payload;
          outcomes.push({ added: last.added, replaced: true });
          continue;
        }
        if (last && !('added' in last) && takesOver(last, request) && (await this.replacePayload(Number(last.id), payload, at))) {
          outcomes.push({ id: Number(last.id), replaced: true });
          continue;
        }
      }
      outcomes.push({ added: added.length, replaced: false });
      if (request.order !== undefined) newest.set(request.order, { added: added.length, topic: request.topic, replace_key: request.replaces ?? null });
      added.push([request.topic, payload, request.dueAt ?? at, at, request.order ?? null, request.barrier ? 1 : 0, request.replaces ?? null]);
    }
    const ids: number[] = [];
    for (const rows of batches(added)) {
      const values = rows.map((_, i) => {
        const [topic, payload, due, created, order, barrier, replaces] = placeholders(7, 1 + i * 7).split(', ');
        return `($1, ${topic}, NULL, ${payload}, 'pending', 0, ${due}, ${created}, ${created}, ${order}, ${barrier}, ${replaces})`;
      });
      const inserted = await this.db.all<{ id: number | string }>(
        `INSERT INTO outbox (${COLUMNS}) VALUES ${values.join(', ')} RETURNING id`,
        [this.tenant, ...rows.flat()],
      );
      // Both stores give a multi-row insert's ids in the order of its rows (SQLite's rowids, PostgreSQL's
      // sequence evaluated row by row); sorted, so the pairing does not rest on the order RETURNING lists them.
      ids.push(...inserted.map((r) => Number(r.id)).sort((a, b) => a - b));
    }
    return outcomes.map((o) => ('id' in o ? { id: o.id, created: false, replaced: true } : o.replaced ? { id: ids[o.added]!, created: false, replaced: true } : { id: ids[o.added]!, created: true }));
  }

  /**
   * A waiting item takes a newer payload. The update re-checks the claim under the row lock, so an
   * item a sender claimed meanwhile is left alone (false) and the caller adds a new one behind it.
   */
  private async replacePayload(id: number, payload: string, at: number): Promise<boolean> {
    const changed = await this.db.run(`UPDATE outbox SET payload = $1, updated_at = $2 WHERE tenant = $3 AND id = $4 AND state = 'pending' AND claim_token IS NULL`, [
      payload,
      at,
      this.tenant,
      id,
    ]);
    return changed === 1;
  }

  /**
   * Reserves up to `limit` due items, oldest first, for `leaseMs`. An item waits while an earlier one
   * of its order key is not settled (claimed ones included), and behind a barrier of its topic; a
   * barrier waits for everything before it in its topic. PostgreSQL skips rows another instance is
   * claiming at this moment; a sender that dies loses its lease and the item is due again.
   */
  async claim(options: { limit: number; topics?: readonly string[]; /** The caller has just seen due items (`dueTopics`): no read first. */ seenDue?: boolean }): Promise<ClaimedItem[]> {
    const at = this.now();
    const token = randomUUID();
    const topics = options.topics ?? [];
    const inTopics = (offset: number) => (topics.length > 0 ? `AND o.topic IN (${placeholders(topics.length, offset)})` : '');
    // A read first: most looks find nothing due, and on SQLite a read costs no write transaction.
    if (options.seenDue !== true) {
      const [due] = await this.db.all(`SELECT 1 AS due FROM outbox o WHERE o.tenant = $1 AND o.state = 'pending' AND o.due_at <= $2 ${inTopics(2)} LIMIT 1`, [this.tenant, at, ...topics]);
      if (!due) return [];
    }
    const lock = this.db.dialect === 'postgres' ? 'FOR UPDATE OF o SKIP LOCKED' : '';
    const rows = await this.db.all<Row>(
      `UPDATE outbox SET attempts = attempts + 1, due_at = $1, claim_token = $2, updated_at = $3
       WHERE id IN (
         SELECT o.id FROM outbox o
         WHERE o.tenant = $5 AND o.state = 'pending' AND o.due_at <= $3 ${inTopics(5)}
           AND (o.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.tenant = o.tenant AND p.order_key = o.order_key AND p.state = 'pending' AND p.id < o.id))
           AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.tenant = o.tenant AND b.topic = o.topic AND b.barrier = 1 AND b.state = 'pending' AND b.id < o.id)
           AND (o.barrier = 0 OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.tenant = o.tenant AND e.topic = o.topic AND e.state = 'pending' AND e.id < o.id))
         ORDER BY o.due_at, o.id LIMIT $4 ${lock}
       )
       RETURNING *`,
      [at + this.policy.leaseMs, token, at, options.limit, this.tenant, ...topics],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((row) => ({ ...toItem(row), claimToken: token }));
  }

  /**
   * Which of `topics` have an item due now: one read for all of them, where a look per topic cost a
   * round trip each (the outbox worker looks at every topic with a free slot each time a delivery
   * returns). Each topic's test stops at its first due item.
   */
  async dueTopics(topics: readonly string[]): Promise<string[]> {
    if (topics.length === 0) return [];
    const tests = topics.map((_, i) => `SELECT $${i + 3} AS topic WHERE EXISTS (SELECT 1 FROM outbox WHERE tenant = $1 AND topic = $${i + 3} AND state = 'pending' AND due_at <= $2)`);
    const rows = await this.db.all<{ topic: string }>(tests.join(' UNION ALL '), [this.tenant, this.now(), ...topics]);
    return rows.map((row) => row.topic);
  }

  /**
   * Keeps a claim for another `leaseMs` while its delivery is still running (a bulk push may take two
   * minutes, more than the lease): without it the item would be claimed and sent again meanwhile.
   * Returns how many items the claim still held.
   */
  async renew(items: readonly Pick<ClaimedItem, 'id' | 'claimToken'>[]): Promise<number> {
    if (items.length === 0) return 0;
    const ids = items.map((i) => i.id);
    return this.db.run(`UPDATE outbox SET due_at = $1 WHERE tenant = $2 AND claim_token = $3 AND state = 'pending' AND id IN (${placeholders(ids.length, 3)})`, [
      this.now() + this.policy.leaseMs,
      this.tenant,
      items[0]!.claimToken,
      ...ids,
    ]);
  }

  /** Delivered. False when the claim had expired and the item was taken over (the caller's send was a duplicate). */
  async complete(item: Settled): Promise<boolean> {
    return (await this.completeAll([item])) === 1;
  }

  /**
   * Delivers several items, of one claim or of several; returns how many were still held by the
   * claim each names (an item whose claim expired and was taken over is left to its new holder). A
   * delivered state announcement (a replaceable item without a key: an EVSE status, EVSE data, a
   * location) is deleted at once — nothing asks for it again, and keeping one row per status change
   * for the retention period made the store grow with the traffic instead of the network. Other items
   * stay as done until the retention purge (a keyed one is what makes its key's second enqueue a
   * no-op). One statement per kind present (on SQLite, per 64 items), whatever the claims: the
   * outbox worker settles the deliveries answered meanwhile together, where a statement per delivery
   * set PostgreSQL's rate.
   */
  async completeAll(items: readonly Settled[]): Promise<number> {
    const announcement = (i: Settled) => i.replaces !== null && i.key === null;
    let settled = 0;
    for (const held of this.held(items.filter(announcement))) settled += await this.db.run(`DELETE FROM outbox WHERE ${held.where}`, held.params);
    for (const held of this.held(items.filter((i) => !announcement(i)))) {
      settled += await this.db.run(`UPDATE outbox SET state = 'done', claim_token = NULL, updated_at = $${held.params.length + 1} WHERE ${held.where}`, [...held.params, this.now()]);
    }
    return settled;
  }

  /**
   * The condition that selects the items still held by the claims they name: each its own `(id,
   * claim_token)` pair. PostgreSQL takes them as two arrays (one statement text whatever the count);
   * SQLite, which binds no arrays, as rows of a VALUES list, 64 a statement. The ids are also listed
   * on their own: with the pairs alone, SQLite (without statistics) walks every pending item of the
   * tenant by the (tenant, state) index instead of looking the ids up, a backlog's worth per statement.
   */
  private held(items: readonly Settled[]): { where: string; params: unknown[] }[] {
    if (items.length === 0) return [];
    const where = (ids: string, pairs: string) => `tenant = $1 AND state = 'pending' AND id ${ids} AND (id, claim_token) IN (${pairs})`;
    if (this.db.dialect === 'postgres') {
      return [{ where: where('= ANY($2::bigint[])', 'SELECT * FROM unnest($2::bigint[], $3::text[])'), params: [this.tenant, items.map((i) => i.id), items.map((i) => i.claimToken)] }];
    }
    return batches(items).map((some) => ({
      where: where(`IN (${some.map((_, i) => `$${2 + 2 * i}`).join(', ')})`, `VALUES ${some.map((_, i) => `($${2 + 2 * i}, $${3 + 2 * i})`).join(', ')}`),
      params: [this.tenant, ...some.flatMap((i) => [i.id, i.claimToken])],
    }));
  }

  /**
   * Not delivered: due again after the backoff delay, or dead-lettered when attempts are used up or
   * the failure is permanent (the peer refused the content; retrying cannot help).
   */
  async fail(item: Pick<ClaimedItem, 'id' | 'claimToken' | 'attempts'>, error: string, options: { permanent?: boolean } = {}): Promise<FailOutcome> {
    const at = this.now();
    if (options.permanent !== true) {
      // A state announcement that failed while a newer one of the same object waits behind it is not worth sending again.
      const superseded = await this.db.run(
        `UPDATE outbox SET state = 'done', last_error = $1, claim_token = NULL, updated_at = $2
         WHERE tenant = $5 AND id = $3 AND claim_token = $4 AND state = 'pending' AND replace_key IS NOT NULL
           AND EXISTS (SELECT 1 FROM outbox n WHERE n.tenant = outbox.tenant AND n.order_key = outbox.order_key AND n.topic = outbox.topic AND n.replace_key = outbox.replace_key AND n.state = 'pending' AND n.id > outbox.id)`,
        [`superseded by a newer announcement after: ${redactText(error).slice(0, MAX_ERROR_LENGTH - 50)}`, at, item.id, item.claimToken, this.tenant],
      );
      if (superseded === 1) return 'superseded';
    }
    const dead = options.permanent === true || item.attempts >= this.policy.maxAttempts;
    const changed = await this.db.run(
      `UPDATE outbox SET state = $1, due_at = $2, last_error = $3, claim_token = NULL, updated_at = $4
       WHERE tenant = $7 AND id = $5 AND claim_token = $6 AND state = 'pending'`,
      [
        dead ? 'dead' : 'pending',
        dead ? at : at + retryDelay(item.attempts, this.policy, this.random),
        redactText(error).slice(0, MAX_ERROR_LENGTH),
        at,
        item.id,
        item.claimToken,
        this.tenant,
      ],
    );
    if (changed !== 1) return 'stale';
    return dead ? 'dead' : 'retry';
  }

  async get(id: number): Promise<OutboxItem | undefined> {
    const [row] = await this.db.all<Row>('SELECT * FROM outbox WHERE tenant = $1 AND id = $2', [this.tenant, id]);
    return row && toItem(row);
  }

  /** Items by state and topic, oldest first, a page at a time (`afterId`: the last id of the previous page). */
  async list(options: { state?: OutboxState; topic?: string; limit?: number; afterId?: number } = {}): Promise<OutboxItem[]> {
    const where = ['tenant = $1', 'id > $2'];
    const params: unknown[] = [this.tenant, options.afterId ?? 0];
    if (options.state) where.push(`state = $${params.push(options.state)}`);
    if (options.topic) where.push(`topic = $${params.push(options.topic)}`);
    const rows = await this.db.all<Row>(`SELECT * FROM outbox WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.push(options.limit ?? 100)}`, params);
    return rows.map(toItem);
  }

  listDead(options: { topic?: string; limit?: number } = {}): Promise<OutboxItem[]> {
    return this.list({ ...options, state: 'dead' });
  }

  /** Gives a dead letter a fresh set of attempts, due now. */
  async requeue(id: number): Promise<boolean> {
    const at = this.now();
    const changed = await this.db.run(`UPDATE outbox SET state = 'pending', attempts = 0, due_at = $1, updated_at = $1 WHERE tenant = $2 AND id = $3 AND state = 'dead'`, [at, this.tenant, id]);
    return changed === 1;
  }

  /** Requeues every dead letter (of a topic); returns how many. */
  async requeueDead(options: { topic?: string } = {}): Promise<number> {
    const at = this.now();
    return options.topic === undefined
      ? this.db.run(`UPDATE outbox SET state = 'pending', attempts = 0, due_at = $1, updated_at = $1 WHERE tenant = $2 AND state = 'dead'`, [at, this.tenant])
      : this.db.run(`UPDATE outbox SET state = 'pending', attempts = 0, due_at = $1, updated_at = $1 WHERE tenant = $2 AND state = 'dead' AND topic = $3`, [at, this.tenant, options.topic]);
  }

  /**
   * An operator gives an item up, with the reason: a dead letter, or a pending one no sender holds.
   * False when it is neither (delivered, discarded already, or being sent right now).
   */
  async discard(id: number, reason: string): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE outbox SET state = 'discarded', resolution = $1, claim_token = NULL, updated_at = $2
       WHERE tenant = $3 AND id = $4 AND (state = 'dead' OR (state = 'pending' AND (claim_token IS NULL OR due_at <= $2)))`,
      [reason.slice(0, MAX_ERROR_LENGTH), this.now(), this.tenant, id],
    );
    return changed === 1;
  }

  /**
   * Deletes delivered (and discarded) items settled before the given times: those without a key from `unkeyedBefore`, keyed ones
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
          `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE tenant = $1 AND state IN ('done', 'discarded') AND updated_at < $2 AND dedupe_key ${keyed} LIMIT $3)`,
          [this.tenant, before, batch],
        );
        purged += deleted;
      } while (deleted === batch);
    }
    return purged;
  }

  /** Items not yet delivered, by state (for metrics and readiness); each count reads the index, not the delivered rows. */
  async depth(): Promise<{ pending: number; dead: number }> {
    const count = async (state: OutboxState) => Number((await this.db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM outbox WHERE tenant = $1 AND state = $2', [this.tenant, state]))[0]?.n ?? 0);
    return { pending: await count('pending'), dead: await count('dead') };
  }

  /** Items not yet delivered per topic and state (pending, dead), for operators. */
  async depthByTopic(): Promise<{ topic: string; state: OutboxState; count: number }[]> {
    const rows = await this.db.all<{ topic: string; state: OutboxState; n: number | string }>(
      `SELECT topic, state, COUNT(*) AS n FROM outbox WHERE tenant = $1 AND state IN ('pending', 'dead') GROUP BY topic, state ORDER BY topic, state`,
      [this.tenant],
    );
    return rows.map((r) => ({ topic: r.topic, state: r.state, count: Number(r.n) }));
  }
}

/** The newest item of an order key, as far as a newer announcement needs to know it. */
type Newest = Pick<Row, 'id' | 'topic' | 'state' | 'replace_key' | 'claim_token'>;

/**
 * Whether a newer announcement takes over the newest item of its order key: it announces the same
 * object in the same topic and no sender holds it yet (see EnqueueRequest.replaces).
 */
function takesOver(last: Newest, request: Pick<EnqueueRequest, 'topic' | 'replaces'>): boolean {
  return last.topic === request.topic && last.state === 'pending' && last.replace_key === request.replaces && last.claim_token === null;
}

/** Statements over many values take them 64 at a time, then the rest in halves (32, 16, ... 1): a handful of statement texts, each prepared once. */
function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (let size = 64; size >= 1; size /= 2) {
    for (; items.length - at >= size; at += size) out.push(items.slice(at, at + size));
  }
  return out;
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
    orderKey: row.order_key,
    barrier: Number(row.barrier) === 1,
    replaces: row.replace_key,
    resolution: row.resolution,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
