import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import { RunInProgressError } from '../../../src/domain/errors.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';
import type { AccessTarget, UserChangeSet } from '../../../src/ports/access-target.js';
import type { IdentitySource } from '../../../src/ports/identity-source.js';
import { SourceReadError } from '../../../src/ports/identity-source.js';
import type { Store } from '../../../src/ports/store.js';
import { createSyncService } from '../../../src/services/sync.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { e2eDirectory, e2eMapping, type Directory } from '../../support/e2e-setup.js';

/** Heap in memory: enough of the target port to watch what the sync service writes. */
function memoryTarget() {
  const heap = new Map<string, Access>();
  const writes: UserChangeSet[] = [];
  const target: AccessTarget = {
    name: 'memory',
    async readAll() {
      return [...heap].map(([email, access]): Teammate => ({ email, access: { ...access } }));
    },
    async readUsers(users) {
      return users.filter((u) => heap.has(u)).map((email) => ({ email, access: { ...heap.get(email)! } }));
    },
    async applyUserChanges(set) {
      writes.push(set);
      if (set.set.membership === null) {
        heap.delete(set.user);
        return;
      }
      const access = { ...(heap.get(set.user) ?? {}) };
      for (const [key, value] of Object.entries(set.set)) {
        if (value === null) delete access[key];
        else access[key] = value;
      }
      heap.set(set.user, access);
    },
    capabilities: () => ({ assetOwnership: false, lastActivity: false }),
  };
  return { target, heap, writes };
}

function directorySource(get: () => Directory | Error): IdentitySource {
  return {
    name: 'file',
    type: 'file',
    async read() {
      const d = get();
      if (d instanceof Error) throw new SourceReadError('file', d.message);
      return {
        users: d.users.map((u) => ({ ...u, email: u.email, active: u.active ?? true, source: 'file' })),
        groups: d.groups.map((g) => ({ ...g, source: 'file' })),
      };
    },
  };
}

describe('sync service', () => {
  let dir: string;
  let store: Store;
  let directory: Directory | Error;
  let maxRevocations: number;
  /** `policy.fourEyes` as written in the mapping; undefined leaves it out (the default, on) */
  let fourEyes: boolean | undefined;
  let mem: ReturnType<typeof memoryTarget>;
  const mappingText = () =>
    fourEyes === undefined
      ? e2eMapping({ maxRevocations })
      : e2eMapping({ maxRevocations }).replace('  match: email\n', `  match: email\n  fourEyes: ${fourEyes}\n`);
  const service = () =>
    createSyncService({
      store,
      sources: [directorySource(() => directory)],
      target: mem.target,
      mapping: () => parseMappingFiles([{ file: 'm.yaml', text: mappingText() }]).mapping,
      clock: { now: () => new Date('2026-11-28T10:00:00Z') },
      logger: pino({ level: 'silent' }),
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-svc-'));
    store = openSqliteStore(path.join(dir, 'store.db'));
    directory = e2eDirectory();
    maxRevocations = 25;
    fourEyes = undefined;
    mem = memoryTarget();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('journals a failed source read as failed and writes nothing to Heap or the baseline', async () => {
    await service().run({ trigger: 'cli' });
    const writesBefore = mem.writes.length;
    const baselineBefore = await store.getBaseline();
    directory = new Error('page 3 of 5 failed after retries');
    const { record, plan } = await service().run({ trigger: 'schedule' });
    expect(plan).toBeNull();
    expect(record.status).toBe('failed');
    expect(record.error).toContain('page 3 of 5 failed');
    expect(mem.writes.length).toBe(writesBefore);
    expect(await store.getBaseline()).toEqual(baselineBefore);
  });

  it('journals a dry run with every change skipped and changes nothing', async () => {
    const { record } = await service().run({ trigger: 'cli', dryRun: true });
    expect(record.status).toBe('dry-run');
    expect(record.results.length).toBeGreaterThan(0);
    expect(record.results.every((r) => r.outcome === 'skipped')).toBe(true);
    expect(mem.writes).toEqual([]);
    expect((await store.getBaseline()).size).toBe(0);
  });

  it('refuses a second run while one holds the lock', async () => {
    const first = service().run({ trigger: 'cli' });
    await expect(service().run({ trigger: 'schedule' })).rejects.toBeInstanceOf(RunInProgressError);
    expect((await first).record.status).toBe('succeeded');
  });

  it('writes no baseline rows when nothing changed', async () => {
    await service().run({ trigger: 'cli' });
    const seq = (await store.listJournal())[0]!.sequence;
    const { record } = await service().run({ trigger: 'cli' });
    expect(record.results).toEqual([]);
    expect(record.sequence).toBe(seq + 1);
    expect((await store.getBaseline()).get('alice@example.com')).toMatchObject({ 'project:web-prod': 'Member' });
  });

  it('does not let an approval authorise revocations that appeared after the plan was held', async () => {
    await service().run({ trigger: 'cli' });
    maxRevocations = 0;
    const analytics = () => (directory as Directory).groups.find((g) => g.displayName === 'Analytics')!;
    analytics().members = analytics().members.filter((m) => m !== 'u-alice');
    const held = await service().run({ trigger: 'cli' });
    expect(held.record.status).toBe('held');
    // bob leaves too before anyone approves: the approval covered alice only
    analytics().members = analytics().members.filter((m) => m !== 'u-bob');
    const approval = await service().run({ trigger: 'cli', approve: held.record.id });
    expect(approval.record.status).toBe('held');
    expect(approval.record.error).toContain(`approve run ${approval.record.id} instead`);
    expect(mem.heap.get('alice@example.com')?.membership).toBe('active');
    const second = await service().run({ trigger: 'cli', approve: approval.record.id });
    expect(second.record.status).toBe('succeeded');
    expect(mem.heap.get('alice@example.com')?.membership).toBe('deactivated');
    expect(mem.heap.get('bob@example.com')?.membership).toBe('deactivated');
  });

  /** a first sync by cron, then a run by `actor` that the revocation guard holds */
  const heldRunOf = async (actor: string) => {
    await service().run({ trigger: 'cli', actor: 'cron' });
    maxRevocations = 0;
    const analytics = (directory as Directory).groups.find((g) => g.displayName === 'Analytics')!;
    analytics.members = analytics.members.filter((m) => m !== 'u-alice');
    const held = await service().run({ trigger: 'cli', actor });
    expect(held.record.status).toBe('held');
    return held.record.id;
  };

  it('with policy.fourEyes: false, the actor whose run was held may approve it', async () => {
    fourEyes = false;
    const held = await heldRunOf('dana');
    const approved = await service().run({ trigger: 'cli', actor: 'dana', approve: held });
    expect(approved.record).toMatchObject({ status: 'succeeded', trigger: 'approval', actor: 'dana' });
  });

  it('by default (four eyes), the actor whose run was held cannot approve it; someone else can', async () => {
    const held = await heldRunOf('dana');
    const journaled = (await store.listJournal()).length;
    await expect(service().run({ trigger: 'cli', actor: 'Dana', approve: held })).rejects.toThrow(
      /four eyes: Dana started run/,
    );
    expect((await store.listJournal()).length).toBe(journaled);
    expect(mem.heap.get('alice@example.com')?.membership).toBe('active');
    const approved = await service().run({ trigger: 'cli', actor: 'lee', approve: held });
    expect(approved.record).toMatchObject({ status: 'succeeded', trigger: 'approval', actor: 'lee' });
    expect(mem.heap.get('alice@example.com')?.membership).toBe('deactivated');
  });
});
