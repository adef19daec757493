/** Pushes drive syncs: the router's change events, through the debouncer, become one run over the touched users. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScimChangeDebouncer, type ScimChangeDebouncer } from '../../src/sources/scim/debouncer.js';
import { GROUP_SCHEMA, oktaUser, patchOp, startScimHarness, type ScimHarness } from '../support/scim-harness.js';

describe('SCIM pushes to debounced runs', () => {
  let h: ScimHarness;
  let debouncer: ScimChangeDebouncer;
  const runs: string[][] = [];

  beforeAll(async () => {
    debouncer = createScimChangeDebouncer({ windowMs: 60_000, run: async (users) => void runs.push(users) });
    h = await startScimHarness({ onChange: (change) => debouncer.add(change) });
  });
  afterAll(async () => {
    await debouncer.close();
    await h.close();
  });

  it('a burst of pushes becomes one run over the union of the users they touched', async () => {
    const ann = String((await h.request('POST', '/Users', oktaUser('ann.a@example.com'))).body?.id);
    const bob = String((await h.request('POST', '/Users', oktaUser('bob.b@example.com'))).body?.id);
    const cy = String((await h.request('POST', '/Users', oktaUser('cy.c@example.com'))).body?.id);
    const group = String(
      (
        await h.request('POST', '/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: 'Heap Admins',
          members: [{ value: ann }],
        })
      ).body?.id,
    );
    await h.request('PATCH', `/Groups/${group}`, patchOp({ op: 'add', path: 'members', value: [{ value: bob }] }));
    expect(runs).toEqual([]);
    await debouncer.flush();
    expect(runs).toEqual([[ann, bob, cy].sort()]);

    // a rename re-evaluates every member; a no-op write triggers nothing
    await h.request('PATCH', `/Groups/${group}`, patchOp({ op: 'replace', path: 'displayName', value: 'Heap Owners' }));
    await h.request('PATCH', `/Groups/${group}`, patchOp({ op: 'add', path: 'members', value: [{ value: bob }] }));
    await debouncer.flush();
    expect(runs[1]).toEqual([ann, bob].sort());
    expect(h.changes.map((c) => c.reason)).toEqual([
      'user-created',
      'user-created',
      'user-created',
      'group-changed',
      'group-changed',
      'group-renamed',
    ]);

    // deactivation and deletion reach the sync too
    await h.request('PATCH', `/Users/${cy}`, patchOp({ op: 'replace', value: { active: false } }));
    await h.request('DELETE', `/Groups/${group}`);
    await debouncer.flush();
    expect(runs[2]).toEqual([ann, bob, cy].sort());
  });
});
