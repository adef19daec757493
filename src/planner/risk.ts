import { type EntitlementKey, type EntitlementValue, ORG } from '../domain/entitlement.js';
import { type AccessModel, type Project, rankOf, topRolesOf } from '../domain/model.js';
import type { RiskFlag } from '../domain/plan.js';

const PROJECT_PREFIX = 'project:';
/** The same reading of "production" as the mapping's production-Admin check: people also write "prod". */
const PRODUCTION = /^prod(uction)?$/i;

/** Risk flags of one change, in a fixed order. */
export function assessRisk(
  model: AccessModel,
  environments: ReadonlyMap<string, string>,
  key: EntitlementKey,
  from: EntitlementValue,
  to: EntitlementValue,
): RiskFlag[] {
  const flags: RiskFlag[] = [];
  // null ranks below every value; a value the model does not know ranks like null, so compare presence first.
  const up = from === null ? to !== null : to !== null && rankOf(model, key, to) > rankOf(model, key, from);
  const down = to === null ? from !== null : from !== null && rankOf(model, key, to) < rankOf(model, key, from);
  if (up) flags.push('broadens-access');
  if (down) flags.push('revokes-access');
  if (to === null) return flags;
  const top = topRolesOf(model);
  if (to === top.project && key.startsWith(PROJECT_PREFIX)) {
    if (PRODUCTION.test(environments.get(key.slice(PROJECT_PREFIX.length)) ?? '')) flags.push('production-admin');
  }
  if (to === top.org && key === ORG) flags.push('org-admin');
  return flags;
}

export const environmentsOf = (projects: readonly Project[]): Map<string, string> =>
  new Map(projects.map((p) => [p.key, p.environment]));
