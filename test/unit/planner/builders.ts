import type { DesiredEntitlement, DesiredState, DesiredUser, RuleReason } from '../../../src/domain/desired.js';
import type { Access } from '../../../src/domain/entitlement.js';
import type { AccessException } from '../../../src/domain/exception.js';
import { DEFAULT_POLICY, type MappingSet, type Policy, type Rule } from '../../../src/domain/mapping.js';
import { DEFAULT_MODEL, type Project } from '../../../src/domain/model.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import type { PlanInput } from '../../../src/planner/input.js';

export const NOW = new Date('2025-06-01T12:00:00Z');

export const PROJECTS: Project[] = [
  { key: 'web-prod', name: 'Web App', environment: 'production' },
  { key: 'web-staging', name: 'Web App (staging)', environment: 'staging' },
  { key: 'web-dev', name: 'Web App (dev)', environment: 'development' },
];

export function rule(name: string, group: string, grants: Partial<Omit<Rule, 'name' | 'group'>> = {}): Rule {
  return {
    name,
    group,
    priority: 100,
    projects: {},
    modules: {},
    allowProductionAdmin: false,
    location: { file: 'mappings/test.yaml', line: 1 },
    ...grants,
  };
}

export const RULES: Rule[] = [
  rule('org-admins', 'Heap Admins', { orgRole: 'Admin' }),
  rule('analysts', 'Analytics', {
    projects: { 'web-prod': 'Member', 'environment:staging': 'Admin' },
    modules: { govern: { 'web-prod': 'viewer' } },
  }),
  rule('prod-admins', 'Heap Prod Admins', { projects: { 'web-prod': 'Admin' }, allowProductionAdmin: true }),
  rule('viewers', 'Everyone', { projects: { '*': 'Viewer' } }),
];

export interface PolicyOverrides extends Partial<Omit<Policy, 'guards'>> {
  guards?: Partial<Policy['guards']>;
}

export function mappingSet(
  policy: PolicyOverrides = {},
  rules: Rule[] = RULES,
  projects: Project[] = PROJECTS,
): MappingSet {
  return {
    version: 'test',
    model: DEFAULT_MODEL,
    projects,
    // the classification tests revert at once; grace.test.ts sets revertAfter itself
    policy: { ...DEFAULT_POLICY, revertAfter: '0s', ...policy, guards: { ...DEFAULT_POLICY.guards, ...policy.guards } },
    rules,
    files: ['mappings/test.yaml'],
  };
}

export const reason = (ruleName: string, group: string, source = 'file'): RuleReason => ({
  rule: ruleName,
  group,
  source,
});

const DEFAULT_REASON = reason('analysts', 'Analytics');

/** A mapped user: `membership: active` and `org: Member` unless given; values may carry their own reasons. */
export function desiredUser(
  email: string,
  entitlements: Record<string, string | DesiredEntitlement> = {},
  extra: Partial<DesiredUser> = {},
): DesiredUser {
  const ents: Record<string, DesiredEntitlement> = {};
  const all = { membership: 'active', org: 'Member', ...entitlements };
  for (const [key, v] of Object.entries(all))
    ents[key] = typeof v === 'string' ? { value: v, reasons: [DEFAULT_REASON] } : v;
  return {
    user: email.toLowerCase(),
    matchValue: email.toLowerCase(),
    identityId: `id-${email}`,
    source: 'file',
    mapped: true,
    entitlements: ents,
    ...extra,
  };
}

export const unmappedUser = (email: string, extra: Partial<DesiredUser> = {}): DesiredUser =>
  desiredUser(email, {}, { mapped: false, entitlements: {}, ...extra });

export const teammate = (email: string, access: Access = {}, extra: Partial<Teammate> = {}): Teammate => ({
  email,
  access: { membership: 'active', org: 'Member', ...access },
  ...extra,
});

export const desiredState = (...users: DesiredUser[]): DesiredState => ({ users, warnings: [] });

export function exception(
  overrides: Partial<AccessException> & Pick<AccessException, 'user' | 'entitlement'>,
): AccessException {
  return {
    id: 'ex-1',
    value: 'Admin',
    reason: 'integration setup',
    approver: 'boss@example.com',
    createdAt: '2025-05-01T00:00:00Z',
    expiresAt: '2025-07-01T00:00:00Z',
    revokedAt: null,
    ...overrides,
  };
}

/** Access as a flat record, for baselines: the same defaults as `teammate`. */
export const access = (a: Access = {}): Access => ({ membership: 'active', org: 'Member', ...a });

export function planInput(overrides: Partial<PlanInput> & { policy?: PolicyOverrides } = {}): PlanInput {
  const { policy, ...rest } = overrides;
  return {
    mapping: mappingSet(policy),
    desired: desiredState(),
    actual: [],
    baseline: new Map(),
    exceptions: [],
    now: NOW,
    ...rest,
  };
}
