import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Access } from '../../src/domain/entitlement.js';
import type { Teammate } from '../../src/domain/teammate.js';
import type { AccessTarget, UserChangeSet } from '../../src/ports/access-target.js';

export interface TargetHarness {
  /** a target over an EMPTY Heap */
  target: AccessTarget;
  /** changes access behind the target's back, as an administrator in Heap's UI would */
  setActual?: (email: string, entitlement: string, value: string | null) => Promise<void>;
  /** a second, fresh target instance over the same Heap (nothing read yet) */
  another?: () => AccessTarget;
  close(): Promise<void>;
}

export type MakeTarget = () => Promise<TargetHarness>;

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

const grant = (user: string, set: UserChangeSet['set'], extra: Partial<UserChangeSet> = {}): UserChangeSet => ({
  user,
  set,
  ...extra,
});

const byEmail = (teammates: Teammate[]) => new Map(teammates.map((t) => [t.email.toLowerCase(), t]));

async function accessOf(target: AccessTarget, email: string): Promise<Access | undefined> {
  return byEmail(await target.readAll()).get(email)?.access;
}

/**
 * The behaviour every AccessTarget shares (DESIGN §7): complete reads, one call per user that is idempotent,
 * entitlements round-tripping exactly. Every implementation runs it against a real (or stood-in) Heap.
 */
export function runAccessTargetContract(name: string, makeTarget: MakeTarget): void {
  describe(`AccessTarget contract: ${name}`, () => {
    let harness: TargetHarness;
    let target: AccessTarget;

    beforeEach(async () => {
      harness = await makeTarget();
      target = harness.target;
    });
    afterEach(async () => {
      await harness?.close();
    });

    it('reads an empty Heap as no teammates', async () => {
      expect(await target.readAll()).toEqual([]);
      expect(await target.readUsers([ALICE])).toEqual([]);
    });

    it('creates a user with access and reads the same access back', async () => {
      const access = {
        membership: 'active',
        org: 'Member',
        'project:web-prod': 'Member',
        'project:web-staging': 'Admin',
        'module:govern:web-prod': 'viewer',
        'module:illuminate:web-prod': 'enabled',
      };
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, access, { displayName: 'Alice Example' }));
      const teammates = await target.readAll();
      expect(teammates).toHaveLength(1);
      expect(teammates[0]).toMatchObject({ email: ALICE, displayName: 'Alice Example', access });
    });

    it('changes and removes entitlements, leaving the others alone', async () => {
      await target.readAll();
      await target.applyUserChanges(
        grant(ALICE, {
          membership: 'active',
          org: 'Member',
          'project:web-prod': 'Member',
          'module:govern:web-prod': 'viewer',
        }),
      );
      await target.readAll();
      await target.applyUserChanges(
        grant(ALICE, { 'project:web-prod': 'Admin', 'module:govern:web-prod': null, 'project:web-staging': 'Viewer' }),
      );
      expect(await accessOf(target, ALICE)).toEqual({
        membership: 'active',
        org: 'Member',
        'project:web-prod': 'Admin',
        'project:web-staging': 'Viewer',
      });
    });

    it('deactivates a user, keeping their access, and reactivates them', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', org: 'Admin' }));
      await target.applyUserChanges(grant(ALICE, { membership: 'deactivated' }));
      expect(await accessOf(target, ALICE)).toEqual({ membership: 'deactivated', org: 'Admin' });
      await target.applyUserChanges(grant(ALICE, { membership: 'active' }));
      expect(await accessOf(target, ALICE)).toEqual({ membership: 'active', org: 'Admin' });
    });

    it('removes a user from Heap when membership becomes null', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', org: 'Member' }));
      await target.applyUserChanges(grant(BOB, { membership: 'active', org: 'Member' }));
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: null, org: null }));
      expect([...byEmail(await target.readAll()).keys()]).toEqual([BOB]);
    });

    it('is idempotent: re-applying a change set that is already in place is harmless', async () => {
      const create = grant(ALICE, { membership: 'active', org: 'Member', 'project:web-prod': 'Viewer' });
      await target.readAll();
      await target.applyUserChanges(create);
      await target.applyUserChanges(create);
      const change = grant(ALICE, { 'project:web-prod': 'Admin' });
      await target.applyUserChanges(change);
      await target.applyUserChanges(change);
      await target.readAll();
      await target.applyUserChanges(change);
      expect(await target.readAll()).toHaveLength(1);
      expect(await accessOf(target, ALICE)).toEqual({
        membership: 'active',
        org: 'Member',
        'project:web-prod': 'Admin',
      });
      const remove = grant(ALICE, { membership: null });
      await target.applyUserChanges(remove);
      await target.applyUserChanges(remove);
      await target.readAll();
      await target.applyUserChanges(remove);
      expect(await target.readAll()).toEqual([]);
    });

    it('applies changes without a prior read, and converges when another instance already applied them', async () => {
      if (!harness.another) return;
      const create = grant(ALICE, { membership: 'active', org: 'Member', 'project:web-prod': 'Member' });
      await harness.another().applyUserChanges(create);
      await harness.another().applyUserChanges(create);
      await harness.another().applyUserChanges(grant(ALICE, { 'project:web-prod': 'Admin' }));
      expect(await accessOf(target, ALICE)).toEqual({
        membership: 'active',
        org: 'Member',
        'project:web-prod': 'Admin',
      });
      await target.applyUserChanges(grant(ALICE, { 'project:web-prod': 'Viewer' }));
      await harness.another().applyUserChanges(grant(ALICE, { membership: null }));
      await target.applyUserChanges(grant(ALICE, { 'project:web-prod': 'Member', membership: 'active' }));
      expect(await accessOf(target, ALICE)).toEqual({ membership: 'active', 'project:web-prod': 'Member' });
    });

    it('overrides a manual change made after its last read', async () => {
      if (!harness.setActual) return;
      await target.readAll();
      await target.applyUserChanges(
        grant(ALICE, { membership: 'active', org: 'Member', 'project:web-prod': 'Member' }),
      );
      await target.readAll();
      await harness.setActual(ALICE, 'project:web-prod', 'Viewer');
      await harness.setActual(ALICE, 'org', null);
      await target.applyUserChanges(grant(ALICE, { 'project:web-prod': 'Admin', org: 'Member' }));
      expect(await accessOf(target, ALICE)).toEqual({
        membership: 'active',
        org: 'Member',
        'project:web-prod': 'Admin',
      });
    });

    it('reads only the users asked for, case-insensitively, leaving absent users out', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', org: 'Member' }));
      await target.applyUserChanges(grant(BOB, { membership: 'deactivated', org: 'Admin' }));
      const read = await target.readUsers(['BOB@example.com', 'nobody@example.com']);
      expect(read.map((t) => [t.email, t.access])).toEqual([[BOB, { membership: 'deactivated', org: 'Admin' }]]);
      expect(await target.readUsers([])).toEqual([]);
    });

    it('reports its capabilities as booleans', async () => {
      await target.readAll();
      const caps = target.capabilities();
      expect(typeof caps.assetOwnership).toBe('boolean');
      expect(typeof caps.lastActivity).toBe('boolean');
    });
  });
}
