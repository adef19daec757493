import { BadRequestError } from '../domain/errors.js';
import type { JournalRecord } from '../domain/journal.js';
import type { NewJournalRecord } from '../ports/store.js';
import {
  GENESIS_HASH,
  parseRecord,
  verifyJournalChain,
  type JournalChainEntry,
  type JournalHasher,
} from './journal-hash.js';

/** The last record of a journal, which the next one chains to; undefined for an empty journal. */
export type JournalTail = { sequence: number; hash: string } | undefined;

/** The record that follows `tail`: its sequence, prevHash, and hashAlg and hash under the journal's hasher. */
export function chainJournalRecord(record: NewJournalRecord, tail: JournalTail, hasher: JournalHasher): JournalRecord {
  return sealJournalRecord(
    { ...record, sequence: (tail?.sequence ?? 0) + 1, prevHash: tail?.hash ?? GENESIS_HASH },
    hasher,
  );
}

function sealJournalRecord(record: Omit<JournalRecord, 'hash' | 'hashAlg'>, hasher: JournalHasher): JournalRecord {
  const content = { ...record, ...(hasher.alg && { hashAlg: hasher.alg }) };
  return { ...content, hash: hasher.hash(content) };
}

/**
 * `journal rekey`, the same on every store: checks the chain as it stands (records without a key as plain SHA-256,
 * keyed ones under `previous`, the key they were written with, or else under `hasher`) and returns every record
 * re-hashed under `hasher`, chained again from the genesis hash, in order. Refuses (BadRequestError) a store with no
 * key, and a chain that does not verify: a re-key never launders an edit.
 */
export function rekeyJournalChain(
  entries: readonly JournalChainEntry[],
  hasher: JournalHasher,
  previous: JournalHasher = hasher,
): JournalRecord[] {
  if (!hasher.keyed) throw new BadRequestError('the journal has no key to re-key it with: set journal.keyEnv');
  const before = verifyJournalChain(entries, previous, { acceptUnkeyed: true });
  if (!before.ok) {
    const bad = before.firstBad!;
    throw new BadRequestError(
      `the journal does not verify as it stands (record #${bad.sequence} ${bad.id}: ${bad.problem}); not re-keyed`,
    );
  }
  let prevHash = GENESIS_HASH;
  return entries.map((entry) => {
    const { hash: _old, hashAlg: _alg, ...content } = parseRecord(entry.record)!;
    const rekeyed = sealJournalRecord({ ...content, prevHash }, hasher);
    prevHash = rekeyed.hash;
    return rekeyed;
  });
}
