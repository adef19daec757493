import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { errorBoundary, notFoundHandler } from './errors.js';
import { requestLogger } from './logging.js';
import { measureRequests } from './metrics.js';

export interface HttpAppOptions {
  logger: Logger;
  routers: { path: string; router: Router }[];
  readiness: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Prometheus text exposition, e.g. `() => metricsRegistry.metrics()` */
  metrics?: () => Promise<string>;
  /** guards /readyz and /metrics (DESIGN §9: every route but /healthz needs a token) */
  protect?: RequestHandler;
  /** /readyz without a token, for a Kubernetes probe: it then answers only `{ status }`, never the checks */
  publicReadiness?: boolean;
}

/** The express app: request logging and metrics, health routes, the given routers, 404 and the error boundary. */
export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Responses carry their own ETags where they mean something (SCIM); hashing every body is wasted work.
  app.set('etag', false);
  app.use(requestLogger(options.logger));
  app.use(measureRequests);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const protect: RequestHandler = options.protect ?? ((_req, _res, next) => next());
  const open = options.publicReadiness ?? false;
  app.get('/readyz', open ? (_req, _res, next) => next() : protect, async (req, res) => {
    try {
      const { ok, checks } = await options.readiness();
      const status = ok ? 'ok' : 'not ready';
      res.status(ok ? 200 : 503).json(open ? { status } : { status, checks });
    } catch (err) {
      options.logger.error({ err, reqId: req.id }, 'readiness check failed');
      res
        .status(503)
        .json(open ? { status: 'not ready' } : { status: 'not ready', checks: { readiness: 'check failed' } });
    }
  });
  if (options.metrics) {
    const metrics = options.metrics;
    app.get('/metrics', protect, async (_req, res) => {
      res.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics());
    });
  }
  for (const { path, router } of options.routers) {
    app.use(
      path,
      (_req, res, next) => {
        res.locals.mountPath = path;
        next();
      },
      router,
    );
  }
  app.use(notFoundHandler);
  app.use(errorBoundary(options.logger));
  return app;
}
