import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';

const NO_TOKENS = {
  HEAP_ACCESS_SYNC_CONFIG: undefined,
  ADMIN_TOKEN: undefined,
  VIEWER_TOKEN: undefined,
  SCIM_TOKEN: undefined,
  HEAP_SCIM_TOKEN: undefined,
};

/** What `source data/demo.env` exports, read by the shell itself (so the file is valid shell). */
function sourced(envFile: string): Record<string, string> {
  const names = ['HEAP_ACCESS_SYNC_CONFIG', 'ADMIN_TOKEN', 'VIEWER_TOKEN', 'SCIM_TOKEN', 'HEAP_SCIM_TOKEN'];
  const script = `. "$1" && ${names.map((n) => `printf '%s\\n' "$${n}"`).join(' && ')}`;
  const values = execFileSync('sh', ['-c', script, 'sh', envFile], { encoding: 'utf8', env: {} }).split('\n');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

describe('npm start, then the README’s commands in another terminal', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-demo-'));
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'has-demo-shell-'));
  let demo: ReturnType<typeof startCli>;
  let output = '';

  beforeAll(async () => {
    demo = startCli(['demo', '--port', '0', '--heap-port', '0', '--data', path.join(dir, 'data')], {
      cwd: dir,
      env: NO_TOKENS,
    });
    demo.child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const check = () => (output.includes('then: npx heap-access-sync plan') ? resolve() : undefined);
      demo.child.stdout!.on('data', check);
      void demo.done.then((r) => reject(new Error(`demo exited ${r.code}: ${r.stderr}`)));
    });
  }, 120_000);
  afterAll(async () => {
    demo.child.kill('SIGTERM');
    await demo.done;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('prints and writes to data/demo.env what to export: the config and the tokens', () => {
    const env = sourced(path.join(dir, 'data/demo.env'));
    expect(env.HEAP_ACCESS_SYNC_CONFIG).toBe(path.join(dir, 'data/demo.yaml'));
    const tokens = JSON.parse(fs.readFileSync(path.join(dir, 'data/demo-tokens.json'), 'utf8')) as Record<
      string,
      string
    >;
    for (const name of ['ADMIN_TOKEN', 'VIEWER_TOKEN', 'SCIM_TOKEN', 'HEAP_SCIM_TOKEN']) {
      expect(env[name]).toBe(tokens[name]);
      expect(output).toContain(`export ${name}=${tokens[name]}`);
    }
    expect(output).toContain('source data/demo.env');
    expect(fs.statSync(path.join(dir, 'data/demo.env')).mode & 0o077).toBe(0);
  });

  it('`plan`, `drift`, `explain` and `journal list` work with nothing but those exports', async () => {
    const env = { ...NO_TOKENS, ...sourced(path.join(dir, 'data/demo.env')) };
    const plan = await runCli(['plan'], { cwd: elsewhere, env });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    // the demo's two changes by hand are drift: alerted, and reverted once policy.revertAfter (1h) has passed
    expect(plan.stdout).toMatch(/Drift \(2\)/);
    expect(plan.stdout.match(/reverts at \d{4}-/g)).toHaveLength(2);

    const drift = await runCli(['drift'], { cwd: elsewhere, env });
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('2 drift item(s)');

    const explain = await runCli(['explain', 'alice.nguyen@acme.example'], { cwd: elsewhere, env });
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('alice.nguyen@acme.example');

    const journal = await runCli(['journal', 'list'], { cwd: elsewhere, env });
    expect(journal.code).toBe(0);
    expect(journal.stdout).toMatch(/succeeded +cli/);
  });
});
