import type pg from 'pg';
import { BadRequestError } from '../../domain/errors.js';
import type { JournalRecord } from '../../domain/journal.js';
import type { JournalSummary, JournalVerifyResult, NewJournalRecord } from '../../ports/store.js';
import { verifyJournalChain, type JournalChainEntry, type JournalHasher } from '../journal-hash.js';
import { chainJournalRecord, rekeyJournalChain } from '../journal-chain.js';
import { summarizeJournalRecord } from '../journal-summary.js';
import { rows, type Queryable } from './open-postgres-pool.js';

/** pg_advisory_xact_lock key of the journal: commits from every replica take their sequence one at a time. */
const JOURNAL_LOCK = 7_361_002;

const SUMMARY_COLUMNS = `id, sequence, run_trigger AS "trigger", status, started_at AS "startedAt",
  ended_at AS "endedAt", changes, applied, failed, blocked, drift`;

/** Call inside the commit transaction: waits for other commits, chains the record after the last one, inserts it. */
export async function appendJournal(
  client: pg.PoolClient,
  record: NewJournalRecord,
  hasher: JournalHasher,
): Promise<JournalRecord> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [JOURNAL_LOCK]);
  const [last] = await rows<{ sequence: number; hash: string }>(
    client,
    'SELECT sequence, hash FROM journal ORDER BY sequence DESC LIMIT 1',
  );
  const full = chainJournalRecord(record, last, hasher);
  const s = summarizeJournalRecord(full);
  await client.query(
    `INSERT INTO journal (id, sequence, run_trigger, status, started_at, ended_at, changes, applied, failed, blocked,
       drift, record, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      s.id,
      s.sequence,
      s.trigger,
      s.status,
      s.startedAt,
      s.endedAt,
      s.changes,
      s.applied,
      s.failed,
      s.blocked,
      s.drift,
      JSON.stringify(full),
      full.prevHash,
      full.hash,
    ],
  );
  return full;
}

export async function listJournal(
  db: Queryable,
  options: { limit?: number; beforeSequence?: number } = {},
): Promise<JournalSummary[]> {
  const limit = options.limit ?? 50;
  const before = options.beforeSequence ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new BadRequestError(`journal limit must be a positive integer`);
  if (!Number.isSafeInteger(before)) throw new BadRequestError(`journal beforeSequence must be an integer`);
  return rows<JournalSummary>(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM journal WHERE sequence < $1 ORDER BY sequence DESC LIMIT $2`,
    [Math.min(before, 2 ** 31 - 1), limit],
  );
}

export async function getJournal(db: Queryable, id: string): Promise<JournalRecord | null> {
  const [row] = await rows<{ record: string }>(db, 'SELECT record FROM journal WHERE id = $1', [id]);
  return row ? (JSON.parse(row.record) as JournalRecord) : null;
}

const CHAIN_QUERY = `SELECT ${SUMMARY_COLUMNS}, record, prev_hash AS "prevHash", hash FROM journal ORDER BY sequence`;
type ChainRow = JournalSummary & { record: string; prevHash: string; hash: string };

/** Reads the chain in one snapshot (the caller's REPEATABLE READ transaction) and walks it. */
export async function verifyJournal(db: Queryable, hasher: JournalHasher): Promise<JournalVerifyResult> {
  return verifyJournalChain(toChainEntries(await rows<ChainRow>(db, CHAIN_QUERY)), hasher);
}

/**
 * Call inside a transaction: holds the journal lock (no commit chains onto the old hashes meanwhile), re-hashes every
 * record under the key (see rekeyJournalChain), returns how many.
 */
export async function rekeyJournal(
  client: pg.PoolClient,
  hasher: JournalHasher,
  previous?: JournalHasher,
): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [JOURNAL_LOCK]);
  const rekeyed = rekeyJournalChain([...toChainEntries(await rows<ChainRow>(client, CHAIN_QUERY))], hasher, previous);
  for (const full of rekeyed) {
    await client.query('UPDATE journal SET record = $2, prev_hash = $3, hash = $4 WHERE id = $1', [
      full.id,
      JSON.stringify(full),
      full.prevHash,
      full.hash,
    ]);
  }
  return rekeyed.length;
}

function* toChainEntries(chain: Iterable<ChainRow>): Generator<JournalChainEntry> {
  for (const { record, prevHash, hash, ...summary } of chain) {
    yield { id: summary.id, sequence: summary.sequence, prevHash, hash, record, summary };
  }
}
