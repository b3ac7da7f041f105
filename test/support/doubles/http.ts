import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Plumbing the test doubles share: reading bodies, answering JSON, listening, a seeded random
 * source and the `/_double/...` control router. Nothing here knows OCPI or OICP.
 */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a body as JSON; `undefined` when it is empty, an Error when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return new Error(`body is not JSON: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** Open sockets of a server, so a double can close them (gracefully or with a TCP reset) at will. */
export class SocketTracker {
  readonly sockets = new Set<Socket>();
  /** Requests being answered on each socket: a socket without one is idle (keep-alive). */
  readonly busy = new Map<Socket, number>();

  constructor(server: Server, onConnection?: (socket: Socket) => void) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.busy.set(socket, 0);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.busy.delete(socket);
      });
      onConnection?.(socket);
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
      res.on('close', () => this.busy.set(socket, Math.max(0, (this.busy.get(socket) ?? 1) - 1)));
    });
  }

  /** Ends every connection: `reset` sends a TCP RST (the peer sees ECONNRESET), otherwise a plain destroy. */
  destroyAll(reset: boolean): void {
    for (const socket of this.sockets) {
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

/** mulberry32: a small seeded generator, so a fault pattern or a data set repeats for one seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A non-empty subset of `items`, in their order. */
export function someOf<T>(random: () => number, items: readonly T[], max = items.length): T[] {
  const chosen = items.filter(() => random() < 0.4).slice(0, max);
  return chosen.length > 0 ? chosen : [pick(random, items)];
}

/** A sleep that `cancel` ends early (when a double closes while requests are held). */
export function sleep(ms: number, cancel?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (cancel?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', done);
      resolve();
    }
    cancel?.addEventListener('abort', done);
  });
}

export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below `/_double`, e.g. `/counters`; `:name` segments are passed in `params`. */
  path: string;
  handle(input: { body: unknown; query: URLSearchParams; params: Record<string, string> }): unknown;
}

function compile(path: string): RegExp {
  const pattern = path.replace(/:[a-zA-Z]+/g, (name) => `(?<${name.slice(1)}>[^/]+)`);
  return new RegExp(`^/_double${pattern}$`);
}

/**
 * Answers the control API of a double: JSON in, JSON out, 404 for an unknown path and 400 with the
 * message for a handler that throws (a test's mistake, so it should read clearly).
 */
export function controlHandler(routes: ControlRoute[]): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = routes.map((route) => ({ route, regex: compile(route.path) }));
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const match = compiled.map(({ route, regex }) => ({ route, found: req.method === route.method ? regex.exec(url.pathname) : null })).find((m) => m.found);
    void readBody(req).then(async (text) => {
      if (!match) return sendJson(res, 404, { error: `no control endpoint ${req.method ?? ''} ${url.pathname}` });
      const body = parseJson(text);
      if (body instanceof Error) return sendJson(res, 400, { error: body.message });
      const params = Object.fromEntries(Object.entries(match.found!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      try {
        const result = await match.route.handle({ body, query: url.searchParams, params });
        sendJson(res, 200, result ?? { ok: true });
      } catch (err) {
        sendJson(res, 400, { error: (err as Error).message });
      }
    });
  };
}

/** A server of its own for the control API, so faults of the double (down, resets) never reach it. */
export async function startControlServer(routes: ControlRoute[], host: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(controlHandler(routes));
  const tracker = new SocketTracker(server);
  const bound = await listen(server, port, host);
  return {
    url: `http://${host}:${bound}`,
    close: async () => {
      tracker.destroyAll(false);
      await closeServer(server);
    },
  };
}
