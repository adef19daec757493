import type { Request } from 'express';
import { readBearerToken, tokenMatches, type Role } from '../auth.js';

/** ADMIN_TOKEN may do everything; VIEWER_TOKEN may only read. */
export interface RoleTokens {
  admin: string;
  viewer?: string | null;
}

/** The dashboard keeps the token in an HttpOnly, SameSite=Strict cookie so page scripts never hold it. */
export const TOKEN_COOKIE = 'has_token';
/** The name an administrator gave at sign-in: recorded as the journal's actor and an exception's approver. */
export const NAME_COOKIE = 'has_name';
/**
 * Cookie-authenticated requests that change something must carry this header. A cross-site form cannot set it,
 * so even a browser that ignored SameSite could not be made to sync or approve (CSRF).
 */
export const CSRF_HEADER = 'x-heap-access-sync';

/** The tokens in the form `bearerAuth` takes. */
export const tokenList = (tokens: RoleTokens): { token: string; role: Role }[] => [
  { token: tokens.admin, role: 'admin' },
  ...(tokens.viewer ? [{ token: tokens.viewer, role: 'viewer' as const }] : []),
];

/** The role a token grants, or null (sign-in form). Every token is compared so timing says nothing. */
export function roleOfToken(token: string, tokens: RoleTokens): Role | null {
  let role: Role | null = null;
  for (const t of tokenList(tokens)) if (tokenMatches(token, t.token) && role !== 'admin') role = t.role;
  return role;
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
 * The name to record for the caller. Tokens are shared, so this is what the caller says, not an identity:
 * `X-Actor` for scripts, the sign-in form's name for the dashboard, else the role.
 */
export function actorName(req: Request, role: Role): string {
  const said = viaCookie(req) ? readCookie(req.headers.cookie, NAME_COOKIE) : req.get('x-actor');
  return cleanName(said) ?? role;
}
