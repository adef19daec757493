import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'has-cli-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** No secret and no config from the machine running the tests. */
const BARE_ENV = {
  HEAP_ACCESS_SYNC_CONFIG: undefined,
  HEAP_SCIM_TOKEN: undefined,
  OKTA_API_TOKEN: undefined,
  ADMIN_TOKEN: undefined,
  VIEWER_TOKEN: undefined,
  SCIM_TOKEN: undefined,
};

function folder(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const cli = (args: string[], cwd: string, env: Record<string, string | undefined> = {}) =>
  runCli(args, { cwd, env: { ...BARE_ENV, ...env } });

const FIXTURES = path.join(ROOT, 'test/fixtures/plan');
const OFFLINE = [
  '--directory',
  `${FIXTURES}/directory.json`,
  '--actual',
  `${FIXTURES}/teammates.json`,
  '--mappings',
  `${FIXTURES}/mappings`,
];

describe('without a config file', () => {
  const cwd = folder('empty');

  it.each([['sync'], ['drift'], ['plan'], ['journal', 'list'], ['exceptions', 'list'], ['serve'], ['explain', 'x']])(
    '`%s` exits 2 and says how to start the demo or pass --config',
    async (...args: string[]) => {
      const run = await cli(args, cwd);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `no config file: \`${args[0] === 'explain' ? 'explain' : args.join(' ')}\` needs one`,
      );
      expect(run.stderr).toContain('npm start');
      expect(run.stderr).toContain('--config <file>');
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
    },
  );

  it('validate, docs and the offline plan run', async () => {
    const mappings = path.join(ROOT, 'mappings');
    expect((await cli(['validate', '--mappings', mappings], cwd)).code).toBe(0);
    const docs = await cli(['docs', '--json', '--mappings', mappings], cwd);
    expect(docs.code).toBe(0);
    expect(JSON.parse(docs.stdout)).toHaveProperty('mappingVersion');
    const plan = await cli(['plan', ...OFFLINE], cwd);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('changes:');
  });
});

describe('a config file without the keys a run needs', () => {
  it('names every missing key at once and contacts nothing', async () => {
    const cwd = folder('partial');
    const file = path.join(cwd, 'heap-access-sync.yaml');
    fs.writeFileSync(
      file,
      'store: { sqlite: ./data/x.db }\ntarget: { type: scim, url: "http://127.0.0.1:9/scim/v2" }\n',
    );
    const run = await cli(['sync'], cwd, { HEAP_SCIM_TOKEN: 't' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:1 mappings: missing required key "mappings" (\`sync\` needs it)`);
    expect(run.stderr).toContain(`${file}:1 sources: missing required key "sources" (\`sync\` needs it)`);
    expect(fs.existsSync(path.join(cwd, 'data/x.db'))).toBe(false);
  });
});

describe('read-only commands need no secret', () => {
  const cwd = folder('secrets');
  fs.writeFileSync(
    path.join(cwd, 'heap-access-sync.yaml'),
    [
      `mappings: ${path.join(ROOT, 'mappings')}`,
      'store: { sqlite: ./data/store.db }',
      'sources:',
      `  - { type: file, path: ${path.join(ROOT, 'examples/directory.json')} }`,
      '  - { type: okta, orgUrl: "https://acme.okta.com", tokenEnv: OKTA_API_TOKEN, groupPrefix: "Heap " }',
      '  - { type: scim }',
      'target: { type: scim, url: "http://127.0.0.1:9/scim/v2", tokenEnv: HEAP_SCIM_TOKEN }',
      '',
    ].join('\n'),
  );

  it.each([
    [['journal', 'list'], 'no runs yet'],
    [['journal', 'verify'], 'journal ok'],
    [['exceptions', 'list'], 'no exceptions'],
    [['validate'], 'ok:'],
    [['docs', '--json'], '"mappingVersion"'],
    [['plan', ...OFFLINE], 'changes:'],
  ])('%j starts without the target or IdP credentials', async (args, output) => {
    const run = await cli(args, cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(output);
  });

  it('sync names every secret it needs at once', async () => {
    const run = await cli(['sync'], cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('target.tokenEnv: environment variable HEAP_SCIM_TOKEN is not set');
    expect(run.stderr).toContain('sources[1].tokenEnv: environment variable OKTA_API_TOKEN is not set');
    expect(run.stderr).not.toContain('ADMIN_TOKEN');
  });

  it("serve names its own tokens together with the target's and the sources'", async () => {
    const run = await cli(['serve', '--port', '0'], cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('configuration has 4 problem(s)');
    for (const variable of ['HEAP_SCIM_TOKEN', 'OKTA_API_TOKEN', 'ADMIN_TOKEN', 'SCIM_TOKEN']) {
      expect(run.stderr).toContain(`environment variable ${variable} is not set`);
    }
  });
});
