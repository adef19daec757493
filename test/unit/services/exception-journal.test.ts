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

/** Exceptions in the journal's chain (DESIGN §11), and four eyes when policy.fourEyes asks for it. */
describe('exceptions are journal records, with four eyes on request', () => {
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

  const service = (fourEyes: boolean) => {
    const text = e2eMapping().replace('  match: email\n', `  match: email\n  fourEyes: ${fourEyes}\n`);
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
    const exceptions = service(true);
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

  it('with policy.fourEyes, self-approval is refused and nothing is stored or journaled', async () => {
    const err = await service(true)
      .add({ ...request, approver: 'Dana@Example.com', requestedBy: 'dana@example.com' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toContain('four eyes');
    expect(await store.listExceptions()).toEqual([]);
    expect(await store.listJournal()).toEqual([]);
  });

  it('without policy.fourEyes, one administrator may ask and approve (and it is journaled as such)', async () => {
    const created = await service(false).add({
      ...request,
      approver: 'dana@example.com',
      requestedBy: 'dana@example.com',
    });
    expect(created.approver).toBe('dana@example.com');
    expect((await store.listJournal()).length).toBe(1);
  });
});
