/**
 * The admin HTTP API (issue 23), described by ADMIN_OPENAPI: the overview, outbox items and the
 * actions on them (the same functions as the CLI's `outbox` commands), what is held back, the
 * exchange trace, and the scheduled jobs. Every request presents the admin token as a bearer token;
 * without it, or with a wrong one, the answer is 401 and says nothing about the token. Refusals are
 * RFC 9457 problem documents.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../observability/logger';
import type { HeldItem, OutboxItem, OutboxState, Store } from '../store';
import type { TraceEntry } from '../store/traces';
import type { JobStatus } from '../flows/scheduler';
import { ADMIN_OPENAPI } from './openapi';
import { discardItem, listHeld, listItems, requeueItem, showItem, type ActionOutcome } from './outbox';
import { exchangeFixtures } from './trace-export';

/** Who the bridge is, as the overview shows it (from the configuration). */
export interface BridgeIdentity {
  /** The tenant this console shows (`default` for a single-tenant deployment). */
  tenant: string;
  ocpi: { countryCode: string; partyId: string; roles: string[]; versions: string[] };
  oicp: { role: 'CPO' | 'EMP'; id: string | null; environment: string; protocol: string; baseUrl: string };
}

export interface AdminApiDeps {
  token: string;
  store: Pick<Store, 'outbox' | 'held' | 'parties' | 'traces'>;
  identity: BridgeIdentity;
  /** Every tenant the bridge runs now, for the console's links between them. */
  tenants: () => string[];
  jobs: () => JobStatus[];
  runJob: (name: string) => Promise<unknown>;
  /** Whether the trace is recorded, and how many events it dropped. */
  trace: { enabled: boolean; dropped: () => number };
  logger: Logger;
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ?? title);
  }
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 413: 'Content Too Large', 500: 'Internal Server Error' };

function sendProblem(res: Response, status: number, detail?: string): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, ...(detail !== undefined && { detail }) }));
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` in constant time: both sides are hashed to equal-length
 * digests first, so neither the length nor a common prefix of the token shows in the timing.
 */
function bearerCheck(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    // The scheme is case-insensitive (RFC 9110); the token is not.
    const match = /^Bearer ([\x21-\x7E]+)$/i.exec(req.get('authorization') ?? '');
    const presented = digest(match?.[1] ?? '');
    if (timingSafeEqual(presented, expected) && match !== null) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="bridge admin"');
    sendProblem(res, 401);
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

const outboxView = (item: OutboxItem) => ({ ...item, dueAt: iso(item.dueAt), createdAt: iso(item.createdAt), updatedAt: iso(item.updatedAt) });
const heldView = (item: HeldItem) => ({ ...item, createdAt: iso(item.createdAt), updatedAt: iso(item.updatedAt) });
const eventView = (event: TraceEntry) => ({ ...event, at: iso(event.at) });
const jobView = (job: JobStatus) => ({
  name: job.name,
  everyMs: job.everyMs,
  ...(job.last && {
    last: { startedAt: iso(job.last.startedAt), outcome: job.last.outcome, ...(job.last.endedAt !== undefined && { endedAt: iso(job.last.endedAt) }), ...(job.last.error !== undefined && { error: job.last.error }) },
  }),
});

/** A query parameter as an integer within bounds, or the default; anything else is the caller's error. */
function integer(req: Request, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new Problem(400, TITLES[400]!, `query parameter ${name} must be an integer from ${min} to ${max}`);
  return value;
}

function text(req: Request, name: string): string | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 200) throw new Problem(400, TITLES[400]!, `query parameter ${name} must be one text of 1 to 200 characters`);
  return raw;
}

function itemId(req: Request): number {
  const raw = String(req.params.id);
  const id = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(id >= 1)) throw new Problem(400, TITLES[400]!, `not an outbox item id: ${raw.slice(0, 40)}`);
  return id;
}

const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'done', 'dead', 'discarded'];

/** The API's routes under /admin, behind the token. */
export function adminApi(deps: AdminApiDeps): Router {
  const router = express.Router();
  const handle = (work: (req: Request, res: Response) => Promise<void> | void) => (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => work(req, res))
      .catch(next);
  };
  /** An action's outcome: the item as it is now, or the problem (404 unknown, 409 wrong state, 400 missing input). */
  const acted = async (res: Response, id: number, outcome: ActionOutcome) => {
    if (!outcome.done) throw new Problem(outcome.refusal === 'unknown' ? 404 : outcome.refusal === 'invalid' ? 400 : 409, TITLES[outcome.refusal === 'unknown' ? 404 : outcome.refusal === 'invalid' ? 400 : 409]!, outcome.reason);
    res.json(outboxView((await showItem(deps.store, id))!));
  };

  router.use('/admin', bearerCheck(deps.token));
  router.get('/admin/openapi.json', (_req, res) => {
    res.json(ADMIN_OPENAPI);
  });
  router.get(
    '/admin/overview',
    handle(async (_req, res) => {
      const [parties, outbox, held] = await Promise.all([deps.store.parties.list(), deps.store.outbox.depthByTopic(), deps.store.held.counts()]);
      res.json({
        ...deps.identity,
        tenants: deps.tenants(),
        parties: parties.map((p) => ({ id: p.id, state: p.state, version: p.version, roles: p.roles, updatedAt: iso(p.updatedAt) })),
        outbox,
        held,
        jobs: deps.jobs().map(jobView),
        trace: { enabled: deps.trace.enabled, dropped: deps.trace.dropped() },
      });
    }),
  );
  router.get(
    '/admin/outbox',
    handle(async (req, res) => {
      const state = text(req, 'state');
      if (state !== undefined && !OUTBOX_STATES.includes(state as OutboxState)) throw new Problem(400, TITLES[400]!, `state must be one of ${OUTBOX_STATES.join(', ')}`);
      const items = await listItems(deps.store, {
        state: state as OutboxState | undefined,
        topic: text(req, 'topic'),
        limit: integer(req, 'limit', 100, 1, 500),
        afterId: integer(req, 'after', 0, 0, Number.MAX_SAFE_INTEGER),
      });
      res.json({ items: items.map(outboxView) });
    }),
  );
  router.get(
    '/admin/outbox/:id',
    handle(async (req, res) => {
      const id = itemId(req);
      const item = await showItem(deps.store, id);
      if (!item) throw new Problem(404, TITLES[404]!, `no outbox item ${id}`);
      res.json(outboxView(item));
    }),
  );
  router.post(
    '/admin/outbox/:id/requeue',
    handle(async (req, res) => {
      const id = itemId(req);
      await acted(res, id, await requeueItem(deps.store, id));
    }),
  );
  router.post(
    '/admin/outbox/:id/discard',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const id = itemId(req);
      const reason = (req.body as { reason?: unknown } | undefined)?.reason;
      if (typeof reason !== 'string' || reason.length > 2_000) throw new Problem(400, TITLES[400]!, 'the body must be {"reason": "..."}: the reason is kept with the item');
      await acted(res, id, await discardItem(deps.store, id, reason));
    }),
  );
  router.get(
    '/admin/held',
    handle(async (req, res) => {
      const limit = integer(req, 'limit', 100, 1, 500);
      const [held, dead] = await Promise.all([listHeld(deps.store, { kind: text(req, 'kind'), limit }), listItems(deps.store, { state: 'dead', limit })]);
      res.json({ held: held.map(heldView), deadLetters: dead.map(outboxView) });
    }),
  );
  router.get(
    '/admin/exchanges',
    handle(async (req, res) => {
      const exchanges = await deps.store.traces.search({ ref: text(req, 'ref'), limit: integer(req, 'limit', 50, 1, 200) });
      res.json({ exchanges: exchanges.map((e) => ({ ...e, startedAt: iso(e.startedAt), lastAt: iso(e.lastAt) })) });
    }),
  );
  router.get(
    '/admin/exchanges/:correlationId',
    handle(async (req, res) => {
      const correlationId = String(req.params.correlationId);
      const events = await deps.store.traces.exchange(correlationId);
      if (events.length === 0) throw new Problem(404, TITLES[404]!, 'no exchange with this correlation id (or it is past the trace retention)');
      res.json({ correlationId, events: events.map(eventView) });
    }),
  );
  router.get(
    '/admin/exchanges/:correlationId/fixtures',
    handle(async (req, res) => {
      const correlationId = String(req.params.correlationId);
      const events = await deps.store.traces.exchange(correlationId);
      if (events.length === 0) throw new Problem(404, TITLES[404]!, 'no exchange with this correlation id (or it is past the trace retention)');
      res.json({ files: exchangeFixtures(correlationId, events) });
    }),
  );
  router.get('/admin/jobs', (_req, res) => {
    res.json({ jobs: deps.jobs().map(jobView) });
  });
  router.post('/admin/jobs/:name/run', (req, res) => {
    const name = String(req.params.name);
    if (!deps.jobs().some((job) => job.name === name)) {
      sendProblem(res, 404, `no job "${name.slice(0, 80)}"; GET /admin/jobs lists them`);
      return;
    }
    // Answered at once: a full sync may take minutes; the job's status tells how it went.
    deps.runJob(name).catch((error: unknown) => deps.logger.error('job run from the admin API failed', { job: name, error }));
    res.status(202).json(jobView(deps.jobs().find((job) => job.name === name)!));
  });
  router.use('/admin', (req, res) => sendProblem(res, 404, `no admin endpoint ${req.method} ${req.originalUrl.split('?')[0]!.slice(0, 200)}`));
  router.use(problems(deps.logger));
  return router;
}

/** Problems as documents; a body the JSON parser refused is the caller's; anything else ours, logged. */
function problems(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const parser = err as { type?: string; status?: number };
    if (err instanceof Problem) sendProblem(res, err.status, err.detail);
    else if (parser.type === 'entity.parse.failed') sendProblem(res, 400, 'the body is not valid JSON');
    else if (parser.type === 'entity.too.large') sendProblem(res, 413);
    else if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) sendProblem(res, 400, 'unreadable request');
    else {
      logger.error('admin request failed', { error: err });
      sendProblem(res, 500);
    }
  };
}
