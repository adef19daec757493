import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { roleFromGroups, type GroupRoles } from '../../domain/role.js';
import type { Clock } from '../../ports/clock.js';
import type { SessionService } from '../../services/sessions.js';
import { accountMatcher, readCookie, type Principal, type TokenAccount } from '../auth.js';
import { decodeLoginCookie, encodeLoginCookie } from './login-cookie.js';
import { SignInError, type OidcRelyingParty } from './oidc-client.js';

/** The dashboard's session: a random id, HttpOnly, SameSite=Strict; the token or the IdP's answer never. */
export const SESSION_COOKIE = 'has_session';
/** Ties the IdP's callback to the browser that started it (SameSite=Lax: the callback is a cross-site redirect). */
const LOGIN_COOKIE = 'has_login';
const LOGIN_TTL_MS = 10 * 60_000;

export interface SignInOptions {
  accounts: TokenAccount[];
  sessions: SessionService;
  clock: Clock;
  logger: Logger;
  /** OpenID Connect, when `server.oidc` is configured */
  oidc?: { party: OidcRelyingParty; roles: GroupRoles; sessionHours: number } | null;
  /** how long a token sign-in lasts */
  tokenSessionHours?: number;
  /** Secure cookies even when the request arrives over plain HTTP (TLS ends at a proxy: publicUrl is https) */
  secureCookies?: boolean;
}

/** What bearerAuth looks up when a request carries no Authorization header: the session of its cookie. */
export const sessionPrincipal =
  (sessions: SessionService) =>
  async (req: Request): Promise<Principal | null> => {
    const session = await sessions.lookup(readCookie(req.headers.cookie, SESSION_COOKIE));
    return session && { name: session.name, role: session.role, via: 'session' };
  };

/**
 * Signing in to the dashboard and out: with a service account's token (the form), or with the IdP (OpenID
 * Connect: `/auth/login` sends the browser there, `/auth/callback` brings it back). Either way the browser gets a
 * session id only, and signing out ends the session on the server.
 */
export function createSignInRouter(options: SignInOptions): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const matchToken = accountMatcher(options.accounts);
  const log = options.logger.child({ component: 'sign-in' });

  const cookie = (req: Request, name: string, value: string, maxAgeMs: number, sameSite: 'Strict' | 'Lax') => {
    const parts = [
      `${name}=${encodeURIComponent(value)}`,
      'Path=/',
      'HttpOnly',
      `SameSite=${sameSite}`,
      `Max-Age=${Math.round(maxAgeMs / 1000)}`,
    ];
    if (req.secure || options.secureCookies) parts.push('Secure');
    return parts.join('; ');
  };
  const startSession = async (
    req: Request,
    res: Response,
    who: Parameters<SessionService['create']>[0],
    hours: number,
  ) => {
    const ttl = hours * 3600_000;
    const { id } = await options.sessions.create(who, ttl);
    res.append('Set-Cookie', cookie(req, SESSION_COOKIE, id, ttl, 'Strict'));
  };

  router.get('/auth/methods', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ token: true, idp: options.oidc ? options.oidc.party.label : null });
  });

  router.post('/login', form, async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const account = matchToken(typeof body.token === 'string' ? body.token.trim() : '');
    if (!account) {
      res.redirect(303, '/?login=failed');
      return;
    }
    await startSession(
      req,
      res,
      { name: account.name, role: account.role, method: 'token', groups: [] },
      options.tokenSessionHours ?? 12,
    );
    res.redirect(303, '/');
  });

  router.post('/logout', async (req: Request, res: Response) => {
    await options.sessions.end(readCookie(req.headers.cookie, SESSION_COOKIE));
    res.append('Set-Cookie', cookie(req, SESSION_COOKIE, '', 0, 'Strict'));
    res.redirect(303, '/');
  });

  const oidc = options.oidc;
  if (!oidc) return router;

  router.get('/auth/login', async (req: Request, res: Response) => {
    let started;
    try {
      started = await oidc.party.start();
    } catch (err) {
      log.warn({ error: (err as Error).message }, 'sign-in with the IdP could not start');
      res.redirect(303, `/?login=${err instanceof SignInError ? err.reason : 'failed'}`);
      return;
    }
    const now = options.clock.now().getTime();
    const login = encodeLoginCookie({ ...started.pending, expiresAt: now + LOGIN_TTL_MS });
    res.append('Set-Cookie', cookie(req, LOGIN_COOKIE, login, LOGIN_TTL_MS, 'Lax'));
    res.set('Cache-Control', 'no-store').redirect(303, started.url.href);
  });

  router.get('/auth/callback', async (req: Request, res: Response) => {
    const pending = decodeLoginCookie(readCookie(req.headers.cookie, LOGIN_COOKIE));
    res.append('Set-Cookie', cookie(req, LOGIN_COOKIE, '', 0, 'Lax'));
    if (!pending || pending.expiresAt <= options.clock.now().getTime()) {
      res.redirect(303, '/?login=expired');
      return;
    }
    try {
      const person = await oidc.party.finish(callbackQuery(req), pending);
      const role = roleFromGroups(person.groups, oidc.roles);
      if (!role) {
        log.warn({ person: person.email }, 'signed in with the IdP, but no group of theirs gives a role');
        res.redirect(303, '/?login=no-role');
        return;
      }
      await startSession(
        req,
        res,
        { name: person.email, role, method: 'oidc', groups: person.groups },
        oidc.sessionHours,
      );
      log.info({ person: person.email, role }, 'signed in with the IdP');
      res.redirect(303, '/');
    } catch (err) {
      log.warn({ error: (err as Error).message }, 'sign-in with the IdP failed');
      res.redirect(303, `/?login=${err instanceof SignInError ? err.reason : 'failed'}`);
    }
  });
  return router;
}

/** The query the IdP redirected with (code and state, or error). */
const callbackQuery = (req: Request): URLSearchParams => new URL(req.originalUrl, 'http://callback').searchParams;
