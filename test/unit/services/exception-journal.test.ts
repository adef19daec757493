import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/domain/errors.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';
import type { Store } from '../../../src/ports/store.js';
import { createExceptionService } from '../../../src/services/exceptions.js';
import { openSqliteStore } from '../../../src/store/sqlite/open-sqlite-store.js';
import { e2eMapping } from '../../support/e2e-setup.js';

const clock = { now: () => new Date('2026-11-28T10:00:00Z') };

/** Exceptions in the journal's chain (DESIGN §11), and four eyes unless policy.fourEyes: false opts out. */
describe('exceptions are journal records, with four eyes by default', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exc-journal-'));
    store = openSqliteStore(path.join(dir, 'store.db'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** the mapping as written, or with `policy.fourEyes` set */
  const service = (fourEyes?: boolean) => {
    const text =
      fourEyes === undefined
        ? e2eMapping()
        : e2eMapping().replace('  match: email\n', `  match: email\n  fourEyes: ${fourEyes}\n`);
    const { mapping } = parseMappingFiles([{ file: 'm.yaml', text }]);
    return createExceptionService({ store, clock, mapping: () => mapping! });
  };
  const request = {
    user: 'Alice@Example.com',
    entitlement: 'project:web-prod',
    value: 'Admin',
    reason: 'incident INC-42',
    expires: '3d',
  };

  it('journals who asked for an exception, who approved it, and who revoked it, in the verified chain', async () => {
    const exceptions = service();
    const created = await exceptions.add({
      ...request,
      approver: 'farah@example.com',
      requestedBy: 'dana@example.com',
    });
    expect(created).toMatchObject({ requestedBy: 'dana@example.com', approver: 'farah@example.com' });
    await exceptions.revoke(created.id, 'lee@example.com');
    const list = await store.listJournal();
    expect(list.map((r) => [r.trigger, r.status])).toEqual([
      ['exception', 'recorded'],
      ['exception', 'recorded'],
    ]);
    const [revokedRecord, createdRecord] = await Promise.all(list.map((r) => store.getJournal(r.id)));
    expect(createdRecord).toMatchObject({
      actor: 'dana@example.com',
      scope: ['alice@example.com'],
      event: { kind: 'exception-created', exception: { id: created.id, approver: 'farah@example.com' } },
    });
    expect(revokedRecord).toMatchObject({
      actor: 'lee@example.com',
      event: { kind: 'exception-revoked', exception: { id: created.id, revokedAt: expect.any(String) } },
    });
    expect((await store.verifyJournal()).ok).toBe(true);
  });

  it('by default, self-approval is refused and nothing is stored or journaled', async () => {
    const err = await service()
      .add({ ...request, approver: 'Dana@Example.com', requestedBy: 'dana@example.com' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toBe(
      'four eyes: dana@example.com asks for this exception, so someone else must approve it',
    );
    expect(await store.listExceptions()).toEqual([]);
    expect(await store.listJournal()).toEqual([]);
  });

  it('by default, an exception without an approver is refused, naming who may not approve it', async () => {
    await expect(service().add({ ...request, requestedBy: 'dana@example.com' })).rejects.toThrow(
      'approver is required: four eyes (policy.fourEyes), so someone other than dana@example.com approves it',
    );
    expect(await store.listExceptions()).toEqual([]);
  });

  it('with policy.fourEyes: false, one administrator may ask and approve (and it is journaled as such)', async () => {
    const exceptions = service(false);
    const created = await exceptions.add({ ...request, approver: 'dana@example.com', requestedBy: 'dana@example.com' });
    expect(created.approver).toBe('dana@example.com');
    // and the approver defaults to the requester
    const other = await exceptions.add({
      ...request,
      entitlement: 'org',
      value: 'Admin',
      requestedBy: 'lee@example.com',
    });
    expect(other).toMatchObject({ approver: 'lee@example.com', requestedBy: 'lee@example.com' });
    expect((await store.listJournal()).length).toBe(2);
  });
});
