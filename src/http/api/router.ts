import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { BadRequestError } from '../../domain/errors.js';
import { createStatusService } from '../../services/status.js';
import { bearerAuth, type Principal } from '../auth.js';
import { roleAtLeast } from '../../domain/role.js';
import { ForbiddenError } from '../errors.js';
import type { ApiRoute, Reply } from './define-route.js';
import type { AdminApiDeps, RouteDeps } from './deps.js';
import { buildOpenApiDocument } from './openapi.js';
import { CSRF_HEADER, viaCookie } from './roles.js';
import { sessionPrincipal } from '../sign-in/router.js';
import { activityRoutes } from './routes/activity-routes.js';
import { approvalRoutes } from './routes/approval-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { historyRoutes } from './routes/history-routes.js';
import { taskRoutes } from './routes/task-routes.js';
import { exceptionRoutes } from './routes/exception-routes.js';
import { journalRoutes } from './routes/journal-routes.js';
import { readRoutes } from './routes/read-routes.js';
import { syncRoutes } from './routes/sync-routes.js';
import { reviewRoutes } from './routes/review-routes.js';

export const API_VERSION = '1.0.0';

/** Every admin route, in mounting order (a literal path before a parameter on the same prefix). */
export function adminRoutes(deps: RouteDeps): ApiRoute[] {
  return [
    ...readRoutes(deps),
    ...syncRoutes(deps),
    ...journalRoutes(deps),
    ...exceptionRoutes(deps),
    ...approvalRoutes(deps),
    ...activityRoutes(deps),
    ...taskRoutes(deps),
    ...docsRoutes(deps),
    ...historyRoutes(deps),
    ...reviewRoutes(deps),
  ];
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The admin API, mounted at `/api`. Each route names the least role it needs (viewer reads, approver decides
 * approvals, admin changes); the caller is a service account's bearer token or the dashboard's sign-in. Every failure is thrown to the app's one error boundary (src/http/errors.ts).
 */
export function createAdminApiRouter(deps: AdminApiDeps): Router {
  const status = deps.status ?? createStatusService(deps);
  const routes = adminRoutes({ ...deps, status });
  const openapi = buildOpenApiDocument(routes, { version: API_VERSION, basePath: '/api' });
  const router = express.Router();

  router.use(
    bearerAuth({ accounts: deps.accounts, ...(deps.sessions && { session: sessionPrincipal(deps.sessions) }) }),
  );
  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (!SAFE.has(req.method) && viaCookie(req) && !req.get(CSRF_HEADER)) {
      next(new ForbiddenError(`a change made with the dashboard's cookie needs the ${CSRF_HEADER} header`));
      return;
    }
    next();
  });
  router.use(express.json({ limit: deps.bodyLimit ?? '1mb' }));

  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const principal = res.locals.principal as Principal;
      const { role } = principal;
      if (!roleAtLeast(role, route.access)) throw new ForbiddenError(forbidden(role, route.access));
      const aborter = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) aborter.abort();
      });
      send(res, await route.run(req, { role, name: principal.name }, aborter.signal));
    });
  }
  // The router's own decoding of `:id` throws a bare URIError; say what it is so the boundary answers 400, not 500.
  router.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(err instanceof URIError ? new BadRequestError(`malformed percent-encoding in the path: ${err.message}`) : err);
  });
  return router;
}

const forbidden = (role: string, needed: string): string =>
  role === 'viewer' ? 'this token may only read' : `this needs the ${needed} role (you are ${role})`;

function send(res: Response, reply: Reply): void {
  res.status(reply.status ?? 200);
  if (reply.headers) res.set(reply.headers);
  if (reply.type) res.type(reply.type).send(reply.body);
  else res.json(reply.body);
}
