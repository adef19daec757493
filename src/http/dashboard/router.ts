import express, { type Response, type Router } from 'express';
import { DASHBOARD_JS } from './assets/client.js';
import { DASHBOARD_HTML } from './assets/page.js';
import { FAVICON_SVG } from './assets/favicon.js';
import { DASHBOARD_CSS } from './assets/styles.js';
import { REVIEWS_JS } from './assets/reviews-client.js';
import { REVIEWS_HTML } from './assets/reviews-page.js';

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

/**
 * The status dashboard at `/` (no build step: the page, script and styles are embedded strings). The page's data
 * comes from the admin API, which reads the session of the sign-in (src/http/sign-in/); what the page lets
 * someone do is decided there, not here.
 */
export function createDashboardRouter(): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.set({ 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    sendAsset(res, 'html', DASHBOARD_HTML);
  });
  router.get('/dashboard/app.js', (_req, res) => sendAsset(res, 'js', DASHBOARD_JS));
  // Browsers ask for /favicon.ico whatever the page says: both answer the same small SVG.
  router.get(['/favicon.svg', '/favicon.ico'], (_req, res) => sendAsset(res, 'image/svg+xml', FAVICON_SVG));
  router.get('/dashboard/app.css', (_req, res) => sendAsset(res, 'css', DASHBOARD_CSS));
  // the reviewer's page: their items of an access review campaign, decided one by one
  router.get('/reviews', (_req, res) => {
    res.set({ 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    sendAsset(res, 'html', REVIEWS_HTML);
  });
  router.get('/dashboard/reviews.js', (_req, res) => sendAsset(res, 'js', REVIEWS_JS));

  return router;
}
