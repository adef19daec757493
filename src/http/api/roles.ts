import type { Request } from 'express';
import { readBearerToken } from '../auth.js';

/**
 * Cookie-authenticated requests that change something must carry this header. A cross-site form cannot set it,
 * so even a browser that ignored SameSite could not be made to sync or approve (CSRF).
 */
export const CSRF_HEADER = 'x-heap-access-sync';

/** True when the request authenticated with the dashboard's session cookie rather than an Authorization header. */
export const viaCookie = (req: Request): boolean => readBearerToken(req.headers.authorization) === null;
