import type { Role } from './role.js';

/** Someone signed in to the dashboard: a person proven by the IdP, or a service account that gave its token. */
export interface Session {
  /** the actor recorded for what they do: the person's e-mail, or the account's name */
  name: string;
  role: Role;
  /** how they signed in */
  method: 'oidc' | 'token';
  /** the IdP groups that gave the role (OpenID Connect only) */
  groups: string[];
  createdAt: string;
  expiresAt: string;
}
