/**
 * The admin listener's application: the API under /admin (behind the token) and, beside it, the
 * operator console's page. Separate from the protocol listener so it can stay on a private interface.
 */
import express, { type Express } from 'express';
import { adminApi, type AdminApiDeps } from './api';

export function adminApp(deps: AdminApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(adminApi(deps));
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
  });
  return app;
}
