import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DesiredUser } from '../../../src/domain/desired.js';
import type { RenameResult } from '../../../src/domain/journal.js';
import type { Change } from '../../../src/domain/plan.js';
import type { AccessTarget, UserChangeSet } from '../../../src/ports/access-target.js';
import { TargetWriteError } from '../../../src/ports/access-target.js';
import { applyPlan } from '../../../src/services/apply-plan.js';

function recordingTarget(failFor: string | null = null) {
  const writes: UserChangeSet[] = [];
  const target: AccessTarget = {
    name: 'recording',
    readAll: async () => [],
    readUsers: async () => [],
    async applyUserChanges(set) {
      writes.push(set);
      if (set.user === failFor) throw new TargetWriteError(`${set.user}: HTTP 500`, 500);
    },
    capabilities: () => ({ assetOwnership: false, lastActivity: false }),
  };
  return { target, writes };
}

const change = (user: string, entitlement: string, from: string | null, to: string | null): Change => ({
  user,
  entitlement,
  from,
  to,
  cause: 'idp-change',
  reasons: [],
  risk: [],
  blocked: null,
});

const profile = (user: string, externalId: string): DesiredUser => ({
  user,
  matchValue: user,
  identityId: externalId,
  externalId,
  source: 'file',
  mapped: true,
  entitlements: {},
});

const run = async (target: AccessTarget, changes: Change[], profiles: DesiredUser[]) => {
  const renamed: RenameResult[] = [];
  const results = await applyPlan(changes, target, {
    profiles: new Map(profiles.map((p) => [p.user, p])),
    concurrency: 2,
    logger: pino({ level: 'silent' }),
    renames: [{ id: 'u-1', from: 'ann@old.example', to: 'ann@new.example' }],
    onRenamed: (r) => renamed.push(r),
  });
  return { results, renamed };
};

describe('applyPlan renames', () => {
  it('renames a teammate with no other change in one call that names the old e-mail and the immutable id', async () => {
    const { target, writes } = recordingTarget();
    const { results, renamed } = await run(target, [], [profile('ann@new.example', 'u-1')]);
    expect(results).toEqual([]);
    expect(writes).toEqual([
      { user: 'ann@new.example', externalId: 'u-1', rename: { from: 'ann@old.example' }, set: {} },
    ]);
    expect(renamed).toEqual([
      { rename: { id: 'u-1', from: 'ann@old.example', to: 'ann@new.example' }, outcome: 'applied' },
    ]);
  });

  it('carries the rename in the same call as the renamed user’s changes, and every write names its externalId', async () => {
    const { target, writes } = recordingTarget();
    const changes = [
      change('ann@new.example', 'org', 'Member', 'Admin'),
      change('bob@example.com', 'org', null, 'Member'),
    ];
    await run(target, changes, [profile('ann@new.example', 'u-1'), profile('bob@example.com', 'u-2')]);
    const byUser = new Map(writes.map((w) => [w.user, w]));
    expect(writes).toHaveLength(2);
    expect(byUser.get('ann@new.example')).toEqual({
      user: 'ann@new.example',
      externalId: 'u-1',
      rename: { from: 'ann@old.example' },
      set: { org: 'Admin' },
    });
    expect(byUser.get('bob@example.com')).toEqual({
      user: 'bob@example.com',
      externalId: 'u-2',
      set: { org: 'Member' },
    });
  });

  it('reports a rename whose write failed as failed, with the error', async () => {
    const { target } = recordingTarget('ann@new.example');
    const { results, renamed } = await run(target, [change('ann@new.example', 'org', 'Member', 'Admin')], []);
    expect(results.map((r) => r.outcome)).toEqual(['failed']);
    expect(renamed).toEqual([expect.objectContaining({ outcome: 'failed', error: 'ann@new.example: HTTP 500' })]);
  });
});
