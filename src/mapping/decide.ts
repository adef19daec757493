import type { Candidate } from '../domain/desired.js';
import type { EntitlementKey } from '../domain/entitlement.js';
import type { MultiGroupPolicy } from '../domain/mapping.js';
import { type AccessModel, rankOf } from '../domain/model.js';
import { cmp } from './compile.js';

export interface Decision<C extends Candidate> {
  value: string;
  /** every candidate that gives the winning value (at the winning priority under `priority`) */
  winners: C[];
}

/**
 * The reference rule for several candidates of one entitlement (evaluateMapping implements the same rule on
 * integer arrays): `highest` takes the most privileged value; `priority` the lowest priority number, then the
 * most privileged value, then the rule name.
 */
export function decideCandidates<C extends Candidate>(
  candidates: readonly C[],
  policy: MultiGroupPolicy,
  model: AccessModel,
  key: EntitlementKey,
): Decision<C> | null {
  let best: C | undefined;
  for (const c of candidates) if (!best || beats(c, best, policy, model, key)) best = c;
  if (!best) return null;
  const top = best;
  const winners = candidates.filter(
    (c) => c.value === top.value && (policy === 'highest' || c.priority === top.priority),
  );
  return { value: top.value, winners };
}

function beats(a: Candidate, b: Candidate, policy: MultiGroupPolicy, model: AccessModel, key: string): boolean {
  const ra = rankOf(model, key, a.value);
  const rb = rankOf(model, key, b.value);
  if (policy === 'highest') return ra > rb;
  if (a.priority !== b.priority) return a.priority < b.priority;
  if (ra !== rb) return ra > rb;
  return cmp(a.rule, b.rule) < 0;
}
