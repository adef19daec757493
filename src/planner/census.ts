import { type Access, DEACTIVATED, MEMBERSHIP, ORG } from '../domain/entitlement.js';
import type { TopRoles } from '../domain/model.js';

const PROJECT_PREFIX = 'project:';

/**
 * Active Admins (holders of the model's top role) of the organisation and of each project, over every teammate
 * (in scope or not): what the last-Admin guards protect. Filled while the planner walks the teammates anyway, so
 * it costs no extra pass.
 */
export class AdminCensus {
  orgAdmins = 0;
  /** boxed counts: one map lookup per Admin seen instead of a lookup and a store */
  private readonly projectAdmins = new Map<string, { n: number }>();

  constructor(private readonly top: TopRoles) {}

  /** Counts one role of an active teammate. */
  countRole(key: string, value: string | null | undefined): void {
    if (value === undefined || value === null) return;
    if (key === ORG) {
      if (value === this.top.org) this.orgAdmins++;
    } else if (value === this.top.project && key.startsWith(PROJECT_PREFIX)) {
      const box = this.projectAdmins.get(key);
      if (box) box.n++;
      else this.projectAdmins.set(key, { n: 1 });
    }
  }

  /** Counts every role of a teammate the planner does not walk entitlement by entitlement. */
  countTeammate(access: Access): void {
    if (access[MEMBERSHIP] === DEACTIVATED) return;
    for (const key in access) this.countRole(key, access[key]);
  }

  countOf(key: string): number {
    return key === ORG ? this.orgAdmins : (this.projectAdmins.get(key)?.n ?? 0);
  }

  adjust(key: string, delta: number): void {
    if (key === ORG) {
      this.orgAdmins += delta;
      return;
    }
    const box = this.projectAdmins.get(key);
    if (box) box.n += delta;
    else this.projectAdmins.set(key, { n: delta });
  }
}

/** Whether `value` of `key` is the top role of the organisation or of a project (what the guards count). */
export function isTopRole(top: TopRoles, key: string, value: string | null | undefined): boolean {
  if (value === undefined || value === null) return false;
  return key === ORG ? value === top.org : value === top.project && key.startsWith(PROJECT_PREFIX);
}

/** Admin roles that count for the guards: org and projects. */
export function adminKeysOf(top: TopRoles, access: Access): string[] {
  const keys: string[] = [];
  for (const key in access) if (isTopRole(top, key, access[key])) keys.push(key);
  return keys;
}
