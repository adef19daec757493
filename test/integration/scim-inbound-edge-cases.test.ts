/** Requests other SCIM clients send that Okta's and Entra's suites do not (issue 11). */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from '../../src/http/scim/request.js';
import {
  ENTERPRISE_SCHEMA,
  SCIM_TOKEN,
  USER_SCHEMA,
  oktaUser,
  patchOp,
  startScimHarness,
  type ScimHarness,
} from '../support/scim-harness.js';

/** A request as Python `requests` sends a DELETE: `Content-Length: 0`, and here a stray content type too. */
function emptyBodyRequest(url: string, method: string, contentType?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${SCIM_TOKEN}`,
          'content-length': '0',
          ...(contentType && { 'content-type': contentType }),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('SCIM edge cases', () => {
  let h: ScimHarness;

  beforeAll(async () => {
    h = await startScimHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const createUser = async (userName: string, extra: Record<string, unknown> = {}) => {
    const res = await h.request('POST', '/Users', oktaUser(userName, extra));
    expect(res.status).toBe(201);
    return String(res.body?.id);
  };

  it('GET and DELETE with Content-Length: 0 work whatever the content type (RFC 7644 §3.6)', async () => {
    const id = await createUser('empty.body@example.com');
    expect(await emptyBodyRequest(`${h.base}/Users/${id}`, 'GET')).toBe(200);
    expect(await emptyBodyRequest(`${h.base}/Users/${id}`, 'GET', 'text/plain')).toBe(200);
    expect(await emptyBodyRequest(`${h.base}/Users/${id}`, 'DELETE')).toBe(204);
    expect((await h.request('GET', `/Users/${id}`)).status).toBe(404);
    const other = await createUser('empty.body2@example.com');
    expect(await emptyBodyRequest(`${h.base}/Users/${other}`, 'DELETE', 'text/plain')).toBe(204);
    // a body that is there still needs a SCIM or JSON media type
    const text = await h.request('POST', '/Users', undefined, {
      raw: 'userName=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('POST /Users/.search takes attributes and excludedAttributes as JSON arrays (RFC 7644 §3.4.3)', async () => {
    await createUser('search.arrays@example.com');
    const only = await h.request('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "search.arrays@example.com"',
      attributes: ['userName', 'displayName'],
    });
    expect(only.status).toBe(200);
    const [found] = only.body?.Resources as Record<string, unknown>[];
    expect(found).toMatchObject({ userName: 'search.arrays@example.com', displayName: 'search arrays' });
    expect(found).not.toHaveProperty('emails');
    const without = await h.request('POST', '/Users/.search', {
      filter: 'userName eq "search.arrays@example.com"',
      excludedAttributes: ['emails', 'name'],
    });
    expect(without.status).toBe(200);
    const [rest] = without.body?.Resources as Record<string, unknown>[];
    expect(rest).toHaveProperty('displayName');
    expect(rest).not.toHaveProperty('emails');
    expect(rest).not.toHaveProperty('name');
    const bad = await h.request('POST', '/Users/.search', { attributes: ['userName', 7] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidValue' });
  });

  it('PATCH remove of the whole enterprise extension by its URN removes it', async () => {
    const id = await createUser('enterprise.remove@example.com', {
      schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
      [ENTERPRISE_SCHEMA]: { department: 'Finance', employeeNumber: '42' },
    });
    const res = await h.request('PATCH', `/Users/${id}`, patchOp({ op: 'remove', path: ENTERPRISE_SCHEMA }));
    expect(res.status).toBeLessThan(300);
    expect(res.text).not.toMatch(/undefined|null to object/);
    const read = await h.request('GET', `/Users/${id}`);
    const extension = read.body?.[ENTERPRISE_SCHEMA] as Record<string, unknown> | undefined;
    expect(extension?.department).toBeUndefined();
    expect(extension?.employeeNumber).toBeUndefined();
    expect(read.body?.userName).toBe('enterprise.remove@example.com');
  });

  it('refuses a filter too long or too complex with 400 invalidFilter, and keeps serving', async () => {
    // just under the 1 MB body limit
    const long = `userName eq "${'x'.repeat(1024 * 1024 - 64)}"`;
    const res = await h.request('POST', '/Users/.search', { filter: long });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'invalidFilter' });
    const justOver = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    expect((await h.request('POST', '/Users/.search', { filter: justOver })).body).toMatchObject({
      scimType: 'invalidFilter',
    });
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
    const complex = await h.request('POST', '/Users/.search', { filter: terms(MAX_FILTER_TERMS + 1) });
    expect(complex.status).toBe(400);
    expect(complex.body).toMatchObject({ scimType: 'invalidFilter' });
    // as many terms as allowed, and "or" inside quoted values does not count
    expect((await h.request('POST', '/Users/.search', { filter: terms(MAX_FILTER_TERMS) })).status).toBe(200);
    const quoted = `userName eq "${Array.from({ length: 80 }, () => 'a or b').join(' ')}"`;
    expect((await h.request('POST', '/Users/.search', { filter: quoted })).status).toBe(200);
    expect((await h.request('GET', '/Users?count=1')).status).toBe(200);
  });
});
