import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';
import { TargetWriteError, type AccessTarget, type UserChangeSet } from '../../../src/ports/access-target.js';
import type { IdentitySource } from '../../../src/ports/identity-source.js';
import type { Store } from '../../../src/ports/store.js';
import { createSyncService } from '../../../src/services/sync.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { e2eDirectory, e2eMapping } from '../../support/e2e-setup.js';

const TIMEOUT_MS = 300;

/**
 * Heap in memory whose writes can be made ambiguous: `late` users' writes land `TIMEOUT_MS / 2` after the call has
 * already failed as timed out (a slow Heap), `lost` users' writes fail as timed out and never land.
 */
function slowHeap() {
  const heap = new Map<string, Access>();
  const writes: string[] = [];
  const reads = { all: 0, users: [] as string[][] };
  const late = new Set<string>();
  const lost = new Set<string>();
  const put = (set: UserChangeSet) => {
    const access = { ...(heap.get(set.user) ?? {}) };
    for (const [key, value] of Object.entries(set.set)) {
      if (value === null) delete access[key];
      else access[key] = value;
    }
    heap.set(set.user, access);
  };
  const target: AccessTarget = {
    name: 'slow',
    requestTimeoutMs: TIMEOUT_MS,
    async readAll() {
      reads.all++;
      return [...heap].map(([email, access]): Teammate => ({ email, access: { ...access } }));
    },
    async readUsers(users) {
      reads.users.push(users);
      return users.filter((u) => heap.has(u)).map((email) => ({ email, access: { ...heap.get(email)! } }));
    },
    async applyUserChanges(set) {
      writes.push(set.user);
      if (late.has(set.user)) {
        setTimeout(() => put(set), TIMEOUT_MS / 2);
        throw new TargetWriteError(`no answer within ${TIMEOUT_MS} ms`, undefined, true, undefined, true);
      }
      if (lost.has(set.user)) throw new TargetWriteError('connection reset', undefined, true, undefined, true);
      put(set);
    },
    capabilities: () => ({ assetOwnership: false, lastActivity: false }),
  };
  return { target, heap, writes, reads, late, lost, put };
}

const source: IdentitySource = {
  name: 'file',
  type: 'file',
  async read() {
    const d = e2eDirectory();
    return {
      users: d.users.map((u) => ({ ...u, active: u.active ?? true, source: 'file' })),
      groups: d.groups.map((g) => ({ ...g, source: 'file' })),
    };
  },
};

describe('sync service: ambiguous writes are read back, a takeover lets in-flight writes land (DESIGN §10)', () => {
  let dir: string;
  let store: Store;
  let mem: ReturnType<typeof slowHeap>;
  const service = () =>
    createSyncService({
      store,
      sources: [source],
      target: mem.target,
      mapping: () => parseMappingFiles([{ file: 'm.yaml', text: e2eMapping() }]).mapping,
      clock: { now: () => new Date() },
      logger: pino({ level: 'silent' }),
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-ambiguous-'));
    store = openSqliteStore(path.join(dir, 'store.db'));
    mem = slowHeap();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('journals a timed-out write Heap applied as applied, one it did not as failed (not-applied)', async () => {
    mem.late.add('alice@example.com');
    mem.lost.add('bob@example.com');
    const { record } = await service().run({ trigger: 'cli' });
    const of = (user: string) => record.results.filter((r) => r.change.user === user);
    expect(of('alice@example.com').length).toBeGreaterThan(0);
    for (const r of of('alice@example.com')) expect(r).toMatchObject({ outcome: 'applied', recheck: 'applied' });
    for (const r of of('bob@example.com')) expect(r).toMatchObject({ outcome: 'failed', recheck: 'not-applied' });
    for (const r of of('carol@example.com')) expect(r.recheck).toBeUndefined();
    expect(record.status).toBe('partial');
    // the post-apply read asks for the users the run touched, not the whole organisation
    expect(mem.reads.all).toBe(1);
    expect(mem.reads.users).toHaveLength(1);
    expect(new Set(mem.reads.users[0])).toEqual(new Set(record.results.map((r) => r.change.user)));
  });

  it("waits out the target's request timeout after an interrupted run before reading Heap", async () => {
    // a run that was killed during apply: its pending run is left, and its write for alice is still in flight
    const { plan } = await service().plan();
    const alice = plan.changes.filter((c) => c.user === 'alice@example.com');
    expect(alice.length).toBeGreaterThan(0);
    const startedAt = new Date().toISOString();
    await store.putPendingRun({
      id: 'killed-run',
      startedAt,
      record: {
        id: 'killed-run',
        trigger: 'cli',
        startedAt,
        endedAt: startedAt,
        status: 'failed',
        mappingVersion: null,
        identityVersion: null,
        scope: null,
        approvedRun: null,
        preSync: {},
        plan,
        results: [],
        postSync: {},
        postSyncDiff: [],
      },
    });
    setTimeout(
      () => mem.put({ user: 'alice@example.com', set: Object.fromEntries(alice.map((c) => [c.entitlement, c.to])) }),
      TIMEOUT_MS / 2,
    );
    const { record } = await service().run({ trigger: 'cli' });
    // alice's write landed before the read: confirmed as the killed run's, never written a second time
    expect(mem.writes).not.toContain('alice@example.com');
    expect(record.results.some((r) => r.change.user === 'alice@example.com')).toBe(false);
    const killed = await store.getJournal('killed-run');
    for (const r of killed!.results.filter((x) => x.change.user === 'alice@example.com')) {
      expect(r.outcome).toBe('applied');
    }
  });
});
