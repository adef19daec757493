import type { RequestHandler } from 'express';
import { readBearerToken, tokenMatcher } from '../auth.js';
import { sendScimError } from './scim-errors.js';

export interface ScimSourceRoute {
  /** the scim source's config name */
  source: string;
  /** the bearer token its IdP presents */
  token: string;
  /** that source's SCIM router (createScimRouter on its own repository) */
  router: RequestHandler;
}

/**
 * Several scim sources at one `/scim/v2`: the bearer token an IdP presents says which source it pushes to (Okta
 * with its token, Entra with its own), and its requests go to that source's router. No token, or one no source
 * has, is a SCIM 401. Every token is compared with every source's in constant time.
 */
export function dispatchScimSources(routes: ScimSourceRoute[]): RequestHandler {
  const tokens = new Set(routes.map((r) => r.token));
  if (tokens.size !== routes.length) throw new Error('two scim sources have the same token: each needs its own');
  const matchers = routes.map((r) => ({ matches: tokenMatcher(r.token), router: r.router }));
  return (req, res, next) => {
    const presented = readBearerToken(req.headers.authorization);
    let chosen: RequestHandler | null = null;
    if (presented !== null) {
      for (const m of matchers) if (m.matches(presented)) chosen ??= m.router;
    }
    if (!chosen) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
      sendScimError(res, 401, null, 'a valid bearer token is required');
      return;
    }
    chosen(req, res, next);
  };
}
