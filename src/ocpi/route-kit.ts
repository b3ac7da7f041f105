/**
 * What every route of the bridge's OCPI server shares: answering in an envelope, the version named
 * in the URL, the authenticated caller, and async handlers whose failures reach the error handler.
 */
import type { NextFunction, Request, Response } from 'express';
import type { TokenPurpose } from '../store/credentials';
import { versionsUrl } from './endpoints';
import { OcpiError, envelope, type OcpiVersion } from './wire/transport';

/** Who is calling, from the token they presented. */
export interface Caller {
  party: string;
  purpose: TokenPurpose;
  token: string;
}

export interface RouteKit {
  send(res: Response, data: unknown, httpStatus?: number): void;
  /** The version of the URL, when we offer it; else OCPI 3002 with a pointer to our versions. */
  versionOf(req: Request): OcpiVersion;
  caller(res: Response): Caller;
  handle(work: (req: Request, res: Response) => Promise<void> | void): (req: Request, res: Response, next: NextFunction) => void;
}

export function routeKit(versions: readonly OcpiVersion[], publicUrl: () => string, now: () => Date): RouteKit {
  return {
    send: (res, data, httpStatus = 200) => res.status(httpStatus).json(envelope(data, now())),
    versionOf: (req) => {
      const version = versions.find((v) => v === req.params.version);
      if (!version) throw new OcpiError(3002, `version ${String(req.params.version)} is not offered here; see ${versionsUrl(publicUrl())}`, 404);
      return version;
    },
    caller: (res) => res.locals.caller as Caller,
    handle: (work) => (req, res, next) => {
      Promise.resolve()
        .then(() => work(req, res))
        .catch(next);
    },
  };
}
