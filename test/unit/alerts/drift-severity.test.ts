import { describe, expect, it } from 'vitest';
import { driftDetected } from '../../../src/alerts/events.js';
import type { AccessModel } from '../../../src/domain/model.js';
import { DEFAULT_MODEL } from '../../../src/domain/model.js';
import { planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, mappingSet, planInput, teammate } from '../planner/builders.js';

/** A manual raise to the top role is urgent whatever the model calls it (DESIGN §10: the top role is data). */
describe('drift alert severity follows the model’s top roles', () => {
  const driftOf = (model: AccessModel, entitlement: string, granted: string, desired: string) => {
    const mapping = { ...mappingSet(), model };
    const ann = 'ann@example.com';
    const plan = planChanges(
      planInput({
        mapping,
        actual: [teammate(ann, { org: desired, [entitlement]: granted })],
        baseline: new Map([[ann, access({ org: desired, [entitlement]: desired })]]),
        desired: desiredState(desiredUser(ann, { org: desired, [entitlement]: desired })),
      }),
    );
    const item = plan.drift.find((d) => d.entitlement === entitlement);
    expect(item, JSON.stringify(plan.drift)).toBeDefined();
    return driftDetected(item!, 'run-1').severity;
  };

  it('org: a raise to "Administrator" in a User/Administrator vocabulary is critical', () => {
    const model = { ...DEFAULT_MODEL, orgRoles: ['User', 'Administrator'] };
    expect(driftOf(model, 'org', 'Administrator', 'User')).toBe('critical');
  });

  it('project: a raise to "Owner" above "Admin" is critical; a raise to "Admin" below it is a warning', () => {
    const model = { ...DEFAULT_MODEL, projectRoles: ['Viewer', 'Member', 'Admin', 'Owner'] };
    expect(driftOf(model, 'project:web-prod', 'Owner', 'Viewer')).toBe('critical');
    expect(driftOf(model, 'project:web-prod', 'Admin', 'Viewer')).toBe('warning');
  });

  it('the default model: a manual Admin is critical, a manual Member a warning', () => {
    expect(driftOf(DEFAULT_MODEL, 'project:web-prod', 'Admin', 'Viewer')).toBe('critical');
    expect(driftOf(DEFAULT_MODEL, 'project:web-prod', 'Member', 'Viewer')).toBe('warning');
  });
});
