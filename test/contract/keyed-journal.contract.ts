import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Alert } from '../../src/ports/alert-sink.js';
import type { Store } from '../../src/ports/store.js';
import { createAlertDispatcher, type AlertDispatcher } from '../../src/alerts/index.js';
import { createJournalService, type JournalService } from '../../src/services/journal.js';
import { GENESIS_HASH, createJournalHasher, hashJournalRecord } from '../../src/store/journal-hash.js';
import type { StoreFixture, StoreOptions } from './store.contract.js';
import { buildRecord } from './store.contract.js';

const KEY = 'journal-test-key-0123456789';
const OLD_KEY = 'journal-old-key-9876543210';
const clock = { now: () => new Date('2026-12-01T10:00:00Z') };

/**
 * The keyed, pinnable journal (DESIGN §11) on a store: HMAC-SHA256 under the key, signed checkpoints, the explicit
 * re-key, and the tamper matrix of issue 10, each kind done to the database directly. Part of the store contract:
 * `fixture()` is the test's, `reopen` opens another store over its data (closed after the test).
 */
export function describeKeyedJournal(
  fixture: () => StoreFixture,
  reopen: (options: StoreOptions) => Promise<Store>,
): void {
  describe('keyed journal with checkpoints', () => {
    let dir: string;
    let checkpointFile: string;

    const open = async (
      key: string | null = KEY,
      alerts?: Alert[],
    ): Promise<{ store: Store; journal: JournalService; dispatcher: AlertDispatcher | null }> => {
      const hasher = createJournalHasher(key);
      const store = await reopen({ journalHasher: hasher });
      const dispatcher = alerts
        ? createAlertDispatcher({ sinks: [{ name: 'memory', send: async (a) => void alerts.push(a) }], store })
        : null;
      const journal = createJournalService({
        store,
        hasher,
        checkpointFile,
        clock,
        logger: pino({ level: 'silent' }),
        alerts: () => dispatcher,
      });
      return { store, journal, dispatcher };
    };

    /** five runs, each followed by its checkpoint, as the sync service writes them */
    const fiveRuns = async (journal: JournalService) => {
      for (let i = 1; i <= 5; i += 1) await journal.append(buildRecord(`r${i}`));
    };
    /** SQL on the journal table, as anyone who can write the database could run it */
    const sql = (text: string, ...values: unknown[]) => fixture().execute(text, values);
    const rows = async () =>
      (await sql('SELECT record FROM journal ORDER BY sequence')).map(
        (r) => JSON.parse(String(r.record)) as JournalRecord,
      );
    const rewrite = (r: JournalRecord, where = r.sequence) =>
      sql(
        'UPDATE journal SET sequence = ?, record = ?, prev_hash = ?, hash = ? WHERE sequence = ?',
        r.sequence,
        JSON.stringify(r),
        r.prevHash,
        r.hash,
        where,
      );

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyed-journal-'));
      checkpointFile = path.join(dir, 'checkpoints', 'journal.jsonl');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('hashes every record with HMAC-SHA256 under the key: another key, or none, does not verify it', async () => {
      const { journal } = await open();
      await fiveRuns(journal);
      const verdict = await journal.verify();
      const [last] = (await rows()).slice(-1);
      expect(verdict).toMatchObject({ ok: true, records: 5, head: { sequence: 5, hash: last!.hash } });
      expect(last!.hashAlg).toBe('hmac-sha256');
      expect(last!.hash).toBe(hashJournalRecord(last!, KEY));
      expect(last!.hash).not.toBe(hashJournalRecord(last!));

      expect((await (await open('another-key')).journal.verify()).firstBad).toMatchObject({
        sequence: 1,
        problem: 'hash does not match the record content under the journal key',
      });
      expect((await (await open(null)).journal.verify()).firstBad).toMatchObject({ sequence: 1, problem: /is keyed/ });
    });

    it('writes a signed checkpoint line after each record and sends it to the alert sinks', async () => {
      const alerts: Alert[] = [];
      const { journal, dispatcher } = await open(KEY, alerts);
      await journal.append(buildRecord('r1'));
      await journal.append(buildRecord('r2'));
      const lines = fs
        .readFileSync(checkpointFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const [, second] = await rows();
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatchObject({ sequence: 2, id: 'r2', hash: second!.hash, signature: /^[0-9a-f]{64}$/ });
      await dispatcher!.drain();
      expect(alerts.map((a) => [a.event, a.details.sequence])).toEqual([
        ['journal-checkpoint', 1],
        ['journal-checkpoint', 2],
      ]);
    });

    // The tamper matrix of issue 10: every kind must be detected.
    describe('tampering with the database', () => {
      const detects = async (tamper: () => Promise<unknown>, problem: RegExp) => {
        const { journal } = await open();
        await fiveRuns(journal);
        expect((await journal.verify()).ok).toBe(true);
        await tamper();
        const verdict = await journal.verify();
        expect(verdict.ok).toBe(false);
        const problems = [verdict.firstBad?.problem, ...verdict.pins.map((p) => p.problem)].filter(Boolean).join(' | ');
        expect(problems).toMatch(problem);
      };

      it('delete a record in the middle', () =>
        detects(() => sql('DELETE FROM journal WHERE sequence = 3'), /sequence gap: expected 3/));

      it('delete the last record', () => detects(() => sql('DELETE FROM journal WHERE sequence = 5'), /no record #5/));

      it('delete the last three records', () =>
        detects(() => sql('DELETE FROM journal WHERE sequence >= 3'), /no record #5/));

      it('delete every record', () => detects(() => sql('DELETE FROM journal'), /no record #5/));

      it("edit a record's body", () =>
        detects(async () => {
          const second = (await rows())[1]!;
          await sql(
            'UPDATE journal SET record = ? WHERE sequence = 2',
            JSON.stringify({ ...second, actor: 'someone-else' }),
          );
        }, /hash does not match the record content under the journal key/));

      it("edit a record's hash", () =>
        detects(
          async () => rewrite({ ...(await rows())[3]!, hash: 'f'.repeat(64) }),
          /hash does not match the record content under the journal key/,
        ));

      it('reorder two records', () =>
        detects(async () => {
          const [, second, third] = await rows();
          await sql('UPDATE journal SET sequence = -2 WHERE sequence = 2');
          await rewrite({ ...third!, sequence: 2 }, 3);
          await rewrite({ ...second!, sequence: 3 }, -2);
        }, /prevHash does not match/));

      it('rewrite the whole chain with recomputed unkeyed hashes (one record edited, the last dropped)', () =>
        detects(async () => {
          const records = (await rows()).slice(0, 4);
          await sql('DELETE FROM journal');
          let prevHash = GENESIS_HASH;
          for (const r of records) {
            const { hash: _h, hashAlg: _a, ...content } = r;
            const edited = { ...content, prevHash, ...(r.sequence === 2 && { actor: 'someone-else' }) };
            const hash = hashJournalRecord(edited);
            await sql(
              `INSERT INTO journal (id, sequence, run_trigger, status, started_at, ended_at, changes, applied, failed,
                 blocked, drift, record, prev_hash, hash) VALUES (?, ?, 'cli', 'succeeded', ?, ?, 2, 2, 0, 0, 0, ?, ?, ?)`,
              r.id,
              r.sequence,
              r.startedAt,
              r.endedAt,
              JSON.stringify({ ...edited, hash }),
              prevHash,
              hash,
            );
            prevHash = hash;
          }
        }, /record is not keyed/));

      it('rewrite with unkeyed hashes that still claim to be keyed', () =>
        detects(async () => {
          let prevHash = GENESIS_HASH;
          for (const r of await rows()) {
            const { hash: _h, ...content } = r;
            const edited = { ...content, prevHash };
            const hash = hashJournalRecord(edited);
            await rewrite({ ...edited, hash });
            prevHash = hash;
          }
        }, /hash does not match the record content under the journal key/));

      it('truncate and replace the checkpoint file without the key', () =>
        detects(async () => {
          await sql('DELETE FROM journal WHERE sequence = 5');
          const [fourth] = (await rows()).slice(-1);
          const forged = { sequence: 4, hash: fourth!.hash, id: 'r4', at: clock.now().toISOString(), signature: null };
          fs.writeFileSync(checkpointFile, `${JSON.stringify(forged)}\n`);
        }, /not signed/));
    });

    it('catches a journal cut together with its checkpoint file', async () => {
      const { journal } = await open();
      await fiveRuns(journal);
      await sql('DELETE FROM journal WHERE sequence >= 4');
      fs.rmSync(checkpointFile);
      expect((await journal.verify()).pins).toEqual([
        expect.objectContaining({ ok: false, problem: expect.stringMatching(/no checkpoint/) }),
      ]);
    });

    it('checks a pinned head: present and equal passes, a removed or different record fails', async () => {
      const { journal } = await open();
      await fiveRuns(journal);
      const third = (await rows())[2]!;
      expect((await journal.verify({ expectHead: { sequence: 3, hash: third.hash } })).ok).toBe(true);
      expect((await journal.verify({ expectHead: { sequence: 3, hash: 'a'.repeat(64) } })).pins.at(-1)).toMatchObject({
        source: 'expect-head',
        ok: false,
        problem: /has hash/,
      });
      expect((await journal.verify({ expectHead: { sequence: 9, hash: third.hash } })).ok).toBe(false);
    });

    it('re-keys an unkeyed journal explicitly, journaling who did it and the head it had', async () => {
      await fiveRuns((await open(null)).journal);
      const oldHead = (await rows()).at(-1)!;

      const keyed = await open();
      expect((await keyed.journal.verify()).firstBad).toMatchObject({ sequence: 1, problem: /not keyed/ });
      const { rekeyed, record } = await keyed.journal.rekey('auditor@example.com');
      expect(rekeyed).toBe(5);
      expect(record).toMatchObject({
        sequence: 6,
        trigger: 'rekey',
        actor: 'auditor@example.com',
        hashAlg: 'hmac-sha256',
        event: { kind: 'journal-rekeyed', records: 5, previousHead: { sequence: 5, hash: oldHead.hash } },
      });
      expect((await rows()).map((r) => [r.id, r.hashAlg, r.hash === hashJournalRecord(r, KEY)])).toEqual(
        ['r1', 'r2', 'r3', 'r4', 'r5', record.id].map((id) => [id, 'hmac-sha256', true]),
      );
      const verdict = await keyed.journal.verify();
      expect(verdict).toMatchObject({ ok: true, records: 6, head: { sequence: 6, hash: record.hash } });
      expect(verdict.pins).toEqual([expect.objectContaining({ source: 'checkpoint', sequence: 6, ok: true })]);
      // the runs after it chain on under the key
      await keyed.journal.append(buildRecord('r7'));
      expect(await keyed.store.verifyJournal()).toMatchObject({ ok: true, records: 7 });
    });

    it('re-keys a journal keyed under another key only when given that key', async () => {
      await fiveRuns((await open(OLD_KEY)).journal);
      const keyed = await open();
      await expect(keyed.journal.rekey('auditor')).rejects.toThrow(/does not verify as it stands.*#1/);
      await expect(keyed.journal.rekey('auditor', createJournalHasher('wrong'))).rejects.toThrow(/#1/);
      const { rekeyed, record } = await keyed.journal.rekey('auditor', createJournalHasher(OLD_KEY));
      expect(rekeyed).toBe(5);
      expect(record).toMatchObject({ sequence: 6, trigger: 'rekey', actor: 'auditor' });
      expect(await keyed.store.verifyJournal()).toMatchObject({ ok: true, records: 6 });
      expect((await (await open(OLD_KEY)).store.verifyJournal()).firstBad).toMatchObject({ sequence: 1 });
    });

    it('refuses to re-key a journal that does not verify as it stands (never launders an edit)', async () => {
      await fiveRuns((await open(null)).journal);
      const second = (await rows())[1]!;
      await sql('UPDATE journal SET record = ? WHERE sequence = 2', JSON.stringify({ ...second, actor: 'x' }));
      const keyed = await open();
      await expect(keyed.journal.rekey('auditor')).rejects.toThrow(/does not verify as it stands.*#2/);
      expect((await rows()).map((r) => r.actor)).toEqual([
        'ops@example.com',
        'x',
        'ops@example.com',
        'ops@example.com',
        'ops@example.com',
      ]);
      expect((await keyed.store.listJournal()).length).toBe(5);
    });

    it('refuses to re-key with no key, changing nothing', async () => {
      const { journal } = await open(null);
      await fiveRuns(journal);
      const before = await rows();
      await expect(journal.rekey('auditor')).rejects.toThrow(/no key to re-key it with/);
      expect(await rows()).toEqual(before);
    });
  });
}
