import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { inTraceScope, traceEvent, type TraceSink } from '../core/trace-context';

/** Printable ASCII without spaces, bounded: anything else is replaced so it cannot forge log lines. */
const ACCEPTABLE_ID = /^[\x21-\x7E]{1,128}$/;

/** Probes and scrapes would drown the access log at info level. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function inboundId(req: Request, header: string): string | undefined {
  const value = req.get(header);
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : undefined;
}

/** OCPI requests are traced here, with the answer; OICP calls by their routes, which know the operation and read SOAP. */
const OCPI_PATH = /^\/ocpi\//;

/**
 * The ids an OCPI path names: `/ocpi/2.2.1/locations/DE/ABC/LOC1/EVSE1` names location LOC1 and EVSE
 * EVSE1 (a session, CDR or token id in their modules); a connector id after them names nothing by itself.
 */
function pathRefs(path: string): string[] {
  return path.split('/').slice(6, 8).filter((segment) => segment !== '').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
}

/**
 * Gives each request an id (the caller's X-Request-ID or X-Correlation-ID when usable), echoes it,
 * hangs a child logger carrying it on `res.locals.log`, and records the access log line and metrics.
 * With a trace sink, everything the request causes runs in its exchange (the correlation id), and an
 * OCPI request is reported with its answer.
 */
export function requestContext(logger: Logger, metrics: Metrics, trace?: TraceSink): RequestHandler {
  return (req, res, next) => {
    const inboundCorrelation = inboundId(req, 'X-Correlation-ID');
    const requestId = inboundId(req, 'X-Request-ID') ?? inboundCorrelation ?? randomUUID();
    const correlationId = inboundCorrelation ?? requestId;
    res.setHeader('X-Request-ID', requestId);
    res.setHeader('X-Correlation-ID', correlationId);
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ requestId, correlationId });
    const started = process.hrtime.bigint();
    const startedAt = Date.now();
    const traced = trace !== undefined && OCPI_PATH.test(req.path);
    let answer: unknown;
    if (traced) {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        answer = body;
        return json(body);
      };
    }
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
      if (traced) {
        inTraceScope({ correlationId }, () =>
          traceEvent(trace, {
            protocol: 'ocpi',
            direction: 'in',
            kind: 'request',
            name: `${req.method} ${path}`,
            status: String(res.statusCode),
            request: req.body as unknown,
            response: answer,
            durationMs: Math.round(seconds * 1000),
            refs: pathRefs(path),
          }, startedAt),
        );
      }
    });
    if (trace) inTraceScope({ correlationId }, next);
    else next();
  };
}

/** The request's logger (carries its id), set up by `requestContext`. */
export function requestLog(res: Response): Logger {
  return res.locals.log as Logger;
}
