/**
 * The bridge's listener under malformed HTTP (issue 18): raw requests written to a socket, with
 * request lines, targets, versions and headers no client library would send, and headers around
 * and past Node's 16 KiB limit, to the OCPI, OICP, health and unknown paths of a running bridge
 * (the CPO scene). Every request gets an HTTP answer (never a bare close), never a 5xx, and every
 * refusal carries a JSON body.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { startCpoScene, type CpoScene } from '../support/cpo-scene';
import { FUZZ_SEED } from './hostile';

interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Writes `bytes` (a complete request asking to close) and reads the first answer until the server
 * closes. The socket is not half-closed: Node aborts a request whose client ended its side.
 */
function exchange(url: string, bytes: Buffer): Promise<RawAnswer | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 5 s')), 5_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      if (text === '') return resolve(undefined);
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = Buffer.from(rest.join('\r\n\r\n'), 'latin1');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN),
        contentType: /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1] ?? '',
        body: (Number.isNaN(length) ? body : body.subarray(0, length)).toString('utf8'),
      });
    };
    socket.on('close', done);
    socket.on('error', (err) => (chunks.length > 0 ? done() : reject(err)));
    socket.write(bytes);
  });
}

const PATHS = ['/ocpi/2.2.1/locations/NL/SIM/LOC1', '/ocpi/versions', '/api/oicp/charging/v21/operators/DE*XYZ/authorize/start', '/healthz', '/metrics', '/nowhere', '*', 'http://example.com/ocpi/versions', ''];
const token = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'CONNECT', 'TRACE', 'BREW', ''), fc.string({ unit: 'binary-ascii', maxLength: 8 }));
const rawBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b).toString('latin1'));
const request = fc.record({
  method: token,
  path: fc.constantFrom(...PATHS),
  suffix: fc.oneof(fc.constant(''), fc.string({ unit: 'binary-ascii', maxLength: 30 }), rawBytes(30), fc.constantFrom('%', '%E0%A4%A', '?a=%zz', '/%00', '/..%2F..', ' x')),
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'http/1.1', ''),
  headers: fc.array(fc.tuple(fc.oneof(fc.constantFrom('Content-Type', 'Authorization', 'X-Request-ID', 'Content-Encoding', 'Expect'), fc.string({ unit: 'binary-ascii', maxLength: 10 })), fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 30 }), rawBytes(30))), { maxLength: 4 }),
  padding: fc.oneof(fc.constant(0), fc.integer({ min: 15_000, max: 17_000 }), fc.integer({ min: 0, max: 40_000 })),
  body: fc.option(fc.oneof(fc.constant('{}'), fc.string({ unit: 'binary', maxLength: 100 }), fc.constant(`${'['.repeat(1_000)}${']'.repeat(1_000)}`))),
});

describe('the listener under malformed HTTP', () => {
  let scene: CpoScene;
  beforeAll(async () => {
    scene = await startCpoScene('rest-2.3');
  }, 30_000);
  afterAll(() => scene?.close());

  it('answers every request, never with a 5xx, and every refusal with a JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const body = r.body === null ? undefined : Buffer.from(r.body, 'utf8');
        // Complete requests only (exact Content-Length, no chunking): the server owes each an answer.
        const lines = [`${r.method} ${r.path}${r.suffix} ${r.version}`, 'Host: 127.0.0.1', 'Connection: close', ...r.headers.map(([name, value]) => `${name}: ${value}`)];
        if (r.padding > 0) lines.push(`X-Padding: ${'p'.repeat(r.padding)}`);
        if (body) lines.push(`Content-Length: ${body.length}`);
        const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
        const answer = await exchange(scene.bridge.url, bytes);
        const shown = JSON.stringify({ request: bytes.subarray(0, 300).toString('latin1'), answer });
        if (answer === undefined || !(answer.status < 500)) throw new Error(`no answer or a 5xx: ${shown}`);
        if (answer.status >= 400 && r.method !== 'HEAD') {
          try {
            JSON.parse(answer.body);
          } catch {
            throw new Error(`a refusal without a JSON body: ${shown}`);
          }
        }
      }),
      { seed: FUZZ_SEED, numRuns: 150, endOnFailure: true },
    );
    // And it still serves.
    expect((await fetch(`${scene.bridge.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
