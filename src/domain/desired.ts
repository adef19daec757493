import type { EntitlementKey } from './entitlement.js';

/** Why a user gets an entitlement value: the rule, the group that matched, and the group's source. */
export interface RuleReason {
  rule: string;
  group: string;
  source: string;
  /** on a revocation: this rule granted the value taken away (as the baseline recorded it), and no longer does */
  lost?: true;
}

/**
 * On a revocation whose grant was applied before the baseline kept its reasons (or by no sync at all): why the user
 * had the value is not known, and is said so rather than guessed.
 */
export interface UnknownGrantReason {
  grantedBy: 'unknown';
  detail: string;
}

/** Per entitlement of a user's baseline, the rules that granted the value the sync applied (DESIGN §4). */
export type GrantReasons = Record<EntitlementKey, RuleReason[]>;

/** An approved exception sets the value instead of the mapping. */
export interface ExceptionReason {
  exception: string;
  approver: string;
  reason: string;
  expiresAt: string;
  /** true on the run that reverts the exception's value because it expired. */
  expired?: boolean;
}

/** Users whom no rule maps, or who are inactive in the IdP, follow `policy.unmappedUsers`. */
export interface PolicyReason {
  policy: 'unmappedUsers';
  value: string;
  detail: string;
}

export type Reason = RuleReason | ExceptionReason | PolicyReason | UnknownGrantReason;

/** One candidate value for an entitlement, from one rule (explain shows every candidate and the winner). */
export interface Candidate {
  value: string;
  rule: string;
  group: string;
  source: string;
  priority: number;
}

export interface DesiredEntitlement {
  value: string;
  /** the reasons for the winning value */
  reasons: RuleReason[];
}

/** What the mapping says one IdP identity should have in Heap. */
export interface DesiredUser {
  /** Heap identity: the e-mail the user is (or would be) known by in Heap, normalised. */
  user: string;
  /** The value used to find this identity among Heap teammates (policy.match). */
  matchValue: string;
  identityId: string;
  /** the identity's immutable id (the IdP's externalId, else the source's id): written to the teammate's
   * externalId, so a changed e-mail is found as the same person (a rename) */
  externalId?: string;
  source: string;
  displayName?: string;
  /** the userName to give the teammate in Heap, when it is not `user` (an IdP userName that is no e-mail) */
  userName?: string;
  /** false when no rule maps the identity, or it is inactive in the IdP: unmappedUsers policy applies. */
  mapped: boolean;
  entitlements: Record<EntitlementKey, DesiredEntitlement>;
}

export interface EvaluationWarning {
  user: string;
  entitlement: EntitlementKey;
  message: string;
}

export interface DesiredState {
  users: DesiredUser[];
  /** e.g. a module grant without access to its project: reported, not applied */
  warnings: EvaluationWarning[];
  /** rules whose group no source's snapshot has, one sentence each: warnings on every plan */
  absentGroups?: string[];
}
