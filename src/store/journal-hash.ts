import { createHash } from 'node:crypto';
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

/** `sha256(prevHash + canonicalJson(record without hash))`, hex. The record's own prevHash is part of the content. */
export function hashJournalRecord(record: Omit<JournalRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...content } = record;
  return createHash('sha256')
    .update(content.prevHash + canonicalJson(content))
    .digest('hex');
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
 * no longer hashes to its stored hash, or a prevHash that is not the previous record's hash.
 */
export function verifyJournalChain(entries: Iterable<JournalChainEntry>): JournalVerifyResult {
  let previousHash = GENESIS_HASH;
  let expectedSequence = 1;
  let records = 0;
  for (const entry of entries) {
    records += 1;
    const problem = findProblem(entry, expectedSequence, previousHash);
    if (problem) return { ok: false, records, firstBad: { id: entry.id, sequence: entry.sequence, problem } };
    previousHash = entry.hash;
    expectedSequence = entry.sequence + 1;
  }
  return { ok: true, records };
}

function findProblem(entry: JournalChainEntry, expectedSequence: number, previousHash: string): string | null {
  if (entry.sequence !== expectedSequence) {
    return `sequence gap: expected ${expectedSequence}, found ${entry.sequence}`;
  }
  const record = parseRecord(entry.record);
  if (!record) return 'record is not a valid JSON object';
  if (record.id !== entry.id || record.sequence !== entry.sequence) return 'record id or sequence differs from its row';
  if (entry.prevHash !== previousHash || record.prevHash !== previousHash) {
    return "prevHash does not match the previous record's hash";
  }
  if (record.hash !== entry.hash || hashJournalRecord(record) !== entry.hash) {
    return 'hash does not match the record content';
  }
  if (entry.summary && canonicalJson(summarizeJournalRecord(record)) !== canonicalJson(entry.summary)) {
    return 'listing columns do not match the record';
  }
  return null;
}

function parseRecord(record: string | JournalRecord): JournalRecord | null {
  if (typeof record !== 'string') return record;
  try {
    const parsed: unknown = JSON.parse(record);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JournalRecord) : null;
  } catch {
    return null;
  }
}
