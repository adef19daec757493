import type { Reason, RuleReason } from '../domain/desired.js';
import { type EntitlementKey, type EntitlementValue, parseEntitlement } from '../domain/entitlement.js';
import type { AccessException } from '../domain/exception.js';
import { type AccessModel, rankOf } from '../domain/model.js';
import type { Suggestion } from '../domain/plan.js';
import type { InverseMapping } from './inverse.js';

/** The drift item's own fields, and what the planner knew about its desired value. */
export interface DriftFacts {
  user: string;
  entitlement: EntitlementKey;
  actual: EntitlementValue;
  desired: EntitlementValue;
}

/** A suggestion before its side effects are known. */
export type Proposal = Omit<Suggestion, 'sideEffects'>;

/** Groups offered when several would each do (each is evaluated for its side effects). */
const MAX_ALTERNATIVES = 3;

/** "Admin on web-prod", "org Admin", "govern editor on web-prod". */
export function describeValue(key: EntitlementKey, value: string): string {
  const ref = parseEntitlement(key);
  if (!ref) return `${value} on ${key}`;
  switch (ref.kind) {
    case 'membership':
      return `${value} membership`;
    case 'org':
      return `org ${value}`;
    case 'project':
      return `${value} on ${ref.project}`;
    case 'module':
      return `${ref.module} ${value} on ${ref.project}`;
    case 'team':
      return `${value} of Team ${ref.team}`;
  }
}

const quoted = (groups: readonly string[]): string => {
  const q = groups.map((g) => `"${g}"`);
  if (q.length === 1) return q[0] ?? '';
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
};

const distinctGroups = (reasons: readonly RuleReason[]): string[] => [...new Set(reasons.map((r) => r.group))].sort();

const isRuleReason = (r: Reason): r is RuleReason => 'rule' in r;

/** One proposal per group that grants the value (the narrowest few), or: add a rule. */
function proposeAdd(facts: DriftFacts, value: string, inverse: InverseMapping): Proposal[] {
  const groups = inverse.groupsGranting(facts.entitlement, value);
  if (!groups.length) {
    return [
      {
        suggestion: `no group grants ${describeValue(facts.entitlement, value)}: add a rule to the mapping`,
        suggestedActions: [{ action: 'add-rule', user: facts.user }],
      },
    ];
  }
  return groups.slice(0, MAX_ALTERNATIVES).map((group) => ({
    suggestion: `add ${facts.user} to group "${group}"`,
    suggestedActions: [{ action: 'add-to-group', user: facts.user, group }],
  }));
}

/**
 * The IdP changes that would make a manual Heap change permanent, found by inverting the mapping (alternatives,
 * narrowest group first): an elevation asks for a group that grants the actual value; a revocation or downgrade asks
 * to leave the groups that grant the desired value now (and, for a downgrade, to join one that grants the lower value).
 */
export function proposeFor(
  facts: DriftFacts,
  desiredReasons: readonly Reason[] | null,
  exception: AccessException | null,
  model: AccessModel,
  inverse: InverseMapping,
): Proposal[] {
  const { user, entitlement, actual, desired } = facts;
  if (exception) {
    const e = exception;
    return [
      {
        suggestion: `exception ${e.id} sets ${entitlement} until ${e.expiresAt}: change or revoke it to accept the value in Heap`,
        suggestedActions: [],
      },
    ];
  }
  const elevation =
    actual !== null && (desired === null || rankOf(model, entitlement, actual) >= rankOf(model, entitlement, desired));
  if (elevation) return proposeAdd(facts, actual, inverse);

  const granting = distinctGroups((desiredReasons ?? []).filter(isRuleReason));
  if (!granting.length) {
    return [
      {
        suggestion: `no group membership explains ${entitlement}: change the mapping, or create an exception to accept the value in Heap`,
        suggestedActions: [],
      },
    ];
  }
  const remove: Proposal = {
    suggestion: `remove ${user} from group ${quoted(granting)}`,
    suggestedActions: granting.map((group) => ({ action: 'remove-from-group', user, group })),
  };
  if (actual === null) return [remove];
  return proposeAdd(facts, actual, inverse).map((add) => ({
    suggestion: `${remove.suggestion}; ${add.suggestion}`,
    suggestedActions: [...remove.suggestedActions, ...add.suggestedActions],
  }));
}
