import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { SCIM_TOKEN, changeByHand, makeWorkspace } from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

/** Runs the CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal would: stdout and stderr both. */
function onTerminal(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const tsx = import.meta.resolve('tsx');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, '--import', tsx, path.join(ROOT, 'src/cli/main.ts'), ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: {
        ...process.env,
        HTTPS_PROXY: '',
        https_proxy: '',
        ...(process.env.NODE_EXTRA_CA_CERTS && {
          NODE_EXTRA_CA_CERTS: path.resolve(ROOT, process.env.NODE_EXTRA_CA_CERTS),
        }),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the command line people expect', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it.each([
    [
      ['journal', 'list', '--limit', 'abc'],
      "'--limit <n>' argument 'abc' is invalid. --limit must be a whole number >= 1",
    ],
    [['journal', 'list', '--limit', '0'], '--limit must be a whole number >= 1'],
    [
      ['serve', '--port', 'abc'],
      "'--port <port>' argument 'abc' is invalid. a port must be a whole number from 0 to 65535",
    ],
    [['demo', '--port', '99999'], 'a port must be a whole number from 0 to 65535'],
  ])('%j is bad input: exit 2 with a clear message and no Node error', async (args, message) => {
    const run = await ws.cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/ERR_|at .*\.(ts|js):\d+|RangeError/);
  });

  it('plan --fail-on-changes exits 5 while the mapping would change access, 0 once Heap matches', async () => {
    const before = await ws.cli(['plan', '--fail-on-changes']);
    expect(before.code).toBe(5);
    expect(before.stdout).toContain('changes:');
    expect((await ws.cli(['plan'])).code).toBe(0);
    expect((await ws.cli(['sync'])).code).toBe(0);
    const after = await ws.cli(['plan', '--fail-on-changes', '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ changes: [], held: false });
  });

  it('writes "no access" as (none) in drift, plan and sync output alike', async () => {
    await changeByHand(standIn.url, 'bob@example.com', 'module:govern:web-staging', 'editor');
    const drift = await ws.cli(['drift']);
    expect(drift.stdout).toContain(
      'bob@example.com module:govern:web-staging: baseline (none), actual editor, desired (none)',
    );
    expect((await ws.cli(['plan'])).stdout).toMatch(/bob@example\.com +module:govern:web-staging +editor -> \(none\)/);
    const sync = await ws.cli(['sync']);
    expect(sync.stdout).toMatch(/applied +bob@example\.com module:govern:web-staging: editor -> \(none\)/);
    expect(`${drift.stdout}${sync.stdout}`).not.toMatch(/ -> -|: -,| -$/m);
  });

  it('plan and drift stay quiet on stderr when piped; logs only at warn and above', async () => {
    for (const args of [['plan'], ['drift'], ['sync', '--dry-run']]) {
      const run = await ws.cli(args);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).not.toBe('');
    }
    const verbose = await ws.cli(['--log-level', 'info', 'sync', '--dry-run']);
    expect(verbose.stderr).toMatch(/"level":30/);
    expect(verbose.stdout).not.toMatch(/"level"/);
  });

  it.each([['plan'], ['drift'], ['sync']])(
    '%s shows progress on a terminal and clears it before its output',
    async (cmd) => {
      const run = await onTerminal(['--config', ws.files.config, cmd], ws.dir, { HEAP_SCIM_TOKEN: SCIM_TOKEN });
      expect(run.code, run.out).toBe(0);
      expect(run.out).toContain('reading sources…');
      expect(run.out).toContain('reading Heap…');
      // the last progress line is erased, so the command's own output starts on a clean line
      const output = run.out.slice(run.out.lastIndexOf('\r\x1b[2K') + '\r\x1b[2K'.length);
      expect(output, JSON.stringify(run.out.slice(0, 300))).toMatch(/^(no drift|run |Changes \(|No changes)/);
      expect(output).not.toContain('…');
    },
  );
});
