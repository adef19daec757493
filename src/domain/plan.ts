import {
  type Enforcement,
  type EntitlementKey,
  type EntitlementValue,
  type KindEnforcement,
  showAccess,
} from './entitlement.js';
import type { Reason } from './desired.js';

export type Cause = 'idp-change' | 'manual-override' | 'conflict' | 'unmanaged' | 'exception';
export type DriftCause = 'manual-override' | 'conflict' | 'unmanaged';
export type RiskFlag = 'broadens-access' | 'production-admin' | 'org-admin' | 'revokes-access' | 'owns-assets';
export type GuardName =
  | 'lastProjectAdmin'
  | 'lastOrgAdmin'
  | 'maxRevocations'
  | 'maxRevocationPercent'
  | 'maxOrgAdmins'
  | 'ownedAssets'
  /** a source read that came back empty or much smaller than its last good read (DESIGN §10) */
  | 'source-shrank'
  /** a grant policy.approvals names, waiting for an approver */
  | 'approval';

/** One entitlement change for one user (DESIGN §6 JSON shape). */
export interface Change {
  user: string;
  entitlement: EntitlementKey;
  from: EntitlementValue;
  to: EntitlementValue;
  cause: Cause;
  reasons: Reason[];
  risk: RiskFlag[];
  /** the guard that stopped this change, or null */
  blocked: GuardName | null;
  /** the approval that lets this grant through (policy.approvals), or the pending one it waits for */
  approval?: string;
  /** what Heap reports about the user, when it does: assets to transfer before lowering them, last activity */
  ownedAssets?: number;
  lastActiveAt?: string;
  /** how the change reaches Heap (set once the target is known): written, or a task for an administrator */
  enforcement?: Enforcement;
  /** the assisted-change task that asks an administrator to make it (set by the run that opened or kept it) */
  task?: string;
}

/** An IdP change that would make a manual Heap change permanent. */
export interface SuggestedAction {
  action: 'add-to-group' | 'remove-from-group' | 'add-rule';
  user: string;
  group?: string;
  rule?: string;
}

/** Another entitlement a suggested group change would change for the same user (DESIGN §11), found by evaluating it. */
export interface SideEffect {
  entitlement: EntitlementKey;
  from: EntitlementValue;
  to: EntitlementValue;
}

/** "org: Member -> Admin; project:web-dev: (none) -> Admin" (the first `limit`, then how many more), or "none". */
export function describeSideEffects(effects: readonly SideEffect[], limit = Infinity, arrow = '->'): string {
  if (!effects.length) return 'none';
  const shown = effects
    .slice(0, limit)
    .map((e) => `${e.entitlement}: ${showAccess(e.from)} ${arrow} ${showAccess(e.to)}`);
  const more = effects.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** One IdP change that would make a manual Heap change permanent, with what else it would change. */
export interface Suggestion {
  suggestion: string;
  suggestedActions: SuggestedAction[];
  sideEffects: SideEffect[];
}

/** A manual change in Heap that the mapping does not produce (DESIGN §6 JSON shape). */
export interface DriftItem {
  user: string;
  entitlement: EntitlementKey;
  baseline: EntitlementValue;
  actual: EntitlementValue;
  desired: EntitlementValue;
  cause: DriftCause;
  action: 'revert' | 'keep';
  /** Heap shows the entitlement's top role (the model's last org or project role), which the mapping does not give */
  escalation?: true;
  /** the first of `suggestions` (the one with the fewest side effects), as DESIGN §6 names it */
  suggestion: string;
  suggestedActions: SuggestedAction[];
  sideEffects?: SideEffect[];
  /** every suggestion considered, fewest side effects first (absent in plans made before side effects existed) */
  suggestions?: Suggestion[];
  ownedAssets?: number;
  lastActiveAt?: string;
  /** how this entitlement reaches Heap (set once the target is known) */
  enforcement?: Enforcement;
  /** ISO 8601: when a run first saw this actual value (DESIGN §11) */
  firstSeen?: string;
  /**
   * ISO 8601: the first run after this instant reverts it (policy.revertAfter after firstSeen); a run before it
   * only alerts. null when the policy keeps it.
   */
  revertsAt?: string | null;
  /** who changed it in Heap, and when, when the target's activity log says so */
  changedBy?: string;
  changedAt?: string;
}

export interface PlanSummary {
  users: number;
  changes: number;
  blocked: number;
  /** unblocked changes that revoke or lower an entitlement */
  revocations: number;
  /** users who would lose access (deactivated, removed, or any entitlement revoked or lowered): the mass-change guard */
  usersLosingAccess?: number;
  /** users active in Heap and managed by the sync (in scope or not): what maxRevocationPercent is a share of */
  managedActiveUsers?: number;
  drift: number;
  byCause: Partial<Record<Cause, number>>;
  orgAdminsAfter: number;
  risk: string[];
}

/** The same person (by the source's immutable id) now known in Heap by another e-mail: updated in place. */
export interface Rename {
  /** the identity's immutable id, as written to the teammate's externalId */
  id: string;
  /** the e-mail Heap knows the teammate by now */
  from: string;
  /** the e-mail the identity provider has now; the plan's changes for this user name it */
  to: string;
  /** the teammate's userName changes too (or only it: `from` equals `to`) */
  userName?: { from: string; to: string };
}

export interface Plan {
  changes: Change[];
  /** teammates to rename before their changes apply (absent in plans made before renames existed) */
  renames?: Rename[];
  drift: DriftItem[];
  /** true when a guard holds the whole plan until an administrator approves it */
  held: boolean;
  heldBy: GuardName | null;
  /** why it is held, in a sentence (the dashboard and the CLI show it); absent in plans made before it existed */
  holdReason?: string | null;
  summary: PlanSummary;
  warnings: string[];
  /** what this target enforces, per entitlement kind (set once the target is known) */
  enforcement?: KindEnforcement;
}
