import { describe, expect, it } from 'vitest';
import {
  driftAlertKey,
  driftDetected,
  exceptionExpiring,
  findExpiringExceptions,
  guardBlocked,
  mappingReloadFailed,
  planHeld,
  runFailed,
} from '../../../src/alerts/events.js';
import type { PlanSummary } from '../../../src/domain/plan.js';
import { driftItem, exception } from './builders.js';

const now = new Date('2025-01-01T12:00:00.000Z');

describe('alert builders', () => {
  it('keys drift by normalized user and entitlement', () => {
    expect(driftAlertKey(' Alice@Example.com', 'project:web-prod')).toBe('drift:alice@example.com:project:web-prod');
    const alert = driftDetected(driftItem({ actual: 'Viewer', escalation: undefined }), 'r1', now);
    expect(alert).toMatchObject({
      key: 'drift:alice@example.com:project:web-prod',
      event: 'drift-detected',
      severity: 'warning',
      runId: 'r1',
      at: now.toISOString(),
    });
    expect(alert.details).toMatchObject({ baseline: 'Member', actual: 'Viewer', desired: 'Member', action: 'revert' });
  });

  it('makes a hand-made escalation to Admin critical', () => {
    expect(driftDetected(driftItem(), 'r1', now).severity).toBe('critical');
  });

  it('builds run-failed from a journal record or from a bare run id and error', () => {
    expect(runFailed({ runId: 'r9', error: 'heap unreachable' }, now)).toMatchObject({
      key: 'run-failed:r9',
      event: 'run-failed',
      severity: 'critical',
      runId: 'r9',
      details: { runId: 'r9', error: 'heap unreachable' },
    });
    const fromRecord = runFailed(
      { id: 'r10', status: 'partial', error: '2 changes failed', trigger: 'schedule', results: [] },
      now,
    );
    expect(fromRecord.summary).toContain('partially failed');
    expect(fromRecord.details).toMatchObject({ status: 'partial', trigger: 'schedule', applied: 0, failed: 0 });
  });

  it('tells how to approve a held plan', () => {
    const summary: PlanSummary = {
      users: 40,
      changes: 30,
      blocked: 0,
      revocations: 30,
      drift: 0,
      byCause: {},
      orgAdminsAfter: 2,
      risk: [],
    };
    const alert = planHeld('r2', summary, 'maxRevocations', now);
    expect(alert).toMatchObject({ key: 'plan-held:r2', event: 'plan-held', runId: 'r2' });
    expect(alert.summary).toContain('sync --approve r2');
    expect(alert.summary).not.toContain('someone other than');
    // four eyes: the alert says who may not approve (whoever started the held run)
    const started = planHeld('r3', summary, 'maxRevocations', now, 'ops-cron');
    expect(started.summary).toContain('approve (by someone other than ops-cron) with');
    expect(started.details).toMatchObject({ startedBy: 'ops-cron' });
  });

  it('names the guards that blocked changes', () => {
    const alert = guardBlocked(
      [
        {
          user: 'a@x',
          entitlement: 'org',
          from: 'Admin',
          to: 'Member',
          cause: 'idp-change',
          reasons: [],
          risk: [],
          blocked: 'lastOrgAdmin',
        },
        {
          user: 'b@x',
          entitlement: 'org',
          from: null,
          to: 'Member',
          cause: 'idp-change',
          reasons: [],
          risk: [],
          blocked: null,
        },
      ],
      'r3',
      now,
    );
    expect(alert).toMatchObject({
      key: 'guard-blocked:r3',
      event: 'guard-blocked',
      details: { guards: ['lastOrgAdmin'] },
    });
    expect(alert.details.changes).toEqual([
      { user: 'a@x', entitlement: 'org', from: 'Admin', to: 'Member', blocked: 'lastOrgAdmin' },
    ]);
  });

  it('keys an expiring exception by its id', () => {
    const alert = exceptionExpiring(exception(), now);
    expect(alert).toMatchObject({
      key: 'exception-expiring:exc-1',
      event: 'exception-expiring',
      details: { approver: 'carol@example.com' },
    });
    expect(alert.summary).toContain('expires in about 24 h');
  });

  it('finds active exceptions expiring within 24 hours', () => {
    const soon = exception({ id: 'soon', expiresAt: '2025-01-02T11:00:00.000Z' });
    const later = exception({ id: 'later', expiresAt: '2025-01-03T12:00:01.000Z' });
    const gone = exception({ id: 'gone', expiresAt: '2025-01-01T11:00:00.000Z' });
    const revoked = exception({
      id: 'revoked',
      expiresAt: '2025-01-01T13:00:00.000Z',
      revokedAt: '2025-01-01T10:00:00.000Z',
    });
    expect(findExpiringExceptions([soon, later, gone, revoked], now).map((e) => e.id)).toEqual(['soon']);
  });

  it('formats mapping issues with file and line, keyed by their content', () => {
    const issue = {
      file: 'mappings/a.yaml',
      line: 14,
      path: 'rules[1].projects.web-prd',
      message: 'unknown project',
      severity: 'error' as const,
    };
    const a = mappingReloadFailed([issue], now);
    expect(a.details.issues).toEqual(['mappings/a.yaml:14 rules[1].projects.web-prd: unknown project']);
    expect(mappingReloadFailed([issue], now).key).toBe(a.key);
    expect(mappingReloadFailed(['other'], now).key).not.toBe(a.key);
  });
});
