import { describe, expect, it } from 'vitest';
import type { Teammate } from '../../../src/domain/teammate.js';
import { planChanges } from '../../../src/planner/index.js';
import type { SourceReading } from '../../../src/planner/input.js';
import { desiredState, desiredUser, planInput, teammate } from './builders.js';

const STAGING = 'project:web-staging';

/** Ten teammates in sync; two org Admins so the last-Admin guard blocks nothing. */
const TEAM: Teammate[] = Array.from({ length: 10 }, (_, i) =>
  teammate(`u${i}@example.com`, i < 2 ? { org: 'Admin' } : { [STAGING]: 'Member' }),
);

const reading = (users: number, previousUsers: number | null, extra: Partial<SourceReading> = {}): SourceReading => ({
  source: 'okta',
  users,
  previousUsers,
  waitingForFirstPush: false,
  ...extra,
});

/** The plan when the directory now holds only the first `kept` teammates, with the sources as read. */
function plan(kept: number, sources: SourceReading[], approved = false) {
  return planChanges(
    planInput({
      actual: TEAM,
      baseline: new Map(TEAM.map((t) => [t.email, { ...t.access }])),
      desired: desiredState(...TEAM.slice(0, kept).map((t) => desiredUser(t.email, { ...t.access }))),
      sources,
      approved,
      policy: { guards: { maxRevocationPercent: 100 } },
    }),
  );
}

describe('suspicious reads (source-shrank)', () => {
  it('holds a plan whose source read succeeded but returned no users', () => {
    const p = plan(0, [reading(0, 10)]);
    expect(p).toMatchObject({
      held: true,
      heldBy: 'source-shrank',
      holdReason: 'source okta returned no users (its last good read had 10): a broken filter or an outage?',
    });
  });

  it('holds an empty first read too: there is no reference, and no users is never normal', () => {
    expect(plan(0, [reading(0, null)]).heldBy).toBe('source-shrank');
  });

  it('holds a read with fewer than minSourceFraction of the last good read', () => {
    const p = plan(4, [reading(4, 10)]);
    expect(p.heldBy).toBe('source-shrank');
    expect(p.holdReason).toBe(
      'source okta returned 4 users, fewer than minSourceFraction (0.5) of the 10 in its last good read',
    );
  });

  it('applies a read at the fraction, and an approved one', () => {
    expect(plan(5, [reading(5, 10)]).held).toBe(false);
    const approved = plan(0, [reading(0, 10)], true);
    expect(approved).toMatchObject({ held: false, heldBy: null });
    expect(approved.summary.risk).toContainEqual(expect.stringMatching(/^source okta returned no users .*: approved$/));
  });

  it('only warns when the small read revokes nothing', () => {
    const p = plan(10, [reading(3, 10), reading(7, 7, { source: 'entra' })]);
    expect(p.held).toBe(false);
    expect(p.warnings).toContain(
      'source okta returned 3 users, fewer than minSourceFraction (0.5) of the 10 in its last good read',
    );
  });
});

describe('a SCIM source waiting for its first push', () => {
  it('plans no revocation: the users it would revoke stay as they are, grants still go', () => {
    const input = planInput({
      actual: TEAM,
      baseline: new Map(TEAM.map((t) => [t.email, { ...t.access }])),
      desired: desiredState(desiredUser('new@example.com', { [STAGING]: 'Viewer' })),
      sources: [reading(0, null, { source: 'scim', waitingForFirstPush: true })],
    });
    const p = planChanges(input);
    expect(p.held).toBe(false);
    expect(p.changes.map((c) => [c.user, c.entitlement, c.to])).toEqual([
      ['new@example.com', 'membership', 'active'],
      ['new@example.com', 'org', 'Member'],
      ['new@example.com', STAGING, 'Viewer'],
    ]);
    expect(p.warnings).toContain(
      'source scim is waiting for its first push: 10 revocation(s) for 10 user(s) not planned; they stay as they are',
    );
  });
});
