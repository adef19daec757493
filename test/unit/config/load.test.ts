import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, requireRunKeys } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/domain/errors.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-config-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const file = path.join(dir, 'heap-access-sync.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** The problems a ConfigError lists, or a failure when nothing was thrown. */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('without a file has no sources, mappings or target: never the example directory and mapping', () => {
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.file).toBeNull();
    expect(loaded.config.sources).toBeUndefined();
    expect(loaded.config.mappings).toBeUndefined();
    expect(loaded.config.target).toBeUndefined();
    const [problem, ...more] = problemsOf(() => requireRunKeys(loaded, 'sync'));
    expect(more).toEqual([]);
    expect(problem).toContain('no config file: `sync` needs one');
    expect(problem).toContain('npm start');
    expect(problem).toContain('--config');
  });

  it('a file with only target and store names every key a run still needs, at once', () => {
    const file = write(
      ['store: { sqlite: ./data/x.db }', 'target: { type: scim, url: "http://127.0.0.1:9/scim/v2" }', ''].join('\n'),
    );
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.file).toBe(file);
    expect(problemsOf(() => requireRunKeys(loaded, 'sync'))).toEqual([
      `${file}:1 mappings: missing required key "mappings" (\`sync\` needs it)`,
      `${file}:1 sources: missing required key "sources" (\`sync\` needs it)`,
    ]);
  });

  it('an empty file is missing all three', () => {
    write('');
    const problems = problemsOf(() => requireRunKeys(loadConfig({ env: {}, cwd: dir }), 'plan'));
    expect(problems.map((p) => p.split(' ')[1])).toEqual(['mappings:', 'sources:', 'target:']);
  });

  it('names the file and the line of every wrong key and value', () => {
    const file = write(
      [
        'mappings: ./mappings',
        'sources:',
        '  - { type: file, path: ./d.json }',
        '  - { type: oktaa, orgUrl: https://acme.okta.com }',
        'target:',
        '  type: scim',
        '  url: not a url',
        'server:',
        '  port: eighty',
        'schedul: "* * * * *"',
        '',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig({ env: {}, cwd: dir }));
    expect(problems).toEqual(
      expect.arrayContaining([
        `${file}:4 sources[1].type: must be one of "file", "scim", "okta", "entra"`,
        expect.stringMatching(new RegExp(`^${file}:7 target\\.url: `)),
        `${file}:9 server.port: expected number, got "eighty"`,
        `${file}:10 schedul: unknown key "schedul" (did you mean "schedule"?)`,
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('puts cross-field problems on their line too', () => {
    const file = write(
      [
        'mappings: ./m',
        'target: { type: scim, url: "http://127.0.0.1:9/scim/v2" }',
        'sources:',
        '  - { type: file, path: ./a.json }',
        '  - { type: okta, orgUrl: "https://acme.okta.com" }',
        '  - { type: file, path: ./b.json }',
        'schedule: "not cron"',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig({ env: {}, cwd: dir }));
    expect(problems).toEqual([
      `${file}:5 sources[1]: okta needs tokenEnv, or clientId with privateKeyEnv`,
      `${file}:6 sources[2]: duplicate source name "file" (give each source a name)`,
      expect.stringMatching(new RegExp(`^${file}:7 schedule: `)),
    ]);
  });

  it('refuses a sign-in with the IdP that nobody could pass, or without the openid scope, on its line', () => {
    const file = write(
      [
        'server:',
        '  oidc:',
        '    issuer: https://acme.okta.com',
        '    clientId: 0oa1',
        '    scopes: [email, groups]',
        '',
      ].join('\n'),
    );
    expect(problemsOf(() => loadConfig({ env: {}, cwd: dir }))).toEqual([
      `${file}:5 server.oidc.scopes: must include "openid"`,
      `${file}:2 server.oidc: name at least one of adminGroups, approverGroups, viewerGroups: nobody could sign in`,
    ]);
  });

  it('several scim sources: each with its own token variable and a name fit for a file name', () => {
    const file = write(
      [
        'mappings: ./m',
        'target: { type: scim, url: "http://127.0.0.1:9/scim/v2" }',
        'sources:',
        '  - { type: scim, name: okta, tokenEnv: OKTA_SCIM_TOKEN }',
        '  - { type: scim, name: entra, tokenEnv: OKTA_SCIM_TOKEN }',
        '  - { type: scim, name: "a b", tokenEnv: AB_SCIM_TOKEN }',
      ].join('\n'),
    );
    expect(problemsOf(() => loadConfig({ env: {}, cwd: dir }))).toEqual([
      `${file}:5 sources[1].tokenEnv: OKTA_SCIM_TOKEN is already the token of scim source "okta": each scim source needs its own`,
      `${file}:6 sources[2].name: with several scim sources, each name must be letters, digits, - and _ (it names its SCIM store file)`,
    ]);
    write(
      [
        'mappings: ./m',
        'target: { type: scim, url: "http://127.0.0.1:9/scim/v2" }',
        'sources:',
        '  - { type: scim, name: okta, tokenEnv: OKTA_SCIM_TOKEN }',
        '  - { type: scim, name: entra, tokenEnv: ENTRA_SCIM_TOKEN }',
      ].join('\n'),
    );
    expect(loadConfig({ env: {}, cwd: dir }).config.sources).toHaveLength(2);
  });

  it('reports malformed YAML with its line', () => {
    const file = write('mappings: ./m\nsources: [\n');
    expect(problemsOf(() => loadConfig({ env: {}, cwd: dir }))[0]).toMatch(
      new RegExp(`^${file}:\\d+ malformed YAML: `),
    );
  });

  it('says which file it cannot read', () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(problemsOf(() => loadConfig({ file: missing, env: {}, cwd: dir }))).toEqual([
      `${missing}: cannot read the config file (ENOENT)`,
    ]);
  });

  it('a complete file is a run config; publicReadiness defaults to false', () => {
    write(
      [
        'mappings: ./m',
        'sources: [{ type: file, path: ./d.json }]',
        'target: { type: scim, url: "http://127.0.0.1:9/scim/v2" }',
      ].join('\n'),
    );
    const config = requireRunKeys(loadConfig({ env: {}, cwd: dir }), 'sync');
    expect(config.sources).toEqual([{ type: 'file', path: './d.json' }]);
    expect(config.target.tokenEnv).toBe('HEAP_SCIM_TOKEN');
    expect(config.server.publicReadiness).toBe(false);
  });
});
