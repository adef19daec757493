import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BROKEN = 'test/fixtures/mappings/broken';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would, from the project folder, with no config unless one is passed. */
function cli(...args: string[]): Promise<Run> {
  const env = { ...process.env, HEAP_ACCESS_SYNC_CONFIG: '' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A config file in a temp folder naming the example mapping and directory by absolute path. */
function tempConfig(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-cli-mapping-'));
  const file = path.join(dir, 'heap-access-sync.yaml');
  fs.writeFileSync(
    file,
    `mappings: ${path.join(ROOT, 'mappings')}\nsources:\n  - { type: file, path: ${path.join(ROOT, 'examples/directory.json')} }\n`,
  );
  return file;
}

describe('heap-access-sync validate', () => {
  it('exits 2 with every problem of a broken folder at file:line path', async () => {
    const run = await cli('validate', '--mappings', `${BROKEN}/many-errors`);
    expect(run.code).toBe(2);
    const file = `${BROKEN}/many-errors/mapping.yaml`;
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `${file}:10 rules[0].projects.web-prd: unknown project "web-prd" (did you mean "web-prod"?)`,
      `${file}:11 rules[0].projects.web-staging: "Membr" is not a project role (did you mean "Member"?); allowed: "Viewer", "Member", "Admin"`,
      `${file}:15 rules[1].projects.web-prod: Admin on production project "web-prod" needs allowProductionAdmin: true (policy.guards.productionAdminNeedsAllow)`,
      `${file}:16 rules[2].name: duplicate rule name "analysts" (first declared at ${file}:7)`,
      `${file}:18 rules[2].projects.environment:dev: unknown environment "dev" (did you mean "environment:development"?)`,
      `${file}:20 rules[2].modules.activ8: unknown module "activ8"`,
      '6 error(s) in 1 file(s); nothing was loaded',
    ]);
  });

  it('prints the report as JSON with --json, still exiting 2', async () => {
    const run = await cli('validate', '--mappings', `${BROKEN}/unknown-project`, '--json');
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as { ok: boolean; errors: { file: string; line: number; path: string }[] };
    expect(report.ok).toBe(false);
    expect(report.errors.map((e) => `${e.file}:${e.line} ${e.path}`)).toEqual([
      `${BROKEN}/unknown-project/mapping.yaml:10 rules[0].projects.web-prd`,
    ]);
  });

  it('exits 0 for the example mapping in mappings/', async () => {
    const run = await cli('validate', '--mappings', 'mappings');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: 3 file\(s\), 6 project\(s\), 8 rule\(s\); mapping version [0-9a-f]{16}\n$/);
  });

  it('lints against a directory with --directory: warnings, exit 0', async () => {
    const run = await cli('validate', '--mappings', 'mappings', '--directory', 'examples/directory.json');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'mappings/20-teams.yaml:34 rules[3]: warning: rules "analysts" and "product-managers" give different values',
    );
    expect(run.stdout).toMatch(/6 warning\(s\)\nok: 3 file\(s\)/);
  });

  it('warns, in validate and in the mapping docs, that four eyes is off with policy.fourEyes: false', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-four-eyes-off-'));
    try {
      fs.cpSync(path.join(ROOT, 'mappings'), dir, { recursive: true });
      const acme = path.join(dir, '00-acme.yaml');
      fs.writeFileSync(
        acme,
        fs.readFileSync(acme, 'utf8').replace('  match: email\n', '  match: email\n  fourEyes: false\n'),
      );
      const line = fs.readFileSync(acme, 'utf8').split('\n').indexOf('  fourEyes: false') + 1;
      const run = await cli('validate', '--mappings', dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `${acme}:${line} policy.fourEyes: warning: four eyes is off (policy.fourEyes: false): one person may request ` +
          'and approve their own exception, and approve their own held run; meant only for an organisation with a ' +
          'single administrator',
      );
      const docs = await cli('docs', '--mappings', dir, '--format', 'md');
      expect(docs.code).toBe(0);
      expect(docs.stdout).toContain('| fourEyes | off | warning: four eyes is off (policy.fourEyes: false)');
      // on by default: the example mapping says nothing about it, and gets no warning
      expect((await cli('validate', '--mappings', 'mappings')).stdout).not.toContain('fourEyes');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the mappings folder from the config when --mappings is not given', async () => {
    const run = await cli('--config', tempConfig(), 'validate', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, projects: 6, rules: 8 });
  });
});

describe('heap-access-sync explain', () => {
  it('explains a user from the config’s file source', async () => {
    const run = await cli('--config', tempConfig(), 'explain', 'farah.haddad@acme.example');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('farah.haddad@acme.example (Farah Haddad): mapped');
    expect(run.stdout).toContain(
      'why: multiGroup: highest: Member is the most privileged of Member, Viewer (rule analysts)',
    );
  });

  it('prints JSON, and exits 2 for a user no source knows', async () => {
    const json = await cli(
      'explain',
      'u009',
      '--mappings',
      'mappings',
      '--directory',
      'examples/directory.json',
      '--json',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ user: 'ivan.petrov@acme.example', found: true, mapped: false });
    const missing = await cli(
      'explain',
      'nobody@acme.example',
      '--mappings',
      'mappings',
      '--directory',
      'examples/directory.json',
    );
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('no identity source knows "nobody@acme.example"');
  });

  it('exits 2 on a broken mapping', async () => {
    const run = await cli(
      'explain',
      'x',
      '--mappings',
      `${BROKEN}/unknown-project`,
      '--directory',
      'examples/directory.json',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${BROKEN}/unknown-project/mapping.yaml:10 rules[0].projects.web-prd: unknown project`,
    );
  });
});

describe('heap-access-sync docs', () => {
  it('writes standalone HTML with the access review to --out', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'has-docs-')), 'access.html');
    const run = await cli(
      'docs',
      '--format',
      'html',
      '--with-members',
      '--mappings',
      'mappings',
      '--directory',
      'examples/directory.json',
      '--out',
      out,
    );
    expect(run.code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<h2>Effective access (23 of 25 users mapped)</h2>');
  });

  it('prints CSV to stdout and rejects an unknown format with exit 2', async () => {
    const csv = await cli('docs', '--format', 'csv', '--mappings', 'mappings');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'rule,group,group_by,source,priority,entitlement,value,selector,environment,mapping_version',
    );
    const bad = await cli('docs', '--format', 'pdf', '--mappings', 'mappings');
    expect(bad.code).toBe(2);
  });
});
