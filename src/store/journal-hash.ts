import { createHash, createHmac } from 'node:crypto';
import type { JournalRecord } from '../domain/journal.js';
import type { JournalSummary, JournalVerifyResult } from '../ports/store.js';
import { summarizeJournalRecord } from './journal-summary.js';

/** The prevHash of the first record of a journal. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, so the same record hashes the same whatever order its keys were
 * built in and whichever database stored it. Follows JSON.stringify for everything else (toJSON, dropped undefined).
 */
export function canonicalJson(value: unknown): string {
  // Fast path: rebuild objects with sorted keys and let the native JSON.stringify write them (about twice as fast
  // as serializing by hand on a 10,000-user record). Engines list integer-like keys first whatever the insertion
  // order, so a value that has any (or a
  // `__proto__` key) takes the hand-written path.
  const sorted = cloneSorted(value);
  const text = sorted === SLOW_PATH ? serialize(value) : JSON.stringify(sorted);
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

const SLOW_PATH = Symbol('keys a plain object cannot hold in sorted order');
// `__proto__` would set the clone's prototype instead of adding a key.
const needsSlowPath = (key: string) => key === '__proto__' || /^\d+$/.test(key);

function cloneSorted(input: unknown): unknown {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const cloned = cloneSorted(item);
      if (cloned === SLOW_PATH) return SLOW_PATH;
      items.push(cloned);
    }
    return items;
  }
  const entries = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(entries).sort()) {
    if (needsSlowPath(key)) return SLOW_PATH;
    const cloned = cloneSorted(entries[key]);
    if (cloned === SLOW_PATH) return SLOW_PATH;
    out[key] = cloned;
  }
  return out;
}

function serialize(input: unknown): string | undefined {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt has no JSON representation');
    default:
      return undefined;
  }
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value as unknown[]) items.push(serialize(item) ?? 'null');
    return `[${items.join(',')}]`;
  }
  const entries = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(entries).sort()) {
    const text = serialize(entries[key]);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

function hasToJson(value: unknown): value is { toJSON: () => unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** How a record's hash was made: absent on records written before journals were keyed (plain SHA-256). */
export type JournalHashAlg = 'hmac-sha256';

/**
 * Hashes journal records: HMAC-SHA256 under the journal key (`journal.keyEnv`), so nobody without the key can
 * rebuild the chain after editing it; plain SHA-256 when no key is configured.
 */
export interface JournalHasher {
  readonly keyed: boolean;
  /** the `hashAlg` a record hashed by this hasher carries */
  readonly alg: JournalHashAlg | undefined;
  hash(record: Omit<JournalRecord, 'hash'> & { hash?: string }): string;
  /** HMAC of any text under the key (checkpoints); throws when unkeyed */
  sign(text: string): string;
}

/** `sha256(prevHash + canonicalJson(record without hash))`, hex. The record's own prevHash is part of the content. */
export function hashJournalRecord(record: Omit<JournalRecord, 'hash'> & { hash?: string }, key?: string): string {
  const { hash: _ignored, ...content } = record;
  const digest = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return digest.update(content.prevHash + canonicalJson(content)).digest('hex');
}

export function createJournalHasher(key: string | null): JournalHasher {
  if (key === null) {
    return {
      keyed: false,
      alg: undefined,
      hash: (record) => hashJournalRecord(record),
      sign: () => {
        throw new Error('the journal has no key (journal.keyEnv): nothing can be signed');
      },
    };
  }
  return {
    keyed: true,
    alg: 'hmac-sha256',
    hash: (record) => hashJournalRecord(record, key),
    sign: (text) => createHmac('sha256', key).update(text).digest('hex'),
  };
}

const UNKEYED = createJournalHasher(null);

/**
 * The hasher of a journal whose key variable is configured but not set: reading and listing work, anything that
 * hashes (append, verify) fails with the config problem instead of writing or checking unkeyed hashes.
 */
export function missingKeyHasher(problem: () => Error): JournalHasher {
  return {
    keyed: true,
    alg: 'hmac-sha256',
    hash: () => {
      throw problem();
    },
    sign: () => {
      throw problem();
    },
  };
}

/** One stored journal row as a verifier sees it: the indexed columns and the record as stored. */
export interface JournalChainEntry {
  id: string;
  sequence: number;
  prevHash: string;
  hash: string;
  /** the stored record, as JSON text or already parsed */
  record: string | JournalRecord;
  /** the listing columns, when the store keeps them apart from the record */
  summary?: JournalSummary;
}

/**
 * Walks a journal in sequence order and names the first entry that breaks the chain: a sequence gap, a record that
 * no longer hashes to its stored hash (under the journal's key when it has one), or a prevHash that is not the
 * previous record's hash. A keyed journal accepts only keyed records: an unkeyed record there was either written
 * before the journal was keyed (`journal rekey` migrates it) or rebuilt by someone without the key.
 */
export function verifyJournalChain(
  entries: Iterable<JournalChainEntry>,
  hasher: JournalHasher = createJournalHasher(null),
  options: { acceptUnkeyed?: boolean } = {},
): JournalVerifyResult {
  let previousHash = GENESIS_HASH;
  let expectedSequence = 1;
  let records = 0;
  let head: { sequence: number; hash: string } | null = null;
  for (const entry of entries) {
    records += 1;
    const problem = findProblem(entry, expectedSequence, previousHash, hasher, options.acceptUnkeyed ?? false);
    if (problem) return { ok: false, records, head, firstBad: { id: entry.id, sequence: entry.sequence, problem } };
    previousHash = entry.hash;
    expectedSequence = entry.sequence + 1;
    head = { sequence: entry.sequence, hash: entry.hash };
  }
  return { ok: true, records, head };
}

function findProblem(
  entry: JournalChainEntry,
  expectedSequence: number,
  previousHash: string,
  keyedHasher: JournalHasher,
  acceptUnkeyed: boolean,
): string | null {
  if (entry.sequence !== expectedSequence) {
    return `sequence gap: expected ${expectedSequence}, found ${entry.sequence}`;
  }
  const record = parseRecord(entry.record);
  if (!record) return 'record is not a valid JSON object';
  if (record.id !== entry.id || record.sequence !== entry.sequence) return 'record id or sequence differs from its row';
  if (entry.prevHash !== previousHash || record.prevHash !== previousHash) {
    return "prevHash does not match the previous record's hash";
  }
  // before a re-key, the records written before the journal was keyed are checked as they were written
  const hasher = acceptUnkeyed && record.hashAlg === undefined ? UNKEYED : keyedHasher;
  if (hasher.keyed && record.hashAlg !== hasher.alg) {
    return 'record is not keyed, but the journal is (journal.keyEnv): re-key it with `heap-access-sync journal rekey`';
  }
  if (!hasher.keyed && record.hashAlg !== undefined) {
    return `record is keyed (${record.hashAlg}): set journal.keyEnv to verify it`;
  }
  if (record.hash !== entry.hash || hasher.hash(record) !== entry.hash) {
    return hasher.keyed
      ? 'hash does not match the record content under the journal key'
      : 'hash does not match the record content';
  }
  if (entry.summary && canonicalJson(summarizeJournalRecord(record)) !== canonicalJson(entry.summary)) {
    return 'listing columns do not match the record';
  }
  return null;
}

export function parseRecord(record: string | JournalRecord): JournalRecord | null {
  if (typeof record !== 'string') return record;
  try {
    const parsed: unknown = JSON.parse(record);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JournalRecord) : null;
  } catch {
    return null;
  }
}
