import { approvalGround, approvalStatus, sameGrant, type PendingApproval } from '../domain/approval.js';
import type { ApprovalPolicy } from '../domain/mapping.js';
import type { Change } from '../domain/plan.js';

/**
 * Holds back, in place, each grant `policy.approvals` names that no live approval covers: it is blocked as
 * `approval` and the rest of the plan goes on. Runs before the guards, so a grant that waits does not count as an
 * Admin that would let another Admin go.
 */
export function gateApprovals(
  changes: readonly Change[],
  policy: ApprovalPolicy,
  approvals: readonly PendingApproval[],
  now: Date,
): void {
  for (const c of changes) {
    if (c.blocked || !approvalGround(c, policy)) continue;
    const approved = approvals.find((a) => approvalStatus(a, now) === 'approved' && sameGrant(a, c));
    if (approved) c.approval = approved.id;
    else c.blocked = 'approval';
  }
}
