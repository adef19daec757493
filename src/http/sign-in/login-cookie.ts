import type { PendingLogin } from './oidc-client.js';

/** A sign-in with the IdP under way, as its browser carries it between `/auth/login` and `/auth/callback`. */
export interface LoginCookie extends PendingLogin {
  /** epoch milliseconds */
  expiresAt: number;
}

/**
 * The pending login goes in the browser's own HttpOnly cookie rather than in the memory of the replica that
 * started it: behind a load balancer the IdP's callback may come back to any replica. It holds only what this one
 * sign-in checks (state, nonce, PKCE verifier), worth nothing without the code the IdP sends to the same browser.
 */
export const encodeLoginCookie = (login: LoginCookie): string =>
  Buffer.from(JSON.stringify(login), 'utf8').toString('base64url');

/** The pending login of a cookie's value, or null when it is absent or not one of ours. */
export function decodeLoginCookie(value: string | null | undefined): LoginCookie | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { state, nonce, codeVerifier, expiresAt } = parsed;
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string') return null;
    if (typeof expiresAt !== 'number') return null;
    return { state, nonce, codeVerifier, expiresAt };
  } catch {
    return null;
  }
}
