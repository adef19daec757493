import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/journal.js';
import {
  GENESIS_HASH,
  canonicalJson,
  hashJournalRecord,
  verifyJournalChain,
  type JournalChainEntry,
} from '../../../src/store/journal-hash.js';
import { buildRecord } from '../../contract/store.contract.js';

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were built in', () => {
    expect(canonicalJson({ x: 1, y: { p: null, q: true } })).toBe(canonicalJson({ y: { q: true, p: null }, x: 1 }));
  });

  it('follows JSON.stringify for undefined, toJSON and escaping, so a stored record hashes as it did in memory', () => {
    const value = { gone: undefined, list: [undefined, 1], when: new Date(0), text: 'quote " and \u2028' };
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it('sorts integer-like keys as strings too, and keeps a __proto__ key read from JSON', () => {
    expect(canonicalJson({ b: { 10: 'x', 9: 'y', a: 1 } })).toBe('{"b":{"10":"x","9":"y","a":1}}');
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}'))).toBe('{"__proto__":{"a":1,"b":2},"z":1}');
    const sparse: number[] = [1];
    sparse[2] = 3;
    expect(canonicalJson(sparse)).toBe('[1,null,3]');
    expect(canonicalJson({ 1: sparse })).toBe('{"1":[1,null,3]}');
  });

  it('is the JSON of the same value, whatever order its keys are in', () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverseKeys(x)]),
            )
          : v;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reverseKeys(value))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses values with no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

const chain = (count: number): JournalRecord[] => {
  const records: JournalRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let sequence = 1; sequence <= count; sequence += 1) {
    const content = { ...buildRecord(`r${sequence}`), sequence, prevHash };
    const record = { ...content, hash: hashJournalRecord(content) };
    records.push(record);
    prevHash = record.hash;
  }
  return records;
};
const entries = (records: JournalRecord[]): JournalChainEntry[] =>
  records.map((r) => ({
    id: r.id,
    sequence: r.sequence,
    prevHash: r.prevHash,
    hash: r.hash,
    record: JSON.stringify(r),
  }));

describe('hashJournalRecord', () => {
  it('ignores the hash field and the order of keys, and covers prevHash', () => {
    const [record] = chain(1) as [JournalRecord];
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as unknown as JournalRecord;
    expect(hashJournalRecord(reordered)).toBe(record.hash);
    expect(hashJournalRecord({ ...record, hash: 'anything' })).toBe(record.hash);
    expect(hashJournalRecord({ ...record, prevHash: 'f'.repeat(64) })).not.toBe(record.hash);
  });
});

describe('verifyJournalChain', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(verifyJournalChain(entries(chain(4)))).toMatchObject({ ok: true, records: 4 });
    expect(verifyJournalChain([])).toMatchObject({ ok: true, records: 0 });
  });

  it('names a record whose content changed', () => {
    const records = chain(4);
    const tampered = entries(records);
    (tampered[1] as JournalChainEntry).record = JSON.stringify({ ...records[1], status: 'failed' });
    expect(verifyJournalChain(tampered).firstBad).toEqual({
      id: 'r2',
      sequence: 2,
      problem: 'hash does not match the record content',
    });
  });

  it('names a first record that does not start from the genesis hash or sequence 1', () => {
    const records = chain(3);
    expect(verifyJournalChain(entries(records.slice(1))).firstBad).toMatchObject({ id: 'r2', problem: /sequence gap/ });
    const [first] = records as [JournalRecord];
    const rootless = { ...first, prevHash: 'a'.repeat(64) };
    const rehashed = { ...rootless, hash: hashJournalRecord(rootless) };
    expect(verifyJournalChain(entries([rehashed])).firstBad).toMatchObject({ id: 'r1', problem: /prevHash/ });
  });

  it('names a row whose id or sequence columns disagree with its record', () => {
    const moved = entries(chain(2));
    (moved[1] as JournalChainEntry).id = 'r9';
    expect(verifyJournalChain(moved).firstBad).toMatchObject({ id: 'r9', problem: /differs from its row/ });
  });

  it('stops at the first bad record and counts the records it walked', () => {
    const tampered = entries(chain(5));
    (tampered[1] as JournalChainEntry).hash = 'b'.repeat(64);
    (tampered[3] as JournalChainEntry).hash = 'c'.repeat(64);
    expect(verifyJournalChain(tampered)).toMatchObject({ ok: false, records: 2, firstBad: { id: 'r2' } });
  });
});
