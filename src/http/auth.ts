import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { roleAtLeast, type Role } from '../domain/role.js';
import { ForbiddenError, UnauthorizedError } from './errors.js';

export type { Role };

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

export function readCookie(header: string | undefined, name: string): string | null {
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

/** Who a request is: a service account (its token) or a signed-in person (the dashboard's session). */
export interface Principal {
  /** the actor recorded in the journal: the account's name, or the person's e-mail */
  name: string;
  role: Role;
  via: 'token' | 'session';
}

/** What an account's token may be matched with; a list of these is what `bearerAuth` compares. */
export interface TokenAccount {
  name: string;
  role: Role;
  token: string;
}

/** Finds the account whose token was presented. Every account is compared, so timing says nothing. */
export function accountMatcher(accounts: TokenAccount[]): (presented: string) => TokenAccount | null {
  const matchers = accounts
    .filter((a) => a.token.length > 0)
    .map((a) => ({ account: a, matches: tokenMatcher(a.token) }));
  return (presented) => {
    let found: TokenAccount | null = null;
    for (const m of matchers) if (m.matches(presented) && !found) found = m.account;
    return found;
  };
}

export interface BearerAuthOptions {
  accounts: TokenAccount[];
  /** the dashboard's session, looked up when no Authorization header is sent */
  session?: (req: Request) => Promise<Principal | null> | Principal | null;
}

/**
 * Authentication for the admin API and dashboard: a service account's bearer token, else the dashboard's session.
 * The caller is put in `res.locals.principal` (and its role in `res.locals.role`); a viewer may only read
 * (GET/HEAD); the routes check the rest. Failures go to the error boundary as UnauthorizedError (401) or
 * ForbiddenError (403).
 */
export function bearerAuth(options: BearerAuthOptions): RequestHandler {
  const match = accountMatcher(options.accounts);
  return (req, res, next) => {
    void (async (): Promise<Principal | null> => {
      const bearer = readBearerToken(req.headers.authorization);
      if (bearer !== null) return toPrincipal(match(bearer));
      return options.session ? await options.session(req) : null;
    })().then(
      (principal) => {
        if (principal === null) {
          next(new UnauthorizedError());
          return;
        }
        if (principal.role === 'viewer' && !READ_METHODS.has(req.method)) {
          next(new ForbiddenError());
          return;
        }
        res.locals.principal = principal;
        res.locals.role = principal.role;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

const toPrincipal = (account: TokenAccount | null): Principal | null =>
  account && { name: account.name, role: account.role, via: 'token' };

/** For routes that need more than the method-based rule of bearerAuth (an admin-only GET). */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    const has = res.locals.role as Role | undefined;
    if (!has || !roleAtLeast(has, role)) next(new ForbiddenError(`this needs the ${role} role`));
    else next();
  };
}
