import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP load balancer in front of several bridge instances, as a deployment has one:
 * the backend knows one URL. A request whose instance refuses the connection (killed, restarting)
 * goes to the next; one whose instance dies while answering is answered 502, as a real balancer
 * would — the backend learns nothing was acknowledged.
 */
export interface Balancer {
  url: string;
  /** Requests answered 502 because every instance refused, or the chosen one died mid-answer. */
  failed(): number;
  close(): Promise<void>;
}

export async function startBalancer(targets: readonly string[]): Promise<Balancer> {
  let next = 0;
  let failed = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (left: number) => {
        const target = new URL(targets[next++ % targets.length]!);
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (res.headersSent) return void res.destroy();
          if (err.code === 'ECONNREFUSED' && left > 1) return attempt(left - 1);
          failed++;
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`no instance answered: ${err.message}`);
        });
        upstream.end(body);
      };
      attempt(targets.length * 2);
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    failed: () => failed,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
