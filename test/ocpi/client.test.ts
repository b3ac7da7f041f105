/**
 * The OCPI client against a peer that misbehaves in the ways peers do: the other token encoding,
 * a passing 5xx, answers that are not envelopes, OCPI errors, silence.
 */
import express from 'express';
import { OcpiCallError, OcpiClient, isRetryable } from '../../src/ocpi/client';
import { envelope, presentedTokens } from '../../src/ocpi/wire/transport';
import { startServer, type RunningServer } from '../../src/server';
import { quietLogger } from '../support/oicp-network';

let server: RunningServer;
const seen: { method: string; path: string; authorization?: string; requestId?: string; correlationId?: string }[] = [];
let failuresLeft = 0;

beforeAll(async () => {
  const app = express();
  app.use((req, _res, next) => {
    seen.push({ method: req.method, path: req.path, authorization: req.get('authorization'), requestId: req.get('x-request-id'), correlationId: req.get('x-correlation-id') });
    next();
  });
  // Accepts only the Base64 form, like a strict 2.2.1 peer.
  app.get('/strict', (req, res) => {
    const header = req.get('authorization') ?? '';
    if (header === 'Token c2VjcmV0' && presentedTokens(header).includes('secret')) res.json(envelope({ ok: true }, new Date()));
    else res.status(401).json(envelope(undefined, new Date(), 2000, 'unknown token'));
  });
  app.all('/flaky', (_req, res) => {
    if (failuresLeft-- > 0) res.status(503).send('busy');
    else res.json(envelope('fine', new Date()));
  });
  app.get('/not-envelope', (_req, res) => res.json({ hello: 'world' }));
  app.get('/refuses', (_req, res) => res.json(envelope(undefined, new Date(), 2003, 'Unknown Location')));
  app.get('/silent', () => undefined);
  server = await startServer(app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
});
afterAll(async () => {
  await server.close();
});

const client = new OcpiClient({ logger: quietLogger(), retryDelayMs: 1, timeoutMs: 300 });
const get = (path: string) => client.call({ method: 'GET', url: `${server.url}${path}`, token: 'secret', encoding: 'plain', correlationId: 'corr-1' });

it('tries the other token encoding once after a 401, and says which one worked', async () => {
  seen.length = 0;
  expect(await get('/strict')).toMatchObject({ ok: true, data: { ok: true }, encoding: 'base64' });
  expect(seen.map((s) => s.authorization)).toEqual(['Token secret', 'Token c2VjcmV0']);
  expect(seen.every((s) => s.correlationId === 'corr-1' && /^[0-9a-f-]{36}$/.test(s.requestId ?? ''))).toBe(true);
});

it('repeats a GET once after a 5xx, never a POST', async () => {
  failuresLeft = 1;
  expect(await get('/flaky')).toMatchObject({ ok: true, data: 'fine' });
  failuresLeft = 1;
  expect(await client.call({ method: 'POST', url: `${server.url}/flaky`, token: 'secret', encoding: 'plain', body: {} })).toEqual({ ok: false, failure: { kind: 'http', httpStatus: 503, message: 'HTTP 503' } });
});

it('types what goes wrong: no envelope, an OCPI error, no answer', async () => {
  expect(await get('/not-envelope')).toMatchObject({ ok: false, failure: { kind: 'invalid-response', httpStatus: 200 } });
  expect(await get('/refuses')).toEqual({ ok: false, failure: { kind: 'ocpi', httpStatus: 200, statusCode: 2003, message: 'OCPI 2003: Unknown Location' } });
  expect(await get('/silent')).toMatchObject({ ok: false, failure: { kind: 'network', message: expect.stringContaining('no answer within the timeout') } });
});

describe('isRetryable: what an OCPI failure means for sending again', () => {
  it.each([
    ['no answer', { kind: 'network', message: 'ECONNREFUSED' }, true],
    ['HTTP 503', { kind: 'http', httpStatus: 503, message: 'busy' }, true],
    ['HTTP 429', { kind: 'http', httpStatus: 429, message: 'slow down' }, true],
    ['HTTP 404', { kind: 'http', httpStatus: 404, message: 'no' }, false],
    ['OCPI 3000 (server error)', { kind: 'ocpi', httpStatus: 200, statusCode: 3000, message: 'oops' }, true],
    ['OCPI 2001 (the content)', { kind: 'ocpi', httpStatus: 200, statusCode: 2001, message: 'bad' }, false],
    ['an answer that is no envelope', { kind: 'invalid-response', httpStatus: 200, message: 'html' }, true],
    ['never sent (no such module)', { kind: 'invalid-response', httpStatus: 0, message: 'no endpoint' }, false],
  ] as const)('%s', (_what, failure, retryable) => {
    expect(isRetryable(failure)).toBe(retryable);
    expect(new OcpiCallError(failure).retryable).toBe(retryable);
  });
});
