import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/domain/errors.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';
import { directory, group, mappingOf, PROJECTS, user, valuesOf } from './builders.js';

const problemsOf = (yaml: string): string[] => {
  try {
    parseMappingFiles([{ file: 'mappings/test.yaml', text: `${PROJECTS}${yaml}` }]);
  } catch (err) {
    if (err instanceof MappingError) return err.issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
    throw err;
  }
  return [];
};

describe('mapping teams', () => {
  it('declares Teams with their bound projects, and a rule that grants a Team makes its members team members', () => {
    const mapping = mappingOf(`teams:
  - { name: Web Analysts, projects: [web-prod, web-staging] }
  - { name: Replay Viewers }
rules:
  - name: analysts
    group: Analytics
    teams: [web analysts]
    projects: { web-prod: Viewer }
  - name: replay
    group: UX
    teams: [Replay Viewers]
`);
    expect(mapping.teams).toEqual([
      {
        name: 'Web Analysts',
        projects: ['web-prod', 'web-staging'],
        location: { file: 'mappings/test.yaml', line: 8 },
      },
      { name: 'Replay Viewers', projects: [], location: { file: 'mappings/test.yaml', line: 9 } },
    ]);
    expect(mapping.rules[0]?.teams).toEqual(['Web Analysts']);
    const { users } = evaluateMapping(
      mapping,
      directory([user('alice'), user('bob')], [group('Analytics', ['alice']), group('UX', ['alice', 'bob'])]),
    );
    expect(users.map((u) => [u.user, valuesOf(u.entitlements)])).toEqual([
      [
        'alice@acme.example',
        {
          membership: 'active',
          org: 'Member',
          'project:web-prod': 'Viewer',
          'team:Replay Viewers': 'member',
          'team:Web Analysts': 'member',
        },
      ],
      ['bob@acme.example', { membership: 'active', org: 'Member', 'team:Replay Viewers': 'member' }],
    ]);
  });

  it('names every problem: an unknown Team, a Team twice, an unknown or repeated project, a blank name', () => {
    expect(
      problemsOf(`teams:
  - { name: Web, projects: [web-prd, web-prod, web-prod] }
  - { name: web }
  - { name: "  " }
rules:
  - name: a
    group: A
    teams: [Wbe, Web, Web]
`),
    ).toEqual([
      '8 teams[0].projects[0]: unknown project "web-prd" (did you mean "web-prod"?)',
      '8 teams[0].projects[2]: project "web-prod" is listed twice',
      '9 teams[1].name: duplicate Team "web" (first declared at mappings/test.yaml:8)',
      '10 teams[2].name: must not be empty',
      '14 rules[0].teams[0]: unknown Team "Wbe" (declared: "Web")',
      '14 rules[0].teams[2]: Team "Web" is listed twice',
    ]);
  });

  it('counts a Team as a grant: a rule with only teams is not empty', () => {
    expect(problemsOf(`teams: [{ name: T }]\nrules:\n  - { name: a, group: A, teams: [T] }\n`)).toEqual([]);
    expect(problemsOf(`rules:\n  - { name: a, group: A, teams: [T] }\n`)).toEqual([
      '8 rules[0].teams[0]: unknown Team "T" (no teams: are declared)',
    ]);
  });
});
