/**
 * Request targets in absolute form (`GET http://host/ocpi/versions HTTP/1.1`, RFC 9112 §3.2.2),
 * which a server must accept, rewritten to origin form (`/ocpi/versions`) before anything reads
 * them. Express routes either form, but code that reads `originalUrl` (the OCPI router deciding a
 * refusal is its own, the pagination Link built on our public URL) saw the caller's scheme and
 * host: an OCPI refusal fell through to a 500, and the Link named the caller's host.
 */
import type { RequestHandler } from 'express';

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** The target without scheme and authority; an empty path becomes `/`. */
export function originForm(target: string): string {
  if (!ABSOLUTE_FORM.test(target)) return target;
  const rest = target.replace(ABSOLUTE_FORM, '');
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export const toOriginForm: RequestHandler = (req, _res, next) => {
  const target = originForm(req.url);
  if (target !== req.url) {
    req.url = target;
    req.originalUrl = target;
  }
  next();
};
