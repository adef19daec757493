import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DriftItem } from '../../../src/domain/plan.js';
import type { AccessTarget, ActivityRecord } from '../../../src/ports/access-target.js';
import { attributeDrift } from '../../../src/services/drift-attribution.js';

const item = (user: string, entitlement: string, actual: string | null): DriftItem => ({
  user,
  entitlement,
  baseline: 'Member',
  actual,
  desired: 'Member',
  cause: 'manual-override',
  action: 'revert',
  suggestion: '',
  suggestedActions: [],
});

function target(records: ActivityRecord[] | Error, activityLog = true): AccessTarget & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    name: 'fake',
    asked,
    readAll: async () => [],
    readUsers: async () => [],
    applyUserChanges: async () => undefined,
    capabilities: () => ({ assetOwnership: false, lastActivity: false, activityLog }),
    async readActivity(query) {
      asked.push(query.users ?? []);
      if (records instanceof Error) throw records;
      return records;
    },
  };
}

const rec = (r: Partial<ActivityRecord>): ActivityRecord => ({
  user: 'alice@example.com',
  entitlement: 'org',
  from: 'Member',
  to: 'Admin',
  actor: 'dana',
  via: 'ui',
  at: '2026-11-28T09:00:00Z',
  ...r,
});

const logger = pino({ level: 'silent' });

describe('attributeDrift: who changed Heap', () => {
  it('takes the latest change by hand to the value Heap has now', async () => {
    const drift = [item('Alice@Example.com', 'org', 'Admin'), item('bob@example.com', 'project:web-prod', 'Admin')];
    const t = target([
      rec({ actor: 'early', at: '2026-11-28T08:00:00Z' }),
      rec({ actor: 'dana', at: '2026-11-28T09:00:00Z' }),
      // the provisioning client is not "who changed it by hand"
      rec({ actor: 'heap-access-sync', via: 'scim', at: '2026-11-28T09:30:00Z' }),
      // bob's last change by hand set another value than Heap has now: not his drift's author
      rec({ user: 'bob@example.com', entitlement: 'project:web-prod', to: 'Viewer', actor: 'eve' }),
    ]);
    await attributeDrift(t, drift, { logger });
    expect(t.asked).toEqual([['alice@example.com', 'bob@example.com']]);
    expect(drift[0]).toMatchObject({ changedBy: 'dana', changedAt: '2026-11-28T09:00:00Z' });
    expect(drift[1]?.changedBy).toBeUndefined();
  });

  it('asks nothing for drift already attributed, nor of a target without an activity log', async () => {
    const done = { ...item('alice@example.com', 'org', 'Admin'), changedBy: 'dana' };
    const t = target([rec({ actor: 'other' })]);
    await attributeDrift(t, [done], { logger });
    expect(t.asked).toEqual([]);
    const none = target([rec({})], false);
    const open = [item('alice@example.com', 'org', 'Admin')];
    await attributeDrift(none, open, { logger });
    expect(none.asked).toEqual([]);
    expect(open[0]?.changedBy).toBeUndefined();
  });

  it('a log that cannot be read leaves the drift unattributed and does not fail', async () => {
    const open = [item('alice@example.com', 'org', 'Admin')];
    await attributeDrift(target(new Error('HTTP 503')), open, { logger });
    expect(open[0]?.changedBy).toBeUndefined();
  });
});
