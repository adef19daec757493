import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/plan.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = 'test/fixtures/plan';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-plan-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'plan', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HEAP_ACCESS_SYNC_CONFIG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const files = (mappings = `${FIXTURES}/mappings`) => [
  '--directory',
  `${FIXTURES}/directory.json`,
  '--actual',
  `${FIXTURES}/teammates.json`,
  '--baseline',
  `${FIXTURES}/baseline.json`,
  '--mappings',
  mappings,
];

describe('heap-access-sync plan (offline what-if)', () => {
  it('prints the changes, the drift with its suggestion and a summary; exit 0', () => {
    const { code, stdout } = cli(...files());
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^alice@example\.com +project:web-prod +Member -> Admin +idp-change +broadens-access,production-admin +- +rule prod-admins \(group Heap Prod Admins, file\)$/m,
    );
    // bob's manual change is new: alerted now, reverted after policy.revertAfter (1h by default), not by this run
    expect(stdout).not.toMatch(/^bob@example\.com +project:web-prod +Admin -> Member/m);
    expect(stdout).toMatch(/^ {4}first seen (\S+); reverts at (\S+)$/m);
    const [, seen, reverts] = /first seen (\S+); reverts at (\S+)/.exec(stdout)!;
    expect(Date.parse(reverts!) - Date.parse(seen!)).toBe(3_600_000);
    expect(stdout).toMatch(/^carol@example\.com +membership +active -> deactivated +idp-change/m);
    expect(stdout).toMatch(/^dave@example\.com +membership +\(none\) -> active +idp-change/m);
    expect(stdout).toMatch(/^eve@example\.com +membership +active -> deactivated .*not found in any identity source/m);
    expect(stdout).toContain(
      [
        '    suggestion: add bob@example.com to group "Heap Prod Admins"',
        '      side effects: none',
        '    or: add bob@example.com to group "Heap Admins"',
        '      side effects: org: Member -> Admin',
      ].join('\n'),
    );
    expect(stdout).toContain('changes: 8 (0 blocked); idp-change 8');
    expect(stdout).not.toContain('HELD');
  });

  it('--json prints the plan (changes, drift, held, summary)', () => {
    const { code, stdout } = cli(...files(), '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Plan & { mappingVersion: string; evaluationWarnings: unknown[] };
    expect(plan.held).toBe(false);
    expect(plan.changes).toHaveLength(8);
    expect(plan.changes[0]).toEqual({
      user: 'alice@example.com',
      entitlement: 'project:web-prod',
      from: 'Member',
      to: 'Admin',
      cause: 'idp-change',
      reasons: [{ rule: 'prod-admins', group: 'Heap Prod Admins', source: 'file' }],
      risk: ['broadens-access', 'production-admin'],
      blocked: null,
    });
    expect(plan.drift).toEqual([
      {
        user: 'bob@example.com',
        entitlement: 'project:web-prod',
        baseline: 'Member',
        actual: 'Admin',
        desired: 'Member',
        cause: 'manual-override',
        action: 'revert',
        suggestion: 'add bob@example.com to group "Heap Prod Admins"',
        suggestedActions: [{ action: 'add-to-group', user: 'bob@example.com', group: 'Heap Prod Admins' }],
        sideEffects: [],
        // the alternatives, fewest side effects first: Heap Admins would also make bob org Admin
        suggestions: [
          {
            suggestion: 'add bob@example.com to group "Heap Prod Admins"',
            suggestedActions: [{ action: 'add-to-group', user: 'bob@example.com', group: 'Heap Prod Admins' }],
            sideEffects: [],
          },
          {
            suggestion: 'add bob@example.com to group "Heap Admins"',
            suggestedActions: [{ action: 'add-to-group', user: 'bob@example.com', group: 'Heap Admins' }],
            sideEffects: [{ entitlement: 'org', from: 'Member', to: 'Admin' }],
          },
        ],
        firstSeen: expect.any(String),
        revertsAt: expect.any(String),
        // Heap shows the top project role where the mapping gives less: the alert is critical
        escalation: true,
      },
    ]);
    expect(plan.summary).toMatchObject({
      users: 6,
      changes: 8,
      blocked: 0,
      revocations: 2,
      drift: 1,
      orgAdminsAfter: 1,
    });
    expect(plan.mappingVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('without a baseline every teammate is new to the sync: differences are unmanaged drift', () => {
    const args = files().filter((a, i, all) => a !== '--baseline' && all[i - 1] !== '--baseline');
    const { code, stdout } = cli(...args, '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Plan;
    expect(plan.drift.map((d) => [d.user, d.entitlement, d.cause])).toEqual([
      ['alice@example.com', 'project:web-prod', 'unmanaged'],
      ['bob@example.com', 'project:web-prod', 'unmanaged'],
      ['carol@example.com', 'membership', 'unmanaged'],
      ['eve@example.com', 'membership', 'unmanaged'],
    ]);
  });

  it('exits 4 when a guard holds the plan', () => {
    const strict = path.join(tmp, 'strict');
    fs.mkdirSync(strict);
    const yaml = fs.readFileSync(path.join(ROOT, FIXTURES, 'mappings/plan.yaml'), 'utf8');
    fs.writeFileSync(path.join(strict, 'plan.yaml'), yaml.replace('maxRevocations: 25', 'maxRevocations: 1'));
    const { code, stdout } = cli(...files(strict));
    expect(code).toBe(4);
    expect(stdout).toContain('would lose access, more than maxRevocations (1): plan held for approval');
    expect(stdout).toContain('HELD by maxRevocations');
  });

  it('--fail-on-changes exits 5 when the mapping would change access, 0 when it would not (CI for a mapping PR)', () => {
    expect(cli(...files(), '--fail-on-changes').code).toBe(5);
    expect(cli(...files(), '--fail-on-changes', '--json').code).toBe(5);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'directory.json'), '{"users":[],"groups":[]}');
    fs.writeFileSync(path.join(empty, 'teammates.json'), '{"teammates":[]}');
    const none = cli(
      '--directory',
      path.join(empty, 'directory.json'),
      '--actual',
      path.join(empty, 'teammates.json'),
      '--mappings',
      `${FIXTURES}/mappings`,
      '--fail-on-changes',
    );
    expect(none.stdout).toContain('No changes.');
    expect(none.code).toBe(0);
  });

  it('a held plan exits 4 even with --fail-on-changes', () => {
    const strict = path.join(tmp, 'strict-changes');
    fs.mkdirSync(strict);
    const yaml = fs.readFileSync(path.join(ROOT, FIXTURES, 'mappings/plan.yaml'), 'utf8');
    fs.writeFileSync(path.join(strict, 'plan.yaml'), yaml.replace('maxRevocations: 25', 'maxRevocations: 1'));
    expect(cli(...files(strict), '--fail-on-changes').code).toBe(4);
  });

  it('bad input is exit 2 with a message that says what is wrong', () => {
    const missing = cli('--directory', `${FIXTURES}/directory.json`, '--mappings', `${FIXTURES}/mappings`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --directory <file.json> and --actual <teammates.json>');

    const broken = path.join(tmp, 'broken.json');
    fs.writeFileSync(broken, JSON.stringify({ teammates: [{ email: 'x@example.com', access: { org: 5 } }] }));
    const bad = cli(
      '--directory',
      `${FIXTURES}/directory.json`,
      '--actual',
      broken,
      '--mappings',
      `${FIXTURES}/mappings`,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${broken}: teammates.0.access.org:`);
  });
});
