import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriftItem } from '../../../src/domain/plan.js';
import type { Store } from '../../../src/ports/store.js';
import type { MappingStatus } from '../../../src/services/mapping-holder.js';
import { createStatusService, type StatusDeps } from '../../../src/services/status.js';
import type { PlanPreview } from '../../../src/services/sync.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { buildChange, buildException, buildPlan, buildRecord } from '../../contract/store.contract.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');
const clock = { now: () => NOW };

function drift(user: string, overrides: Partial<DriftItem> = {}): DriftItem {
  return {
    user,
    entitlement: 'project:web-prod',
    baseline: 'Member',
    actual: 'Admin',
    desired: 'Member',
    cause: 'manual-override',
    action: 'revert',
    suggestion: `add ${user} to group Heap Prod Admins`,
    suggestedActions: [],
    ...overrides,
  };
}

const preview = (items: DriftItem[]) => ({ plan: buildPlan([], items) }) as unknown as PlanPreview;

/** A sync.plan() the test resolves by hand, counting calls. */
function controllablePlan() {
  const pending: { resolve: (p: PlanPreview) => void; reject: (e: Error) => void }[] = [];
  return {
    calls: () => pending.length,
    plan: () => new Promise<PlanPreview>((resolve, reject) => pending.push({ resolve, reject })),
    resolve: (items: DriftItem[]) => pending.at(-1)!.resolve(preview(items)),
    reject: (message: string) => pending.at(-1)!.reject(new Error(message)),
  };
}

describe('status service', () => {
  let dir: string;
  let store: Store;
  let mappingStatus: MappingStatus;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-'));
    store = openSqliteStore(path.join(dir, 'store.db'));
    mappingStatus = { version: 'map-1', loadedAt: NOW.toISOString(), warnings: [], reloadError: null };
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function deps(sync: StatusDeps['sync']): StatusDeps {
    return {
      store,
      sync,
      exceptions: {
        expiringSoon: async () =>
          (await store.listExceptions({ now: NOW })).filter((e) => Date.parse(e.expiresAt) < NOW.getTime() + 7 * 864e5),
      },
      mapping: { status: () => mappingStatus },
      sources: [
        { name: 'file', type: 'file' },
        { name: 'okta', type: 'okta' },
      ],
      target: { name: 'heap' },
      clock,
    };
  }

  it('reports runs with durations, the last successful sync, held plans, sources and the mapping', async () => {
    await store.commitRun(
      buildRecord('run-1', { startedAt: '2030-01-01T10:00:00.000Z', endedAt: '2030-01-01T10:00:02.500Z' }),
      new Map(),
    );
    await store.commitRun(
      buildRecord('run-2', {
        status: 'failed',
        error: 'okta: 503',
        startedAt: '2030-01-01T11:00:00.000Z',
        endedAt: '2030-01-01T11:00:01.000Z',
      }),
      new Map(),
    );
    const revoke = buildChange({ user: 'carol@example.com', from: 'Member', to: null, risk: ['revokes-access'] });
    await store.putHeldPlan({
      runId: 'run-3',
      createdAt: NOW.toISOString(),
      plan: { ...buildPlan([revoke, buildChange()]), held: true, heldBy: 'maxRevocations' },
      mappingVersion: 'map-1',
      scope: null,
    });
    await store.putSourceState({
      source: 'file',
      lastReadAt: NOW.toISOString(),
      users: 12,
      groups: 4,
      lastError: null,
    });
    await store.putSourceState({ source: 'okta', lastError: '2030-01-01T11:00:00Z okta: 503' });
    await store.addException(
      buildException('exc-1', { createdAt: NOW.toISOString(), expiresAt: '2030-01-03T00:00:00.000Z' }),
    );
    await store.addException(
      buildException('exc-2', {
        user: 'dan@example.com',
        createdAt: NOW.toISOString(),
        expiresAt: '2030-03-01T00:00:00.000Z',
      }),
    );
    mappingStatus = {
      ...mappingStatus,
      reloadError: { at: NOW.toISOString(), message: 'mapping has 1 error(s)', issues: [] },
    };

    const status = createStatusService(deps({ plan: async () => preview([drift('alice@example.com')]) }));
    const report = await status.report();

    expect(report.runs.map((r) => [r.id, r.status, r.durationMs, r.error, r.actor])).toEqual([
      ['run-2', 'failed', 1000, 'okta: 503', 'ops@example.com'],
      ['run-1', 'succeeded', 2500, null, 'ops@example.com'],
    ]);
    expect(report.lastSuccessfulSyncAt).toBe('2030-01-01T10:00:02.500Z');
    expect(report.heldPlans).toEqual([
      expect.objectContaining({ runId: 'run-3', heldBy: 'maxRevocations', revocations: [revoke], more: 0 }),
    ]);
    expect(report.sources).toEqual([
      {
        name: 'file',
        type: 'file',
        lastReadAt: NOW.toISOString(),
        users: 12,
        groups: 4,
        lastError: null,
        healthy: true,
      },
      expect.objectContaining({
        name: 'okta',
        healthy: false,
        lastError: '2030-01-01T11:00:00Z okta: 503',
        lastReadAt: null,
      }),
    ]);
    expect(report.expiringExceptions.map((e) => [e.id, e.expiresInMs])).toEqual([['exc-1', 36 * 3600 * 1000]]);
    expect(report.mapping).toMatchObject({ version: 'map-1', reloadFailed: true });
    expect(report.target).toBe('heap');
    expect(report.drift).toMatchObject({
      basis: 'live',
      items: [drift('alice@example.com')],
      refreshing: false,
      error: null,
    });
  });

  it('serves a cached drift reading within its lifetime and reads again after invalidate()', async () => {
    let calls = 0;
    const status = createStatusService(
      deps({
        plan: async () => {
          calls++;
          return preview([drift(`user${calls}@example.com`)]);
        },
      }),
    );
    expect((await status.report()).drift.items[0]?.user).toBe('user1@example.com');
    expect((await status.report()).drift.items[0]?.user).toBe('user1@example.com');
    expect(calls).toBe(1);
    status.invalidate();
    expect((await status.report()).drift.items[0]?.user).toBe('user2@example.com');
    expect(calls).toBe(2);
  });

  it('never waits on a slow reading: it answers with the last run while one reading runs in the background', async () => {
    await store.commitRun(
      buildRecord('run-1', { plan: buildPlan([], [drift('from-journal@example.com')]) }),
      new Map(),
    );
    const slow = controllablePlan();
    const status = createStatusService(deps({ plan: slow.plan }), { driftWaitMs: 5 });

    const first = await status.report();
    expect(first.drift).toMatchObject({ basis: 'journal', refreshing: true });
    expect(first.drift.items.map((d) => d.user)).toEqual(['from-journal@example.com']);
    await status.report();
    expect(slow.calls()).toBe(1);

    slow.resolve([drift('live@example.com')]);
    await status.settle();
    const later = await status.report();
    expect(later.drift).toMatchObject({ basis: 'live', refreshing: false, asOf: NOW.toISOString() });
    expect(later.drift.items.map((d) => d.user)).toEqual(['live@example.com']);
  });

  it('keeps the previous reading and says why when a live reading fails', async () => {
    const plans = controllablePlan();
    const status = createStatusService(deps({ plan: plans.plan }), { driftWaitMs: 5 });
    const pending = status.report();
    plans.resolve([drift('alice@example.com')]);
    expect((await pending).drift.basis).toBe('live');

    status.invalidate();
    const failing = status.report();
    plans.reject('okta: connection refused');
    const report = await failing;
    expect(report.drift).toMatchObject({ basis: 'live', error: 'okta: connection refused' });
    expect(report.drift.items.map((d) => d.user)).toEqual(['alice@example.com']);
  });

  it('ignores a reading that started before invalidate() for freshness', async () => {
    const plans = controllablePlan();
    const status = createStatusService(deps({ plan: plans.plan }), { driftWaitMs: 5 });
    const first = status.report();
    status.invalidate();
    plans.resolve([drift('old@example.com')]);
    await first;
    await status.settle();
    const again = status.report();
    expect(plans.calls()).toBe(2);
    plans.resolve([drift('new@example.com')]);
    expect((await again).drift.items.map((d) => d.user)).toEqual(['new@example.com']);
  });

  it('a plan for some users only does not replace the reading for everyone', async () => {
    const status = createStatusService(deps({ plan: async () => preview([drift('all@example.com')]) }));
    await status.report();
    status.remember(preview([]), { scoped: true });
    expect((await status.report()).drift.items.map((d) => d.user)).toEqual(['all@example.com']);
    status.remember(preview([drift('fresh@example.com')]));
    expect((await status.report()).drift.items.map((d) => d.user)).toEqual(['fresh@example.com']);
  });
});
