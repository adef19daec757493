import type { Access } from '../domain/entitlement.js';
import type { ChangeResult, PostSyncDiffItem } from '../domain/journal.js';
import type { Plan } from '../domain/plan.js';
import { factsOf, type Teammate, type TeammateFacts } from '../domain/teammate.js';

/**
 * What is still not as desired after the run, and why: changes a guard blocked, writes that failed,
 * manual changes the policy keeps, and changes that were applied but that Heap does not show.
 */
export function diffPostSync(plan: Plan, results: ChangeResult[], post: Map<string, Access>): PostSyncDiffItem[] {
  const items: PostSyncDiffItem[] = [];
  for (const r of results) {
    const { user, entitlement, to } = r.change;
    const actual = post.get(user)?.[entitlement] ?? null;
    if (actual === to) continue;
    const why =
      r.outcome === 'blocked'
        ? `blocked by guard ${r.change.blocked}`
        : r.outcome === 'failed'
          ? `write failed: ${r.error ?? 'unknown error'}`
          : r.outcome === 'skipped'
            ? `skipped: ${r.error ?? 'not attempted'}`
            : `applied, but Heap shows ${actual ?? 'no access'}`;
    items.push({ user, entitlement, desired: to, actual, why });
  }
  for (const d of plan.drift) {
    if (d.action !== 'keep') continue;
    items.push({
      user: d.user,
      entitlement: d.entitlement,
      desired: d.desired,
      actual: post.get(d.user)?.[d.entitlement] ?? null,
      why: `${d.cause} kept by policy (manualOverrides: keep)`,
    });
  }
  return items;
}

export const accessByUser = (teammates: Teammate[]): Map<string, Access> =>
  new Map(teammates.map((t) => [t.email.toLowerCase(), t.access]));

/** The access of just the given users, for the journal's pre- and post-sync state. */
export function pickAccess(all: Map<string, Access>, users: Iterable<string>): Record<string, Access> {
  const out: Record<string, Access> = {};
  for (const u of [...users].sort()) out[u] = all.get(u) ?? {};
  return out;
}

/** Owned assets and last activity of just the given users, for the journal's pre-sync state. */
export function pickFacts(teammates: readonly Teammate[], users: ReadonlySet<string>): Record<string, TeammateFacts> {
  const out: Record<string, TeammateFacts> = {};
  const picked = teammates.filter((t) => users.has(t.email.toLowerCase()));
  picked.sort((a, b) => (a.email.toLowerCase() < b.email.toLowerCase() ? -1 : 1));
  for (const t of picked) {
    const facts = factsOf(t);
    if (facts) out[t.email.toLowerCase()] = facts;
  }
  return out;
}
