import type { Request } from 'express';
import { accountMatcher, readBearerToken, type Principal, type TokenAccount } from '../auth.js';

/** The dashboard keeps the token in an HttpOnly, SameSite=Strict cookie so page scripts never hold it. */
export const TOKEN_COOKIE = 'has_token';
/** The name an administrator gave at sign-in: recorded as the journal's actor and an exception's approver. */
export const NAME_COOKIE = 'has_name';
/**
 * Cookie-authenticated requests that change something must carry this header. A cross-site form cannot set it,
 * so even a browser that ignored SameSite could not be made to sync or approve (CSRF).
 */
export const CSRF_HEADER = 'x-heap-access-sync';

/** The account a token belongs to, or null (sign-in form). Every token is compared so timing says nothing. */
export function accountOfToken(token: string, accounts: TokenAccount[]): TokenAccount | null {
  return accountMatcher(accounts)(token);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Printable and bounded: the name ends up in the journal and on the dashboard. */
export function cleanName(raw: string | undefined): string | null {
  const name = (raw ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, 100);
  return name || null;
}

/** True when the request authenticated with the dashboard's cookie rather than an Authorization header. */
export const viaCookie = (req: Request): boolean => readBearerToken(req.headers.authorization) === null;

/**
 * The name to record for the caller: a service account's name (its token proves it), or the name given at the
 * dashboard's token sign-in.
 */
export function actorName(req: Request, principal: Principal): string {
  if (principal.via === 'token' && viaCookie(req)) {
    return cleanName(readCookie(req.headers.cookie, NAME_COOKIE)) ?? principal.name;
  }
  return principal.name;
}
