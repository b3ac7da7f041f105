import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

/** Printable ASCII without spaces, bounded: anything else is replaced so it cannot forge log lines. */
const ACCEPTABLE_ID = /^[\x21-\x7E]{1,128}$/;

/** Probes and scrapes would drown the access log at info level. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function inboundId(req: Request, header: string): string | undefined {
  const value = req.get(header);
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : undefined;
}

/**
 * Gives each request an id (the caller's X-Request-ID or X-Correlation-ID when usable), echoes it,
 * hangs a child logger carrying it on `res.locals.log`, and records the access log line and metrics.
 */
export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const inboundCorrelation = inboundId(req, 'X-Correlation-ID');
    const requestId = inboundId(req, 'X-Request-ID') ?? inboundCorrelation ?? randomUUID();
    const correlationId = inboundCorrelation ?? requestId;
    res.setHeader('X-Request-ID', requestId);
    res.setHeader('X-Correlation-ID', correlationId);
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ requestId, correlationId });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route pattern, never the raw path: ids in paths would make the label set unbounded.
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: string }).path)}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
      requestLog(res).log(QUIET_PATHS.has(path) ? 'debug' : 'info', 'request', {
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
      });
    });
    next();
  };
}

/** The request's logger (carries its id), set up by `requestContext`. */
export function requestLog(res: Response): Logger {
  return res.locals.log as Logger;
}
