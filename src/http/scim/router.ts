import express from 'express';
import type { Logger } from 'pino';
import SCIMMY from 'scimmy';
import { SCIMMYRouters } from 'scimmy-routers';
import type { ScimChange } from '../../sources/scim/change.js';
import type { ScimRepository } from '../../sources/scim/repository.js';
import { readBearerToken, tokenMatches } from '../auth.js';
import { scimChangesTotal } from '../metrics.js';
import { createResourceRoutes } from './resource-routes.js';
import { plainQuery, requireScimMediaType, requireScimToken, scimResponseType, SCIM_MEDIA_TYPES } from './request.js';
import { configureServiceProvider, declareScimResources } from './resources.js';
import { scimErrorHandler, sendScimError } from './scim-errors.js';

const DISCOVERY = /^\/(ServiceProviderConfig|Schemas|ResourceTypes)(\/|$)/i;

/**
 * The discovery endpoints take no query: a filter is a 403 (RFC 7644 §4), anything else is ignored, so that
 * scimmy never has to parse it (a malformed `attributes` would otherwise surface from scimmy-routers as a 500).
 */
const discoveryQuery: express.RequestHandler = (req, res, next) => {
  if (!DISCOVERY.test(req.path)) {
    next();
    return;
  }
  if (Object.keys(req.query).some((key) => key.toLowerCase() === 'filter')) {
    sendScimError(res, 403, null, `${req.path} does not support filtering`);
    return;
  }
  req.query = {};
  next();
};

export interface ScimRouterOptions {
  repository: ScimRepository;
  /** the SCIM_TOKEN an IdP must present as a bearer token */
  token: string;
  /** absolute URL of the mount point, e.g. `https://sync.example.com/scim/v2`; used for `meta.location` */
  baseUri: string;
  onChange?: (change: ScimChange) => void;
  logger?: Logger;
  /** largest accepted request body (body-parser syntax), 1mb by default */
  bodyLimit?: string;
}

/**
 * The SCIM 2.0 service provider IdPs push to, mounted at `/scim/v2`: Users (with the Enterprise User extension) and
 * Groups on our handlers over scimmy, and scimmy-routers for the discovery endpoints (ServiceProviderConfig,
 * Schemas, ResourceTypes) and what is not implemented (Bulk, /Me: 501). Every answer is SCIM: a 401, 413, 415 or
 * 500 included.
 */
export function createScimRouter(options: ScimRouterOptions): express.Router {
  if (!options.token) throw new Error('createScimRouter: the SCIM token must not be empty');
  const baseUri = options.baseUri.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUri)) throw new Error(`createScimRouter: baseUri must be an absolute http(s) URL`);
  const { logger } = options;
  declareScimResources();

  const emit = (changes: ScimChange[]) => {
    for (const change of changes) {
      scimChangesTotal.inc({ reason: change.reason });
      try {
        options.onChange?.(change);
      } catch (err) {
        logger?.error({ err, reason: change.reason }, 'SCIM change listener failed');
      }
    }
  };

  const router = express.Router();
  // One layer instead of five: every SCIM request passes here, and each express layer costs on the hot path.
  const authenticate = requireScimToken(options.token);
  const parseJson = express.json({ type: SCIM_MEDIA_TYPES, limit: options.bodyLimit ?? '1mb', strict: true });
  router.use((req, res, next) => {
    scimResponseType(req, res, () =>
      authenticate(req, res, () =>
        plainQuery(req, res, () =>
          requireScimMediaType(req, res, () => (req.method === 'GET' ? next() : parseJson(req, res, next))),
        ),
      ),
    );
  });
  const deps = { repository: options.repository, baseUri, emit, ...(logger && { logger }) };
  router.use('/Users', createResourceRoutes('Users', deps));
  router.use('/Groups', createResourceRoutes('Groups', deps));
  router.all(['/Me', '/Me/*rest'], (_req, res) => sendScimError(res, 501, null, '/Me is not implemented'));
  router.post('/.search', (_req, res) =>
    sendScimError(
      res,
      501,
      null,
      'search across resource types is not implemented: use /Users/.search or /Groups/.search',
    ),
  );
  router.use(discoveryQuery);
  router.use(
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => {
        const presented = readBearerToken(req.headers.authorization);
        if (presented === null || !tokenMatches(presented, options.token)) throw new Error('invalid token');
        return '';
      },
      context: () => ({
        repository: options.repository,
        baseUri,
        ...(logger && { logger }),
        operation: 'read',
        withMembers: true,
        changes: [],
      }),
      // scimmy-routers appends the mount path (req.baseUrl) to what this returns.
      baseUri: (req) =>
        baseUri.endsWith(req.baseUrl) ? baseUri.slice(0, baseUri.length - req.baseUrl.length) : new URL(baseUri).origin,
    }) as unknown as express.Router,
  );
  router.use(scimErrorHandler(logger));
  // scimmy-routers set its own ServiceProviderConfig (bulk and sort on); ours is what this service implements.
  configureServiceProvider();
  for (const Resource of [SCIMMY.Resources.User, SCIMMY.Resources.Group]) Resource.basepath(baseUri);
  return router;
}
