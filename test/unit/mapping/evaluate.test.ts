import { describe, expect, it } from 'vitest';
import type { DesiredUser } from '../../../src/domain/desired.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { directory, group, mappingOf, user, valuesOf } from './builders.js';

const find = (users: DesiredUser[], key: string): DesiredUser => {
  const hit = users.find((u) => u.user === key);
  if (!hit) throw new Error(`no desired user ${key}`);
  return hit;
};

describe('evaluateMapping', () => {
  it('makes a matched user an active org Member with the rule’s project roles and modules, with reasons', () => {
    const mapping = mappingOf(`rules:
  - name: analysts
    group: Analytics
    projects: { web-prod: Member }
    modules: { illuminate: [web-prod] }
`);
    const { users, warnings } = evaluateMapping(mapping, directory([user('alice')], [group('Analytics', ['alice'])]));
    const reason = { rule: 'analysts', group: 'Analytics', source: 'file' };
    expect(warnings).toEqual([]);
    expect(users).toEqual([
      {
        user: 'alice@acme.example',
        matchValue: 'alice@acme.example',
        identityId: 'alice',
        externalId: 'alice',
        source: 'file',
        mapped: true,
        entitlements: {
          membership: { value: 'active', reasons: [reason] },
          org: { value: 'Member', reasons: [reason] },
          'project:web-prod': { value: 'Member', reasons: [reason] },
          'module:illuminate:web-prod': { value: 'enabled', reasons: [reason] },
        },
      },
    ]);
    expect(Object.keys(users[0]?.entitlements ?? {})).toEqual([
      'membership',
      'org',
      'project:web-prod',
      'module:illuminate:web-prod',
    ]);
  });

  describe('multiGroup: highest', () => {
    const mapping = mappingOf(`rules:
  - { name: viewers, group: Viewers, priority: 1, projects: { web-staging: Viewer, web-dev: Member } }
  - { name: admins, group: Staging Admins, priority: 99, projects: { web-staging: Admin } }
  - { name: devs, group: Devs, projects: { web-dev: Member } }
`);
    const snapshot = directory(
      [user('bob')],
      [group('Viewers', ['bob']), group('Staging Admins', ['bob']), group('Devs', ['bob'])],
    );

    it('gives the most privileged value, with only the rules that give it as reasons', () => {
      const bob = find(evaluateMapping(mapping, snapshot).users, 'bob@acme.example');
      expect(bob.entitlements['project:web-staging']).toEqual({
        value: 'Admin',
        reasons: [{ rule: 'admins', group: 'Staging Admins', source: 'file' }],
      });
    });

    it('lists every rule that gives the winning value', () => {
      const bob = find(evaluateMapping(mapping, snapshot).users, 'bob@acme.example');
      expect(bob.entitlements['project:web-dev']?.reasons.map((r) => r.rule)).toEqual(['viewers', 'devs']);
      expect(bob.entitlements.membership?.reasons.map((r) => r.rule)).toEqual(['viewers', 'admins', 'devs']);
    });
  });

  describe('multiGroup: priority', () => {
    const mapping = mappingOf(`policy: { multiGroup: priority }
rules:
  - { name: contractors, group: Contractors, priority: 10, orgRole: Member, projects: { web-staging: Viewer } }
  - { name: admins, group: Heap Admins, priority: 50, orgRole: Admin, projects: { web-staging: Admin, web-dev: Admin } }
  - { name: devs, group: Devs, priority: 50, projects: { web-dev: Member } }
`);
    const snapshot = directory(
      [user('carol')],
      [group('Contractors', ['carol']), group('Heap Admins', ['carol']), group('Devs', ['carol'])],
    );

    it('gives the value of the lowest priority number, even when less privileged', () => {
      const carol = find(evaluateMapping(mapping, snapshot).users, 'carol@acme.example');
      expect(carol.entitlements['project:web-staging']).toEqual({
        value: 'Viewer',
        reasons: [{ rule: 'contractors', group: 'Contractors', source: 'file' }],
      });
      expect(carol.entitlements.org?.value).toBe('Member');
    });

    it('breaks a tie in priority by privilege', () => {
      const carol = find(evaluateMapping(mapping, snapshot).users, 'carol@acme.example');
      expect(carol.entitlements['project:web-dev']).toEqual({
        value: 'Admin',
        reasons: [{ rule: 'admins', group: 'Heap Admins', source: 'file' }],
      });
    });
  });

  describe('project selectors', () => {
    it('resolves "*", "environment:<name>" and keys, the most specific selector of a rule winning', () => {
      const mapping = mappingOf(`rules:
  - name: all
    group: All
    projects: { "*": Viewer, "environment:production": Member, web-prod: Admin }
    allowProductionAdmin: true
    modules: { govern: { "environment:staging": editor } }
`);
      const { users } = evaluateMapping(mapping, directory([user('dan')], [group('All', ['dan'])]));
      expect(valuesOf(find(users, 'dan@acme.example').entitlements)).toEqual({
        membership: 'active',
        org: 'Member',
        'project:mobile-prod': 'Member',
        'project:web-dev': 'Viewer',
        'project:web-prod': 'Admin',
        'project:web-staging': 'Viewer',
        'module:govern:web-staging': 'editor',
      });
    });
  });

  it('leaves inactive users and users no rule maps unmapped, with no entitlements', () => {
    const mapping = mappingOf(`rules:\n  - { name: a, group: Analytics, projects: { web-prod: Viewer } }\n`);
    const snapshot = directory(
      [user('gone', { active: false, displayName: 'Gone Person' }), user('other')],
      [group('Analytics', ['gone']), group('All Staff', ['gone', 'other'])],
    );
    const { users } = evaluateMapping(mapping, snapshot);
    expect(users.map((u) => [u.user, u.mapped, u.entitlements])).toEqual([
      ['gone@acme.example', false, {}],
      ['other@acme.example', false, {}],
    ]);
    expect(users[0]?.displayName).toBe('Gone Person');
  });

  it('does not apply a module grant without access to its project, and reports it', () => {
    const mapping = mappingOf(`rules:
  - { name: ux, group: UX, modules: { illuminate: [web-prod, web-staging] }, projects: { web-staging: Viewer } }
  - { name: pm, group: PM, projects: { web-prod: Viewer } }
`);
    const snapshot = directory([user('eve'), user('fay')], [group('UX', ['eve', 'fay']), group('PM', ['fay'])]);
    const { users, warnings } = evaluateMapping(mapping, snapshot);
    expect(find(users, 'eve@acme.example').entitlements['module:illuminate:web-prod']).toBeUndefined();
    expect(find(users, 'eve@acme.example').entitlements['module:illuminate:web-staging']?.value).toBe('enabled');
    // another rule gives fay the project, so the module applies
    expect(find(users, 'fay@acme.example').entitlements['module:illuminate:web-prod']?.value).toBe('enabled');
    expect(warnings).toEqual([
      {
        user: 'eve@acme.example',
        entitlement: 'module:illuminate:web-prod',
        message:
          'illuminate "enabled" on web-prod from rule ux (group UX) is not applied: no access to project web-prod',
      },
    ]);
  });

  it('restricts a rule to groups of its source, and matches groups by id', () => {
    const mapping = mappingOf(`rules:
  - { name: okta-analysts, group: Analytics, source: okta, projects: { web-prod: Member } }
  - { name: by-id, groupId: 00gSTAGING, projects: { web-staging: Viewer } }
`);
    const snapshot = directory(
      [user('gil', { source: 'okta' }), user('hal', { source: 'entra' })],
      [
        group('Analytics', ['gil'], { source: 'okta' }),
        group('Analytics', ['hal'], { source: 'entra' }),
        group('Renamed In Okta', ['gil'], { id: '00gSTAGING', source: 'okta' }),
      ],
    );
    const { users } = evaluateMapping(mapping, snapshot);
    expect(valuesOf(find(users, 'gil@acme.example').entitlements)).toMatchObject({
      'project:web-prod': 'Member',
      'project:web-staging': 'Viewer',
    });
    expect(find(users, 'hal@acme.example').mapped).toBe(false);
  });

  it('merges identities of several sources with the same e-mail into one user', () => {
    const mapping = mappingOf(`rules:
  - { name: okta-viewers, group: Viewers, projects: { web-staging: Viewer, web-dev: Admin } }
  - { name: entra-members, group: Members, projects: { web-staging: Member } }
`);
    const snapshot = directory(
      [
        user('o1', { source: 'okta', email: 'Ivy@Acme.example', userName: 'ivy', active: false }),
        user('e1', { source: 'entra', email: 'ivy@acme.example', userName: 'ivy@acme.example', displayName: 'Ivy' }),
      ],
      [group('Viewers', ['o1'], { source: 'okta' }), group('Members', ['e1'], { source: 'entra' })],
    );
    const { users } = evaluateMapping(mapping, snapshot);
    expect(users).toHaveLength(1);
    const ivy = users[0];
    // the okta identity is inactive: its group counts for nothing; the active entra identity speaks for ivy
    expect(ivy?.source).toBe('entra');
    expect(ivy?.identityId).toBe('e1');
    expect(valuesOf(ivy?.entitlements ?? {})).toEqual({
      membership: 'active',
      org: 'Member',
      'project:web-staging': 'Member',
    });
  });

  it('unions grants of two active identities, deciding overlaps by multiGroup', () => {
    const mapping = mappingOf(`rules:
  - { name: okta-viewers, group: Viewers, projects: { web-staging: Viewer, web-dev: Admin } }
  - { name: entra-members, group: Members, projects: { web-staging: Member } }
`);
    const snapshot = directory(
      [
        user('o1', { source: 'okta', email: 'jo@acme.example' }),
        user('e1', { source: 'entra', email: 'JO@acme.example' }),
      ],
      [group('Viewers', ['o1'], { source: 'okta' }), group('Members', ['e1'], { source: 'entra' })],
    );
    const [jo] = evaluateMapping(mapping, snapshot).users;
    expect(jo?.source).toBe('entra');
    expect(valuesOf(jo?.entitlements ?? {})).toEqual({
      membership: 'active',
      org: 'Member',
      'project:web-dev': 'Admin',
      'project:web-staging': 'Member',
    });
    expect(jo?.entitlements.membership?.reasons).toEqual([
      { rule: 'okta-viewers', group: 'Viewers', source: 'okta' },
      { rule: 'entra-members', group: 'Members', source: 'entra' },
    ]);
  });

  it('gives the same result whatever the order of users, groups and members', () => {
    const mapping = mappingOf(`rules:
  - { name: a, group: A, projects: { web-staging: Viewer }, modules: { govern: { web-staging: viewer } } }
  - { name: b, group: B, projects: { web-staging: Member, web-dev: Viewer } }
  - { name: c, group: C, orgRole: Admin }
`);
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map((n) => user(n));
    const groups = [group('A', ['u1', 'u2', 'u3']), group('B', ['u3', 'u4']), group('C', ['u5', 'u1'])];
    const forward = evaluateMapping(mapping, directory(users, groups));
    const reversed = evaluateMapping(
      mapping,
      directory(
        [...users].reverse(),
        [...groups].reverse().map((g) => ({ ...g, members: [...g.members].reverse() })),
      ),
    );
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(forward));
    expect(forward.users.map((u) => u.user)).toEqual(users.map((u) => u.email));
  });

  it('finds users in Heap by policy.match, and falls back to the userName when there is no e-mail', () => {
    const rules = `rules:\n  - { name: a, group: A, projects: { web-staging: Viewer } }\n`;
    const snapshot = directory(
      [
        user('kim', { email: null, userName: 'Kim@Acme.example', externalId: 'ext-kim' }),
        user('lee', { externalId: undefined }),
      ],
      [group('A', ['kim', 'lee'])],
    );
    const byEmail = evaluateMapping(mappingOf(rules), snapshot).users;
    expect(byEmail.map((u) => [u.user, u.matchValue])).toEqual([
      ['kim@acme.example', 'kim@acme.example'],
      ['lee@acme.example', 'lee@acme.example'],
    ]);
    const byUserName = evaluateMapping(mappingOf(`policy: { match: userName }\n${rules}`), snapshot).users;
    expect(byUserName.map((u) => u.matchValue)).toEqual(['Kim@Acme.example', 'lee@acme.example']);
    const byExternalId = evaluateMapping(mappingOf(`policy: { match: externalId }\n${rules}`), snapshot).users;
    expect(byExternalId.map((u) => u.matchValue)).toEqual(['ext-kim', 'lee']);
  });

  it('counts a member listed twice once', () => {
    const mapping = mappingOf(`rules:\n  - { name: a, group: A, projects: { web-staging: Viewer } }\n`);
    const [mo] = evaluateMapping(mapping, directory([user('mo')], [group('A', ['mo', 'mo'])])).users;
    expect(mo?.entitlements.membership?.reasons).toHaveLength(1);
    expect(mo?.entitlements['project:web-staging']?.reasons).toHaveLength(1);
  });

  it('ignores group members that are not users of the group’s source', () => {
    const mapping = mappingOf(`rules:\n  - { name: a, group: A, projects: { web-staging: Viewer } }\n`);
    const { users } = evaluateMapping(
      mapping,
      directory([user('ned', { source: 'okta' })], [group('A', ['ned', 'ghost'], { source: 'entra' })]),
    );
    expect(users.map((u) => [u.user, u.mapped])).toEqual([['ned@acme.example', false]]);
  });

  it('gives every user an own entitlements record, read-only; shared values are frozen', () => {
    const mapping = mappingOf(`rules:\n  - { name: a, group: A, projects: { web-staging: Viewer } }\n`);
    const { users } = evaluateMapping(mapping, directory([user('p1'), user('p2')], [group('A', ['p1', 'p2'])]));
    const [p1, p2] = users;
    expect(p1?.entitlements).not.toBe(p2?.entitlements);
    expect(p1?.entitlements).toEqual(p2?.entitlements);
    // the planner reads the evaluation's slots, so a record that could be changed in place would lie
    expect(Object.isFrozen(p1?.entitlements)).toBe(true);
    expect(Object.isFrozen(p1?.entitlements['project:web-staging'])).toBe(true);
  });
});
