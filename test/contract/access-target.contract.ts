import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Access, ENTITLEMENT_KINDS, entitlementKind, type EntitlementKind } from '../../src/domain/entitlement.js';
import type { Teammate } from '../../src/domain/teammate.js';
import {
  type AccessTarget,
  type EntitlementCapabilities,
  entitlementCapabilities,
  TargetWriteError,
  type UserChangeSet,
} from '../../src/ports/access-target.js';

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

/** Entitlements of each kind the suite writes, in two variants (a first grant and a change of it). */
const SAMPLE: Record<Exclude<EntitlementKind, 'membership'>, [Access, Access]> = {
  org: [{ org: 'Member' }, { org: 'Admin' }],
  project: [
    { 'project:web-prod': 'Member', 'project:web-staging': 'Admin' },
    { 'project:web-prod': 'Admin', 'project:web-staging': 'Viewer' },
  ],
  module: [
    { 'module:govern:web-prod': 'viewer', 'module:illuminate:web-prod': 'enabled' },
    { 'module:govern:web-prod': 'editor', 'module:illuminate:web-prod': 'enabled' },
  ],
  team: [{ 'team:Data Science': 'member' }, { 'team:Data Science': 'member', 'team:Web: Growth': 'member' }],
};

const grant = (user: string, set: UserChangeSet['set'], extra: Partial<UserChangeSet> = {}): UserChangeSet => ({
  user,
  set,
  ...extra,
});

const byEmail = (teammates: Teammate[]) => new Map(teammates.map((t) => [t.email.toLowerCase(), t]));

async function accessOf(target: AccessTarget, email: string): Promise<Access | undefined> {
  return byEmail(await target.readAll()).get(email)?.access;
}

const pick = (access: Access, keep: (key: string) => boolean): Access =>
  Object.fromEntries(Object.entries(access).filter(([k]) => keep(k)));

/**
 * The behaviour every AccessTarget shares (DESIGN §7, §12): complete reads, one call per user that is idempotent,
 * entitlements round-tripping exactly, and honest capabilities: what a target says it writes it writes, what it
 * says it observes comes back in reads, and what it cannot observe never appears in them. Every implementation
 * runs it against a real (or stood-in) Heap.
 */
export function runAccessTargetContract(name: string, makeTarget: MakeTarget): void {
  describe(`AccessTarget contract: ${name}`, () => {
    let harness: TargetHarness;
    let target: AccessTarget;
    let caps: EntitlementCapabilities;
    /** what the target writes and reads back, of the first (0) or second (1) sample */
    let sample: (variant: 0 | 1, kinds?: EntitlementKind[]) => Access;
    const observed = (key: string) => {
      const kind = entitlementKind(key);
      return kind !== null && caps[kind].observe;
    };
    const onlyObserved = (access: Access) => pick(access, observed);

    beforeEach(async () => {
      harness = await makeTarget();
      target = harness.target;
      caps = entitlementCapabilities(target.capabilities());
      sample = (variant, kinds = [...ENTITLEMENT_KINDS]) =>
        Object.assign(
          {},
          ...kinds.flatMap((k) => (k !== 'membership' && caps[k].write ? [SAMPLE[k][variant]] : [])),
        ) as Access;
    });
    afterEach(async () => {
      await harness?.close();
    });

    it('declares, for every entitlement kind, whether it observes and writes it', () => {
      const declared = target.capabilities();
      expect(typeof declared.assetOwnership).toBe('boolean');
      expect(typeof declared.lastActivity).toBe('boolean');
      for (const kind of ENTITLEMENT_KINDS) {
        expect(typeof caps[kind].observe, kind).toBe('boolean');
        expect(typeof caps[kind].write, kind).toBe('boolean');
      }
      // a target that could not even see or set membership could not provision anyone
      expect(caps.membership).toEqual({ observe: true, write: true });
      if (declared.activityLog) expect(typeof target.readActivity).toBe('function');
      if (declared.teamBindings) expect(typeof target.readTeams).toBe('function');
    });

    it('reads an empty Heap as no teammates', async () => {
      expect(await target.readAll()).toEqual([]);
      expect(await target.readUsers([ALICE])).toEqual([]);
    });

    it('creates a user with everything it writes, and reads back exactly what it observes', async () => {
      const access = { membership: 'active', ...sample(0) };
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, access, { displayName: 'Alice Example', externalId: 'idp-alice' }));
      const teammates = await target.readAll();
      expect(teammates).toHaveLength(1);
      expect(teammates[0]).toMatchObject({ email: ALICE, displayName: 'Alice Example', externalId: 'idp-alice' });
      const read = teammates[0]?.access ?? {};
      expect(onlyObserved(read)).toEqual(onlyObserved(access));
      for (const key of Object.keys(read))
        expect(observed(key), `read ${key}, which it says it cannot observe`).toBe(true);
    });

    it('changes and removes entitlements, leaving the others alone', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(0) }));
      await target.readAll();
      const first = sample(0);
      const second = sample(1);
      // change every key of the second sample, and drop the first sample's keys the second does not hold
      const change: UserChangeSet['set'] = { ...second };
      for (const key of Object.keys(first)) if (!(key in second)) change[key] = null;
      await target.applyUserChanges(grant(ALICE, change));
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'active', ...second }),
      );
      // one entitlement removed by itself: the rest stay
      const [dropped] = Object.keys(second);
      if (dropped) {
        await target.applyUserChanges(grant(ALICE, { [dropped]: null }));
        const rest: Access = { membership: 'active', ...second };
        delete rest[dropped];
        expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(onlyObserved(rest));
      }
    });

    it('deactivates a user, keeping their access, and reactivates them', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(1) }));
      await target.applyUserChanges(grant(ALICE, { membership: 'deactivated' }));
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'deactivated', ...sample(1) }),
      );
      await target.applyUserChanges(grant(ALICE, { membership: 'active' }));
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'active', ...sample(1) }),
      );
    });

    it('removes a user from Heap when membership becomes null', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(0) }));
      await target.applyUserChanges(grant(BOB, { membership: 'active', ...sample(0) }));
      await target.readAll();
      const removal: UserChangeSet['set'] = { membership: null };
      for (const key of Object.keys(sample(0))) removal[key] = null;
      await target.applyUserChanges(grant(ALICE, removal));
      const left = byEmail(await target.readAll());
      expect([...left.keys()]).toEqual([BOB]);
      expect(onlyObserved(left.get(BOB)?.access ?? {})).toEqual(onlyObserved({ membership: 'active', ...sample(0) }));
    });

    it('is idempotent: re-applying a change set that is already in place is harmless', async () => {
      const create = grant(ALICE, { membership: 'active', ...sample(0) });
      await target.readAll();
      await target.applyUserChanges(create);
      await target.applyUserChanges(create);
      const change = grant(ALICE, sample(1));
      await target.applyUserChanges(change);
      await target.applyUserChanges(change);
      await target.readAll();
      await target.applyUserChanges(change);
      expect(await target.readAll()).toHaveLength(1);
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'active', ...sample(0), ...sample(1) }),
      );
      const remove = grant(ALICE, { membership: null });
      await target.applyUserChanges(remove);
      await target.applyUserChanges(remove);
      await target.readAll();
      await target.applyUserChanges(remove);
      expect(await target.readAll()).toEqual([]);
    });

    it('applies changes without a prior read, and converges when another instance already applied them', async () => {
      if (!harness.another) return;
      const create = grant(ALICE, { membership: 'active', ...sample(0) });
      await harness.another().applyUserChanges(create);
      await harness.another().applyUserChanges(create);
      await harness.another().applyUserChanges(grant(ALICE, sample(1)));
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'active', ...sample(0), ...sample(1) }),
      );
      await target.applyUserChanges(grant(ALICE, { membership: 'deactivated' }));
      await harness.another().applyUserChanges(grant(ALICE, { membership: null }));
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(0) }));
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'active', ...sample(0) }),
      );
    });

    it('overrides a manual change made after its last read', async () => {
      if (!harness.setActual) return;
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(0) }));
      await target.readAll();
      const manual = Object.entries(sample(0));
      for (const [key] of manual) await harness.setActual(ALICE, key, null);
      await harness.setActual(ALICE, 'membership', 'deactivated');
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(1) }));
      expect(onlyObserved((await accessOf(target, ALICE)) ?? {})).toEqual(
        onlyObserved({ membership: 'active', ...sample(1) }),
      );
    });

    it('refuses a change to what it cannot write, and sends none of the change set', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active' }));
      const before = await target.readAll();
      for (const kind of ENTITLEMENT_KINDS) {
        if (kind === 'membership' || caps[kind].write) continue;
        const [entitlement, value] = Object.entries(SAMPLE[kind][1])[0]!;
        const error = await target
          .applyUserChanges(grant(ALICE, { membership: 'deactivated', [entitlement]: value }))
          .catch((e: unknown) => e);
        expect(error, kind).toBeInstanceOf(TargetWriteError);
        expect((error as TargetWriteError).ambiguous, kind).toBe(false);
      }
      expect(await target.readAll()).toEqual(before);
    });

    it('reads back what it observes however Heap got it, and never what it cannot observe', async () => {
      if (!harness.setActual) return;
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active' }));
      // set by hand in Heap's UI, every kind: what the target observes must show, the rest must not
      const held: Access = { membership: 'active' };
      for (const kind of ENTITLEMENT_KINDS) {
        if (kind === 'membership') continue;
        for (const [key, value] of Object.entries(SAMPLE[kind][0])) {
          await harness.setActual(ALICE, key, value);
          held[key] = value;
        }
      }
      for (const read of [await target.readAll(), await target.readUsers([ALICE])]) {
        expect(read).toHaveLength(1);
        const access = read[0]?.access ?? {};
        for (const key of Object.keys(access)) expect(observed(key), `read ${key}`).toBe(true);
        expect(pick(access, (k) => k in held)).toEqual(onlyObserved(held));
      }
    });

    it('keeps Team members apart: one user leaving a Team leaves the others in it', async () => {
      if (!caps.team.write) return;
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', 'team:Data Science': 'member' }));
      await target.applyUserChanges(grant(BOB, { membership: 'active', 'team:Data Science': 'member' }));
      await target.applyUserChanges(grant(ALICE, { 'team:Data Science': null }));
      const read = byEmail(await target.readAll());
      if (!caps.team.observe) return;
      expect(read.get(ALICE)?.access['team:Data Science']).toBeUndefined();
      expect(read.get(BOB)?.access['team:Data Science']).toBe('member');
    });

    it('renames a teammate in place: same teammate, same access, the new e-mail, the IdP id kept', async () => {
      const renamed = 'alice.smith@example.com';
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(0) }, { externalId: 'idp-alice' }));
      await target.readAll();
      await target.applyUserChanges(grant(renamed, {}, { rename: { from: ALICE }, externalId: 'idp-alice' }));
      const read = await target.readAll();
      expect(read.map((t) => t.email)).toEqual([renamed]);
      expect(read[0]).toMatchObject({ externalId: 'idp-alice' });
      expect(onlyObserved(read[0]?.access ?? {})).toEqual(onlyObserved({ membership: 'active', ...sample(0) }));
      // applied again, or by an instance that never read Heap, the rename is already done
      await target.applyUserChanges(grant(renamed, {}, { rename: { from: ALICE }, externalId: 'idp-alice' }));
      await harness
        .another?.()
        .applyUserChanges(grant(renamed, { membership: 'deactivated' }, { rename: { from: ALICE } }));
      const again = await target.readAll();
      expect(again.map((t) => t.email)).toEqual([renamed]);
      if (harness.another) expect(again[0]?.access.membership).toBe('deactivated');
    });

    it('reads only the users asked for, case-insensitively, leaving absent users out', async () => {
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active', ...sample(0) }));
      await target.applyUserChanges(grant(BOB, { membership: 'deactivated', ...sample(1) }));
      const read = await target.readUsers(['BOB@example.com', 'nobody@example.com']);
      expect(read.map((t) => [t.email, t.access])).toEqual([
        [BOB, onlyObserved({ membership: 'deactivated', ...sample(1) })],
      ]);
      expect(await target.readUsers([])).toEqual([]);
    });

    it("reads who changed what by hand in Heap's activity log, when it has one", async () => {
      if (!target.capabilities().activityLog || !target.readActivity || !harness.setActual) return;
      await target.readAll();
      await target.applyUserChanges(grant(ALICE, { membership: 'active' }));
      await target.applyUserChanges(grant(BOB, { membership: 'active' }));
      const mark = new Date(Date.now() - 1000).toISOString();
      await harness.setActual(ALICE, 'membership', 'deactivated');
      const alice = await target.readActivity({ users: [ALICE.toUpperCase()], since: mark });
      expect(alice).toContainEqual(
        expect.objectContaining({
          user: ALICE,
          entitlement: 'membership',
          from: 'active',
          to: 'deactivated',
          via: 'ui',
        }),
      );
      expect(alice.every((a) => a.user === ALICE && a.at >= mark)).toBe(true);
      const all = await target.readActivity({});
      const provisioned = all.find((a) => a.user === BOB && a.entitlement === 'membership');
      expect(provisioned).toMatchObject({ from: null, to: 'active', via: 'scim' });
      expect(all.map((a) => a.at)).toEqual([...all.map((a) => a.at)].sort());
    });
  });
}
