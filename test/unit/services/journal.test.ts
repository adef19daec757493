import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/journal.js';
import type { Alert } from '../../../src/ports/alert-sink.js';
import type { Store } from '../../../src/ports/store.js';
import { createAlertDispatcher } from '../../../src/alerts/index.js';
import { createJournalService, type JournalService } from '../../../src/services/journal.js';
import { GENESIS_HASH, createJournalHasher, hashJournalRecord } from '../../../src/store/journal-hash.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { buildRecord } from '../../contract/store.contract.js';

const KEY = 'journal-test-key-0123456789';
const clock = { now: () => new Date('2026-12-01T10:00:00Z') };

describe('keyed journal with checkpoints', () => {
  let dir: string;
  let file: string;
  let checkpointFile: string;
  const opened: { close(): unknown }[] = [];

  const open = (key: string | null = KEY, alerts?: Alert[]): { store: Store; journal: JournalService } => {
    const hasher = createJournalHasher(key);
    const store = openSqliteStore(file, { journalHasher: hasher });
    opened.push(store);
    const dispatcher = alerts
      ? createAlertDispatcher({
          sinks: [{ name: 'memory', send: async (a) => void alerts.push(a) }],
          store,
        })
      : null;
    const journal = createJournalService({
      store,
      hasher,
      checkpointFile,
      clock,
      logger: pino({ level: 'silent' }),
      alerts: () => dispatcher,
    });
    return { store, journal };
  };

  /** five runs, each followed by its checkpoint, as the sync service writes them */
  const fiveRuns = async (journal: JournalService) => {
    for (let i = 1; i <= 5; i += 1) await journal.append(buildRecord(`r${i}`));
  };
  const db = () => {
    const d = new Database(file);
    opened.push(d);
    return d;
  };
  const rows = () =>
    db()
      .prepare('SELECT sequence, record FROM journal ORDER BY sequence')
      .all()
      .map((r) => JSON.parse((r as { record: string }).record) as JournalRecord);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-svc-'));
    file = path.join(dir, 'store.db');
    checkpointFile = path.join(dir, 'checkpoints', 'journal.jsonl');
  });
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hashes every record with HMAC-SHA256 under the key: another key, or none, does not verify it', async () => {
    const { journal } = open();
    await fiveRuns(journal);
    const verdict = await journal.verify();
    const [last] = rows().slice(-1);
    expect(verdict).toMatchObject({ ok: true, records: 5, head: { sequence: 5, hash: last!.hash } });
    expect(last!.hashAlg).toBe('hmac-sha256');
    expect(last!.hash).toBe(hashJournalRecord(last!, KEY));
    expect(last!.hash).not.toBe(hashJournalRecord(last!));

    expect((await open('another-key').journal.verify()).firstBad).toMatchObject({
      sequence: 1,
      problem: 'hash does not match the record content under the journal key',
    });
    expect((await open(null).journal.verify()).firstBad).toMatchObject({ sequence: 1, problem: /is keyed/ });
  });

  it('writes a signed checkpoint line after each record and sends it to the alert sinks', async () => {
    const alerts: Alert[] = [];
    const { journal } = open(KEY, alerts);
    await journal.append(buildRecord('r1'));
    await journal.append(buildRecord('r2'));
    const lines = fs
      .readFileSync(checkpointFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const [, second] = rows();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ sequence: 2, id: 'r2', hash: second!.hash, signature: /^[0-9a-f]{64}$/ });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alerts.map((a) => [a.event, a.details.sequence])).toEqual([
      ['journal-checkpoint', 1],
      ['journal-checkpoint', 2],
    ]);
  });

  // The tamper matrix of issue 10: every kind must be detected.
  describe('tampering with the database', () => {
    const detects = async (tamper: () => void, problem: RegExp) => {
      const { journal } = open();
      await fiveRuns(journal);
      expect((await journal.verify()).ok).toBe(true);
      tamper();
      const verdict = await journal.verify();
      expect(verdict.ok).toBe(false);
      const problems = [verdict.firstBad?.problem, ...verdict.pins.map((p) => p.problem)].filter(Boolean).join(' | ');
      expect(problems).toMatch(problem);
    };

    it('delete a record in the middle', () =>
      detects(() => db().prepare('DELETE FROM journal WHERE sequence = 3').run(), /sequence gap: expected 3/));

    it('delete the last record', () =>
      detects(() => db().prepare('DELETE FROM journal WHERE sequence = 5').run(), /no record #5/));

    it('delete the last three records', () =>
      detects(() => db().prepare('DELETE FROM journal WHERE sequence >= 3').run(), /no record #5/));

    it('delete every record', () => detects(() => db().prepare('DELETE FROM journal').run(), /no record #5/));

    it("edit a record's body", () =>
      detects(
        () =>
          db()
            .prepare(`UPDATE journal SET record = json_set(record, '$.actor', 'someone-else') WHERE sequence = 2`)
            .run(),
        /record #|hash does not match/,
      ));

    it("edit a record's hash", () =>
      detects(() => {
        const forged = 'f'.repeat(64);
        db()
          .prepare(`UPDATE journal SET hash = ?, record = json_set(record, '$.hash', ?) WHERE sequence = 4`)
          .run(forged, forged);
      }, /hash does not match the record content under the journal key/));

    it('reorder two records', () =>
      detects(() => {
        const d = db();
        const swap = d.transaction(() => {
          d.prepare(`UPDATE journal SET sequence = -2 WHERE sequence = 2`).run();
          d.prepare(
            `UPDATE journal SET sequence = 2, record = json_set(record, '$.sequence', 2) WHERE sequence = 3`,
          ).run();
          d.prepare(
            `UPDATE journal SET sequence = 3, record = json_set(record, '$.sequence', 3) WHERE sequence = -2`,
          ).run();
        });
        swap();
      }, /prevHash does not match/));

    it('rewrite the whole chain with recomputed unkeyed hashes (one record edited, the last dropped)', () =>
      detects(() => {
        const d = db();
        const records = rows().slice(0, 4);
        let prevHash = GENESIS_HASH;
        d.prepare('DELETE FROM journal').run();
        for (const r of records) {
          const { hash: _h, hashAlg: _a, ...content } = r;
          const edited = { ...content, prevHash, ...(r.sequence === 2 && { actor: 'someone-else' }) };
          const hash = hashJournalRecord(edited);
          d.prepare(
            `INSERT INTO journal (id, sequence, run_trigger, status, started_at, ended_at, changes, applied, failed,
               blocked, drift, record, prev_hash, hash) VALUES (?, ?, 'cli', 'succeeded', ?, ?, 2, 2, 0, 0, 0, ?, ?, ?)`,
          ).run(r.id, r.sequence, r.startedAt, r.endedAt, JSON.stringify({ ...edited, hash }), prevHash, hash);
          prevHash = hash;
        }
      }, /record is not keyed/));

    it('rewrite with unkeyed hashes that still claim to be keyed', () =>
      detects(() => {
        const d = db();
        let prevHash = GENESIS_HASH;
        for (const r of rows()) {
          const { hash: _h, ...content } = r;
          const edited = { ...content, prevHash };
          const hash = hashJournalRecord(edited);
          d.prepare('UPDATE journal SET record = ?, prev_hash = ?, hash = ? WHERE sequence = ?').run(
            JSON.stringify({ ...edited, hash }),
            prevHash,
            hash,
            r.sequence,
          );
          prevHash = hash;
        }
      }, /hash does not match the record content under the journal key/));

    it('truncate and replace the checkpoint file without the key', () =>
      detects(() => {
        const d = db();
        d.prepare('DELETE FROM journal WHERE sequence = 5').run();
        const [fourth] = rows().slice(-1);
        const forged = { sequence: 4, hash: fourth!.hash, id: 'r4', at: clock.now().toISOString(), signature: null };
        fs.writeFileSync(checkpointFile, `${JSON.stringify(forged)}\n`);
      }, /not signed/));
  });

  it('catches a journal cut together with its checkpoint file', async () => {
    const { journal } = open();
    await fiveRuns(journal);
    db().prepare('DELETE FROM journal WHERE sequence >= 4').run();
    fs.rmSync(checkpointFile);
    expect((await journal.verify()).pins).toEqual([
      expect.objectContaining({ ok: false, problem: expect.stringMatching(/no checkpoint/) }),
    ]);
  });

  it('checks a pinned head: present and equal passes, a removed or different record fails', async () => {
    const { journal } = open();
    await fiveRuns(journal);
    const [, third] = rows();
    const thirdRecord = rows()[2]!;
    expect(third).toBeDefined();
    expect((await journal.verify({ expectHead: { sequence: 3, hash: thirdRecord.hash } })).ok).toBe(true);
    expect((await journal.verify({ expectHead: { sequence: 3, hash: 'a'.repeat(64) } })).pins.at(-1)).toMatchObject({
      source: 'expect-head',
      ok: false,
      problem: /has hash/,
    });
    expect((await journal.verify({ expectHead: { sequence: 9, hash: thirdRecord.hash } })).ok).toBe(false);
  });

  it('re-keys an unkeyed journal explicitly, journaling who did it and the head it had', async () => {
    const unkeyed = open(null);
    await fiveRuns(unkeyed.journal);
    const oldHead = rows().at(-1)!;
    await unkeyed.store.close();

    const keyed = open();
    expect((await keyed.journal.verify()).firstBad).toMatchObject({ sequence: 1, problem: /not keyed/ });
    const { rekeyed, record } = await keyed.journal.rekey('auditor@example.com');
    expect(rekeyed).toBe(5);
    expect(record).toMatchObject({
      sequence: 6,
      trigger: 'rekey',
      actor: 'auditor@example.com',
      event: { kind: 'journal-rekeyed', records: 5, previousHead: { sequence: 5, hash: oldHead.hash } },
    });
    const verdict = await keyed.journal.verify();
    expect(verdict).toMatchObject({ ok: true, records: 6, head: { sequence: 6, hash: record.hash } });
    expect(verdict.pins).toEqual([expect.objectContaining({ source: 'checkpoint', sequence: 6, ok: true })]);
  });

  it('refuses to re-key a journal that does not verify as it stands (never launders an edit)', async () => {
    const unkeyed = open(null);
    await fiveRuns(unkeyed.journal);
    await unkeyed.store.close();
    db().prepare(`UPDATE journal SET record = json_set(record, '$.actor', 'x') WHERE sequence = 2`).run();
    const keyed = open();
    await expect(keyed.journal.rekey('auditor')).rejects.toThrow(/does not verify as it stands.*#2/);
    expect((await keyed.store.listJournal()).length).toBe(5);
  });
});
