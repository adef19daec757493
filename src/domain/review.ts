import type { EntitlementKey, EntitlementValue } from './entitlement.js';

/** A reviewer's verdict on one item (DESIGN §15). */
export type ReviewDecisionKind = 'keep' | 'revoke' | 'reduce' | 'make-permanent';
export const REVIEW_DECISIONS: readonly ReviewDecisionKind[] = ['keep', 'revoke', 'reduce', 'make-permanent'];

/**
 * Why an item deserves a look: an Admin role, access unused for 90 days, a user no identity source knows, a
 * value that is not what the mapping gives (drift), a value set by an exception.
 */
export type ReviewFlag = 'admin' | 'unused-90-days' | 'unknown-to-idp' | 'drift' | 'exception' | 'owns-assets';

export interface ReviewDecision {
  decision: ReviewDecisionKind;
  /** the lower value of a `reduce` */
  value?: string | null;
  actor: string;
  reason: string;
  at: string;
  /** the journal record that holds it */
  journalId: string;
}

/** One thing a reviewer signs off: one user's value of one entitlement, as Heap has it. */
export interface ReviewItem {
  id: string;
  user: string;
  displayName?: string;
  entitlement: EntitlementKey;
  /** what Heap has */
  actual: EntitlementValue;
  /** what the mapping gives (null: nothing) */
  desired: EntitlementValue;
  drift: boolean;
  /** rules and exceptions behind the desired value, in words */
  reasons: string[];
  /** the active exception setting this entitlement, if any */
  exception: { id: string; value: EntitlementValue; expiresAt: string; approver: string; reason: string } | null;
  /** for drift: the IdP change that would make Heap's value permanent */
  suggestion: string | null;
  lastActiveAt: string | null;
  ownedAssets: number | null;
  flags: ReviewFlag[];
  /** the last closed campaign had this very item (same actual value) and decided it so: a delta review skips it */
  unchangedSince: { campaign: string; decision: ReviewDecisionKind | null } | null;
  decision: ReviewDecision | null;
}

export type ReviewStatus = 'open' | 'closed';
export type UndecidedDefault = 'keep' | 'revoke';

/** What closing did: the exceptions it added or revoked, the IdP changes to make, the run that applied it. */
export interface ReviewRemediation {
  runId: string | null;
  runStatus: string | null;
  exceptionsAdded: string[];
  exceptionsRevoked: string[];
  suggestions: string[];
  undecided: number;
  defaultDecision: UndecidedDefault;
}

/** An access review campaign: items taken from what Heap has when it starts, decided, then closed. */
export interface ReviewCampaign {
  id: string;
  createdAt: string;
  createdBy: string;
  dueAt: string;
  status: ReviewStatus;
  /** limited to one project's entitlements (and the users holding them); null for everything */
  project: string | null;
  reviewers: string[];
  /** the journal's head when the campaign started: the evidence covers the records after it */
  journalStart: { sequence: number; hash: string };
  journalEnd: { sequence: number; hash: string } | null;
  /** the campaign this one compares with (the last closed one), for delta reviews */
  previous: string | null;
  items: number;
  closedAt: string | null;
  closedBy: string | null;
  remediation: ReviewRemediation | null;
}

/** A campaign event in the journal's chain: started, an item decided, closed. */
export interface ReviewJournalEntry {
  campaign: string;
  event: 'started' | 'decided' | 'closed';
  item?: string;
  user?: string;
  entitlement?: string;
  actual?: EntitlementValue;
  decision?: ReviewDecisionKind;
  value?: EntitlementValue;
  reason?: string;
  items?: number;
  remediation?: ReviewRemediation;
}
