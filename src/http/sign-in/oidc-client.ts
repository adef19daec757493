import * as oidc from 'openid-client';
import type { OidcConfig } from '../../config/schema.js';

/** What the browser's round trip to the IdP must bring back: kept server-side, never in the URL or a cookie. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A person the IdP signed in: their e-mail (the actor) and the groups its claim lists. */
export interface SignedInPerson {
  email: string;
  groups: string[];
}

/** The IdP refused, the answer did not check out, or it proved no e-mail: the person is not signed in. */
export class SignInError extends Error {
  constructor(
    message: string,
    /** what the dashboard tells the person: `failed`, `no-email` */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

export interface OidcRelyingParty {
  /** the "Sign in with …" button's name */
  label: string;
  /** the IdP's authorization URL to send the browser to, and what its answer must match */
  start(): Promise<{ url: URL; pending: PendingLogin }>;
  /** the callback's query (code and state) exchanged for the person, checked against what `start` made */
  finish(callbackQuery: URLSearchParams, pending: PendingLogin): Promise<SignedInPerson>;
}

const labelOf = (issuer: string): string =>
  /okta(preview)?\.com|okta-emea\.com/i.test(issuer)
    ? 'Okta'
    : /microsoftonline\.com|login\.microsoft\.com/i.test(issuer)
      ? 'Microsoft'
      : 'your identity provider';

/**
 * The dashboard as an OpenID Connect relying party (openid-client, a certified implementation): authorization code
 * flow with PKCE (S256), state and nonce. The IdP's metadata is read on the first sign-in and kept; a failed read
 * is retried at the next one, so `serve` starts even while the IdP is unreachable.
 */
export function createOidcRelyingParty(
  config: OidcConfig,
  options: { clientSecret: string | null; redirectUri: () => string },
) {
  let discovered: Promise<oidc.Configuration> | null = null;
  const discover = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        new URL(config.issuer),
        config.clientId,
        undefined,
        options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
        { timeout: 15 },
      )
      .catch((err: unknown) => {
        discovered = null;
        throw new SignInError(
          `cannot read the OpenID provider's metadata at ${config.issuer}: ${(err as Error).message}`,
          'idp-unreachable',
        );
      });
    return discovered;
  };

  const party: OidcRelyingParty = {
    label: config.label ?? labelOf(config.issuer),
    async start() {
      const metadata = await discover();
      const pending: PendingLogin = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(metadata, {
        redirect_uri: options.redirectUri(),
        scope: config.scopes.join(' '),
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url, pending };
    },
    async finish(callbackQuery, pending) {
      const metadata = await discover();
      // the redirect URI as registered, not as a proxy in front of us may have rewritten the request
      const callbackUrl = new URL(options.redirectUri());
      callbackUrl.search = callbackQuery.toString();
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(metadata, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims()!;
        // Many IdPs put e-mail and groups in the ID token only when asked; the UserInfo endpoint always has them.
        const fromUserInfo = metadata.serverMetadata().userinfo_endpoint
          ? await oidc.fetchUserInfo(metadata, tokens.access_token, idClaims.sub)
          : {};
        claims = { ...fromUserInfo, ...idClaims };
      } catch (err) {
        throw new SignInError(`the OpenID provider's answer was refused: ${(err as Error).message}`, 'failed');
      }
      return personOf(claims, config.groupsClaim);
    },
  };
  return party;
}

/** The e-mail the IdP proves (`email`, else an e-mail-shaped `preferred_username` as Entra sends) and the groups. */
export function personOf(claims: Record<string, unknown>, groupsClaim: string): SignedInPerson {
  const email = [claims.email, claims.preferred_username].find(
    (v): v is string => typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test(v),
  );
  if (!email) throw new SignInError('the OpenID provider sent no e-mail for this person', 'no-email');
  if (claims.email === email && claims.email_verified === false) {
    throw new SignInError(`the OpenID provider says ${email} is not verified`, 'no-email');
  }
  const raw = claims[groupsClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];
  return { email: email.toLowerCase(), groups };
}
