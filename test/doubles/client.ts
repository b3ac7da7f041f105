import { request, type Agent } from 'node:http';

/**
 * A bare HTTP client for the doubles' own tests: node:http rather than fetch, so a reset, a refused
 * connection or a timeout surfaces as its own error code (ECONNRESET, ECONNREFUSED, TIMEOUT).
 */

export interface Answer {
  status: number;
  // Answers of every OICP and OCPI shape, read by the tests the way supertest bodies are.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

export function call(method: string, url: string, options: { body?: unknown; raw?: string; agent?: Agent; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<Answer> {
  const started = Date.now();
  const text = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: options.agent ?? false,
        headers: { ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown = raw;
          try {
            body = raw === '' ? undefined : JSON.parse(raw);
          } catch {
            // a 503 from the double is plain text
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers, ms: Date.now() - started });
        });
        res.on('error', reject);
      },
    );
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    }
    req.on('error', reject);
    req.end(text);
  });
}

export const post = (url: string, body: unknown, options: Omit<Parameters<typeof call>[2], 'body'> = {}) => call('POST', url, { ...options, body });

/** The error code a failed call ended with. */
export async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
  throw new Error('expected the call to fail');
}
