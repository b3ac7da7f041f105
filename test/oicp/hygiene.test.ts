/**
 * Input hygiene at the OICP REST edge and on the listener's other paths (issue 18): a body nested
 * deeper than 64 levels is refused before it is parsed (it gave 500 021: validation overflowed the
 * stack), an Identification that names no identification is refused with 022 (it reached the EMP
 * handlers and came back as 500 021), bodies in charsets or encodings the parser cannot read and
 * paths that are not percent-encoded UTF-8 get an acknowledgement with 022; requests Node refuses
 * before Express get a JSON answer in the terms of their path; /healthz, /metrics and unknown paths
 * never answer 5xx to what a client sends.
 */
import { connect } from 'node:net';
import express from 'express';
import { operationPath, servedOperations } from '../../src/oicp/wire/operations';
import { oicpRouter, trustTerminatingProxy } from '../../src/oicp/router';
import { acknowledgement, statusCode } from '../../src/oicp/wire/status-codes';
import { createApp, startServer, type RunningServer } from '../../src/server';
import type { Store } from '../../src/store';
import { quietLogger } from '../support/oicp-network';
import { BACKENDS, type StoreSite } from '../support/stores';

/** Bytes straight onto a socket, and the answer as status and JSON body. */
function rawExchange(url: string, bytes: string): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    const done = () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]), body: JSON.parse(rest.join('\r\n\r\n')) as unknown });
    };
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', (err) => (received ? done() : reject(err)));
    socket.on('close', done);
    socket.write(bytes);
  });
}

describe('the OICP REST edge and the listener', () => {
  let site: StoreSite;
  let store: Store;
  let server: RunningServer;
  const calls: string[] = [];
  beforeAll(async () => {
    site = BACKENDS[0]!.site();
    store = await site.open();
    const logger = quietLogger();
    const handler = (name: string) => () => (calls.push(name), { AuthorizationStatus: 'Authorized' as const, StatusCode: statusCode('000'), ProviderID: 'DE-DCB' });
    const oicp = oicpRouter({
      serves: servedOperations('EMP'),
      handlers: { AuthorizeStart: handler('AuthorizeStart'), ChargingNotification: () => (calls.push('ChargingNotification'), acknowledgement('000')) },
      authorize: trustTerminatingProxy,
      bodyLimit: '1mb',
      logger,
    });
    const app = express();
    app.use(createApp({ store, logger, server: { bodyLimit: '1mb' }, routers: [oicp] }));
    server = await startServer(app, { host: '127.0.0.1', port: 0, bodyLimit: '1mb', shutdownTimeoutMs: 100 });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await site?.destroy();
  });
  beforeEach(() => (calls.length = 0));

  const authorizeStart = operationPath('AuthorizeStart', 'DE*XYZ');
  const valid = { OperatorID: 'DE*XYZ', EvseID: 'DE*XYZ*E1*2', Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } } };
  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) };
  };
  const refusal = (status: number, info: string | RegExp) => ({ status, body: { Result: false, StatusCode: { Code: '022', Description: expect.any(String), AdditionalInfo: typeof info === 'string' ? info : expect.stringMatching(info) } } });

  it('answers a valid call (the control for what follows)', async () => {
    expect(await post(authorizeStart, JSON.stringify(valid))).toMatchObject({ status: 200, body: { AuthorizationStatus: 'Authorized' } });
    expect(calls).toEqual(['AuthorizeStart']);
  });

  it('refuses a body nested deeper than 64 levels with 400 and 022, before parsing', async () => {
    for (const depth of [65, 100_000]) {
      const deep = JSON.stringify({ ...valid, Identification: { RFIDMifareFamilyIdentification: { UID: 'AABBCCDD' } }, PartnerProductID: '@' }).replace('"@"', `${'['.repeat(depth)}${']'.repeat(depth)}`);
      expect(await post(authorizeStart, deep)).toEqual(refusal(400, 'the request body nests objects and arrays deeper than 64 levels'));
    }
    // At the limit the schema speaks.
    const atLimit = JSON.stringify(valid).replace('"AABBCCDD"', `${'['.repeat(60)}${']'.repeat(60)}`);
    expect(await post(authorizeStart, atLimit)).toEqual(refusal(400, /UID/));
    expect(calls).toEqual([]);
  });

  it('refuses a NUL in any string with 400 and 022, before the handler', async () => {
    expect(await post(authorizeStart, JSON.stringify({ ...valid, CPOPartnerSessionID: 'a\u0000b' }))).toEqual(refusal(400, 'the request body holds a NUL character (\\u0000) in a string; no field may'));
    expect(calls).toEqual([]);
  });

  it('refuses an Identification that names no identification with 022, before the handler', async () => {
    for (const identification of [{}, { a: { b: 1 } }, { RFIDMifareFamily: { UID: 'AABBCCDD' } }]) {
      expect(await post(authorizeStart, JSON.stringify({ ...valid, Identification: identification }))).toEqual(refusal(400, /^Identification: none of RFIDMifareFamilyIdentification/));
    }
    const notification = { Type: 'Start', SessionID: 'b2a8a7c2-0000-4c3f-8d4a-1234567890ab', EvseID: 'DE*XYZ*E1*2', ChargingStart: '2026-01-01T10:00:00Z', OperatorID: 'DE*XYZ', Identification: {} };
    expect(await post(operationPath('ChargingNotification', ''), JSON.stringify(notification))).toEqual(refusal(400, /^Identification: none of/));
    expect(calls).toEqual([]);
  });

  it('answers unreadable charsets, encodings and paths with 022', async () => {
    expect(await post(authorizeStart, JSON.stringify(valid), { 'content-type': 'application/json; charset=utf-7' })).toEqual(refusal(415, /charset/));
    expect(await post(authorizeStart, 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).toMatchObject({ status: 400, body: { Result: false, StatusCode: { Code: '022' } } });
    expect(await post(authorizeStart.replace('DE*XYZ', '%E0%A4%A'), JSON.stringify(valid))).toMatchObject({ status: 400, body: { Result: false, StatusCode: { Code: '022' } } });
    expect(calls).toEqual([]);
  });

  it('answers requests Node refuses before Express in the terms of their path', async () => {
    const big = `X-Big: ${'a'.repeat(20_000)}\r\n`;
    expect(await rawExchange(server.url, `POST ${authorizeStart} HTTP/1.1\r\nHost: x\r\n${big}\r\n`)).toEqual({
      status: 431,
      body: { Result: false, StatusCode: { Code: '022', Description: expect.any(String), AdditionalInfo: 'the request line and headers are too large' } },
    });
    expect(await rawExchange(server.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n${big}\r\n`)).toEqual({ status: 431, body: { error: 'the request line and headers are too large' } });
    expect(await rawExchange(server.url, 'GET /metrics HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n')).toEqual({ status: 400, body: { error: 'the request is not valid HTTP' } });
    // The listener still serves after all that.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('never answers 5xx on /healthz, /metrics and unknown paths, whatever the body or path', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const path of ['/healthz', '/metrics', '/nowhere', '/nowhere/%E0%A4%A', '/api/oicp/nowhere']) {
      for (const [body, type] of [
        [deep, 'application/json'],
        ['{"a":', 'application/json'],
        ['{}', 'application/json; charset=utf-7'],
        ['x', 'text/plain'],
      ] as const) {
        const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
        expect({ path, type, status: res.status < 500 }).toEqual({ path, type, status: true });
        expect(await res.json()).toEqual(expect.any(Object));
      }
      expect((await fetch(`${server.url}${path}?%E0=%zz&a[b]=1`)).status).toBeLessThan(500);
    }
  });
});
