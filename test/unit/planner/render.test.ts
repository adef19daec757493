import { describe, expect, it } from 'vitest';
import { planChanges, planToJson, renderPlanText } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, planInput, teammate } from './builders.js';

const input = planInput({
  policy: { guards: { maxRevocations: 0 } },
  desired: desiredState(
    desiredUser('alice@example.com', { 'project:web-prod': 'Admin' }),
    desiredUser('bob@example.com'),
  ),
  actual: [
    teammate('alice@example.com', { 'project:web-prod': 'Member' }),
    teammate('bob@example.com', { org: 'Admin' }),
  ],
  baseline: new Map([
    ['alice@example.com', access({ 'project:web-prod': 'Member' })],
    ['bob@example.com', access()],
  ]),
});

describe('renderPlanText', () => {
  it('prints changes, drift with suggestions, summary and the hold, without colours', () => {
    const text = renderPlanText(planChanges(input));
    expect(text).toBe(
      [
        'Changes (2):',
        'USER               ENTITLEMENT       FROM -> TO       CAUSE            RISK                              BLOCKED       REASONS',
        '-----------------  ----------------  ---------------  ---------------  --------------------------------  ------------  -------------------------------------',
        'alice@example.com  project:web-prod  Member -> Admin  idp-change       broadens-access,production-admin  -             rule analysts (group Analytics, file)',
        'bob@example.com    org               Admin -> Member  manual-override  revokes-access                    lastOrgAdmin  rule analysts (group Analytics, file)',
        '',
        'Drift (1):',
        '  bob@example.com  org: baseline Member, actual Admin, desired Member  [manual-override, revert]',
        '    suggestion: add bob@example.com to group "Heap Admins"',
        '      side effects: none',
        '    first seen 2025-06-01T12:00:00.000Z; reverts at 2025-06-01T12:00:00.000Z',
        '',
        'Summary:',
        '  users planned: 2',
        '  changes: 2 (1 blocked); idp-change 1, manual-override 1',
        '  revocations: 0',
        '  drift: 1',
        '  org Admins after: 1',
        '  risk: 1 change(s) grant Admin on a production project',
        '  risk: 1 change(s) blocked by guards',
        '',
      ].join('\n'),
    );
    expect(text.includes(String.fromCharCode(27))).toBe(false);
  });

  it('says when there is nothing to do, and when the plan is held', () => {
    const held = planChanges({
      ...input,
      desired: desiredState(desiredUser('alice@example.com'), desiredUser('bob@example.com', { org: 'Admin' })),
    });
    const text = renderPlanText(held);
    expect(text).toContain('No drift.');
    expect(text).toContain('no longer granted by rule analysts (group Analytics, any)');
    expect(text).toContain(
      'HELD by maxRevocations (1 of 2 managed active user(s) would lose access, more than maxRevocations (0)): ' +
        'nothing is applied until an administrator approves this plan.',
    );
    const empty = renderPlanText(planChanges(planInput()));
    expect(empty.startsWith('No changes.\n\nNo drift.\n')).toBe(true);
  });
});

describe('planToJson', () => {
  it('has the DESIGN §6 shape, fields in order, and survives JSON', () => {
    const plan = planChanges(input);
    const json = planToJson(plan);
    expect(Object.keys(json)).toEqual([
      'changes',
      'renames',
      'drift',
      'held',
      'heldBy',
      'holdReason',
      'summary',
      'warnings',
    ]);
    expect(Object.keys(json.changes[0] ?? {})).toEqual([
      'user',
      'entitlement',
      'from',
      'to',
      'cause',
      'reasons',
      'risk',
      'blocked',
    ]);
    expect(Object.keys(json.drift[0] ?? {})).toEqual([
      'user',
      'entitlement',
      'baseline',
      'actual',
      'desired',
      'cause',
      'action',
      // a manual Admin (the top role) the mapping does not give
      'escalation',
      'suggestion',
      'suggestedActions',
      'sideEffects',
      'suggestions',
      'firstSeen',
      'revertsAt',
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(plan);
    expect(json.changes[0]).toEqual({
      user: 'alice@example.com',
      entitlement: 'project:web-prod',
      from: 'Member',
      to: 'Admin',
      cause: 'idp-change',
      reasons: [{ rule: 'analysts', group: 'Analytics', source: 'file' }],
      risk: ['broadens-access', 'production-admin'],
      blocked: null,
    });
  });
});
