import fs from 'node:fs';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { JournalRecord } from '../domain/journal.js';
import type { JournalHead } from '../ports/store.js';
import { canonicalJson, type JournalHasher } from '../store/journal-hash.js';

/**
 * The journal's head at one moment, signed with the journal key: kept outside the database (a file, the alert
 * sinks) so that deleting the last records of the journal no longer goes unnoticed.
 */
export interface JournalCheckpoint {
  sequence: number;
  hash: string;
  /** the record's id, for people reading the file */
  id: string;
  at: string;
  /** HMAC-SHA256 of `{ at, hash, id, sequence }` (canonical JSON) under the journal key; null when the journal has none */
  signature: string | null;
}

const signedPart = (c: Omit<JournalCheckpoint, 'signature'>): string =>
  canonicalJson({ at: c.at, hash: c.hash, id: c.id, sequence: c.sequence });

export function makeCheckpoint(record: JournalRecord, hasher: JournalHasher, at: Date): JournalCheckpoint {
  const unsigned = { sequence: record.sequence, hash: record.hash, id: record.id, at: at.toISOString() };
  return { ...unsigned, signature: hasher.keyed ? hasher.sign(signedPart(unsigned)) : null };
}

/** Why a checkpoint cannot be trusted, or null: a keyed journal accepts only checkpoints signed with its key. */
export function checkpointProblem(checkpoint: JournalCheckpoint, hasher: JournalHasher): string | null {
  if (!hasher.keyed) return null;
  if (!checkpoint.signature) return 'the checkpoint is not signed, but the journal is keyed';
  const expected = Buffer.from(hasher.sign(signedPart(checkpoint)), 'hex');
  const given = Buffer.from(checkpoint.signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? null
    : 'the checkpoint signature does not verify under the journal key';
}

/** Appends one line per checkpoint (JSON Lines): the file is itself a history of heads, the last line the latest. */
export async function appendCheckpoint(file: string, checkpoint: JournalCheckpoint): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.promises.open(file, 'a');
  try {
    await handle.appendFile(`${JSON.stringify(checkpoint)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export type ReadCheckpoint =
  { found: true; checkpoint: JournalCheckpoint } | { found: false; problem: string } | { found: 'none' };

/** The latest checkpoint in the file: its last line that parses as one. */
export async function readLatestCheckpoint(file: string): Promise<ReadCheckpoint> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: 'none' };
    return { found: false, problem: `cannot read checkpoint file ${file}: ${(err as Error).message}` };
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) return { found: 'none' };
  try {
    const parsed = JSON.parse(last) as Partial<JournalCheckpoint>;
    if (
      !Number.isSafeInteger(parsed.sequence) ||
      typeof parsed.hash !== 'string' ||
      typeof parsed.id !== 'string' ||
      typeof parsed.at !== 'string'
    ) {
      return { found: false, problem: `${file}:${lines.length} the last checkpoint lacks sequence, hash, id or at` };
    }
    return { found: true, checkpoint: { signature: null, ...parsed } as JournalCheckpoint };
  } catch {
    return { found: false, problem: `${file}:${lines.length} the last checkpoint is not JSON` };
  }
}

/** `<sequence>:<hash>`, as `journal verify --expect-head` takes it. */
export function parseHead(text: string): JournalHead | null {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match) return null;
  const sequence = Number(match[1]);
  return Number.isSafeInteger(sequence) && sequence > 0 ? { sequence, hash: match[2]!.toLowerCase() } : null;
}
