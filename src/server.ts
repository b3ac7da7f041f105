import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type Response, type Router } from 'express';
import { OCPI_BASE_PATH } from './ocpi/endpoints';
import { envelope } from './ocpi/wire/transport';
import { OICP_BASE_PATH } from './oicp/wire/operations';
import { SOAP_BASE_PATH, serviceAt } from './oicp/wire/soap-services';
import { OicpRefusal } from './oicp/wire/status-codes';
import { SOAP_CONTENT_TYPE, soapFault } from './oicp/soap/envelope';
import type { ServerConfig } from './config/schema';
import { DEFAULT_TENANT, TENANT_PATH } from './core/tenant';
import { answerClientError, refuseConnect } from './http/client-errors';
import { jsonBody } from './http/json-body';
import { toOriginForm } from './http/origin-form';
import type { Logger } from './observability/logger';
import { createMetrics, type Metrics } from './observability/metrics';
import { requestContext, requestLog } from './observability/request-context';
import type { Store } from './store';
import type { TraceSink } from './core/trace-context';

export interface AppDeps {
  store: Pick<Store, 'ping' | 'outbox' | 'held'>;
  /** The process's metrics (the flows count into them too); made here when not given. */
  metrics?: Metrics;
  logger: Logger;
  server: Pick<ServerConfig, 'bodyLimit'>;
  /** A readiness probe that hangs is as bad as a failed one: answer within this time (default 2 s). */
  readinessTimeoutMs?: number;
  /** Protocol routers (OICP, OCPI), mounted ahead of the generic body parser: each parses and refuses in its own protocol's terms. */
  routers?: Router[];
  /** Where OCPI requests and their answers are reported, each request's work in its exchange. */
  trace?: TraceSink;
}

/** Builds the HTTP application without listening, so tests mount it directly. */
export function createApp(deps: AppDeps): Express {
  const metrics = deps.metrics ?? createMetrics(() => [{ tenant: DEFAULT_TENANT, store: deps.store }]);
  const app = express();
  app.disable('x-powered-by');
  app.use(toOriginForm, requestContext(deps.logger, metrics, deps.trace));
  for (const router of deps.routers ?? []) app.use(router);
  app.use(jsonBody({ limit: deps.server.bodyLimit }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(deps.store.ping(), deps.readinessTimeoutMs ?? 2_000, 'store did not answer in time');
      res.json({ status: 'ready' });
    } catch (err) {
      requestLog(res).error('readiness check failed', { error: err });
      res.status(503).json({ status: 'unavailable', reason: 'store unreachable' });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use((req, res) => {
    res.status(404).json({ error: 'not found', path: req.path });
  });
  app.use(errorHandler);
  return app;
}

const TENANT_URL = /^\/tenants\/([^/?]*)(.*)$/s;

export interface TenantRoutes {
  /** The tenant's application, when the bridge runs that tenant now. */
  tenant(id: string): Express | undefined;
  /** What answers everything else: the `default` tenant's application, or health, readiness and metrics alone. */
  root(): Express;
}

/**
 * The listener's application when it serves several tenants: `/tenants/{id}/...` goes to that tenant's
 * application with the prefix taken off (each tenant's routes, logs and trace see the URLs of a bridge of
 * its own), anything else to the root. A tenant the bridge does not run is a 404 that names it, never
 * another tenant's answer.
 */
export function tenantFront(routes: TenantRoutes): Express {
  const front = express();
  front.disable('x-powered-by');
  front.use(toOriginForm, (req, res, next) => {
    const match = TENANT_URL.exec(req.url);
    if (!match) {
      routes.root()(req, res, next);
      return;
    }
    const [, id = '', rest = ''] = match;
    const app = routes.tenant(id);
    if (!app) {
      const tenant = id.slice(0, 64);
      if (!refuseInProtocol(res, rest, `no tenant ${tenant} here`)) res.status(404).json({ error: 'no such tenant here', tenant });
      return;
    }
    const path = rest.startsWith('/') ? rest : `/${rest}`;
    // The metrics are the deployment's, every tenant's series: served at the root only, for the operator.
    if (path === '/metrics' || path.startsWith('/metrics?')) {
      res.status(404).json({ error: 'the metrics of every tenant are at /metrics, not under a tenant' });
      return;
    }
    req.url = path;
    req.originalUrl = path;
    // Where the tenant is mounted, for what must name its own address (a WSDL's endpoint).
    res.locals.mountPath = `${TENANT_PATH}/${id}`;
    app(req, res, next);
  });
  return front;
}

/**
 * A call for no tenant the bridge runs, refused in the caller's protocol: an OCPI envelope (2000), an
 * OICP acknowledgement with 017 (as Hubject answers a party it does not know), a SOAP fault. False
 * for a path of neither protocol, left to the caller to answer.
 */
function refuseInProtocol(res: Response, path: string, message: string): boolean {
  if (path.startsWith(`${OCPI_BASE_PATH}/`)) res.status(404).json(envelope(undefined, new Date(), 2000, message));
  else if (path.startsWith(`${OICP_BASE_PATH}/`)) res.status(404).json(new OicpRefusal('017', message, 404).acknowledgement);
  else if (path.startsWith(`${SOAP_BASE_PATH}/`)) {
    const refusal = new OicpRefusal('017', message, 404);
    res.status(404).type(SOAP_CONTENT_TYPE).send(soapFault({ faultcode: 'Client', faultstring: `OICP: ${message}`, acknowledgement: refusal.acknowledgement, service: serviceAt(path.slice(SOAP_BASE_PATH.length)) }));
  } else return false;
  return true;
}

/**
 * The root's protocol paths when no tenant is `default`: every call names its tenant in its URL, and
 * one that does not is refused in its protocol, saying where the tenants are.
 */
export function tenantlessRoutes(tenants: () => string[]): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    if (!refuseInProtocol(res, req.path, `this bridge serves several tenants (${tenants().join(', ')}): call ${TENANT_PATH}/{id}${req.path}`)) next();
  });
  return router;
}

/** Body-parser failures are the caller's fault and say so; anything else is ours and is logged. */
const errorHandler: ErrorRequestHandler = (err: { type?: string; status?: number; message?: string }, _req, res, _next) => {
  if (err.type === 'entity.too.large') {
    res.status(413).json({ error: 'request body too large' });
  } else if (err.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'request body is not valid JSON' });
  } else if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    res.status(err.status).json({ error: err.message ?? 'bad request' });
  } else {
    requestLog(res).error('unhandled error', { error: err });
    res.status(500).json({ error: 'internal error', requestId: res.locals.requestId as string });
  }
};

export interface RunningServer {
  /** The URL the server actually listens on (with the real port when 0 was asked). */
  url: string;
  /** Stops accepting, lets in-flight requests finish for up to `shutdownTimeoutMs`, then cuts the rest. */
  close(): Promise<void>;
}

export async function startServer(app: Express, config: ServerConfig): Promise<RunningServer> {
  const tls = config.tls;
  const server = tls
    ? https.createServer(
        {
          cert: readFileSync(tls.cert),
          key: readFileSync(tls.key),
          ca: tls.ca ? readFileSync(tls.ca) : undefined,
          passphrase: tls.passphrase,
          requestCert: tls.requestClientCert,
          rejectUnauthorized: tls.requestClientCert,
        },
        app,
      )
    : http.createServer(app);
  // Requests Node refuses before Express (headers too large, malformed) get a JSON answer, not a bare status line.
  server.on('clientError', answerClientError).on('connect', refuseConnect);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    // unref: a probe still waiting must not keep a stopping process alive.
    timer = setTimeout(() => reject(new Error(message)), ms).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
