/**
 * The admin listener's application: the API under /admin (behind the token) and, beside it, the
 * operator console: its page at `/` and its script and style under /console/ (from the project's
 * console/ folder, plain files; they hold no data, so they are served without the token). Separate
 * from the protocol listener so it can stay on a private interface.
 */
import { join } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { adminApi, type AdminApiDeps } from './api';
import { consolePage } from './page';

/** console/ beside src/ and dist/: this file is src/admin/app.ts or dist/admin/app.js. */
const ASSETS = join(__dirname, '..', '..', 'console');

export function adminApp(deps: AdminApiDeps): Express {
  const app = consoleShell();
  app.get('/', (_req, res) => {
    res.type('html').send(consolePage());
  });
  app.use(adminApi(deps));
  app.use(notFound());
  return app;
}

/**
 * The admin listener's root when no tenant is `default`: the tenants' consoles, linked, and for an
 * API call without a tenant a 404 that names them; never one tenant's answer for another. The tenants'
 * pages load their script and style from here.
 */
export function tenantIndexApp(tenants: () => string[]): Express {
  const app = consoleShell();
  app.get('/', (_req, res) => {
    const links = tenants().map((id) => `<li><a href="/tenants/${encodeURIComponent(id)}/">${id}</a></li>`).join('');
    res.type('html').send(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Bridge console</title></head><body><h1>OCPI–OICP bridge console</h1><p>Each tenant has its console:</p><ul>${links}</ul></body></html>\n`);
  });
  app.use(notFound(() => `this bridge serves several tenants; each one's console and API are under /tenants/{id}/ (${tenants().join(', ')})`));
  return app;
}

/** An admin application's common part: the headers of every answer, and the console's script and style under /console/. */
function consoleShell(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    // Only our own script and style; the page is never framed (clickjacking the requeue buttons).
    res.set({ 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });
  app.use('/console', express.static(ASSETS, { index: false, fallthrough: true }));
  return app;
}

/** The admin listener's 404, a problem document; `detail` is read when answering. */
function notFound(detail?: () => string): RequestHandler {
  return (_req, res) => {
    res.status(404).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, ...(detail && { detail: detail() }) }));
  };
}

/** The lines that tell a sandbox user where the console is and how to get in (the token is the sandbox's own, made for the run). */
export function consoleBanner(adminUrl: string, token: string): string {
  return `Operator console: ${adminUrl}/  (admin token for this run: ${token})\n`;
}
