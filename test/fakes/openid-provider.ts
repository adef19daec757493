import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Provider, { type Account } from 'oidc-provider';
import type { Page } from 'playwright-core';
import { ROOT } from '../support/cli.js';

/** A person the test IdP knows: they sign in with their login (any password: the provider's dev interactions). */
export interface IdpUser {
  login: string;
  email: string;
  name: string;
  groups: string[];
}

export interface TestOpenIdProvider {
  /** https://127.0.0.1:<port> (the test TLS certificate; NODE_EXTRA_CA_CERTS trusts it) */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** registers the relying party's redirect URI and starts answering (the service's port is known only now) */
  start(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider on loopback: `oidc-provider`, a certified implementation, with a few users and the
 * groups claim, requiring PKCE. Its development login and consent pages stand in for the IdP's sign-in screens.
 */
export async function startTestOpenIdProvider(users: IdpUser[]): Promise<TestOpenIdProvider> {
  const tls = {
    key: fs.readFileSync(path.join(ROOT, 'test/fixtures/tls/key.pem')),
    cert: fs.readFileSync(path.join(ROOT, 'test/fixtures/tls/cert.pem')),
  };
  const server = https.createServer(tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'heap-access-sync';
  const clientSecret = 'test-oidc-client-secret-0123456789';
  return {
    issuer,
    clientId,
    clientSecret,
    start(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
          },
        ],
        pkce: { required: () => true },
        scopes: ['openid', 'email', 'profile', 'groups'],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
        cookies: { keys: ['test-openid-provider-cookie-key'] },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
        features: { devInteractions: { enabled: true } },
        findAccount: (_ctx, id): Account | undefined => {
          const user = users.find((u) => u.login === id);
          if (!user) return undefined;
          return {
            accountId: id,
            claims: () => ({
              sub: id,
              email: user.email,
              email_verified: true,
              name: user.name,
              groups: user.groups,
            }),
          };
        },
      });
      const handle = provider.callback();
      server.on('request', (req, res) => void handle(req, res));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Signs `login` in through the dashboard at `from` and the provider's own sign-in and consent pages, as a person
 * goes through them; resolves once the browser is back at `from`.
 */
export async function signInWithIdp(
  page: Page,
  options: { from: string; idp: Pick<TestOpenIdProvider, 'issuer'>; login: string },
): Promise<void> {
  await page.goto(options.from);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.waitForURL(`${options.idp.issuer}/**`);
  await page.locator('input[name="login"]').fill(options.login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${options.from}/**`);
}
