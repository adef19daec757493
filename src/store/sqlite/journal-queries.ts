import type Database from 'better-sqlite3';
import type { JournalRecord } from '../../domain/journal.js';
import { BadRequestError } from '../../domain/errors.js';
import type { JournalSummary, JournalVerifyResult, NewJournalRecord } from '../../ports/store.js';
import { verifyJournalChain, type JournalChainEntry, type JournalHasher } from '../journal-hash.js';
import { chainJournalRecord, rekeyJournalChain } from '../journal-chain.js';
import { summarizeJournalRecord } from '../journal-summary.js';

export interface JournalQueries {
  /** Call inside the commit transaction: chains the record after the last one and inserts it. */
  append(record: NewJournalRecord): JournalRecord;
  list(options?: { limit?: number; beforeSequence?: number }): JournalSummary[];
  get(id: string): JournalRecord | null;
  /** records whose stored JSON contains `text`, oldest first */
  mentioning(text: string): JournalRecord[];
  verify(): JournalVerifyResult;
  /** Call inside a transaction: re-hashes every record under the key (see rekeyJournalChain), returns how many. */
  rekey(previous?: JournalHasher): number;
}

interface SummaryRow {
  id: string;
  sequence: number;
  trigger: JournalRecord['trigger'];
  status: JournalRecord['status'];
  startedAt: string;
  endedAt: string;
  changes: number;
  applied: number;
  failed: number;
  blocked: number;
  drift: number;
}

const SUMMARY_COLUMNS = `id, sequence, run_trigger AS "trigger", status, started_at AS startedAt, ended_at AS endedAt,
  changes, applied, failed, blocked, drift`;

export function prepareJournalQueries(db: Database.Database, hasher: JournalHasher): JournalQueries {
  const selectLast = db.prepare<[], { sequence: number; hash: string }>(
    'SELECT sequence, hash FROM journal ORDER BY sequence DESC LIMIT 1',
  );
  const insert = db.prepare(
    `INSERT INTO journal (id, sequence, run_trigger, status, started_at, ended_at, changes, applied, failed, blocked,
       drift, record, prev_hash, hash)
     VALUES (@id, @sequence, @trigger, @status, @startedAt, @endedAt, @changes, @applied, @failed, @blocked, @drift,
       @record, @prevHash, @hash)`,
  );
  const selectPage = db.prepare<[number, number], SummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM journal WHERE sequence < ? ORDER BY sequence DESC LIMIT ?`,
  );
  const selectRecord = db.prepare<[string], string>('SELECT record FROM journal WHERE id = ?').pluck();
  const selectMentioning = db
    .prepare<[string], string>('SELECT record FROM journal WHERE instr(record, ?) > 0 ORDER BY sequence')
    .pluck();
  const selectChain = db.prepare<[], SummaryRow & { record: string; prevHash: string; hash: string }>(
    `SELECT ${SUMMARY_COLUMNS}, record, prev_hash AS prevHash, hash FROM journal ORDER BY sequence`,
  );
  const rewrite = db.prepare('UPDATE journal SET record = @record, prev_hash = @prevHash, hash = @hash WHERE id = @id');

  return {
    append(record) {
      const full = chainJournalRecord(record, selectLast.get(), hasher);
      insert.run({
        ...summarizeJournalRecord(full),
        record: JSON.stringify(full),
        prevHash: full.prevHash,
        hash: full.hash,
      });
      return full;
    },
    list(options = {}) {
      const limit = options.limit ?? 50;
      const before = options.beforeSequence ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new BadRequestError(`journal limit must be a positive integer`);
      if (!Number.isSafeInteger(before)) throw new BadRequestError(`journal beforeSequence must be an integer`);
      return selectPage.all(before, limit);
    },
    get(id) {
      const text = selectRecord.get(id);
      return text === undefined ? null : (JSON.parse(text) as JournalRecord);
    },
    mentioning(text) {
      return selectMentioning.all(text).map((r) => JSON.parse(r) as JournalRecord);
    },
    verify() {
      return verifyJournalChain(toChainEntries(selectChain.iterate()), hasher);
    },
    rekey(previous) {
      const rekeyed = rekeyJournalChain([...toChainEntries(selectChain.iterate())], hasher, previous);
      for (const full of rekeyed) {
        rewrite.run({ id: full.id, record: JSON.stringify(full), prevHash: full.prevHash, hash: full.hash });
      }
      return rekeyed.length;
    },
  };
}

function* toChainEntries(
  rows: Iterable<SummaryRow & { record: string; prevHash: string; hash: string }>,
): Generator<JournalChainEntry> {
  for (const { record, prevHash, hash, ...summary } of rows) {
    yield { id: summary.id, sequence: summary.sequence, prevHash, hash, record, summary };
  }
}
