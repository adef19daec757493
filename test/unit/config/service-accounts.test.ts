import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { resolveServiceAccounts } from '../../../src/config/service-accounts.js';
import { ConfigError } from '../../../src/domain/errors.js';

const server = (tokens: unknown[] = []) => configSchema.parse({ server: { tokens } }).server;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const ADMIN = 'a'.repeat(32);
const VIEWER = 'v'.repeat(32);

describe('service accounts (server.tokens, ADMIN_TOKEN, VIEWER_TOKEN)', () => {
  it('names ADMIN_TOKEN and VIEWER_TOKEN as the accounts admin and viewer, beside the named ones', () => {
    const accounts = resolveServiceAccounts(
      server([
        { name: 'deploy-bot', tokenEnv: 'DEPLOY_TOKEN', role: 'admin' },
        { name: 'change-board', tokenEnv: 'BOARD_TOKEN', role: 'approver' },
      ]),
      { ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER, DEPLOY_TOKEN: 'd'.repeat(16), BOARD_TOKEN: 'b'.repeat(20) },
    );
    expect(accounts.map((a) => [a.name, a.role])).toEqual([
      ['admin', 'admin'],
      ['viewer', 'viewer'],
      ['deploy-bot', 'admin'],
      ['change-board', 'approver'],
    ]);
  });

  it('needs ADMIN_TOKEN only when there is no other way in', () => {
    expect(problemsOf(() => resolveServiceAccounts(server(), {}))).toEqual([
      'server.adminTokenEnv: environment variable ADMIN_TOKEN is not set',
    ]);
    const named = server([{ name: 'deploy-bot', tokenEnv: 'DEPLOY_TOKEN', role: 'admin' }]);
    expect(resolveServiceAccounts(named, { DEPLOY_TOKEN: 'd'.repeat(16) }).map((a) => a.name)).toEqual(['deploy-bot']);
    expect(resolveServiceAccounts(server(), {}, { otherSignIn: true })).toEqual([]);
  });

  it('refuses a token shorter than 16 characters, naming the key and variable but never the token', () => {
    const problems = problemsOf(() =>
      resolveServiceAccounts(server([{ name: 'ci', tokenEnv: 'CI_TOKEN', role: 'viewer' }]), {
        ADMIN_TOKEN: ADMIN,
        CI_TOKEN: 'short-secret-15',
      }),
    );
    expect(problems).toEqual([
      'server.tokens[0].tokenEnv: the token in CI_TOKEN has 15 characters; at least 16 are needed',
    ]);
    expect(problems.join()).not.toContain('short-secret-15');
  });

  it('refuses one token for two accounts (two roles, or an actor that would be a guess)', () => {
    const problems = problemsOf(() =>
      resolveServiceAccounts(server([{ name: 'reporting', tokenEnv: 'REPORT_TOKEN', role: 'viewer' }]), {
        ADMIN_TOKEN: ADMIN,
        VIEWER_TOKEN: ADMIN,
        REPORT_TOKEN: VIEWER,
      }),
    );
    expect(problems).toEqual([
      'server.viewerTokenEnv: VIEWER_TOKEN holds the same token as ADMIN_TOKEN (server.adminTokenEnv, account ' +
        '"admin", admin); each account needs its own token',
    ]);
    expect(problems.join()).not.toContain(ADMIN);
  });

  it('refuses a name used twice, and a named account whose variable is not set', () => {
    const problems = problemsOf(() =>
      resolveServiceAccounts(
        server([
          { name: 'admin', tokenEnv: 'OTHER_ADMIN', role: 'admin' },
          { name: 'ci', tokenEnv: 'CI_TOKEN', role: 'viewer' },
        ]),
        { ADMIN_TOKEN: ADMIN, OTHER_ADMIN: 'o'.repeat(16) },
      ),
    );
    expect(problems).toEqual([
      'server.tokens[0].tokenEnv: the account name "admin" is already taken by server.adminTokenEnv',
      'server.tokens[1].tokenEnv: environment variable CI_TOKEN is not set',
    ]);
  });

  it('checks the shape of server.tokens in the config', () => {
    expect(() => server([{ name: 'ci', tokenEnv: 'CI_TOKEN', role: 'owner' }])).toThrow();
    expect(() => server([{ name: 'has space', tokenEnv: 'CI_TOKEN', role: 'viewer' }])).toThrow();
    expect(() => server([{ name: 'ci', tokenEnv: 'CI_TOKEN', role: 'viewer', token: 'inline' }])).toThrow();
  });
});
