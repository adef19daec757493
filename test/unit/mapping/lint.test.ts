import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/domain/errors.js';
import { lintMapping } from '../../../src/mapping/lint.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import { parseDirectory } from '../../../src/sources/file/read-file-directory.js';
import { directory, group, mappingOf, user } from './builders.js';

describe('lintMapping', () => {
  it('warns about a rule whose group matches nothing, suggesting a close group name', () => {
    const mapping = mappingOf(`rules:
  - { name: analysts, group: Analytcs, projects: { web-staging: Viewer } }
  - { name: okta-only, group: Analytics, source: okta, projects: { web-staging: Viewer } }
  - { name: by-id, groupId: 00gMISSING, projects: { web-staging: Viewer } }
`);
    const snapshot = directory([user('a')], [group('Analytics', ['a'])]);
    expect(lintMapping(mapping, snapshot).map(formatIssue)).toEqual([
      'mappings/test.yaml:8 rules[0].group: group "Analytcs" matches no group in the directory (did you mean "Analytics"?)',
      'mappings/test.yaml:9 rules[1].group: group "Analytics" matches no group from source "okta" in the directory',
      'mappings/test.yaml:10 rules[2].groupId: groupId "00gMISSING" matches no group in the directory',
    ]);
  });

  it('warns when overlapping rules give one user different values, naming what multiGroup picks', () => {
    const mapping = mappingOf(`rules:
  - { name: viewers, group: Viewers, projects: { web-staging: Viewer, web-dev: Viewer } }
  - { name: members, group: Members, projects: { web-staging: Member, web-dev: Viewer } }
  - { name: others, group: Others, projects: { web-staging: Admin } }
`);
    const snapshot = directory(
      [user('a'), user('b'), user('c')],
      [group('Viewers', ['a', 'b', 'c']), group('Members', ['b', 'a']), group('Others', ['c'])],
    );
    const issues = lintMapping(mapping, snapshot);
    expect(issues.map((i) => [i.severity, `${i.line} ${i.path}`])).toEqual([
      ['warning', '9 rules[1]'],
      ['warning', '10 rules[2]'],
    ]);
    expect(issues[0]?.message).toBe(
      'rules "viewers" and "members" give different values to 2 users in both groups (e.g. a@acme.example): ' +
        'project:web-staging (Viewer vs Member: Member wins); multiGroup: highest decides',
    );
  });

  it('says which rule wins under multiGroup: priority', () => {
    const mapping = mappingOf(`policy: { multiGroup: priority }
rules:
  - { name: broad, group: Broad, priority: 90, projects: { web-staging: Admin } }
  - { name: narrow, group: Narrow, priority: 10, projects: { web-staging: Viewer } }
`);
    const [issue] = lintMapping(mapping, directory([user('a')], [group('Broad', ['a']), group('Narrow', ['a'])]));
    expect(issue?.message).toContain(
      'project:web-staging (Admin vs Viewer: Viewer wins); multiGroup: priority decides',
    );
  });

  it('does not warn when overlapping rules agree, or when nobody is in both groups', () => {
    const mapping = mappingOf(`rules:
  - { name: one, group: One, projects: { web-staging: Viewer } }
  - { name: two, group: Two, projects: { web-staging: Viewer, web-dev: Admin } }
  - { name: three, group: Three, projects: { web-staging: Admin } }
`);
    const snapshot = directory(
      [user('a'), user('b')],
      [group('One', ['a']), group('Two', ['a']), group('Three', ['b'])],
    );
    expect(lintMapping(mapping, snapshot)).toEqual([]);
  });

  it('warns when more users would be org Admin than maxOrgAdmins', () => {
    const mapping = mappingOf(`policy: { guards: { maxOrgAdmins: 2 } }
rules:
  - { name: admins, group: Admins, orgRole: Admin }
`);
    const snapshot = directory(
      ['a', 'b', 'c'].map((n) => user(n)),
      [group('Admins', ['a', 'b', 'c'])],
    );
    expect(lintMapping(mapping, snapshot).map(formatIssue)).toEqual([
      'mappings/test.yaml:9 rules[0].orgRole: 3 users would be org Admin, more than policy.guards.maxOrgAdmins (2): a@acme.example, b@acme.example, c@acme.example',
    ]);
  });

  it('finds the expected overlaps in the example mapping and directory, and nothing else', async () => {
    const { mapping } = await loadMappingDir('mappings');
    const snapshot = parseDirectory(fs.readFileSync('examples/directory.json', 'utf8'), 'file', 'x');
    const issues = lintMapping(mapping, snapshot);
    expect(issues.every((i) => i.severity === 'warning' && i.message.includes('give different values'))).toBe(true);
    expect(issues.map((i) => i.message.slice(0, i.message.indexOf(' give')))).toEqual([
      'rules "analysts" and "data-governance"',
      'rules "analysts" and "product-managers"',
      'rules "ux-research" and "product-managers"',
      'rules "org-admins" and "engineers"',
      'rules "prod-admins" and "engineers"',
      'rules "analysts" and "engineers"',
    ]);
  });
});
