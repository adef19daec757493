import { type Access, normalizeUserKey } from '../domain/entitlement.js';
import type { Plan } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import { isManaged, visitWanted } from './effective.js';
import { indexExceptions } from './exceptions.js';
import type { PlanInput } from './input.js';
import { baselineOf, resolveSubjects } from './subjects.js';

/**
 * The baseline a sync establishes, for every user it planned (in scope), keyed by normalised e-mail.
 *
 * The rule, entitlement by entitlement: B' = the post-sync actual value where it equals the effective desired
 * value (the sync established it, or found it already right), else the old B (null when the user was never
 * reconciled). So a manual override that policy keeps, or a change that failed or a guard blocked, is still
 * seen as a difference on the next run instead of being silently accepted. Entitlements the sync does not
 * manage for the user (the other access of a deactivated user) take the post-sync value: the sync left them
 * as they are on purpose. A user no longer in Heap after the sync maps to null (drop the baseline).
 *
 * `plan` is the plan that was applied; the rule needs only what the sync wanted and what Heap now holds.
 */
export function nextBaseline(_plan: Plan, input: PlanInput, postSync: readonly Teammate[]): Map<string, Access | null> {
  const after = new Map<string, Teammate>();
  for (const t of postSync) after.set(normalizeUserKey(t.email), t);
  const exceptions = indexExceptions(input.exceptions, input.now);
  const out = new Map<string, Access | null>();

  for (const s of resolveSubjects(input).subjects) {
    const post = after.get(s.key);
    if (!post) {
      out.set(s.key, null);
      continue;
    }
    const old = baselineOf(input.baseline, s);
    const slots = exceptions.get(s.key);
    const next: Access = {};
    for (const key in post.access) {
      const value = post.access[key];
      if (value !== undefined && !isManaged(s, key, slots)) next[key] = value;
    }
    visitWanted(s, post.access, slots, (w) => {
      const actual = post.access[w.key] ?? null;
      const value = actual === w.value ? actual : (old?.[w.key] ?? null);
      if (value === null) delete next[w.key];
      else next[w.key] = value;
    });
    out.set(s.key, next);
  }
  return out;
}
