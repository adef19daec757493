import { EvaluatedUser } from '../domain/compact-desired.js';
import type { DesiredEntitlement, DesiredUser, GrantReasons } from '../domain/desired.js';
import { grantReasonsOf, ruleReasonsOf } from './grant-reasons.js';
import { type Access, normalizeUserKey } from '../domain/entitlement.js';
import type { Plan } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import { EMPTY_ACCESS, isManaged, visitWanted } from './effective.js';
import { indexExceptions } from './exceptions.js';
import type { PlanInput } from './input.js';
import { baselineOf, forEachSubject } from './subjects.js';

/**
 * The baseline a sync establishes, for every user it planned (in scope), keyed by normalised e-mail.
 *
 * The rule, entitlement by entitlement: B' = the post-sync actual value where it equals the effective desired
 * value (the sync established it, or found it already right), else the old B (null when the user was never
 * reconciled). So a manual override that policy keeps, or a change that failed or a guard blocked, is still
 * seen as a difference on the next run instead of being silently accepted. Entitlements the sync does not
 * manage for the user (the other access of a deactivated user) take the post-sync value: the sync left them
 * as they are on purpose. A user not in Heap after the sync is treated as holding nothing: the baseline is
 * dropped (null) when that is what the sync wanted (a removal, a creation that failed), and kept when the
 * user's removal by hand is kept drift, so that the next run still reports it instead of re-creating the user.
 * Users managed only by deactivation who left Heap drop theirs: there is nothing left to manage.
 *
 * `plan` is the plan that was applied; the rule needs only what the sync wanted and what Heap now holds.
 *
 * Given `reasons`, it also gets, per user with a baseline, why each value was granted: the rules of the desired
 * value the sync established, or the old record's where the old value stays (DESIGN §4: a revocation names them).
 */
export function nextBaseline(
  _plan: Plan,
  input: PlanInput,
  postSync: readonly Teammate[],
  reasons?: Map<string, GrantReasons>,
): Map<string, Access | null> {
  const after = new Map<string, Teammate>();
  for (const t of postSync) after.set(normalizeUserKey(t.email), t);
  const exceptions = indexExceptions(input.exceptions, input.now);
  const out = new Map<string, Access | null>();

  forEachSubject(input, (s) => {
    if (s.renamedFrom !== null) {
      const oldKey = normalizeUserKey(s.renamedFrom);
      // Still under the old e-mail: the rename did not happen, the old baseline stays and the next run renames.
      if (after.has(oldKey) && !after.has(s.key)) return;
      out.set(oldKey, null);
    }
    const post = after.get(s.key);
    if (!post && s.mode === 'deactivate') {
      out.set(s.key, null);
      return;
    }
    const access = post?.access ?? EMPTY_ACCESS;
    const slots = exceptions.size ? exceptions.get(s.key) : undefined;
    if (post && !slots && s.mode === 'mapped' && s.desired && isExactly(s.desired, access)) {
      // In sync (the usual case): the baseline is Heap's access as it is; access records are never mutated.
      out.set(s.key, access);
      if (reasons) reasons.set(s.key, grantsOf(s.desired.entitlements));
      return;
    }
    const old = baselineOf(input.baseline, s);
    const oldWhy = reasons ? grantReasonsOf(input.baselineReasons, s) : undefined;
    const why: GrantReasons = {};
    const next: Access = {};
    for (const key in access) {
      const value = access[key];
      if (value !== undefined && !isManaged(s, key, slots)) {
        next[key] = value;
        if (oldWhy?.[key] && old?.[key] === value) why[key] = oldWhy[key];
      }
    }
    visitWanted(s, access, slots, (w) => {
      const actual = access[w.key] ?? null;
      const established = actual === w.value;
      const value = established ? actual : (old?.[w.key] ?? null);
      if (value === null) delete next[w.key];
      else next[w.key] = value;
      const rules = established ? ruleReasonsOf(w.reasons) : (oldWhy?.[w.key] ?? []);
      if (value !== null && rules.length) why[w.key] = rules;
      else delete why[w.key];
    });
    const entry = post || Object.keys(next).length ? next : null;
    out.set(s.key, entry);
    if (reasons && entry) reasons.set(s.key, why);
  });
  return out;
}

/** The rules behind each desired value (what the baseline keeps of a user in sync). */
function grantsOf(ents: Record<string, DesiredEntitlement>): GrantReasons {
  const why: GrantReasons = {};
  for (const key in ents) {
    const rules = ruleReasonsOf(ents[key]?.reasons ?? null);
    if (rules.length) why[key] = rules;
  }
  return why;
}

/** Whether `access` holds exactly the desired entitlements, no more, no fewer. */
function isExactly(d: DesiredUser, access: Access): boolean {
  const store = EvaluatedUser.slotsOf(d);
  if (store) {
    // an evaluated user's slots, read without building its record: each slot's value, and no more keys than slots
    const u = EvaluatedUser.indexOf(d);
    for (let k = store.from(u); k < store.to(u); k++) if (access[store.keyOf(k)] !== store.valueOf(k)) return false;
    let extra = store.from(u) - store.to(u);
    for (const _ in access) if (++extra > 0) return false;
    return true;
  }
  const ents = d.entitlements;
  for (const key in ents) if (access[key] !== ents[key]?.value) return false;
  for (const key in access) if (ents[key] === undefined) return false;
  return true;
}
