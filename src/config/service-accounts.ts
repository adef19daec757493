import { ConfigError } from '../domain/errors.js';
import type { Role } from '../domain/role.js';
import type { ServerConfig } from './schema.js';

/** A token for automation, named: what the account does is journaled under its name. */
export interface ServiceAccount {
  name: string;
  role: Role;
  token: string;
}

/** Long enough that guessing it over the network is hopeless; `openssl rand -hex 16` gives 32. */
export const MIN_TOKEN_LENGTH = 16;

interface Declared {
  name: string;
  role: Role;
  /** the config key that names the variable, for error messages */
  key: string;
  variable: string;
  required: boolean;
}

/**
 * The service accounts `serve` answers to: ADMIN_TOKEN as the account `admin`, VIEWER_TOKEN as `viewer`, and each
 * of `server.tokens`. ADMIN_TOKEN is required unless another way in is configured (named accounts, or people
 * signing in with the IdP). Every problem at once, as a ConfigError naming the key and the variable, never a token:
 * a variable not set, a token shorter than 16 characters, one token for two accounts (the actor would be a guess),
 * a name used twice.
 */
export function resolveServiceAccounts(
  server: Pick<ServerConfig, 'adminTokenEnv' | 'viewerTokenEnv' | 'tokens'>,
  env: NodeJS.ProcessEnv,
  options: { otherSignIn?: boolean } = {},
): ServiceAccount[] {
  const declared: Declared[] = [
    {
      name: 'admin',
      role: 'admin',
      key: 'server.adminTokenEnv',
      variable: server.adminTokenEnv,
      required: server.tokens.length === 0 && !options.otherSignIn,
    },
    { name: 'viewer', role: 'viewer', key: 'server.viewerTokenEnv', variable: server.viewerTokenEnv, required: false },
    ...server.tokens.map((t, i) => ({
      name: t.name,
      role: t.role,
      key: `server.tokens[${i}].tokenEnv`,
      variable: t.tokenEnv,
      required: true,
    })),
  ];
  const problems: string[] = [];
  const accounts: (ServiceAccount & { key: string; variable: string })[] = [];
  for (const d of declared) {
    const token = env[d.variable];
    if (!token) {
      if (d.required) problems.push(`${d.key}: environment variable ${d.variable} is not set`);
      continue;
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      problems.push(
        `${d.key}: the token in ${d.variable} has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed`,
      );
    }
    const sameName = accounts.find((a) => a.name === d.name);
    if (sameName) {
      problems.push(`${d.key}: the account name "${d.name}" is already taken by ${sameName.key}`);
    }
    const sameToken = accounts.find((a) => a.token === token);
    if (sameToken) {
      problems.push(
        `${d.key}: ${d.variable} holds the same token as ${sameToken.variable} (${sameToken.key}, account ` +
          `"${sameToken.name}", ${sameToken.role}); each account needs its own token`,
      );
    }
    accounts.push({ name: d.name, role: d.role, token, key: d.key, variable: d.variable });
  }
  if (problems.length) throw new ConfigError(problems);
  return accounts.map(({ name, role, token }) => ({ name, role, token }));
}
