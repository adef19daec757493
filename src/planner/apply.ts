import { type Access, MEMBERSHIP, normalizeUserKey } from '../domain/entitlement.js';
import type { Change } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';

/**
 * What Heap would hold after the plan's unblocked changes: a pure model of applying them. A user whose
 * membership goes to null leaves Heap; a user not in Heap appears with the access granted.
 */
export function applyChanges(actual: readonly Teammate[], changes: readonly Change[]): Teammate[] {
  const byUser = new Map<string, Change[]>();
  for (const c of changes) {
    if (c.blocked) continue;
    const key = normalizeUserKey(c.user);
    const list = byUser.get(key);
    if (list) list.push(c);
    else byUser.set(key, [c]);
  }
  const out: Teammate[] = [];
  for (const t of actual) {
    const key = normalizeUserKey(t.email);
    const list = byUser.get(key);
    if (!list) {
      out.push(t);
      continue;
    }
    byUser.delete(key);
    const { access, removed } = applyTo(t.access, list);
    if (!removed) out.push({ ...t, access });
  }
  const created = [...byUser.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, list] of created) {
    const { access, removed } = applyTo({}, list);
    const first = list[0];
    if (first && !removed && Object.keys(access).length) out.push({ email: first.user, access });
  }
  return out;
}

function applyTo(start: Access, changes: readonly Change[]): { access: Access; removed: boolean } {
  const access: Access = { ...start };
  let removed = false;
  for (const c of changes) {
    if (c.to === null) delete access[c.entitlement];
    else access[c.entitlement] = c.to;
    if (c.entitlement === MEMBERSHIP) removed = c.to === null;
  }
  return { access, removed };
}
