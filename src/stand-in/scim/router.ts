import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { requireBearer } from '../auth.js';
import type { FaultInjector } from '../faults.js';
import type { GroupsStore } from '../groups-store.js';
import type { Traffic } from '../traffic.js';
import type { UsersStore } from '../users-store.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { ScimError, toErrorBody } from './errors.js';
import { registerGroupRoutes } from './groups.js';
import { sendScim } from './respond.js';
import type { UserContext } from './user-resource.js';
import { registerUserRoutes } from './users.js';

export interface ScimRouterDeps {
  token: string;
  users: UsersStore;
  groups: GroupsStore;
  ctx: UserContext;
  faults: FaultInjector;
  traffic: Traffic;
  logger?: Logger;
  bodyLimit?: string;
}

const JSON_TYPES = /^application\/(?:scim\+json|json|[\w.+-]*\+json)\s*(?:;|$)/i;

const requireJsonBody: RequestHandler = (req, _res, next) => {
  const type = req.get('content-type');
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && type && !JSON_TYPES.test(type)) {
    throw new ScimError(415, undefined, `unsupported content type "${type}": send application/scim+json`);
  }
  next();
};

interface HttpError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** SCIM 2.0 at /scim/v2, by hand (no scimmy: its registry is process-global and the real service owns it). */
export function createScimRouter(deps: ScimRouterDeps): Router {
  const router = express.Router({ caseSensitive: false });
  router.use(requireBearer(deps.token, (res, detail) => sendScim(res, 401, toErrorBody(401, detail))));
  router.use(requireJsonBody);
  router.use(express.json({ type: () => true, limit: deps.bodyLimit ?? '1mb' }));
  router.use(deps.traffic.received);
  router.use(deps.faults.middleware);
  router.use(deps.traffic.processing);

  registerUserRoutes(router, deps);
  registerGroupRoutes(router, deps);
  registerDiscoveryRoutes(router);
  router.all(['/Bulk', '/Me'], () => {
    throw new ScimError(501, undefined, 'not implemented by this service provider');
  });
  router.use((req) => {
    throw new ScimError(404, undefined, `no SCIM endpoint ${req.method} ${req.path}`);
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (err instanceof ScimError) return sendScim(res, err.status, toErrorBody(err.status, err.message, err.scimType));
    const http = (typeof err === 'object' && err !== null ? err : {}) as HttpError;
    if (http.type === 'entity.parse.failed') {
      return sendScim(res, 400, toErrorBody(400, 'the request body is not valid JSON', 'invalidSyntax'));
    }
    if (http.expose && http.status && http.status >= 400 && http.status < 500) {
      const detail =
        http.type === 'entity.too.large'
          ? 'the request body is too large'
          : `bad request (${http.type ?? http.status})`;
      return sendScim(res, http.status, toErrorBody(http.status, detail));
    }
    deps.logger?.error(
      { err: { message: (err as Error)?.message, stack: (err as Error)?.stack }, path: req.path },
      'SCIM handler failed',
    );
    sendScim(res, 500, toErrorBody(500, 'internal error'));
  };
  router.use(onError);
  return router;
}
