/**
 * The admin API's OpenAPI 3.1 document, served at /admin/openapi.json. Its schemas are TypeBox, so
 * they are plain JSON Schema 2020-12 (what OpenAPI 3.1 uses); the tests check every answer of the API
 * against this document, so it cannot drift from what the API does.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../core/typebox';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const ref = (name: string) => Type.Unsafe<unknown>({ $ref: `#/components/schemas/${name}` });

const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
  },
  { description: 'RFC 9457 problem document.' },
);

const OutboxState = StringEnum(['pending', 'done', 'dead', 'discarded']);

const OutboxItem = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  topic: Type.String(),
  key: Nullable(Type.String()),
  payload: Type.Unknown({ description: 'The message to deliver, as the flows made it (an OICP request for Hubject topics).' }),
  state: OutboxState,
  attempts: Type.Integer({ minimum: 0 }),
  dueAt: DateTime,
  lastError: Nullable(Type.String()),
  orderKey: Nullable(Type.String()),
  barrier: Type.Boolean(),
  resolution: Nullable(Type.String({ description: 'Why an operator discarded it.' })),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const HeldItem = Type.Object({
  kind: Type.String({ description: '`location`, `evse`, `cdr`, ...' }),
  ref: Type.String({ description: 'Which one, in the ids the operator knows.' }),
  reason: Type.String(),
  details: Type.Unknown({ description: 'The findings or facts behind the reason.' }),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const Finding = Type.Object({
  kind: StringEnum(['loss', 'default', 'invalid']),
  path: Type.String(),
  message: Type.String(),
  subject: Type.Optional(Type.Object({ operatorId: Type.String(), evseId: Type.Optional(Type.String()) })),
});

const TraceProtocol = StringEnum(['ocpi', 'oicp', 'bridge']);
const TraceDirection = StringEnum(['in', 'out', 'internal']);
const TraceKind = StringEnum(['request', 'call', 'findings', 'enqueued', 'delivery', 'job']);

const TraceEvent = Type.Object({
  id: Type.Integer(),
  correlationId: Type.String(),
  outboxId: Nullable(Type.Integer()),
  at: DateTime,
  protocol: TraceProtocol,
  direction: TraceDirection,
  kind: TraceKind,
  name: Type.String(),
  status: Nullable(Type.String()),
  request: Type.Optional(Type.Unknown()),
  response: Type.Optional(Type.Unknown()),
  findings: Type.Optional(Type.Array(ref('Finding'))),
  note: Type.Optional(Type.String()),
  durationMs: Type.Optional(Type.Number()),
});

const ExchangeSummary = Type.Object({
  correlationId: Type.String(),
  startedAt: DateTime,
  lastAt: DateTime,
  events: Type.Integer({ minimum: 1 }),
  first: Type.Object({ protocol: TraceProtocol, direction: TraceDirection, kind: TraceKind, name: Type.String(), status: Nullable(Type.String()) }),
});

const JobStatus = Type.Object({
  name: Type.String(),
  everyMs: Type.Integer({ minimum: 0, description: '0: only when asked.' }),
  last: Type.Optional(
    Type.Object({
      startedAt: DateTime,
      endedAt: Type.Optional(DateTime),
      outcome: StringEnum(['running', 'ok', 'failed']),
      error: Type.Optional(Type.String()),
    }),
  ),
});

const Overview = Type.Object({
  tenant: Type.String({ description: 'The tenant this console shows: `default` in a single-tenant deployment; another tenant\'s console is under /tenants/{id}/ on this listener.' }),
  tenants: Type.Array(Type.String(), { description: 'Every tenant the bridge runs now; each one\'s console is at /tenants/{id}/.' }),
  ocpi: Type.Object({
    countryCode: Type.String(),
    partyId: Type.String(),
    roles: Type.Array(Type.String()),
    versions: Type.Array(Type.String()),
  }),
  oicp: Type.Object({
    role: StringEnum(['CPO', 'EMP']),
    id: Nullable(Type.String({ description: 'OperatorID (CPO) or ProviderID (EMP).' })),
    environment: Type.String(),
    protocol: Type.String(),
    baseUrl: Type.String(),
  }),
  parties: Type.Array(
    Type.Object({
      id: Type.String(),
      state: Type.String(),
      version: Nullable(Type.String()),
      roles: Type.Array(Type.Object({ role: Type.String(), countryCode: Type.String(), partyId: Type.String() })),
      updatedAt: DateTime,
    }),
  ),
  outbox: Type.Array(Type.Object({ topic: Type.String(), state: OutboxState, count: Type.Integer({ minimum: 0 }) })),
  held: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  jobs: Type.Array(ref('JobStatus')),
  trace: Type.Object({ enabled: Type.Boolean(), dropped: Type.Integer({ minimum: 0, description: 'Events dropped since start because the store did not keep up.' }) }),
});

const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const unauthorized = { '401': problem('No token, or a wrong one.') };

export const ADMIN_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'ocpi-oicp-bridge admin API',
    version: '1',
    description: 'What the bridge holds, what is stuck and why, every exchange it took part in, and the actions that fix things. Every request needs `Authorization: Bearer <admin.token>`.',
  },
  components: {
    securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } },
    schemas: { Problem, OutboxItem, HeldItem, Finding, TraceEvent, ExchangeSummary, JobStatus, Overview },
  },
  security: [{ adminToken: [] }],
  paths: {
    '/admin/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document.', responses: { '200': json({ type: 'object' }, 'The OpenAPI document.'), ...unauthorized } },
    },
    '/admin/overview': {
      get: { operationId: 'overview', summary: 'Who the bridge is, its OCPI parties, outbox depth, held items, jobs.', responses: { '200': json(ref('Overview'), 'The overview.'), ...unauthorized } },
    },
    '/admin/outbox': {
      get: {
        operationId: 'listOutbox',
        summary: 'Outbox items, oldest first, a page at a time.',
        parameters: [
          { name: 'state', in: 'query', schema: OutboxState },
          { name: 'topic', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
          { name: 'after', in: 'query', description: 'The last id of the previous page.', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': json(Type.Object({ items: Type.Array(ref('OutboxItem')) }), 'The items.'), '400': problem('A parameter out of range.'), ...unauthorized },
      },
    },
    '/admin/outbox/{id}': {
      get: {
        operationId: 'showOutboxItem',
        parameters: [idParameter],
        responses: { '200': json(ref('OutboxItem'), 'The item.'), '400': problem('Not an id.'), '404': problem('No such item.'), ...unauthorized },
      },
    },
    '/admin/outbox/{id}/requeue': {
      post: {
        operationId: 'requeueOutboxItem',
        summary: 'Gives a dead letter a fresh set of attempts, due now.',
        parameters: [idParameter],
        responses: { '200': json(ref('OutboxItem'), 'Requeued.'), '400': problem('Not an id.'), '404': problem('No such item.'), '409': problem('The item is not dead.'), ...unauthorized },
      },
    },
    '/admin/outbox/{id}/discard': {
      post: {
        operationId: 'discardOutboxItem',
        summary: 'Gives an item up for good (a dead letter, or a pending one no sender holds), keeping the reason.',
        parameters: [idParameter],
        requestBody: { required: true, content: { 'application/json': { schema: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }) } } },
        responses: {
          '200': json(ref('OutboxItem'), 'Discarded.'),
          '400': problem('No reason, or not an id.'),
          '404': problem('No such item.'),
          '409': problem('The item is delivered, discarded, or being sent.'),
          ...unauthorized,
        },
      },
    },
    '/admin/held': {
      get: {
        operationId: 'listHeld',
        summary: 'What is held back: the dead letters, and what was accepted but not forwarded (with why).',
        parameters: [
          { name: 'kind', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': json(Type.Object({ held: Type.Array(ref('HeldItem')), deadLetters: Type.Array(ref('OutboxItem')) }), 'Held items and dead letters.'),
          '400': problem('A parameter out of range.'),
          ...unauthorized,
        },
      },
    },
    '/admin/exchanges': {
      get: {
        operationId: 'searchExchanges',
        summary: 'Exchanges carrying an id (EvseID, location id, OCPI session id, Hubject SessionID, CDR id, token uid, EvcoID), or the latest ones; newest first.',
        parameters: [
          { name: 'ref', in: 'query', schema: { type: 'string', minLength: 1, maxLength: 200 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: { '200': json(Type.Object({ exchanges: Type.Array(ref('ExchangeSummary')) }), 'The exchanges.'), '400': problem('A parameter out of range.'), ...unauthorized },
      },
    },
    '/admin/exchanges/{correlationId}': {
      get: {
        operationId: 'showExchange',
        summary: 'Every event of an exchange, oldest first: the inbound message, the findings, what was enqueued, each delivery attempt and its answer.',
        parameters: [{ name: 'correlationId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json(Type.Object({ correlationId: Type.String(), events: Type.Array(ref('TraceEvent')) }), 'The exchange.'), '404': problem('No such exchange (or past its retention).'), ...unauthorized },
      },
    },
    '/admin/exchanges/{correlationId}/fixtures': {
      get: {
        operationId: 'exportExchange',
        summary: 'The exchange as fixture files (what `trace export` writes): manifest.json and each message, in the layout of fixtures/.',
        parameters: [{ name: 'correlationId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': json(Type.Object({ files: Type.Array(Type.Object({ path: Type.String(), content: Type.String() })) }), 'The files.'),
          '404': problem('No such exchange (or past its retention).'),
          ...unauthorized,
        },
      },
    },
    '/admin/jobs': {
      get: { operationId: 'listJobs', responses: { '200': json(Type.Object({ jobs: Type.Array(ref('JobStatus')) }), 'The scheduled jobs.'), ...unauthorized } },
    },
    '/admin/jobs/{name}/run': {
      post: {
        operationId: 'runJob',
        summary: 'Starts a job now (a full sync, a network pull); a run in progress is joined. Answers at once.',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '202': json(ref('JobStatus'), 'Started.'), '404': problem('No such job.'), ...unauthorized },
      },
    },
  },
} as const;
