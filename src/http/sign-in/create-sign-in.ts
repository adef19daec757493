import type { Router } from 'express';
import type { Logger } from 'pino';
import type { ServerConfig } from '../../config/schema.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import { createStoredSessions, type SessionService } from '../../services/sessions.js';
import type { TokenAccount } from '../auth.js';
import { createOidcRelyingParty } from './oidc-client.js';
import { createSignInRouter } from './router.js';

/**
 * The dashboard's sign-in as `serve` wires it: token sign-in always, OpenID Connect when `server.oidc` is set.
 * `publicUrl` is a function because the port may be known only once the server listens (port 0).
 */
export function createSignIn(deps: {
  server: Pick<ServerConfig, 'oidc'>;
  accounts: TokenAccount[];
  env: NodeJS.ProcessEnv;
  /** where sessions live: every replica sharing it knows every sign-in */
  store: Store;
  clock: Clock;
  logger: Logger;
  publicUrl: () => string;
}): { router: Router; sessions: SessionService } {
  const sessions = createStoredSessions({ store: deps.store, clock: deps.clock });
  const config = deps.server.oidc;
  const router = createSignInRouter({
    accounts: deps.accounts,
    sessions,
    clock: deps.clock,
    logger: deps.logger,
    secureCookies: deps.publicUrl().startsWith('https:'),
    oidc: config
      ? {
          party: createOidcRelyingParty(config, {
            clientSecret: config.clientSecretEnv ? (deps.env[config.clientSecretEnv] ?? null) : null,
            redirectUri: () => `${deps.publicUrl().replace(/\/$/, '')}/auth/callback`,
          }),
          roles: config,
          sessionHours: config.sessionHours,
        }
      : null,
  });
  return { router, sessions };
}
