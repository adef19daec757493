import { type Access, entitlementKind, type EntitlementKind, normalizeUserKey } from '../domain/entitlement.js';
import type { Teammate } from '../domain/teammate.js';

/** An administrator's word for what Heap now holds, where Heap cannot show it (attested tasks). */
export interface Attestation {
  user: string;
  entitlement: string;
  value: string | null;
}

/**
 * Heap's access as the planner should see it when the target cannot observe some kinds of entitlement: what the
 * target reads for the kinds it observes, and for the others what the last sync established (the baseline) with
 * the administrators' attestations over it. So an unobservable entitlement differs only when the mapping changes,
 * which is a task, never drift: nothing Heap does to it can be seen. Pure; teammates are copied, not changed.
 */
export function believedTeammates(
  actual: readonly Teammate[],
  baseline: ReadonlyMap<string, Access>,
  unobserved: ReadonlySet<EntitlementKind>,
  attested: readonly Attestation[] = [],
): Teammate[] {
  if (unobserved.size === 0) return [...actual];
  const attestedByUser = new Map<string, Attestation[]>();
  for (const a of attested) {
    const key = normalizeUserKey(a.user);
    attestedByUser.set(key, [...(attestedByUser.get(key) ?? []), a]);
  }
  const hidden = (key: string) => {
    const kind = entitlementKind(key);
    return kind !== null && unobserved.has(kind);
  };
  return actual.map((t) => {
    const key = normalizeUserKey(t.email);
    const access: Access = {};
    for (const k in t.access) if (!hidden(k)) access[k] = t.access[k] as string;
    const base = baseline.get(key);
    if (base) for (const k in base) if (hidden(k)) access[k] = base[k] as string;
    for (const a of attestedByUser.get(key) ?? []) {
      if (!hidden(a.entitlement)) continue;
      if (a.value === null) delete access[a.entitlement];
      else access[a.entitlement] = a.value;
    }
    return { ...t, access };
  });
}
