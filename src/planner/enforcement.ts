import type { Enforcement, EntitlementKey, KindEnforcement } from '../domain/entitlement.js';
import { entitlementKind } from '../domain/entitlement.js';
import type { Plan } from '../domain/plan.js';

/** The label of an entitlement key on a target with these per-kind labels (a Team binding is assisted). */
export function enforcementOfEntitlement(
  labels: KindEnforcement,
  user: string,
  key: EntitlementKey,
): Enforcement | undefined {
  if (user.startsWith('team:')) return 'assisted';
  const kind = entitlementKind(key);
  return kind ? labels[kind] : undefined;
}

/** The plan with every change and drift item labelled enforced, assisted or unobservable for this target. */
export function labelPlan(plan: Plan, labels: KindEnforcement): Plan {
  const label = <T extends { user: string; entitlement: string }>(item: T): T => {
    const enforcement = enforcementOfEntitlement(labels, item.user, item.entitlement);
    return enforcement ? { ...item, enforcement } : item;
  };
  return {
    ...plan,
    changes: plan.changes.map(label),
    drift: plan.drift.map(label),
    enforcement: { ...labels },
  };
}
