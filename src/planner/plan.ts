import type { Cause, Change, DriftItem, Plan, PlanSummary } from '../domain/plan.js';
import { gateApprovals } from './approvals.js';
import { durationMs } from '../domain/duration.js';
import { sightingKey } from '../domain/drift.js';
import { topRolesOf } from '../domain/model.js';
import { indexExceptions } from './exceptions.js';
import { runGuards } from './guards.js';
import { judgeReads } from './source-reads.js';
import type { PlanInput } from './input.js';
import { InverseMapping } from './inverse.js';
import { compareByUserThenEntitlement } from './order.js';
import { forEachSubject } from './subjects.js';
import { withSideEffects } from './side-effects.js';
import { proposeFor } from './suggest.js';
import { teamBindingDrift } from './team-bindings.js';
import { PlanWalker } from './walk.js';

/**
 * Each drift item's suggestions are evaluated for their side effects, one user at a time (about 0.1 ms an item):
 * a mass drift of thousands of items gets them for the first ones, so a plan's cost stays the walk's.
 */
const MAX_DRIFT_WITH_SIDE_EFFECTS = 1_000;

/**
 * The three-way planner (DESIGN §4): for every managed user and entitlement, compares desired (D), actual (A)
 * and baseline (B), and returns the changes, the drift and the guards' verdict. Pure and deterministic:
 * the same inputs in any order give a deep-equal plan.
 */
export function planChanges(input: PlanInput): Plan {
  const { mapping } = input;
  let inverse: InverseMapping | null = null;
  const inverted = (): InverseMapping => (inverse ??= new InverseMapping(mapping));
  const grace = {
    now: input.now,
    revertAfterMs: durationMs(mapping.policy.revertAfter) ?? 0,
    sightings: input.sightings ?? new Map(),
    revertNow: input.revertNow ?? false,
  };
  const exceptions = indexExceptions(input.exceptions, input.now);
  const walker = new PlanWalker(mapping, input.baseline, exceptions, grace, input.baselineReasons);
  const { count, managedActiveUnvisited, renames, others, warnings } = forEachSubject(input, (s) => walker.walk(s));
  const managedActive = managedActiveUnvisited + walker.activeTeammates;

  for (const t of others) walker.census.countTeammate(t.access);

  const reads = judgeReads(input.sources, mapping.policy.guards);
  let changes = walker.changes.sort(compareByUserThenEntitlement);
  if (reads.waiting.length) {
    // A SCIM source nobody has pushed to yet says nothing about who left: revoke nothing until it has spoken.
    const kept: Change[] = [];
    const leftAlone = new Set<string>();
    let left = 0;
    for (const c of changes) {
      if (!c.risk.includes('revokes-access')) kept.push(c);
      else {
        left++;
        leftAlone.add(c.user);
      }
    }
    if (left) {
      warnings.push(
        `source ${reads.waiting.join(', ')} is waiting for its first push: ${left} revocation(s) for ` +
          `${leftAlone.size} user(s) not planned; they stay as they are`,
      );
    }
    changes = kept;
  }
  const drafts = walker.drafts.sort((x, y) => compareByUserThenEntitlement(x.item, y.item));
  const drift: DriftItem[] = drafts.map(({ item, desiredReasons, exception, subject }, i) => {
    const proposals = proposeFor(item, desiredReasons, exception, mapping.model, inverted());
    // the draft's item is its own object: completed in place (a copy of 10,000 items costs more than the rest)
    if (i >= MAX_DRIFT_WITH_SIDE_EFFECTS) {
      const { suggestion, suggestedActions } = proposals[0] ?? { suggestion: '', suggestedActions: [] };
      return Object.assign(item, { suggestion, suggestedActions });
    }
    const suggestions = withSideEffects(mapping, inverted(), item.entitlement, subject, proposals);
    const first = suggestions[0] ?? { suggestion: '', suggestedActions: [], sideEffects: [] };
    return Object.assign(item, first, { suggestions });
  });
  if (drafts.length > MAX_DRIFT_WITH_SIDE_EFFECTS) {
    warnings.push(
      `${drafts.length} drift items: the side effects of their suggestions are evaluated for the first ` +
        `${MAX_DRIFT_WITH_SIDE_EFFECTS} only (the others list their suggestions without)`,
    );
  }
  if (input.teams) {
    for (const item of teamBindingDrift(mapping.teams ?? [], input.teams, mapping.projects)) {
      // Team bindings are kept (no API writes them): seen, never reverted
      const seen = grace.sightings.get(sightingKey(item.user, item.entitlement));
      const firstSeen = seen && seen.actual === item.actual ? seen.firstSeen : input.now.toISOString();
      drift.push({ ...item, firstSeen, revertsAt: null });
    }
  }

  gateApprovals(changes, mapping.policy.approvals, input.approvals ?? [], input.now);
  const approved = input.approved ?? false;
  const guard = runGuards(changes, walker.census, walker.teammateOf, {
    guards: mapping.policy.guards,
    top: topRolesOf(mapping.model),
    approved,
    managedActive,
  });
  // A suspicious read holds the plan only when it would revoke something: granting from it is harmless.
  const shrankHolds = reads.shrank.length > 0 && guard.revocations > 0;
  const risk = [...(shrankHolds ? reads.shrank.map((r) => `${r}: ${approved ? 'approved' : 'plan held'}`) : [])];
  risk.push(...guard.risk);
  const summary = summarize(count, changes, drift, guard.revocations, guard.orgAdminsAfter, risk);
  summary.usersLosingAccess = guard.usersLosingAccess;
  summary.managedActiveUsers = managedActive;
  const plan: Plan = {
    changes,
    renames,
    drift,
    held: guard.held,
    heldBy: guard.heldBy,
    holdReason: guard.holdReason,
    summary,
    warnings: [
      ...(input.desired.absentGroups ?? []),
      ...warnings,
      ...guard.warnings,
      ...(shrankHolds ? [] : reads.shrank),
    ],
  };
  if (shrankHolds && !approved) {
    plan.held = true;
    plan.heldBy = 'source-shrank';
    plan.holdReason = reads.shrank.join('; ');
  }
  return plan;
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
