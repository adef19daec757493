import type { DesiredState, GrantReasons } from '../domain/desired.js';
import type { Access } from '../domain/entitlement.js';
import type { PendingApproval } from '../domain/approval.js';
import type { AccessException } from '../domain/exception.js';
import type { MappingSet } from '../domain/mapping.js';
import type { Teammate } from '../domain/teammate.js';
import type { DriftSighting } from '../domain/drift.js';
import type { ObservedTeam } from './team-bindings.js';

/**
 * Everything the planner needs; it reads nothing else (no I/O, no clock).
 * `baseline` and `scope` are keyed by the user's normalised e-mail (`normalizeUserKey`).
 */
export interface PlanInput {
  mapping: MappingSet;
  desired: DesiredState;
  actual: Teammate[];
  /** what the last successful sync established, per reconciled user; a user without an entry was never reconciled */
  baseline: ReadonlyMap<string, Access>;
  /**
   * per reconciled user (same keys as `baseline`), the rules that granted each baseline value; null for a record
   * that predates them. A revocation names these; without them it says the earlier reasons are unknown.
   */
  baselineReasons?: ReadonlyMap<string, GrantReasons | null>;
  exceptions: readonly AccessException[];
  /** approvals of grants policy.approvals names (approved ones let their grant through until they expire) */
  approvals?: readonly PendingApproval[];
  now: Date;
  /** incremental runs: only these users get changes and drift (guards still count every teammate) */
  scope?: ReadonlySet<string> | null;
  /** an administrator approved this plan: `maxRevocations` does not hold it */
  approved?: boolean;
  sources?: readonly SourceReading[];
  /** the target reads and writes teammates' externalId and userName: what Heap lacks of them is planned (renames) */
  identities?: boolean;
  /** when each open drift item was first seen (`indexSightings`): a manual change waits policy.revertAfter from then */
  sightings?: ReadonlyMap<string, DriftSighting>;
  /** an administrator asked to revert now (the dashboard's "Revert now"): the grace does not apply */
  revertNow?: boolean;
  /** Heap's Teams with their project bindings, when the target shows them: differences from `teams:` are drift */
  teams?: readonly ObservedTeam[] | null;
}

/** What one identity source's read looked like, for the suspicious-read guard (DESIGN §10). */
export interface SourceReading {
  source: string;
  /** users in this read */
  users: number;
  /** users in this source's last good read; null when there was none */
  previousUsers: number | null;
  /** a SCIM source that has never received a push */
  waitingForFirstPush: boolean;
}
