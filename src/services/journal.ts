import type { Logger } from 'pino';
import type { JournalRecord } from '../domain/journal.js';
import type { AlertDispatcher } from '../alerts/index.js';
import { journalCheckpoint } from '../alerts/index.js';
import type { Clock } from '../ports/clock.js';
import type { JournalHead, JournalVerifyResult, NewJournalRecord, Store } from '../ports/store.js';
import type { JournalHasher } from '../store/journal-hash.js';
import {
  appendCheckpoint,
  checkpointProblem,
  makeCheckpoint,
  readLatestCheckpoint,
  type JournalCheckpoint,
} from './journal-checkpoints.js';
import { eventRecord } from './journal-events.js';

/** A head the chain must still contain: the latest checkpoint, or one the caller pinned. */
export interface JournalPin {
  source: 'checkpoint' | 'expect-head';
  sequence: number | null;
  hash: string | null;
  ok: boolean;
  problem?: string;
}

export interface JournalVerdict extends JournalVerifyResult {
  pins: JournalPin[];
}

export interface JournalServiceDeps {
  store: Store;
  hasher: JournalHasher;
  /** `journal.checkpointFile`, resolved; null when not configured */
  checkpointFile: string | null;
  clock: Clock;
  logger: Logger;
  /** where checkpoints go besides the file (the configured alert sinks); null for commands that send no alerts */
  alerts?: () => AlertDispatcher | null;
}

/** The journal beyond the store's chain: signed checkpoints, verification against pins, the explicit re-key. */
export function createJournalService(deps: JournalServiceDeps) {
  /** The checkpoint of a record just appended: to the file and the sinks. Never throws: the record is committed. */
  async function recorded(record: JournalRecord): Promise<JournalCheckpoint | null> {
    try {
      const checkpoint = makeCheckpoint(record, deps.hasher, deps.clock.now());
      if (deps.checkpointFile) await appendCheckpoint(deps.checkpointFile, checkpoint);
      await deps.alerts?.()?.enqueue([journalCheckpoint(checkpoint, deps.clock.now())]);
      return checkpoint;
    } catch (err) {
      deps.logger.error({ runId: record.id, error: (err as Error).message }, 'journal checkpoint not written');
      return null;
    }
  }

  /** Does the chain (verified up to `verified`) still hold the record at `head.sequence`, with that hash? */
  async function contains(head: JournalHead, result: JournalVerifyResult): Promise<string | null> {
    const [row] = await deps.store.listJournal({ beforeSequence: head.sequence + 1, limit: 1 });
    if (!row || row.sequence !== head.sequence) {
      return `the journal has no record #${head.sequence} (${result.records} record(s), head #${result.head?.sequence ?? 0}): records were removed`;
    }
    if (!result.ok && result.firstBad && result.firstBad.sequence <= head.sequence) {
      return `record #${head.sequence} lies at or after the first bad record #${result.firstBad.sequence}`;
    }
    const record = await deps.store.getJournal(row.id);
    if (record?.hash !== head.hash) return `record #${head.sequence} has hash ${record?.hash}, not ${head.hash}`;
    return null;
  }

  async function checkpointPin(result: JournalVerifyResult): Promise<JournalPin | null> {
    if (!deps.checkpointFile) return null;
    const read = await readLatestCheckpoint(deps.checkpointFile);
    if (read.found === 'none') {
      // Before the first run there is nothing to pin; after it, a missing checkpoint hides a truncation.
      if (result.records === 0 && result.ok) return null;
      return {
        source: 'checkpoint',
        sequence: null,
        hash: null,
        ok: false,
        problem: `no checkpoint in ${deps.checkpointFile}: cannot rule out that records were removed`,
      };
    }
    if (read.found === false)
      return { source: 'checkpoint', sequence: null, hash: null, ok: false, problem: read.problem };
    const { checkpoint } = read;
    const problem = checkpointProblem(checkpoint, deps.hasher) ?? (await contains(checkpoint, result));
    return {
      source: 'checkpoint',
      sequence: checkpoint.sequence,
      hash: checkpoint.hash,
      ok: problem === null,
      ...(problem && { problem }),
    };
  }

  return {
    recorded,

    /** Appends a record that is not a run (exception, approval, re-key) and writes its checkpoint. */
    async append(record: NewJournalRecord): Promise<JournalRecord> {
      const committed = await deps.store.commitRun(record, new Map());
      await recorded(committed);
      return committed;
    },

    /** The chain, the latest checkpoint, and the head the caller pinned: ok only when all three hold. */
    async verify(options: { expectHead?: JournalHead } = {}): Promise<JournalVerdict> {
      const result = await deps.store.verifyJournal();
      const pins: JournalPin[] = [];
      const fromCheckpoint = await checkpointPin(result);
      if (fromCheckpoint) pins.push(fromCheckpoint);
      if (options.expectHead) {
        const problem = await contains(options.expectHead, result);
        pins.push({ source: 'expect-head', ...options.expectHead, ok: problem === null, ...(problem && { problem }) });
      }
      return { ...result, ok: result.ok && pins.every((p) => p.ok), pins };
    },

    /**
     * Migrates an unkeyed journal, or one keyed under `previousKey`, to the key, journaling who did it and the head it
     * had before.
     */
    async rekey(actor: string, previousKey?: JournalHasher): Promise<{ rekeyed: number; record: JournalRecord }> {
      const [last] = await deps.store.listJournal({ limit: 1 });
      const lastRecord = last ? await deps.store.getJournal(last.id) : null;
      const previousHead = lastRecord ? { sequence: lastRecord.sequence, hash: lastRecord.hash } : null;
      const now = deps.clock.now().toISOString();
      const done = await deps.store.rekeyJournal(
        eventRecord({
          trigger: 'rekey',
          actor,
          at: now,
          scope: null,
          event: { kind: 'journal-rekeyed', records: previousHead?.sequence ?? 0, previousHead },
        }),
        previousKey ? { previousKey } : {},
      );
      await recorded(done.record);
      return done;
    },
  };
}

export type JournalService = ReturnType<typeof createJournalService>;
