import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MappingError, type Issue } from '../../../src/domain/errors.js';
import { DEFAULT_POLICY } from '../../../src/domain/mapping.js';
import { DEFAULT_MODEL } from '../../../src/domain/model.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';

const HEAD = `apiVersion: heap-access-sync/v1
projects:
  - { key: web-prod, name: Web, environment: production }
  - { key: web-staging, name: Web (staging), environment: staging }
`;

function errorsOf(files: { file: string; text: string }[]): Issue[] {
  try {
    parseMappingFiles(files);
  } catch (err) {
    if (err instanceof MappingError) return err.issues;
    throw err;
  }
  throw new Error('parsed without errors');
}

describe('parseMappingFiles', () => {
  it('loads the example mapping in mappings/ without errors or warnings', async () => {
    const { mapping, warnings } = await loadMappingDir('mappings');
    expect(warnings).toEqual([]);
    expect(mapping.files).toEqual(['mappings/00-acme.yaml', 'mappings/10-admins.yaml', 'mappings/20-teams.yaml']);
    expect(mapping.projects.map((p) => p.key)).toEqual([
      'web-prod',
      'web-staging',
      'web-dev',
      'mobile-prod',
      'mobile-staging',
      'mobile-dev',
    ]);
    expect(mapping.model.licensedModules).toEqual(['govern', 'illuminate']);
    expect(mapping.rules.map((r) => r.name)).toEqual([
      'org-admins',
      'prod-admins',
      'analysts',
      'data-governance',
      'ux-research',
      'product-managers',
      'engineers',
      'contractors',
    ]);
    expect(mapping.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('merges files in name order whatever order they are given in', () => {
    const a = {
      file: 'm/a.yaml',
      text: `${HEAD}rules:\n  - { name: one, group: One, projects: { web-staging: Viewer } }\n`,
    };
    const b = {
      file: 'm/b.yaml',
      text: 'apiVersion: heap-access-sync/v1\nrules:\n  - { name: two, group: Two, projects: { web-prod: Viewer } }\n',
    };
    const forward = parseMappingFiles([a, b]).mapping;
    const backward = parseMappingFiles([b, a]).mapping;
    expect(backward).toEqual(forward);
    expect(forward.rules.map((r) => r.name)).toEqual(['one', 'two']);
    expect(forward.files).toEqual(['m/a.yaml', 'm/b.yaml']);
  });

  it('versions by base name and content: another folder gives the same version, other content another', () => {
    const text = `${HEAD}rules:\n  - { name: one, group: One, projects: { web-staging: Viewer } }\n`;
    const v1 = parseMappingFiles([{ file: 'mappings/a.yaml', text }]).mapping.version;
    const v2 = parseMappingFiles([{ file: '/elsewhere/a.yaml', text }]).mapping.version;
    const v3 = parseMappingFiles([{ file: 'mappings/a.yaml', text: text.replace('Viewer', 'Member') }]).mapping.version;
    const v4 = parseMappingFiles([{ file: 'mappings/b.yaml', text }]).mapping.version;
    expect(v2).toBe(v1);
    expect(v3).not.toBe(v1);
    expect(v4).not.toBe(v1);
  });

  it('uses the default model and policy when no file declares them, and merges partial guards', () => {
    const text = `${HEAD}policy:\n  guards: { maxOrgAdmins: 2 }\nrules:\n  - { name: one, group: One, projects: { web-staging: Viewer } }\n`;
    const { mapping } = parseMappingFiles([{ file: 'a.yaml', text }]);
    expect(mapping.model).toEqual(DEFAULT_MODEL);
    expect(mapping.policy).toEqual({ ...DEFAULT_POLICY, guards: { ...DEFAULT_POLICY.guards, maxOrgAdmins: 2 } });
  });

  it('licenses every declared module when the model does not list licensedModules', () => {
    const text = `${HEAD}model:\n  modules: { govern: [viewer, editor], replay: [enabled] }\nrules:\n  - { name: one, group: One, modules: { replay: [web-prod] }, projects: { web-prod: Viewer } }\n`;
    const { mapping } = parseMappingFiles([{ file: 'a.yaml', text }]);
    expect(mapping.model.licensedModules).toEqual(['govern', 'replay']);
    expect(mapping.model.orgRoles).toEqual(DEFAULT_MODEL.orgRoles);
  });

  it('normalises rules: list-form modules, default priority 100, the line each rule starts on', () => {
    const text = `${HEAD}rules:
  - name: ux
    group: UX
    projects: { web-prod: Viewer }
    modules:
      illuminate: [web-prod, "environment:staging"]
  - name: ops
    groupId: 00g123
    source: okta
    priority: 5
    orgRole: Admin
`;
    const { mapping } = parseMappingFiles([{ file: 'a.yaml', text }]);
    expect(mapping.rules).toEqual([
      {
        name: 'ux',
        group: 'UX',
        priority: 100,
        projects: { 'web-prod': 'Viewer' },
        modules: { illuminate: { 'web-prod': 'enabled', 'environment:staging': 'enabled' } },
        allowProductionAdmin: false,
        location: { file: 'a.yaml', line: 6 },
      },
      {
        name: 'ops',
        groupId: '00g123',
        source: 'okta',
        priority: 5,
        orgRole: 'Admin',
        projects: {},
        modules: {},
        allowProductionAdmin: false,
        location: { file: 'a.yaml', line: 11 },
      },
    ]);
  });

  it('reads a numeric groupId as a string', () => {
    const text = `${HEAD}rules:\n  - { name: one, groupId: 4711, projects: { web-staging: Viewer } }\n`;
    expect(parseMappingFiles([{ file: 'a.yaml', text }]).mapping.rules[0]?.groupId).toBe('4711');
  });

  it('allows Admin on production without allowProductionAdmin when the guard is off', () => {
    const text = `${HEAD}policy:\n  guards: { productionAdminNeedsAllow: false }\nrules:\n  - { name: one, group: One, projects: { web-prod: Admin } }\n`;
    expect(parseMappingFiles([{ file: 'a.yaml', text }]).mapping.rules[0]?.projects).toEqual({ 'web-prod': 'Admin' });
  });

  it('treats environment "prod" as production for the guard', () => {
    const text = `apiVersion: heap-access-sync/v1
projects: [{ key: app, environment: prod }]
rules:
  - { name: one, group: One, projects: { app: Admin } }
`;
    expect(errorsOf([{ file: 'a.yaml', text }]).map((i) => `${i.line} ${i.path}`)).toEqual(['4 rules[0].projects.app']);
  });

  it('lets a more specific selector override "*" for the production guard', () => {
    const text = `${HEAD}rules:\n  - { name: one, group: One, projects: { "*": Admin, web-prod: Member } }\n`;
    expect(parseMappingFiles([{ file: 'a.yaml', text }]).warnings).toEqual([]);
  });

  it('warns when allowProductionAdmin has no effect', () => {
    const text = `${HEAD}rules:\n  - name: one\n    group: One\n    projects: { web-staging: Admin }\n    allowProductionAdmin: true\n`;
    const { warnings } = parseMappingFiles([{ file: 'a.yaml', text }]);
    expect(warnings.map((w) => `${w.file}:${w.line} ${w.path}: ${w.message}`)).toEqual([
      'a.yaml:9 rules[0].allowProductionAdmin: allowProductionAdmin has no effect: the rule gives no production Admin',
    ]);
    expect(warnings[0]?.severity).toBe('warning');
  });

  it('refuses a mapping set with no rule, unless policy.allowEmpty says it is meant', () => {
    const issues = errorsOf([
      { file: 'a.yaml', text: HEAD },
      { file: 'b.yaml', text: 'apiVersion: heap-access-sync/v1\n' },
    ]);
    expect(issues.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`)).toEqual([
      'a.yaml:1 rules: the mapping set has no rules: every user would lose access; add rules, or set ' +
        'policy.allowEmpty: true if that is meant (files read: a.yaml, b.yaml)',
    ]);
    const allowed = parseMappingFiles([{ file: 'a.yaml', text: `${HEAD}policy: { allowEmpty: true }\n` }]);
    expect(allowed.mapping.rules).toEqual([]);
    expect(allowed.warnings.map((w) => w.message)).toEqual([
      'no rules: nobody will be given access (policy.allowEmpty: true)',
    ]);
  });

  it('reports problems of several files together, sorted by file then line', () => {
    const issues = errorsOf([
      {
        file: 'b.yaml',
        text: 'apiVersion: heap-access-sync/v1\nrules:\n  - { name: x, group: X, projects: { nope: Viewer } }\n',
      },
      {
        file: 'a.yaml',
        text: `apiVersion: v0\n${HEAD.slice(HEAD.indexOf('\n') + 1)}rules:\n  - { name: y, group: Y, orgRole: Boss }\n`,
      },
    ]);
    expect(issues.map((i) => `${i.file}:${i.line} ${i.path}`)).toEqual([
      'a.yaml:1 apiVersion',
      'a.yaml:6 rules[0].orgRole',
      'b.yaml:3 rules[0].projects.nope',
    ]);
  });

  it('rejects an empty list of files', () => {
    expect(() => parseMappingFiles([])).toThrow(MappingError);
  });
});

describe('loadMappingDir', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'has-mappings-'));

  it('reads *.yaml and *.yml but not sub-folders or other files, and names files by absolute path outside cwd', async () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'a.yml'),
      `${HEAD}rules:\n  - { name: one, group: One, projects: { web-prod: Viewer } }\n`,
    );
    fs.writeFileSync(path.join(dir, 'README.md'), '# not a mapping');
    fs.mkdirSync(path.join(dir, 'old'));
    fs.writeFileSync(path.join(dir, 'old', 'b.yaml'), 'this: is: not: read');
    const { mapping } = await loadMappingDir(dir);
    expect(mapping.files).toEqual([path.join(dir, 'a.yml')]);
  });

  it('reads a symlinked mapping file like any other', async () => {
    const dir = tmp();
    const elsewhere = tmp();
    fs.writeFileSync(
      path.join(elsewhere, 'shared.yaml'),
      `${HEAD}rules:\n  - { name: one, group: One, projects: { web-prod: Viewer } }\n`,
    );
    fs.symlinkSync(path.join(elsewhere, 'shared.yaml'), path.join(dir, 'acme.yaml'));
    const { mapping } = await loadMappingDir(dir);
    expect(mapping.rules.map((r) => r.name)).toEqual(['one']);
    expect(mapping.files).toEqual([path.join(dir, 'acme.yaml')]);
  });

  it('fails on a broken symlink, naming it, even when other files load', async () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'a.yaml'),
      `${HEAD}rules:\n  - { name: one, group: One, projects: { web-prod: Viewer } }\n`,
    );
    fs.symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'b.yaml'));
    const err = await loadMappingDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).issues.map((i) => `${i.file}: ${i.message}`)).toEqual([
      `${path.join(dir, 'b.yaml')}: broken symbolic link to ${path.join(dir, 'gone.yaml')} (ENOENT): the mapping it ` +
        'should hold cannot be read',
    ]);
  });

  it('fails on an empty folder and on a missing one', async () => {
    const dir = tmp();
    await expect(loadMappingDir(dir)).rejects.toThrow(/no mapping files/);
    await expect(loadMappingDir(path.join(dir, 'missing'))).rejects.toThrow(MappingError);
  });

  it('names files relative to the working directory when the folder is inside it', async () => {
    const { mapping } = await loadMappingDir(path.resolve('mappings'));
    expect(mapping.files[0]).toBe('mappings/00-acme.yaml');
  });
});
