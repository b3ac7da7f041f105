import https from 'node:https';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { createLogger, type Logger } from '../src/observability/logger';
import { createApp, startServer, type AppDeps } from '../src/server';
import type { ServerConfig } from '../src/config/schema';
import type { Store } from '../src/store';
import { makeTestPki } from './support/certs';
import { BACKENDS } from './support/stores';

/** A logger writing JSON lines into memory, to assert what reaches the log. */
function memoryLogger(level: 'info' | 'debug' = 'debug'): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    logger: createLogger({ level, format: 'json' }, stream),
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** winston writes asynchronously; give the stream a turn before reading it. */
const flushed = () => new Promise((resolve) => setImmediate(resolve));

const SERVER: ServerConfig = { host: '127.0.0.1', port: 0, bodyLimit: '1kb', shutdownTimeoutMs: 2_000 };

describe('HTTP server', () => {
  let store: Store;
  let destroy: () => Promise<void>;

  beforeEach(async () => {
    const site = BACKENDS[0]!.site();
    store = await site.open();
    destroy = async () => {
      await store.close();
      await site.destroy();
    };
  });
  afterEach(() => destroy());

  const app = (overrides: Partial<AppDeps> = {}, log = memoryLogger()) =>
    createApp({ store, logger: log.logger, server: SERVER, ...overrides });

  it('answers liveness and readiness', async () => {
    await request(app()).get('/healthz').expect(200).expect('content-type', /json/).expect((res) => expect(res.body.status).toBe('ok'));
    await request(app()).get('/readyz').expect(200, { status: 'ready' });
  });

  it('reports not ready when the store fails or hangs, and logs why', async () => {
    const log = memoryLogger();
    const failing = { ...store, ping: () => Promise.reject(new Error('connection refused')) };
    await request(app({ store: failing }, log)).get('/readyz').expect(503, { status: 'unavailable', reason: 'store unreachable' });
    const hanging = { ...store, ping: () => new Promise<void>(() => undefined) };
    await request(app({ store: hanging, readinessTimeoutMs: 50 }, log)).get('/readyz').expect(503);
    await flushed();
    expect(log.lines().filter((l) => l.message === 'readiness check failed').map((l) => (l.error as { message: string }).message)).toEqual([
      'connection refused',
      'store did not answer in time',
    ]);
  });

  it('exposes request counts by route pattern and the outbox depth', async () => {
    const server = app();
    await request(server).get('/healthz').expect(200);
    await request(server).get('/no/such/thing/42').expect(404);
    await store.outbox.enqueue({ topic: 'cdr', payload: 1 });
    await store.outbox.enqueue({ topic: 'cdr', payload: 2 });
    const { text } = await request(server).get('/metrics').expect(200).expect('content-type', /text\/plain/);
    expect(text).toContain('bridge_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(text).toContain('bridge_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(/bridge_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz",status="200"\} \d/);
    expect(text).toContain('bridge_outbox_items{state="pending",tenant="default"} 2');
    expect(text).toContain('bridge_outbox_items{state="dead",tenant="default"} 0');
    expect(text).toContain('bridge_process_cpu_user_seconds_total');
  });

  it('takes the caller’s request id, echoes it, and puts it on every log line of the request', async () => {
    const log = memoryLogger();
    await request(app({}, log)).get('/healthz').set('X-Request-ID', 'req-42').set('X-Correlation-ID', 'corr-7').expect('X-Request-ID', 'req-42').expect('X-Correlation-ID', 'corr-7');
    await request(app({}, log)).get('/healthz').set('X-Correlation-ID', 'corr-only').expect('X-Request-ID', 'corr-only');
    const generated = await request(app({}, log)).get('/healthz').set('X-Request-ID', 'forged id with spaces').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await flushed();
    const access = log.lines().filter((l) => l.message === 'request');
    expect(access.map((l) => [l.requestId, l.correlationId, l.path, l.status])).toEqual([
      ['req-42', 'corr-7', '/healthz', 200],
      ['corr-only', 'corr-only', '/healthz', 200],
      [generated.headers['x-request-id'], generated.headers['x-request-id'], '/healthz', 200],
    ]);
  });

  it('refuses oversized and malformed bodies with a clear error', async () => {
    await request(app()).post('/anything').set('content-type', 'application/json').send(JSON.stringify({ pad: 'x'.repeat(2_000) })).expect(413, { error: 'request body too large' });
    await request(app()).post('/anything').set('content-type', 'application/json').send('{"unterminated": ').expect(400, { error: 'request body is not valid JSON' });
  });

  it('never writes tokens, passwords or keys to the log', async () => {
    const log = memoryLogger();
    log.logger.info('calling backend with Authorization: Token abc123secret', {
      headers: { Authorization: 'Token abc123secret', accept: 'application/json' },
      credentials: { token: 'abc123secret' },
      tls: { key: '-----BEGIN PRIVATE KEY-----abc123secret', cert: 'public' },
      url: 'postgres://bridge:abc123secret@db/bridge',
      error: new Error('refused Bearer abc123secret'),
    });
    await request(app({}, log)).get('/healthz').set('Authorization', 'Token abc123secret').expect(200);
    await flushed();
    expect(log.text()).not.toContain('abc123secret');
    const [line] = log.lines();
    expect(line).toMatchObject({
      message: 'calling backend with Authorization: Token [REDACTED]',
      headers: { Authorization: '[REDACTED]', accept: 'application/json' },
      credentials: '[REDACTED]',
      tls: { key: '[REDACTED]', cert: 'public' },
      url: 'postgres://bridge:[REDACTED]@db/bridge',
      error: { message: 'refused Bearer [REDACTED]' },
    });
  });

  describe('lifecycle', () => {
    it('lets an in-flight request finish on shutdown, then refuses new connections', async () => {
      let answered!: () => void;
      const slowStore = { ...store, ping: () => new Promise<void>((resolve) => (answered = resolve)) };
      const running = await startServer(app({ store: slowStore, readinessTimeoutMs: 10_000 }), SERVER);
      const inFlight = get(`${running.url}/readyz`);
      await waitUntil(() => answered !== undefined);
      const closed = running.close();
      answered();
      expect(await inFlight).toMatchObject({ status: 200, body: '{"status":"ready"}' });
      await closed;
      await expect(get(`${running.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });

    it('cuts requests still running when the shutdown timeout ends', async () => {
      const hanging = { ...store, ping: () => new Promise<void>(() => undefined) };
      const running = await startServer(app({ store: hanging, readinessTimeoutMs: 60_000 }), { ...SERVER, shutdownTimeoutMs: 100 });
      const inFlight = get(`${running.url}/readyz`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await running.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
    });

    it('serves HTTPS, and with requestClientCert admits only clients of the configured CA', async () => {
      const pki = makeTestPki();
      const tls = { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestClientCert: true };
      const running = await startServer(app(), { ...SERVER, tls });
      try {
        expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const trusted = { ca: pki.read(pki.ca), cert: pki.read(pki.clientCert), key: pki.read(pki.clientKey) };
        expect(await get(`${running.url}/healthz`, trusted)).toMatchObject({ status: 200 });
        const stranger = { ca: pki.read(pki.ca), cert: pki.read(pki.strangerCert), key: pki.read(pki.strangerKey) };
        await expect(get(`${running.url}/healthz`, stranger)).rejects.toThrow();
        await expect(get(`${running.url}/healthz`, { ca: pki.read(pki.ca) })).rejects.toThrow();
      } finally {
        await running.close();
      }
    });
  });
});

interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function get(url: string, tls: TlsOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https') ? https : http;
    const req = client.get(url, { ...tls, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function waitUntil(condition: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
