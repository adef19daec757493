import { describe, expect, it } from 'vitest';
import type { PendingApproval } from '../../../src/domain/approval.js';
import type { AccessException } from '../../../src/domain/exception.js';
import type { JournalRecord } from '../../../src/domain/journal.js';
import type { Store } from '../../../src/ports/store.js';
import { createActivityService } from '../../../src/services/activity.js';

const record = (id: string, at: string, extra: Partial<JournalRecord>): JournalRecord => ({
  id,
  sequence: 0,
  trigger: 'api',
  startedAt: at,
  endedAt: at,
  status: 'succeeded',
  mappingVersion: null,
  identityVersion: null,
  scope: null,
  preSync: {},
  plan: null,
  results: [],
  postSync: {},
  postSyncDiff: [],
  prevHash: '',
  hash: '',
  ...extra,
});

const approval: PendingApproval = {
  id: 'apr-1',
  user: 'erin@acme.example',
  entitlement: 'org',
  from: 'Member',
  value: 'Admin',
  ground: 'org-admin',
  origin: 'idp',
  requestedBy: 'idp',
  exceptionId: null,
  runId: 'run-1',
  createdAt: '2026-01-01T09:00:00.000Z',
  expiresAt: '2026-01-08T09:00:00.000Z',
  status: 'approved',
  decidedBy: 'oli@acme.example',
  decidedAt: '2026-01-01T10:00:00.000Z',
  reason: 'OPS-77',
  appliedRunId: null,
};

const exception: AccessException = {
  id: 'exc-1',
  user: 'farah@acme.example',
  entitlement: 'project:web-prod',
  value: 'Admin',
  reason: 'incident',
  approver: 'ada@acme.example',
  createdAt: '2026-01-01T08:00:00.000Z',
  expiresAt: '2026-01-02T08:00:00.000Z',
};

function storeWith(records: JournalRecord[], approvals: PendingApproval[], exceptions: AccessException[]): Store {
  const byId = new Map(records.map((r) => [r.id, r]));
  return {
    listJournal: async () => records.map((r) => ({ id: r.id })),
    getJournal: async (id: string) => byId.get(id) ?? null,
    listApprovals: async () => approvals,
    listExceptions: async () => exceptions,
  } as unknown as Store;
}

describe('who did what', () => {
  it('names the actor of each action from the journal, approvals and exceptions, newest first, each once', async () => {
    const records = [
      record('task-1', '2026-01-01T12:00:00.000Z', {
        trigger: 'task',
        status: 'recorded',
        actor: 'dana@acme.example',
        event: {
          kind: 'task-done',
          task: {
            id: 't-1',
            user: 'bob@acme.example',
            entitlement: 'org',
            from: 'Member',
            to: 'Admin',
            enforcement: 'assisted',
            step: 'a step',
          },
          note: 'set in Heap',
        },
      }),
      record('approval-1', '2026-01-01T10:00:00.000Z', {
        trigger: 'approval',
        status: 'recorded',
        actor: 'oli@acme.example',
        event: { kind: 'approval-decided', approval },
      }),
      record('run-2', '2026-01-01T09:30:00.000Z', { trigger: 'schedule' }),
      record('run-1', '2026-01-01T09:00:00.000Z', {
        actor: 'deploy-bot',
        status: 'dry-run',
        scope: ['erin@acme.example'],
      }),
    ];
    const activity = await createActivityService({ store: storeWith(records, [approval], [exception]) }).list();
    expect(activity.map((a) => [a.actor, a.action, a.subject, a.detail, a.ref])).toEqual([
      ['dana@acme.example', 'marked a task done', 'bob@acme.example org Admin', 'set in Heap', 't-1'],
      ['oli@acme.example', 'approved a grant', 'erin@acme.example org Admin', 'OPS-77', 'apr-1'],
      ['deploy-bot', 'ran a dry run', 'erin@acme.example', 'dry-run', 'run-1'],
      ['ada@acme.example', 'made an exception', 'farah@acme.example project:web-prod Admin', 'incident', 'exc-1'],
    ]);
  });

  it('takes an older decision from the approval itself when the journal scan no longer reaches its record', async () => {
    const activity = await createActivityService({ store: storeWith([], [approval], []) }).list();
    expect(activity).toEqual([
      {
        at: approval.decidedAt,
        actor: 'oli@acme.example',
        action: 'approved a grant',
        subject: 'erin@acme.example org Admin',
        detail: 'OPS-77',
        ref: 'apr-1',
      },
    ]);
  });
});
