import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  signInWithIdp,
  startTestOpenIdProvider,
  type IdpUser,
  type TestOpenIdProvider,
} from '../fakes/openid-provider.js';
import { startTestRuntime, type TestRuntime, type TestRuntimeOptions } from './runtime.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The service signing people in through a real OpenID provider (the test IdP), and a headless Chromium to do it in:
 * the set-up the sign-in and approvals dashboard tests share.
 */
export interface OidcDashboard {
  idp: TestOpenIdProvider;
  t: TestRuntime;
  /** a fresh browser context (its own cookies), closed by close() */
  newPage(): Promise<Page>;
  /** the IdP's own sign-in and consent pages, as a person goes through them; back on the dashboard after */
  signInWithIdp(page: Page, login: string): Promise<void>;
  close(): Promise<void>;
}

export async function startOidcDashboard(
  users: IdpUser[],
  options: Omit<TestRuntimeOptions, 'oidc' | 'env'> = {},
): Promise<OidcDashboard> {
  const idp = await startTestOpenIdProvider(users);
  const t = await startTestRuntime({
    ...options,
    oidc: {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecretEnv: 'OIDC_CLIENT_SECRET',
      label: 'Test IdP',
      scopes: ['openid', 'email', 'profile', 'groups'],
      adminGroups: ['Heap Sync Admins'],
      approverGroups: ['Heap Sync Approvers'],
      viewerGroups: ['Heap Sync Viewers'],
    },
    env: { OIDC_CLIENT_SECRET: idp.clientSecret },
  });
  idp.start(`${t.url}/auth/callback`);
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const contexts: BrowserContext[] = [];
  return {
    idp,
    t,
    async newPage() {
      // the test IdP's certificate is the repository's test certificate, which Chromium does not know
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      contexts.push(context);
      return context.newPage();
    },
    signInWithIdp: (page, login) => signInWithIdp(page, { from: t.url, idp, login }),
    async close() {
      for (const c of contexts) await c.close();
      await browser.close();
      await t.close();
      await idp.close();
    },
  };
}
