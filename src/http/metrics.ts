import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';

/** The process's metrics registry: HTTP and SCIM metrics live here; the composition root adds its own to it. */
export const metricsRegistry = new Registry();

const requestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

/** SCIM pushes that changed something, by ScimChange reason. */
export const scimChangesTotal = new Counter({
  name: 'scim_changes_total',
  help: 'SCIM writes that changed users or groups, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

/**
 * Times every request; the route label is the matched route pattern, never the raw path (ids would explode it).
 * The pattern is read when the headers go out: by 'finish', express has already unwound `req.baseUrl` of routers
 * an error left. `res.locals.mountPath` (set by createHttpApp) restores the prefix in that case.
 */
export const measureRequests: RequestHandler = (req, res, next) => {
  const end = requestDuration.startTimer();
  let route = 'unmatched';
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
    if (req.route) {
      const mount = typeof res.locals.mountPath === 'string' ? res.locals.mountPath : '';
      const base = req.baseUrl === '' ? mount : req.baseUrl;
      route = `${base}${String(req.route.path)}`;
    }
    return writeHead.apply(this, args);
  } as typeof res.writeHead;
  res.once('finish', () => {
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
};
