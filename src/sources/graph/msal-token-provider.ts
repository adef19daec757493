import { ConfidentialClientApplication } from '@azure/msal-node';
import type { NodeAuthOptions } from '@azure/msal-node';

export interface EntraCredentials {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** PEM private key and the certificate's hex thumbprint (64 hex digits: SHA-256; 40: SHA-1) */
  certificate?: { privateKeyPem: string; thumbprint: string };
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
}

/**
 * Client-credentials tokens from one msal ConfidentialClientApplication per source: msal caches the token (and
 * refreshes it 5 minutes before expiry), so a source instance asks the token endpoint once per token lifetime.
 * `knownAuthorities` names the authority host, which skips msal's instance discovery round trip (and lets a
 * sovereign cloud or a test authority be used as is).
 */
export function createMsalTokenProvider(
  credentials: EntraCredentials,
  scopes: string[],
): { getAccessToken(): Promise<string> } {
  const authority = new URL(credentials.authorityHost);
  const auth: NodeAuthOptions = {
    clientId: credentials.clientId,
    authority: `${authority.origin}/${encodeURIComponent(credentials.tenantId)}`,
    knownAuthorities: [authority.host],
    ...(credentials.clientSecret !== undefined && { clientSecret: credentials.clientSecret }),
    ...(credentials.certificate && { clientCertificate: certificateOf(credentials.certificate) }),
  };
  const app = new ConfidentialClientApplication({ auth });
  return {
    async getAccessToken() {
      const result = await app.acquireTokenByClientCredential({ scopes });
      if (!result?.accessToken) throw new Error('the token endpoint returned no access token');
      return result.accessToken;
    },
  };
}

function certificateOf(cert: {
  privateKeyPem: string;
  thumbprint: string;
}): NonNullable<NodeAuthOptions['clientCertificate']> {
  const thumbprint = cert.thumbprint.replace(/[^0-9a-fA-F]/g, '');
  return thumbprint.length === 64
    ? { thumbprintSha256: thumbprint, privateKey: cert.privateKeyPem }
    : { thumbprint, privateKey: cert.privateKeyPem };
}
