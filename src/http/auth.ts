import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from './errors.js';

export type Role = 'admin' | 'viewer';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time comparison: both sides are hashed first, so lengths never leak either. */
export function tokenMatches(presented: string, expected: string): boolean {
  if (expected.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** tokenMatches against a fixed token, its digest computed once. */
export function tokenMatcher(expected: string): (presented: string) => boolean {
  const wanted = digest(expected);
  return (presented) => expected.length > 0 && timingSafeEqual(digest(presented), wanted);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function readBearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m?.[1] ?? null;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Bearer-token authentication for the admin API and dashboard. The matching token's role is put in
 * `res.locals.role`; a viewer token may only read (GET/HEAD). Every configured token is compared, matched or
 * not, so the time taken does not say which one came close. Failures go to the error boundary as
 * UnauthorizedError (401) or ForbiddenError (403).
 */
export function bearerAuth(options: { tokens: { token: string; role: Role }[]; cookieName?: string }): RequestHandler {
  const tokens = options.tokens
    .filter((t) => t.token.length > 0)
    .map((t) => ({ role: t.role, matches: tokenMatcher(t.token) }));
  return (req, res, next) => {
    const presented =
      readBearerToken(req.headers.authorization) ??
      (options.cookieName ? readCookie(req.headers.cookie, options.cookieName) : null);
    if (presented === null) {
      next(new UnauthorizedError());
      return;
    }
    let role: Role | null = null;
    for (const t of tokens) {
      if (t.matches(presented) && role !== 'admin') role = t.role;
    }
    if (role === null) {
      next(new UnauthorizedError());
      return;
    }
    if (role === 'viewer' && !READ_METHODS.has(req.method)) {
      next(new ForbiddenError());
      return;
    }
    res.locals.role = role;
    next();
  };
}

/** For routes that need more than the method-based rule of bearerAuth (an admin-only GET). */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    if (role === 'admin' && res.locals.role !== 'admin') next(new ForbiddenError('this needs an admin token'));
    else next();
  };
}
