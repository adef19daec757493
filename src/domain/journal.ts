import type { PendingApproval } from './approval.js';
import type { Access } from './entitlement.js';
import type { AccessException } from './exception.js';
import type { Change, Plan, Rename } from './plan.js';
import type { ReviewJournalEntry } from './review.js';
import type { AssistedTask } from './task.js';
import type { TeammateFacts } from './teammate.js';

export type RunTrigger =
  | 'cli'
  | 'api'
  | 'schedule'
  | 'scim'
  | 'exception-expiry'
  | 'approval'
  /** not a run: an exception was created or revoked */
  | 'exception'
  /** not a run: an assisted-change task was marked done */
  | 'task'
  /** not a run: the journal was re-keyed (`journal rekey`) */
  | 'rekey'
  /** an access review's event, or the run that applied its close */
  | 'review';

/** What a record that is not a sync run records: everything that changes access or the journal is in the chain. */
export type JournalEvent =
  | { kind: 'exception-created'; exception: AccessException }
  | { kind: 'exception-revoked'; exception: AccessException }
  /** a pending approval approved or rejected (trigger `approval`): the approval as decided, with the decider */
  | { kind: 'approval-decided'; approval: PendingApproval }
  /** an administrator says they made an assisted change in Heap (trigger `task`) */
  | {
      kind: 'task-done';
      task: Pick<AssistedTask, 'id' | 'user' | 'entitlement' | 'from' | 'to' | 'enforcement' | 'step'>;
      note: string | null;
    }
  | { kind: 'journal-rekeyed'; records: number; previousHead: { sequence: number; hash: string } | null };
/** `recorded`: a record that is not a run (an access review's event) */
export type RunStatus = 'succeeded' | 'partial' | 'failed' | 'held' | 'dry-run' | 'recorded';

export interface ChangeResult {
  change: Change;
  outcome: 'applied' | 'blocked' | 'failed' | 'skipped';
  error?: string;
  /**
   * A write whose outcome was unknown (timed out, connection dropped), as read back from Heap before the run was
   * journaled (DESIGN §10): `applied` (outcome applied), `not-applied` or `unknown` (outcome failed)
   */
  recheck?: 'applied' | 'not-applied' | 'unknown';
  attempts?: number;
}

/** How one planned rename went: `applied` with the user's write, else `failed` (or `skipped`) with it. */
export interface RenameResult {
  rename: Rename;
  outcome: 'applied' | 'failed' | 'skipped';
  error?: string;
}

/** One record per run, append-only, hash-chained (DESIGN §5). */
export interface JournalRecord {
  id: string;
  sequence: number;
  trigger: RunTrigger;
  actor?: string;
  startedAt: string;
  endedAt: string;
  status: RunStatus;
  error?: string;
  mappingVersion: string | null;
  identityVersion: string | null;
  /** users the run is limited to (incremental runs); null for a full reconciliation */
  scope: string[] | null;
  approvedRun?: string | null;
  preSync: Record<string, Access>;
  /** what Heap reported before the run about the touched users who own assets or were ever active */
  preSyncFacts?: Record<string, TeammateFacts>;
  plan: Plan | null;
  results: ChangeResult[];
  /** the plan's renames and how each went (absent when the run renamed nobody) */
  renames?: RenameResult[];
  postSync: Record<string, Access>;
  postSyncDiff: PostSyncDiffItem[];
  /** set on records that are not runs (trigger `exception`, `rekey`) */
  event?: JournalEvent;
  /** what the run did with assisted-change tasks: opened, verified, attested (with who said it was done), closed */
  tasks?: TaskRunRecord[];
  /** an access review's event (trigger `review`, status `recorded`): in the chain like every run */
  review?: ReviewJournalEntry;
  prevHash: string;
  /** `hmac-sha256` when hashed under the journal key; absent on a record of an unkeyed journal (plain SHA-256) */
  hashAlg?: 'hmac-sha256';
  hash: string;
}

/** One thing a run did to an assisted-change task. */
export interface TaskRunRecord {
  task: string;
  user: string;
  entitlement: string;
  from: string | null;
  to: string | null;
  action: 'opened' | 'verified' | 'attested' | 'reopened' | 'closed';
  /** who said it was done (verified, attested, reopened) */
  doneBy?: string;
  note?: string;
}

export interface PostSyncDiffItem {
  user: string;
  entitlement: string;
  desired: string | null;
  actual: string | null;
  why: string;
}
