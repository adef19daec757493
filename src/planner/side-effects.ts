import { EvaluatedUser } from '../domain/compact-desired.js';
import type { DesiredUser, RuleReason } from '../domain/desired.js';
import {
  type Access,
  compareEntitlements,
  DEACTIVATED,
  type EntitlementKey,
  MEMBERSHIP,
} from '../domain/entitlement.js';
import type { MappingSet } from '../domain/mapping.js';
import type { SideEffect, SuggestedAction, Suggestion } from '../domain/plan.js';
import { evaluateReasons } from '../mapping/evaluate-reasons.js';
import type { InverseMapping } from './inverse.js';

/** What a drift item's suggestions are evaluated against: the user's mapping now and Heap's access. */
export interface SuggestionSubject {
  desired: DesiredUser | null;
  access: Access;
}

/** Entitlement values as a sync would leave them (absent: no access). */
type Values = ReadonlyMap<EntitlementKey, string>;

/** Every (rule, group) that matches the user now (on membership and on each value they give; repeats are harmless). */
function reasonsOf(desired: DesiredUser): RuleReason[] {
  // an evaluated user's slots keep them without building its entitlements record
  const store = EvaluatedUser.slotsOf(desired);
  if (store) return store.allReasonsOf(EvaluatedUser.indexOf(desired));
  const out = new Set<RuleReason>();
  for (const key in desired.entitlements) for (const r of desired.entitlements[key]?.reasons ?? []) out.add(r);
  return [...out];
}

/** The reasons after the IdP change: left groups match nothing, a joined group matches every rule naming it. */
function reasonsAfter(inverse: InverseMapping, now: RuleReason[], actions: readonly SuggestedAction[], source: string) {
  const left = new Set<string>();
  for (const a of actions) if (a.action === 'remove-from-group' && a.group !== undefined) left.add(a.group);
  const after = left.size ? now.filter((r) => !left.has(r.group)) : [...now];
  for (const a of actions) {
    if (a.action !== 'add-to-group' || a.group === undefined) continue;
    for (const rule of inverse.rulesOfGroup(a.group)) {
      after.push({ rule: rule.name, group: a.group, source: rule.source ?? source });
    }
  }
  return after;
}

/** What policy.unmappedUsers makes of a user's access: deactivate changes membership only, remove takes all. */
function unmapped(mapping: MappingSet, access: Values): Values {
  switch (mapping.policy.unmappedUsers) {
    case 'deactivate':
      return new Map(access).set(MEMBERSHIP, DEACTIVATED);
    case 'remove':
      return new Map();
    case 'keep':
      return access;
  }
}

/** Heap as a sync would leave the user with these reasons: the mapping's values, or policy.unmappedUsers on `access`. */
function synced(mapping: MappingSet, reasons: readonly RuleReason[], access: () => Values): Values {
  return evaluateReasons(mapping, reasons) ?? unmapped(mapping, access());
}

function differences(before: Values, after: Values, except: EntitlementKey): SideEffect[] {
  const out: SideEffect[] = [];
  after.forEach((to, entitlement) => {
    const from = before.get(entitlement) ?? null;
    if (from !== to && entitlement !== except) out.push({ entitlement, from, to });
  });
  before.forEach((from, entitlement) => {
    if (!after.has(entitlement) && entitlement !== except) out.push({ entitlement, from, to: null });
  });
  return inOrder(out) ? out : out.sort(byEntitlement);
}

const byEntitlement = (a: SideEffect, b: SideEffect): number => compareEntitlements(a.entitlement, b.entitlement);

/** Evaluation lists entitlements in order already: a wide group's hundreds of side effects need no sort. */
function inOrder(effects: readonly SideEffect[]): boolean {
  for (let i = 1; i < effects.length; i++) if (byEntitlement(effects[i - 1]!, effects[i]!) > 0) return false;
  return true;
}

/**
 * Each suggestion with its side effects (DESIGN §11): the other entitlement changes its group change would cause
 * for that user, found by evaluating the mapping for that one user with the changed membership. Ordered by fewest
 * side effects; ties keep the order they came in (narrowest group first). Suggestions that change no group
 * (add a rule, revoke an exception) have none. Only drift items come here, never the planner's walk.
 */
export function withSideEffects(
  mapping: MappingSet,
  inverse: InverseMapping,
  entitlement: EntitlementKey,
  subject: SuggestionSubject,
  proposals: readonly Omit<Suggestion, 'sideEffects'>[],
): Suggestion[] {
  let reasons: RuleReason[] | undefined;
  let before: Values | undefined;
  const source = subject.desired?.source ?? 'any';
  const evaluated = proposals.map((p): Suggestion => {
    if (!p.suggestedActions.some((a) => a.action !== 'add-rule')) return { ...p, sideEffects: [] };
    // "now" is evaluated the same way as "after", so only the group change can make them differ
    reasons ??= subject.desired?.mapped ? reasonsOf(subject.desired) : [];
    before ??= synced(mapping, reasons, () => new Map(Object.entries(subject.access)));
    const now = before;
    const after = synced(mapping, reasonsAfter(inverse, reasons, p.suggestedActions, source), () => now);
    return { ...p, sideEffects: differences(before, after, entitlement) };
  });
  // Array.prototype.sort is stable: equal counts keep the narrowest-group-first order
  return evaluated.sort((a, b) => a.sideEffects.length - b.sideEffects.length);
}
