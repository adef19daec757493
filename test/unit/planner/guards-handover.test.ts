import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../src/domain/desired.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';
import { planChanges } from '../../../src/planner/index.js';

const mapping = parseMappingFiles([
  {
    file: 'm.yaml',
    text: `apiVersion: heap-access-sync/v1
projects: [ { key: web-staging, name: Web staging, environment: staging } ]
rules:
  - { name: staging-admins, group: Staging Admins, projects: { web-staging: Admin } }
  - { name: staff, group: Staff, projects: { web-staging: Member } }
`,
  },
]).mapping;

const reason = { rule: 'r', group: 'g', source: 'file' };
const user = (email: string, role: string) => ({
  user: email,
  matchValue: email,
  identityId: email,
  source: 'file',
  mapped: true,
  entitlements: {
    membership: { value: 'active', reasons: [reason] },
    org: { value: 'Member', reasons: [reason] },
    'project:web-staging': { value: role, reasons: [reason] },
  },
});

describe('guards: an Admin handover in one plan', () => {
  // "aaron" sorts before "zoe": his demotion comes first in the plan, her promotion last
  const actual: Teammate[] = [
    { email: 'aaron@example.com', access: { membership: 'active', org: 'Member', 'project:web-staging': 'Admin' } },
    { email: 'zoe@example.com', access: { membership: 'active', org: 'Member', 'project:web-staging': 'Member' } },
  ];
  const baseline = new Map(actual.map((t) => [t.email, t.access]));

  it('goes through whichever user sorts first', () => {
    const desired: DesiredState = {
      users: [user('aaron@example.com', 'Member'), user('zoe@example.com', 'Admin')],
      warnings: [],
    };
    const plan = planChanges({ mapping, desired, actual, baseline, exceptions: [], now: new Date() });
    expect(plan.changes.map((c) => [c.user, c.to, c.blocked])).toEqual([
      ['aaron@example.com', 'Member', null],
      ['zoe@example.com', 'Admin', null],
    ]);
  });

  it('counts a new user created as Admin in the same plan', () => {
    const desired: DesiredState = {
      users: [user('aaron@example.com', 'Member'), user('zed@example.com', 'Admin'), user('zoe@example.com', 'Member')],
      warnings: [],
    };
    const plan = planChanges({ mapping, desired, actual, baseline, exceptions: [], now: new Date() });
    expect(plan.changes.filter((c) => c.blocked)).toEqual([]);
  });

  it('still blocks the demotion when nobody takes over', () => {
    const desired: DesiredState = {
      users: [user('aaron@example.com', 'Member'), user('zoe@example.com', 'Member')],
      warnings: [],
    };
    const plan = planChanges({ mapping, desired, actual, baseline, exceptions: [], now: new Date() });
    expect(plan.changes.find((c) => c.user === 'aaron@example.com')?.blocked).toBe('lastProjectAdmin');
  });
});
