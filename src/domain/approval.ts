import type { EntitlementKey, EntitlementValue } from './entitlement.js';
import type { ApprovalPolicy } from './mapping.js';
import type { Change } from './plan.js';

/** Which part of `policy.approvals` makes a grant wait. */
export type ApprovalGround = 'org-admin' | 'production-admin' | 'module';

/** What is stored; `expired` is never stored but read from the clock (approvalStatus). */
export type StoredApprovalStatus = 'pending' | 'approved' | 'rejected' | 'applied';
export type ApprovalStatus = StoredApprovalStatus | 'expired';

/**
 * A grant `policy.approvals` names, waiting for (or given) an approver's decision. The rest of the run goes on
 * without it; once approved, the next run applies it, unless the approval expired first.
 */
export interface PendingApproval {
  id: string;
  /** the subject: who would get the access (never their own approver) */
  user: string;
  entitlement: EntitlementKey;
  from: EntitlementValue;
  value: EntitlementValue;
  ground: ApprovalGround;
  /** where the grant comes from: the IdP (group membership and the mapping) or an exception */
  origin: 'idp' | 'exception';
  /** who asked: `idp` for an IdP change, else the person or account behind the exception */
  requestedBy: string;
  exceptionId: string | null;
  /** the run that found the grant waiting */
  runId: string;
  createdAt: string;
  expiresAt: string;
  status: StoredApprovalStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  /** the run that applied the approved grant */
  appliedRunId: string | null;
}

export const approvalStatus = (a: PendingApproval, now: Date): ApprovalStatus =>
  (a.status === 'pending' || a.status === 'approved') && Date.parse(a.expiresAt) <= now.getTime()
    ? 'expired'
    : a.status;

/** Why `policy.approvals` makes this change wait, or null when it may go straight through. */
export function approvalGround(change: Change, policy: ApprovalPolicy): ApprovalGround | null {
  if (change.to === null || !change.risk.includes('broadens-access')) return null;
  if (policy.orgAdmin && change.risk.includes('org-admin')) return 'org-admin';
  if (policy.productionAdmin && change.risk.includes('production-admin')) return 'production-admin';
  const module = /^module:([^:]+):/.exec(change.entitlement)?.[1];
  if (module && policy.modules.includes(module)) return 'module';
  return null;
}

/** The same grant: one subject, one entitlement, one value. */
export const sameGrant = (
  a: { user: string; entitlement: string; value: EntitlementValue },
  b: { user: string; entitlement: string; to?: EntitlementValue; value?: EntitlementValue },
): boolean => a.user === b.user && a.entitlement === b.entitlement && a.value === (b.to !== undefined ? b.to : b.value);
