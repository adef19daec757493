import type { Reason } from '../domain/desired.js';
import type { Access, EntitlementValue } from '../domain/entitlement.js';
import type { AccessException } from '../domain/exception.js';
import type { Cause, Change, DriftItem, Plan, PlanSummary } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import { classifyDifference } from './classify.js';
import { EMPTY_ACCESS, type Wanted, visitWanted } from './effective.js';
import { exceptionReason, indexExceptions } from './exceptions.js';
import type { PlanInput } from './input.js';
import { InverseMapping } from './inverse.js';
import { compareByUserThenEntitlement, compareReasons } from './order.js';
import { assessRisk, environmentsOf } from './risk.js';
import { runGuards } from './guards.js';
import { resolveSubjects, type Subject } from './subjects.js';
import { suggestFor } from './suggest.js';

interface DriftDraft {
  item: Omit<DriftItem, 'suggestion' | 'suggestedActions'>;
  desiredReasons: readonly Reason[] | null;
  exception: AccessException | null;
}

/** The baseline entry of a subject, whichever form of its e-mail the caller keyed it by. */
export const baselineOf = (baseline: ReadonlyMap<string, Access>, s: Subject): Access | undefined =>
  baseline.get(s.key) ?? baseline.get(s.user);

/**
 * The three-way planner (DESIGN §4): for every managed user and entitlement, compares desired (D), actual (A)
 * and baseline (B), and returns the changes, the drift and the guards' verdict. Pure and deterministic:
 * the same inputs in any order give a deep-equal plan.
 */
export function planChanges(input: PlanInput): Plan {
  const { mapping } = input;
  const policy = mapping.policy;
  const { subjects, warnings } = resolveSubjects(input);
  const exceptions = indexExceptions(input.exceptions, input.now);
  const environments = environmentsOf(mapping.projects);
  let inverse: InverseMapping | null = null;
  const inverted = (): InverseMapping => (inverse ??= new InverseMapping(mapping));

  const changes: Change[] = [];
  const drafts: DriftDraft[] = [];
  const teammateOf = new Map<string, Teammate | null>();

  /** Why an entitlement goes: rules or policy say so, or (for a mapped user) no rule grants the old value any more. */
  const reasonsFor = (s: Subject, w: Wanted, from: EntitlementValue): Reason[] => {
    if (w.reasons) return w.reasons.length > 1 ? [...w.reasons].sort(compareReasons) : [...w.reasons];
    return from === null ? [] : [...inverted().rulesGranting(w.key, from)];
  };

  for (const s of subjects) {
    const access = s.teammate?.access ?? EMPTY_ACCESS;
    const base = baselineOf(input.baseline, s);
    const slots = exceptions.get(s.key);
    let touched = false;
    const emit = (w: Wanted, from: EntitlementValue, cause: Cause, reasons: Reason[]): void => {
      const risk = assessRisk(mapping.model, environments, w.key, from, w.value);
      changes.push({ user: s.user, entitlement: w.key, from, to: w.value, cause, reasons, risk, blocked: null });
      if (!touched) teammateOf.set(s.key, s.teammate);
      touched = true;
    };

    visitWanted(s, access, slots, (w) => {
      const a = access[w.key] ?? null;
      const d = w.value;
      if (a === d) return;
      const expired = w.exception ? null : w.slot?.expired;
      if (expired && expired.value === a) {
        // An approved temporary value ran out: revert it whatever the drift policy, and say why.
        emit(w, a, 'exception', [exceptionReason(expired, true), ...reasonsFor(s, w, a)]);
        return;
      }
      const b = base === undefined ? undefined : (base[w.key] ?? null);
      const cause = classifyDifference(a, d, b);
      if (cause === 'idp-change') {
        emit(w, a, w.exception ? 'exception' : 'idp-change', reasonsFor(s, w, a));
        return;
      }
      const action = policy.manualOverrides;
      drafts.push({
        item: { user: s.user, entitlement: w.key, baseline: b ?? null, actual: a, desired: d, cause, action },
        desiredReasons: w.reasons,
        exception: w.exception,
      });
      if (action === 'revert') emit(w, a, cause, reasonsFor(s, w, a));
    });
  }

  changes.sort(compareByUserThenEntitlement);
  drafts.sort((x, y) => compareByUserThenEntitlement(x.item, y.item));
  const drift: DriftItem[] = drafts.map((draft) => ({
    ...draft.item,
    ...suggestFor(
      { ...draft.item, desiredReasons: draft.desiredReasons, exception: draft.exception },
      mapping.model,
      inverted(),
    ),
  }));

  const guard = runGuards(changes, input.actual, teammateOf, policy.guards, input.approved ?? false);
  return {
    changes,
    drift,
    held: guard.held,
    heldBy: guard.heldBy,
    summary: summarize(subjects.length, changes, drift, guard.revocations, guard.orgAdminsAfter, guard.risk),
    warnings: [...warnings, ...guard.warnings],
  };
}

function summarize(
  users: number,
  changes: readonly Change[],
  drift: readonly DriftItem[],
  revocations: number,
  orgAdminsAfter: number,
  guardRisk: readonly string[],
): PlanSummary {
  const byCause: Partial<Record<Cause, number>> = {};
  let blocked = 0;
  let productionAdmin = 0;
  let orgAdmin = 0;
  for (const c of changes) {
    byCause[c.cause] = (byCause[c.cause] ?? 0) + 1;
    if (c.blocked) {
      blocked++;
      continue;
    }
    if (c.risk.includes('production-admin')) productionAdmin++;
    if (c.risk.includes('org-admin')) orgAdmin++;
  }
  const risk: string[] = [];
  if (productionAdmin) risk.push(`${productionAdmin} change(s) grant Admin on a production project`);
  if (orgAdmin) risk.push(`${orgAdmin} change(s) grant org Admin`);
  if (blocked) risk.push(`${blocked} change(s) blocked by guards`);
  risk.push(...guardRisk);
  return { users, changes: changes.length, blocked, revocations, drift: drift.length, byCause, orgAdminsAfter, risk };
}
