/* eslint-disable @typescript-eslint/no-explicit-any -- bodies of every OCPI shape, read the way supertest bodies are */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OCPI 2.2.1 eMSP written for the OCPI double's tests, from the spec digest and nothing of
 * the project's OCPI code: it registers with the double (token A -> B -> C), serves its own versions,
 * details and Receiver endpoints to the double, and records what arrives. Strict on the one thing it
 * exists to check: every call must carry `Authorization: Token <base64(token)>`.
 */

export const b64 = (token: string) => Buffer.from(token, 'utf8').toString('base64');

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface Counterpart {
  url: string;
  versionsUrl: string;
  /** The token the double must use on us (token B). */
  tokenB: string;
  /** The token we were given (token C), once registered. */
  tokenC?: string;
  received: Received[];
  /** Our token A, for the handshake the double initiates. */
  ownTokenA: string;
  /** Receivers answer this OCPI status instead of 1000 when set (e.g. 2001). */
  refuseWith?: number;
  /** The registration as the bridge does it: versions, details, POST credentials. */
  register(versionsUrl: string, tokenA: string): Promise<{ status: number; body: any }>;
  get(url: string, token: string): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

const envelope = (status_code: number, data?: unknown) => ({ ...(data === undefined ? {} : { data }), status_code, timestamp: new Date().toISOString() });

export async function startCounterpart(): Promise<Counterpart> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `${url}/emsp/2.2.1`;
  const self: Counterpart = {
    url,
    versionsUrl: `${url}/emsp/versions`,
    tokenB: 'token-B-of-the-emsp',
    received: [],
    ownTokenA: 'emsp-token-A',
    register: async (versionsUrl, tokenA) => {
      const versions = await self.get(versionsUrl, tokenA);
      const details = await self.get((versions.body.data as { version: string; url: string }[]).find((v) => v.version === '2.2.1')!.url, tokenA);
      const credentials = (details.body.data.endpoints as { identifier: string; url: string }[]).find((e) => e.identifier === 'credentials')!;
      const res = await fetch(credentials.url, {
        method: 'POST',
        headers: { authorization: `Token ${b64(tokenA)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token: self.tokenB, url: self.versionsUrl, roles: [{ role: 'EMSP', business_details: { name: 'Test eMSP' }, party_id: 'EMS', country_code: 'NL' }] }),
      });
      const body = (await res.json()) as any;
      if (body.status_code === 1000) self.tokenC = body.data.token as string;
      return { status: res.status, body };
    },
    get: async (target, token) => {
      const res = await fetch(target, { headers: { authorization: `Token ${b64(token)}` } });
      return { status: res.status, headers: res.headers, body: await res.json() };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body: any = text ? JSON.parse(text) : undefined;
        const path = req.url ?? '/';
        self.received.push({ method: req.method ?? '', path, headers: req.headers, body });
        // The double registering with us: our token A opens our credentials endpoint; we read its versions back with its token.
        if (req.method === 'POST' && path === '/emsp/2.2.1/credentials' && req.headers.authorization === `Token ${b64(self.ownTokenA)}`) {
          const versions = await self.get(body.url as string, body.token as string);
          if (versions.status !== 200) return send(res, 200, envelope(3001));
          self.tokenC = body.token as string;
          return send(res, 200, envelope(1000, { token: self.tokenB, url: self.versionsUrl, roles: [{ role: 'EMSP', business_details: { name: 'Test eMSP' }, party_id: 'EMS', country_code: 'NL' }] }));
        }
        const ownTokenA = req.headers.authorization === `Token ${b64(self.ownTokenA)}`;
        if (req.headers.authorization !== `Token ${b64(self.tokenB)}` && !(ownTokenA && !path.includes('/2.2.1/'))) return send(res, 401, envelope(2000));
        if (path === '/emsp/versions') return send(res, 200, envelope(1000, [{ version: '2.2.1', url: base }]));
        if (path === '/emsp/2.2.1') {
          return send(
            res,
            200,
            envelope(1000, {
              version: '2.2.1',
              endpoints: [
                { identifier: 'credentials', role: 'SENDER', url: `${base}/credentials` },
                ...['locations', 'sessions', 'cdrs', 'tariffs'].map((identifier) => ({ identifier, role: 'RECEIVER', url: `${base}/${identifier}` })),
                { identifier: 'tokens', role: 'SENDER', url: `${base}/tokens` },
              ],
            }),
          );
        }
        if (req.method === 'PATCH' && (body?.last_updated === undefined || self.refuseWith)) return send(res, 200, envelope(self.refuseWith ?? 2001));
        if (path.startsWith('/emsp/2.2.1/cdrs') && req.method === 'POST') return send(res, 201, envelope(self.refuseWith ?? 1000), { location: `${base}/cdrs/${body.id as string}` });
        if (/\/tokens\/[^/]+\/authorize/.test(path)) return send(res, 200, envelope(1000, { allowed: 'ALLOWED', token: { uid: decodeURIComponent(path.split('/')[4]!) }, authorization_reference: 'AUTH-REF-1' }));
        return send(res, 200, envelope(self.refuseWith ?? 1000));
      })();
    });
  });
  return self;
}
