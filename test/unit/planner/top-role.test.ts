import { describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import type { AccessModel } from '../../../src/domain/model.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { planChanges } from '../../../src/planner/index.js';
import { desiredState, desiredUser, mappingSet, planInput, teammate, unmappedUser } from './builders.js';

/** A vocabulary in which nothing is called Admin: the top role is whatever comes last. */
const MODEL: AccessModel = {
  orgRoles: ['User', 'Administrator'],
  projectRoles: ['Reader', 'Editor', 'Owner'],
  modules: {},
  licensedModules: [],
};
const PROD = 'project:web-prod';

const person = (email: string, org: string, extra: Access = {}): Teammate =>
  teammate(email, { org, ...extra }, { email });

function plan(actual: Teammate[], desired: ReturnType<typeof desiredUser>[]) {
  const mapping = { ...mappingSet(), model: MODEL };
  return planChanges(
    planInput({
      mapping,
      actual,
      desired: desiredState(...desired),
      baseline: new Map(actual.map((t) => [t.email, { ...t.access }])),
    }),
  );
}

describe('the top role is data (orgRoles: [User, Administrator])', () => {
  it('never deactivates the only Administrator of the organisation', () => {
    const p = plan(
      [person('ada@example.com', 'Administrator'), person('bo@example.com', 'User')],
      [desiredUser('bo@example.com', { org: 'User' }), unmappedUser('ada@example.com')],
    );
    expect(p.changes).toMatchObject([
      { user: 'ada@example.com', entitlement: 'membership', to: 'deactivated', blocked: 'lastOrgAdmin' },
    ]);
    expect(p.summary.orgAdminsAfter).toBe(1);
  });

  it('never demotes the only Administrator to User', () => {
    const p = plan([person('ada@example.com', 'Administrator')], [desiredUser('ada@example.com', { org: 'User' })]);
    expect(p.changes).toMatchObject([
      { entitlement: 'org', from: 'Administrator', to: 'User', blocked: 'lastOrgAdmin' },
    ]);
  });

  it('lets an Administrator go when another stays, and counts Administrators for maxOrgAdmins', () => {
    const p = plan(
      [person('ada@example.com', 'Administrator'), person('cy@example.com', 'Administrator')],
      [desiredUser('ada@example.com', { org: 'User' }), desiredUser('cy@example.com', { org: 'Administrator' })],
    );
    expect(p.changes).toMatchObject([{ user: 'ada@example.com', entitlement: 'org', blocked: null }]);
    expect(p.summary.orgAdminsAfter).toBe(1);
  });

  it('never removes the last Owner of a project, and flags granting the top roles', () => {
    const p = plan(
      [person('ada@example.com', 'Administrator', { [PROD]: 'Owner' }), person('bo@example.com', 'User')],
      [
        desiredUser('ada@example.com', { org: 'Administrator', [PROD]: 'Reader' }),
        desiredUser('bo@example.com', { org: 'Administrator', 'project:web-staging': 'Owner' }),
      ],
    );
    const byKey = new Map(p.changes.map((c) => [`${c.user} ${c.entitlement}`, c]));
    expect(byKey.get(`ada@example.com ${PROD}`)).toMatchObject({ to: 'Reader', blocked: 'lastProjectAdmin' });
    expect(byKey.get('bo@example.com org')?.risk).toContain('org-admin');
    expect(byKey.get('bo@example.com project:web-staging')?.risk).toEqual(['broadens-access']);
    const prodGrant = plan(
      [person('bo@example.com', 'User')],
      [desiredUser('bo@example.com', { org: 'User', [PROD]: 'Owner' })],
    ).changes[0];
    expect(prodGrant?.risk).toEqual(['broadens-access', 'production-admin']);
  });

  it('does not treat a role merely called Admin as the top role', () => {
    const mapping = {
      ...mappingSet(),
      model: { ...MODEL, orgRoles: ['Admin', 'Owner'] },
    };
    const actual = [person('ada@example.com', 'Owner'), person('bo@example.com', 'Admin')];
    const p = planChanges(
      planInput({
        mapping,
        actual,
        desired: desiredState(desiredUser('ada@example.com', { org: 'Admin' })),
        baseline: new Map(actual.map((t) => [t.email, { ...t.access }])),
      }),
    );
    const byUser = new Map(p.changes.map((c) => [c.user, c]));
    expect(byUser.get('ada@example.com')).toMatchObject({ to: 'Admin', blocked: 'lastOrgAdmin' });
    expect(byUser.get('bo@example.com')).toMatchObject({ to: 'deactivated', blocked: null });
  });
});
