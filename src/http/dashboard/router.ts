import express, { type Request, type Response, type Router } from 'express';
import type { TokenAccount } from '../auth.js';
import { accountOfToken, cleanName, NAME_COOKIE, TOKEN_COOKIE } from '../api/roles.js';
import { DASHBOARD_JS } from './assets/client.js';
import { DASHBOARD_HTML } from './assets/page.js';
import { DASHBOARD_CSS } from './assets/styles.js';

export interface DashboardOptions {
  accounts: TokenAccount[];
  /** how long the sign-in cookie lasts */
  sessionHours?: number;
}

/**
 * Everything is same-origin and nothing is inline, so the policy can forbid inline script outright: even if some
 * text slipped past escaping it could not run.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function sendAsset(res: Response, type: string, body: string): void {
  res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' });
  res.type(type).send(body);
}

function cookie(name: string, value: string, req: Request, maxAgeSeconds: number): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (req.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The status dashboard at `/` (no build step: the page, script and styles are embedded strings), and the sign-in
 * that keeps a token in an HttpOnly, SameSite=Strict cookie. The page's data comes from the admin API, which reads
 * the same cookie; what the page lets a viewer do is decided there, not here.
 */
export function createDashboardRouter(options: DashboardOptions): Router {
  const maxAge = Math.round((options.sessionHours ?? 12) * 3600);
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  router.get('/', (_req, res) => {
    res.set({ 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    sendAsset(res, 'html', DASHBOARD_HTML);
  });
  router.get('/dashboard/app.js', (_req, res) => sendAsset(res, 'js', DASHBOARD_JS));
  router.get('/dashboard/app.css', (_req, res) => sendAsset(res, 'css', DASHBOARD_CSS));

  router.post('/login', form, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    if (!accountOfToken(token, options.accounts)) {
      res.redirect(303, '/?login=failed');
      return;
    }
    const name = cleanName(typeof body.name === 'string' ? body.name : undefined);
    const cookies = [cookie(TOKEN_COOKIE, token, req, maxAge)];
    cookies.push(name ? cookie(NAME_COOKIE, name, req, maxAge) : cookie(NAME_COOKIE, '', req, 0));
    res.set('Set-Cookie', cookies);
    res.redirect(303, '/');
  });
  router.post('/logout', (req: Request, res: Response) => {
    res.set('Set-Cookie', [cookie(TOKEN_COOKIE, '', req, 0), cookie(NAME_COOKIE, '', req, 0)]);
    res.redirect(303, '/');
  });
  return router;
}
