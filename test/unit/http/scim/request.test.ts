import { describe, expect, it } from 'vitest';
import { readListParams, wantsMembers } from '../../../../src/http/scim/request.js';
import { parseIfMatch, toStoredAttributes } from '../../../../src/http/scim/records.js';
import { createKeyedMutex } from '../../../../src/http/scim/keyed-mutex.js';

describe('list parameters', () => {
  it('defaults to the first page of maxResults', () => {
    expect(readListParams({})).toEqual({ descending: false, startIndex: 1, count: 200 });
  });

  it('clamps as RFC 7644 says: startIndex < 1 is 1, count < 0 is 0, count > maxResults is maxResults', () => {
    expect(readListParams({ startIndex: '-3', count: '-1' })).toMatchObject({ startIndex: 1, count: 0 });
    expect(readListParams({ startIndex: '7', count: '5000' })).toMatchObject({ startIndex: 7, count: 200 });
    expect(readListParams({ startIndex: 3, count: 2 })).toMatchObject({ startIndex: 3, count: 2 });
  });

  it('reads filter, attributes, sortBy and sortOrder', () => {
    expect(
      readListParams({
        filter: 'userName eq "a"',
        attributes: 'userName',
        sortBy: ' userName ',
        sortOrder: 'Descending',
      }),
    ).toMatchObject({ filter: 'userName eq "a"', attributes: 'userName', sortBy: 'userName', descending: true });
  });

  it.each([
    [{ startIndex: 'one' }],
    [{ count: '1.5' }],
    [{ filter: ['a', 'b'] }],
    [{ sortOrder: 'up' }],
    [{ attributes: { x: 1 } }],
  ])('rejects %j', (params) => {
    expect(() => readListParams(params)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidValue' }));
  });

  it('reads members only when a Group response will include them', () => {
    expect(wantsMembers({})).toBe(true);
    expect(wantsMembers({ excludedAttributes: 'members' })).toBe(false);
    expect(wantsMembers({ excludedAttributes: 'externalId, Members' })).toBe(false);
    expect(wantsMembers({ attributes: 'displayName' })).toBe(false);
    expect(wantsMembers({ attributes: 'displayName,members.value' })).toBe(true);
  });
});

describe('records', () => {
  it('parses If-Match', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch('"12", W/"13"')).toBe(12);
    expect(parseIfMatch('*')).toBe('*');
    expect(parseIfMatch('garbage')).toBe(-1);
  });

  it('stores no server-owned attribute and no password', () => {
    expect(
      toStoredAttributes({
        id: 'x',
        meta: {},
        schemas: [],
        groups: [],
        members: [],
        password: 'p',
        userName: 'u',
        name: { givenName: 'g' },
      }),
    ).toEqual({ userName: 'u', name: { givenName: 'g' } });
  });
});

describe('keyed mutex', () => {
  it('runs work for one key one at a time, other keys in parallel', async () => {
    const withLock = createKeyedMutex();
    const log: string[] = [];
    const step = (key: string, label: string, ms: number) =>
      withLock(key, async () => {
        log.push(`${label}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${label}-`);
        return label;
      });
    const results = await Promise.all([step('a', 'a1', 20), step('a', 'a2', 1), step('b', 'b1', 5)]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });

  it('a failure releases the key', async () => {
    const withLock = createKeyedMutex();
    await expect(withLock('k', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(withLock('k', async () => 'ok')).resolves.toBe('ok');
  });
});
