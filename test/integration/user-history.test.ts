import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/domain/history.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { SCIM_TOKEN, makeWorkspace } from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';
import { addException } from '../support/exceptions.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;
type History = { user: string; history: HistoryEntry[] };

/** "What happened to Bob's access this quarter", answered from the journal: CLI and API. */
describe("a user's access history", () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
    const added = await addException(ws.cli, {
      user: 'bob@example.com',
      entitlement: 'project:web-prod',
      value: 'Admin',
      reason: 'incident INC-42',
      approver: 'admin@example.com',
      expires: '3d',
    });
    expect(added.code, added.stderr).toBe(0);
    expect((await ws.cli(['sync'])).code).toBe(0);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('journal list --user: added, then the temporary elevation with its exception, oldest first', async () => {
    const { history } = await ws.json<History>(['journal', 'list', '--user', 'Bob@example.com']);
    expect(history[0]).toMatchObject({ kind: 'change', summary: 'added to Heap', trigger: 'cli', until: null });
    expect(history.slice(1, -2).map((e) => e.summary)).toEqual([
      'org role (none) -> Member',
      'project web-prod added (Member)',
      'project web-staging added (Admin)',
      'module govern on web-prod granted (viewer)',
    ]);
    // the exception is a record of its own, with who asked for it (the OS user: no --actor) and who approved it
    expect(history.at(-2)).toMatchObject({ kind: 'exception-created', approver: 'admin@example.com' });
    expect(history.at(-2)!.actor).toBeTruthy();
    const elevated = history.at(-1)!;
    expect(elevated).toMatchObject({
      summary: 'project web-prod: Member -> Admin',
      approver: 'admin@example.com',
      reason: expect.stringContaining('incident INC-42'),
    });
    expect(Date.parse(elevated.until!)).toBeGreaterThan(Date.now());
    const sequences = history.map((e) => e.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);

    // `history <user>` is the same history under the capability's own name
    const same = await ws.json<History>(['history', 'bob@example.com']);
    expect(same.history).toEqual(history);
    const text = await ws.cli(['journal', 'list', '--user', 'bob@example.com']);
    expect(text.stdout).toContain('project web-prod: Member -> Admin [temporary until');
    const csv = await ws.cli(['journal', 'list', '--user', 'bob@example.com', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'at,kind,entitlement,from,to,summary,reason,approver,until,outcome,actor,record',
    );
    expect(csv.stdout.trim().split('\n')).toHaveLength(history.length + 1);
  });

  it('refuses a bad --user, --since or --format with exit 2 and every problem', async () => {
    const bad = await ws.cli(['journal', 'list', '--user', 'bob', '--since', 'yesterday', '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--user must be an e-mail');
    expect(bad.stderr).toContain('--since "yesterday" is not a date');
    expect(bad.stderr).toContain('--format must be text, json or csv');
    const future = await ws.json<History>(['journal', 'list', '--user', 'bob@example.com', '--since', '2999-01-01']);
    expect(future.history).toEqual([]);
  });
});

describe('GET /api/users/:user/history', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime();
    const res = await fetch(`${t.url}/api/sync`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.ok).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers JSON and CSV to a viewer, and 400 to a bad query', async () => {
    const get = (q: string) =>
      fetch(`${t.url}/api/users/alice.nguyen%40acme.example/history${q}`, {
        headers: { Authorization: `Bearer ${t.tokens.viewer}` },
      });
    const json = (await (await get('')).json()) as History;
    expect(json.user).toBe('alice.nguyen@acme.example');
    expect(json.history[0]).toMatchObject({ kind: 'change', summary: 'added to Heap', trigger: 'api' });
    const csv = await get('?format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).trim().split('\n')).toHaveLength(json.history.length + 1);
    expect((await get('?since=2999-01-01T00:00:00Z')).ok).toBe(true);
    expect(((await (await get('?since=2999-01-01T00:00:00Z')).json()) as History).history).toEqual([]);
    expect((await get('?format=pdf')).status).toBe(400);
  });
});
