/**
 * Refusals on the OCPI server, always as envelopes in the caller's version's status codes.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: status-codes-for-2-1-1 (src/ocpi/errata.ts).
import type { ErrorRequestHandler } from 'express';
import { isBodyRefused } from '../http/json-body';
import { originForm } from '../http/origin-form';
import type { Logger } from '../observability/logger';
import { OCPI_BASE_PATH } from './endpoints';
import { OcpiError, envelope, type OcpiStatusCode } from './wire/transport';

/**
 * Refusals as envelopes. OcpiError as it says; what the caller sent wrong before any OCPI logic ran
 * is answered with the HTTP status it deserves: a path segment that is not percent-encoded UTF-8
 * (the router's decoding fails) and a body nested too deep or holding a NUL are 400 with 2001, a body that is not
 * JSON 400 and one over the limit 413 with 2000, any other refusal of the body parser (an unknown
 * charset or Content-Encoding, an aborted upload) its own 4xx with 2000. Anything else is ours:
 * 500 with 3000, logged.
 */
const in211 = (url: string) => originForm(url).startsWith(`${OCPI_BASE_PATH}/2.1.1/`);

/** A 2.1.1 peer gets only the codes 2.1.1 has: 2004 (unknown token) is its generic client error, the 2.2.1 hub codes its generic server error. */
function codeIn211(code: OcpiStatusCode): OcpiStatusCode {
  if (code === 2004) return 2000;
  return code >= 4000 ? 3000 : code;
}

export function ocpiErrors(logger: Logger, now: () => Date): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (!originForm(req.originalUrl).startsWith(OCPI_BASE_PATH)) {
      next(err);
      return;
    }
    const refuse = (httpStatus: number, code: OcpiStatusCode, message: string) => res.status(httpStatus).json(envelope(undefined, now(), in211(req.originalUrl) ? codeIn211(code) : code, message));
    const clientError = err as { type?: string; status?: unknown; message?: string };
    if (err instanceof OcpiError) refuse(err.httpStatus, err.code, err.message);
    else if (err instanceof URIError && clientError.status === 400) refuse(400, 2001, `the URL path is not valid percent-encoded UTF-8: ${req.originalUrl.split('?')[0]!.slice(0, 200)}`);
    else if (isBodyRefused(err)) refuse(err.status, err.status === 400 ? 2001 : 2000, err.message);
    else if (clientError.type === 'entity.parse.failed') refuse(400, 2000, 'the request body is not valid JSON');
    else if (clientError.type === 'entity.too.large') refuse(413, 2000, 'the request body is too large');
    else if (typeof clientError.status === 'number' && clientError.status >= 400 && clientError.status < 500) refuse(clientError.status, 2000, clientError.message ?? 'unreadable request');
    else {
      ((res.locals.log as Logger | undefined) ?? logger).error('OCPI request failed', { error: err });
      refuse(500, 3000, 'internal error');
    }
  };
}
