import type { AccessModel, Project } from './model.js';

export type MultiGroupPolicy = 'highest' | 'priority';
export type UnmappedUsersPolicy = 'deactivate' | 'remove' | 'keep';
export type ManualOverridePolicy = 'revert' | 'keep';
export type MatchKey = 'email' | 'userName' | 'externalId';

export interface Guards {
  lastProjectAdmin: boolean;
  lastOrgAdmin: boolean;
  maxOrgAdmins: number;
  /** users who may lose access in one plan before it is held (an absolute count) */
  maxRevocations: number;
  /** ...or this percent of the active users the sync manages (once at least 3 users would lose access) */
  maxRevocationPercent: number;
  /** a source read with fewer users than this fraction of its last good read holds the plan (source-shrank) */
  minSourceFraction: number;
  productionAdminNeedsAllow: boolean;
  /** a change lowering a user who owns assets: `warn` flags it, `hold` holds the plan until the transfer is confirmed */
  ownedAssets: OwnedAssetsGuard;
}

export type OwnedAssetsGuard = 'warn' | 'hold';

/** Grants that wait for an approver before they reach Heap (DESIGN §14), wherever they come from. */
export interface ApprovalPolicy {
  /** the organisation's Admin role */
  orgAdmin: boolean;
  /** Admin on a project whose environment is production */
  productionAdmin: boolean;
  /** any grant of these modules (a higher value, or the module at all) */
  modules: string[];
}

export interface Policy {
  multiGroup: MultiGroupPolicy;
  unmappedUsers: UnmappedUsersPolicy;
  manualOverrides: ManualOverridePolicy;
  match: MatchKey;
  /** a mapping set with no rule is refused unless this says it is meant (it would deactivate everyone) */
  allowEmpty: boolean;
  guards: Guards;
  approvals: ApprovalPolicy;
  /** how long a pending approval waits, and an approved one stays good, from its request: `7d`, `12h` */
  approvalTtl: string;
  /** grace before a manual change in Heap is reverted, from when it was first seen: `1h`, `30m`; `0s` at once */
  revertAfter: string;
  /**
   * four eyes (on by default): an exception's approver must not be its requester, a held plan not approved by
   * whoever's run was held. `false` is the opt-out of a single-administrator organisation (validate warns).
   */
  fourEyes: boolean;
}

/** What `validate` and the mapping docs say about `policy.fourEyes: false`. */
export const FOUR_EYES_OFF =
  'four eyes is off (policy.fourEyes: false): one person may request and approve their own exception, and approve ' +
  'their own held run; meant only for an organisation with a single administrator';

export const DEFAULT_POLICY: Policy = {
  multiGroup: 'highest',
  unmappedUsers: 'deactivate',
  manualOverrides: 'revert',
  match: 'email',
  allowEmpty: false,
  guards: {
    lastProjectAdmin: true,
    lastOrgAdmin: true,
    maxOrgAdmins: 5,
    maxRevocations: 25,
    maxRevocationPercent: 10,
    minSourceFraction: 0.5,
    productionAdminNeedsAllow: true,
    ownedAssets: 'warn',
  },
  approvals: { orgAdmin: false, productionAdmin: false, modules: [] },
  approvalTtl: '7d',
  revertAfter: '1h',
  fourEyes: true,
};

/** Where a value came from in the mapping files, for error messages and docs. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** A rule as written: selectors unresolved (`*`, `environment:<name>`, or a project key). */
export interface Rule {
  name: string;
  /** IdP group by display name, or by id; exactly one is set. */
  group?: string;
  groupId?: string;
  /** Restrict to groups of one identity source (okta | entra | scim | file). */
  source?: string;
  priority: number;
  orgRole?: string;
  projects: Record<string, string>;
  modules: Record<string, Record<string, string>>;
  /** Heap Teams the rule's members join (names as declared in `teams:`); absent: none */
  teams?: string[];
  allowProductionAdmin: boolean;
  location: SourceLocation;
}

/**
 * A Heap Team as the mapping declares it: its members are written through SCIM Groups; the projects it is bound
 * to are set in Heap's UI (no API writes them), so the mapping states them to document and check them.
 */
export interface Team {
  name: string;
  /** project keys the Team is bound to in Heap */
  projects: string[];
  location: SourceLocation;
}

/** A validated, merged set of mapping files. `version` is a hash of the files' contents. */
export interface MappingSet {
  version: string;
  model: AccessModel;
  projects: Project[];
  policy: Policy;
  rules: Rule[];
  /** absent: the mapping declares no Teams */
  teams?: Team[];
  files: string[];
}
