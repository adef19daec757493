import {
  ACTIVE,
  DEACTIVATED,
  type EntitlementKey,
  MEMBERSHIP,
  parseEntitlement,
  TEAM_MEMBER,
} from '../domain/entitlement.js';
import { type AccessModel, valuesOf } from '../domain/model.js';

/** What this Heap knows: its projects and, when given, its role vocabulary. Unset means "accept any". */
export interface AccessRules {
  projects?: string[];
  model?: AccessModel;
}

/** The problem with the entitlement `key` in this Heap, or null when it exists. */
export function checkEntitlementKey(rules: AccessRules, key: EntitlementKey): string | null {
  const ref = parseEntitlement(key);
  if (!ref) {
    return `unknown entitlement "${key}" (membership, org, project:<project>, module:<module>:<project> or team:<name>)`;
  }
  if ((ref.kind === 'project' || ref.kind === 'module') && rules.projects && !rules.projects.includes(ref.project)) {
    return `unknown project "${ref.project}" (known: ${rules.projects.join(', ') || 'none'})`;
  }
  if (ref.kind === 'module' && rules.model) {
    if (!rules.model.modules[ref.module]) return `unknown module "${ref.module}"`;
    if (!rules.model.licensedModules.includes(ref.module)) return `module "${ref.module}" is not licensed`;
  }
  return null;
}

/** The problem with giving `value` for `key` in this Heap, or null when it is fine. */
export function checkEntitlement(rules: AccessRules, key: EntitlementKey, value: string): string | null {
  const keyProblem = checkEntitlementKey(rules, key);
  if (keyProblem) return keyProblem;
  if (key === MEMBERSHIP) {
    return value === ACTIVE || value === DEACTIVATED ? null : `membership is "${ACTIVE}" or "${DEACTIVATED}"`;
  }
  if (!value.trim()) return `a value for "${key}" cannot be empty`;
  if (parseEntitlement(key)?.kind === 'team' && value !== TEAM_MEMBER) return `a Team entitlement is "${TEAM_MEMBER}"`;
  const allowed = rules.model ? valuesOf(rules.model, key) : null;
  if (allowed && !allowed.includes(value)) return `"${value}" is not a value of ${key} (${allowed.join(', ')})`;
  return null;
}

/** The problem with a Team giving `role` on `project`, or null. */
export function checkTeamBinding(rules: AccessRules, project: string, role: string): string | null {
  if (rules.projects && !rules.projects.includes(project)) {
    return `unknown project "${project}" (known: ${rules.projects.join(', ') || 'none'})`;
  }
  if (!role.trim()) return `a role for project "${project}" cannot be empty`;
  const allowed = rules.model?.projectRoles;
  if (allowed && !allowed.includes(role)) return `"${role}" is not a project role (${allowed.join(', ')})`;
  return null;
}
