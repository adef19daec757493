import { describe, expect, it } from 'vitest';
import { MappingError, type Issue } from '../../../src/domain/errors.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';

const BROKEN = 'test/fixtures/mappings/broken';

/** Loads a broken fixture folder and returns its issues; the load must fail. */
async function issuesOf(folder: string): Promise<Issue[]> {
  try {
    await loadMappingDir(`${BROKEN}/${folder}`);
  } catch (err) {
    if (err instanceof MappingError) return err.issues;
    throw err;
  }
  throw new Error(`${folder} loaded without errors`);
}

const where = (i: Issue) => `${i.file.replace(`${BROKEN}/`, '')}:${i.line} ${i.path}`.trimEnd();

// [folder, "file:line path" (relative to the broken folder), part of the message]
const cases: [string, string, string][] = [
  ['malformed-yaml', 'malformed-yaml/mapping.yaml:9', 'malformed YAML: Flow map'],
  ['duplicate-yaml-key', 'duplicate-yaml-key/mapping.yaml:9', 'malformed YAML: Map keys must be unique'],
  ['wrong-api-version', 'wrong-api-version/mapping.yaml:1 apiVersion', 'unsupported apiVersion "heap-access-sync/v2"'],
  ['missing-api-version', 'missing-api-version/mapping.yaml:2', 'missing apiVersion (expected "heap-access-sync/v1")'],
  ['empty-file', 'empty-file/mapping.yaml:1', 'empty file'],
  [
    'unknown-top-level-key',
    'unknown-top-level-key/mapping.yaml:9 polcy',
    'unknown key "polcy" (did you mean "policy"?)',
  ],
  [
    'unknown-rule-key',
    'unknown-rule-key/mapping.yaml:8 rules[0].orgrole',
    'unknown key "orgrole" (did you mean "orgRole"?)',
  ],
  [
    'unknown-project',
    'unknown-project/mapping.yaml:10 rules[0].projects.web-prd',
    'unknown project "web-prd" (did you mean "web-prod"?)',
  ],
  [
    'unknown-environment',
    'unknown-environment/mapping.yaml:9 rules[0].projects.environment:stagin',
    'unknown environment "stagin" (did you mean "environment:staging"?)',
  ],
  [
    'unknown-project-role',
    'unknown-project-role/mapping.yaml:8 rules[0].projects.web-staging',
    '"Admn" is not a project role (did you mean "Admin"?)',
  ],
  [
    'unknown-org-role',
    'unknown-org-role/mapping.yaml:8 rules[0].orgRole',
    '"Owner" is not an org role; allowed: "Member", "Admin"',
  ],
  [
    'unknown-module',
    'unknown-module/mapping.yaml:10 rules[0].modules.goven',
    'unknown module "goven" (did you mean "govern"?)',
  ],
  [
    'unlicensed-module',
    'unlicensed-module/mapping.yaml:12 rules[0].modules.activate',
    'module "activate" is not licensed (model.licensedModules: "govern", "illuminate")',
  ],
  [
    'unknown-module-value',
    'unknown-module-value/mapping.yaml:11 rules[0].modules.govern.web-prod',
    '"edtor" is not a govern value (did you mean "editor"?)',
  ],
  [
    'module-list-needs-single-value',
    'module-list-needs-single-value/mapping.yaml:10 rules[0].modules.govern',
    'a list needs a module with one value',
  ],
  [
    'unknown-licensed-module',
    'unknown-licensed-module/mapping.yaml:5 model.licensedModules[1]',
    'unknown module "ilumminate" (did you mean "illuminate"?)',
  ],
  [
    'production-admin-without-allow',
    'production-admin-without-allow/mapping.yaml:10 rules[0].projects.web-prod',
    'Admin on production project "web-prod" needs allowProductionAdmin: true',
  ],
  [
    'production-admin-via-star',
    'production-admin-via-star/mapping.yaml:8 rules[0].projects["*"]',
    'Admin on "*" (production: "web-prod") needs allowProductionAdmin: true',
  ],
  [
    'production-admin-via-environment',
    'production-admin-via-environment/mapping.yaml:9 rules[0].projects.environment:production',
    'Admin on "environment:production" (production: "web-prod") needs allowProductionAdmin',
  ],
  [
    'duplicate-rule-across-files',
    'duplicate-rule-across-files/b.yaml:6 rules[1].name',
    `duplicate rule name "analysts" (first declared at ${BROKEN}/duplicate-rule-across-files/a.yaml:6)`,
  ],
  [
    'duplicate-project',
    'duplicate-project/b.yaml:4 projects[1].key',
    `duplicate project "web-prod" (first declared at ${BROKEN}/duplicate-project/a.yaml:3)`,
  ],
  ['empty-rule', 'empty-rule/mapping.yaml:9 rules[1]', 'rule "nothing" grants nothing'],
  ['rule-without-group', 'rule-without-group/mapping.yaml:6 rules[0]', 'needs group (a display name) or groupId'],
  [
    'rule-with-group-and-group-id',
    'rule-with-group-and-group-id/mapping.yaml:8 rules[0].groupId',
    'give group or groupId, not both',
  ],
  ['missing-rule-name', 'missing-rule-name/mapping.yaml:6 rules[0].name', 'missing required key "name"'],
  [
    'model-declared-twice',
    'model-declared-twice/b.yaml:2 model',
    `model is already declared in ${BROKEN}/model-declared-twice/a.yaml:2`,
  ],
  [
    'policy-declared-twice',
    'policy-declared-twice/b.yaml:2 policy',
    `policy is already declared in ${BROKEN}/policy-declared-twice/a.yaml:9`,
  ],
  [
    'bad-policy-value',
    'bad-policy-value/mapping.yaml:10 policy.multiGroup',
    '"higest" is not one of "highest", "priority" (did you mean "highest"?)',
  ],
  ['bad-guard-type', 'bad-guard-type/mapping.yaml:11 policy.guards.maxOrgAdmins', 'expected number, got "five"'],
  [
    'unknown-approval-module',
    'unknown-approval-module/mapping.yaml:12 policy.approvals.modules[1]',
    'unknown module "goverm" (did you mean "govern"?)',
  ],
];

describe('broken mapping files: each problem reported at file:line path', () => {
  it.each(cases)('%s', async (folder, expectedWhere, message) => {
    const issues = await issuesOf(folder);
    expect(issues.map(where)).toEqual([expectedWhere]);
    expect(issues[0]?.message).toContain(message);
    expect(issues[0]?.severity).toBe('error');
    expect(issues[0]?.file.startsWith(`${BROKEN}/${folder}/`)).toBe(true);
  });

  it('reports every problem of a file at once, in line order', async () => {
    const issues = await issuesOf('many-errors');
    expect(issues.map((i) => `${where(i)}: ${i.message}`)).toEqual([
      'many-errors/mapping.yaml:10 rules[0].projects.web-prd: unknown project "web-prd" (did you mean "web-prod"?)',
      'many-errors/mapping.yaml:11 rules[0].projects.web-staging: "Membr" is not a project role (did you mean "Member"?); allowed: "Viewer", "Member", "Admin"',
      'many-errors/mapping.yaml:15 rules[1].projects.web-prod: Admin on production project "web-prod" needs allowProductionAdmin: true (policy.guards.productionAdminNeedsAllow)',
      `many-errors/mapping.yaml:16 rules[2].name: duplicate rule name "analysts" (first declared at ${BROKEN}/many-errors/mapping.yaml:7)`,
      'many-errors/mapping.yaml:18 rules[2].projects.environment:dev: unknown environment "dev" (did you mean "environment:development"?)',
      'many-errors/mapping.yaml:20 rules[2].modules.activ8: unknown module "activ8"',
    ]);
  });

  it('says how many problems there are in the error message', async () => {
    const err = await loadMappingDir(`${BROKEN}/many-errors`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).message).toMatch(/^mapping has 6 error\(s\):\n/);
  });
});
