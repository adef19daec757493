import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, makeWorkspace } from '../support/e2e-setup.js';
import { parseJsonOutput } from '../support/cli.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;
interface Verdict {
  ok: boolean;
  records: number;
  head: { sequence: number; hash: string } | null;
  firstBad?: { sequence: number; problem: string };
  pins: { source: string; ok: boolean; problem?: string }[];
}

const KEY = { JOURNAL_KEY: 'cli-journal-key-0123456789abcdef' };

/** The keyed, pinnable journal through the real CLI: verify --json, --expect-head, checkpoints, the re-key. */
describe('journal verify, checkpoints and rekey through the CLI', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;
  const checkpoints = () => path.join(ws.dir, 'checkpoints.jsonl');
  const configure = (journal: string) =>
    fs.writeFileSync(
      ws.files.config,
      fs.readFileSync(ws.files.config, 'utf8').replace(/^journal:.*\n/m, '') + `journal: ${journal}\n`,
    );

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('re-keys an unkeyed journal only when asked, journaling the actor', async () => {
    expect((await ws.cli(['sync'])).code).toBe(0);
    expect((await ws.cli(['sync', '--dry-run'])).code).toBe(0);
    configure('{ keyEnv: JOURNAL_KEY, checkpointFile: ./checkpoints.jsonl }');

    const before = await ws.cli(['journal', 'verify'], KEY);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('record #1');
    expect(before.stdout).toContain('journal rekey');

    const rekey = await ws.cli(['journal', 'rekey', '--actor', 'auditor@example.com'], KEY);
    expect(rekey.stderr).toBe('');
    expect(rekey.code).toBe(0);
    expect(rekey.stdout).toMatch(/re-keyed 2 record\(s\); journaled as #3/);
    const record = await ws.json<JournalRecord>([
      'journal',
      'show',
      (await ws.json<{ runs: { id: string }[] }>(['journal', 'list'])).runs[0]!.id,
    ]);
    expect(record).toMatchObject({ trigger: 'rekey', actor: 'auditor@example.com', hashAlg: 'hmac-sha256' });
  });

  it('prints { ok, records, head } and writes a signed checkpoint after every run', async () => {
    expect((await ws.cli(['sync'], KEY)).code).toBe(0);
    const verdict = parseJsonOutput<Verdict>(await ws.cli(['journal', 'verify', '--json'], KEY));
    expect(verdict).toMatchObject({
      ok: true,
      records: 4,
      head: { sequence: 4, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const last = JSON.parse(fs.readFileSync(checkpoints(), 'utf8').trim().split('\n').at(-1)!);
    expect(last).toMatchObject({
      sequence: 4,
      hash: verdict.head!.hash,
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(verdict.pins).toEqual([expect.objectContaining({ source: 'checkpoint', ok: true })]);

    const pinned = await ws.cli(['journal', 'verify', '--expect-head', `4:${verdict.head!.hash}`], KEY);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain('journal ok');
    expect((await ws.cli(['journal', 'verify', '--expect-head', 'four'], KEY)).code).toBe(2);
  });

  it('lists and shows without the key, but does not verify or sync without it', async () => {
    expect((await ws.cli(['journal', 'list'])).code).toBe(0);
    const verify = await ws.cli(['journal', 'verify']);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('journal.keyEnv: environment variable JOURNAL_KEY is not set');
    const sync = await ws.cli(['sync']);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain('JOURNAL_KEY');
  });

  it('exits 1 when the last record was deleted: the checkpoint and the pinned head catch it', async () => {
    const head = parseJsonOutput<Verdict>(await ws.cli(['journal', 'verify', '--json'], KEY)).head!;
    const db = new Database(ws.files.store);
    db.prepare('DELETE FROM journal WHERE sequence = ?').run(head.sequence);
    db.close();
    fs.writeFileSync(checkpoints(), ''); // the attacker empties the file too: the pin still catches it
    const result = await ws.cli(['journal', 'verify', '--json', '--expect-head', `${head.sequence}:${head.hash}`], KEY);
    expect(result.code).toBe(1);
    const verdict = parseJsonOutput<Verdict>(result);
    expect(verdict.ok).toBe(false);
    expect(verdict.pins.map((p) => [p.source, p.ok])).toEqual([
      ['checkpoint', false],
      ['expect-head', false],
    ]);
  });
});
