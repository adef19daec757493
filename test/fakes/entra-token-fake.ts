import type { LoopbackServer, RouteContext, RouteResult } from './loopback-server.js';
import { extendServer, startLoopbackServer } from './loopback-server.js';

export interface EntraTokenFakeOptions {
  tenantId?: string;
  clientId?: string;
  /** accepted client secret; certificate clients send a client_assertion instead */
  clientSecret?: string;
  /** hex thumbprint (SHA-256 or SHA-1) expected in the assertion header (`x5t#S256` or `x5t`) */
  certificateThumbprint?: string;
  accessToken?: string;
  /** seconds; msal refreshes tokens that expire within 300 s, so keep this >= 3600 unless testing refresh */
  expiresIn?: number;
}

export interface EntraTokenFake extends LoopbackServer {
  /** https://127.0.0.1:PORT, the authorityHost */
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessToken: string;
  /** token POSTs answered (successful or not) */
  readonly tokenRequests: number;
  readonly discoveryRequests: number;
}

/** The Entra ID (v2.0) authority on https://127.0.0.1: openid-configuration and the client-credentials token endpoint. */
export async function startEntraTokenFake(options: EntraTokenFakeOptions = {}): Promise<EntraTokenFake> {
  const tenantId = options.tenantId ?? 'tenant-1';
  const clientId = options.clientId ?? 'app-1';
  const clientSecret = options.clientSecret ?? 'secret-1';
  const accessToken = options.accessToken ?? 'fake-entra-at-1';
  let tokenRequests = 0;
  let discoveryRequests = 0;

  function route(ctx: RouteContext): RouteResult {
    const base = `${ctx.origin}/${tenantId}`;
    if (ctx.method === 'GET' && ctx.path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      discoveryRequests += 1;
      return {
        status: 200,
        body: {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
        },
      };
    }
    if (ctx.method === 'POST' && ctx.path === `/${tenantId}/oauth2/v2.0/token`) {
      tokenRequests += 1;
      return issue(new URLSearchParams(ctx.body));
    }
    return tokenError(404, 'invalid_request', `unknown endpoint ${ctx.path}`);
  }

  function issue(form: URLSearchParams): RouteResult {
    if (form.get('grant_type') !== 'client_credentials')
      return tokenError(400, 'unsupported_grant_type', 'only client_credentials');
    if (form.get('client_id') !== clientId)
      return tokenError(400, 'unauthorized_client', `AADSTS700016: Application '${form.get('client_id')}' not found`);
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== clientSecret)
        return tokenError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    } else if (assertion !== null) {
      const problem = checkAssertion(assertion);
      if (problem) return tokenError(401, 'invalid_client', problem);
    } else {
      return tokenError(401, 'invalid_client', 'AADSTS7000216: client_assertion or client_secret is required');
    }
    const expiresIn = options.expiresIn ?? 3600;
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken },
    };
  }

  function checkAssertion(jwt: string): string | null {
    const [h] = jwt.split('.');
    if (!h) return 'client_assertion is not a JWT';
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    const expected = options.certificateThumbprint?.toLowerCase();
    if (!expected) return 'certificate credentials are not configured';
    const sent = [header['x5t#S256'], header.x5t]
      .filter((t): t is string => typeof t === 'string')
      .map((t) => Buffer.from(t, 'base64url').toString('hex'));
    return sent.includes(expected) ? null : 'AADSTS700027: certificate thumbprint does not match';
  }

  const server = await startLoopbackServer({ tls: true, route });
  return extendServer(server, {
    authorityHost: server.origin,
    tenantId,
    clientId,
    clientSecret,
    accessToken,
    get tokenRequests() {
      return tokenRequests;
    },
    get discoveryRequests() {
      return discoveryRequests;
    },
  });
}

function tokenError(status: number, error: string, description: string): RouteResult {
  return {
    status,
    body: {
      error,
      error_description: description,
      error_codes: [status],
      timestamp: new Date().toISOString(),
      trace_id: 't',
      correlation_id: 'c',
    },
  };
}
