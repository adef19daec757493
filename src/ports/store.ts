import type { PendingApproval, StoredApprovalStatus } from '../domain/approval.js';
import type { DriftSighting } from '../domain/drift.js';
import type { Access } from '../domain/entitlement.js';
import type { GrantReasons } from '../domain/desired.js';
import type { AccessException } from '../domain/exception.js';
import type { UserJournalSlice } from '../domain/history.js';
import type { JournalRecord, RunStatus } from '../domain/journal.js';
import type { Plan } from '../domain/plan.js';
import type { Session } from '../domain/session.js';
import type { ReviewCampaign, ReviewItem } from '../domain/review.js';
import type { AssistedTask, TaskStatus } from '../domain/task.js';
import type { JournalHasher } from '../store/journal-hash.js';

/** A journal record before the store assigns its place in the chain. */
export type NewJournalRecord = Omit<JournalRecord, 'sequence' | 'prevHash' | 'hash' | 'hashAlg'>;

export interface JournalSummary {
  id: string;
  sequence: number;
  trigger: JournalRecord['trigger'];
  status: RunStatus;
  startedAt: string;
  endedAt: string;
  changes: number;
  applied: number;
  failed: number;
  blocked: number;
  drift: number;
}

export interface JournalVerifyResult {
  ok: boolean;
  records: number;
  /** the last record that checked out (the last record when ok); null for an empty journal */
  head: JournalHead | null;
  /** the first record whose hash or link does not match */
  firstBad?: { id: string; sequence: number; problem: string };
}

/** A record's place in the chain: what `journal verify --expect-head <sequence>:<hash>` pins. */
export interface JournalHead {
  sequence: number;
  hash: string;
}

export interface HeldPlan {
  runId: string;
  createdAt: string;
  plan: Plan;
  mappingVersion: string | null;
  scope: string[] | null;
  approvedBy?: string | null;
  approvedAt?: string | null;
}

export interface AlertState {
  key: string;
  event: string;
  openedAt: string;
  lastSentAt: string | null;
  resolvedAt: string | null;
  payload: unknown;
  /**
   * Which write of the key this is: 1 for the first, one more for each after (as read). A compare-and-set names the
   * version it replaces (0 or absent: there is no state of the key yet).
   */
  version?: number;
}

/** Health and cursors of one identity source (delta links, last read). */
export interface SourceState {
  source: string;
  lastReadAt?: string | null;
  lastError?: string | null;
  users?: number;
  groups?: number;
  /**
   * users in the last read a run acted on (its plan applied, not held); the suspicious-read guard compares each
   * new read with it, so a read held as suspicious never becomes the reference
   */
  lastGoodUsers?: number | null;
  cursor?: string | null;
  data?: unknown;
}

/** How a run proves at commit that it still holds its target's lock (its lease). */
export interface CommitOptions {
  /**
   * The fencing check: the commit writes nothing (rejects with RunInProgressError) unless `owner` holds lock `lock`
   * when the commit happens. The owner is unique to one run, so a run whose lease lapsed and was taken over cannot
   * journal or write a baseline after the new holder started, whichever replica it runs on.
   */
  lease?: { lock: string; owner: string };
  /**
   * Why each baseline value was granted, per user: written with the user's row. A row written without an entry here
   * has no recorded reasons (null: unknown); a user here but not in the baseline map keeps its access, new reasons.
   */
  reasons?: Map<string, GrantReasons>;
}

/**
 * A run that has started applying changes. It is written before the first change and removed by the `commitRun`
 * that journals the run, so a run killed mid-apply is found (and journaled) by the next one.
 */
export interface PendingRun {
  id: string;
  startedAt: string;
  /** the journal record as it stood before apply (plan, pre-sync state) */
  record: NewJournalRecord;
}

/**
 * The storage port. SQLite and PostgreSQL (src/store/*) both run test/contract/store.contract.ts.
 * Every method is asynchronous (a network database answers later); a write has happened, durably, when its
 * promise resolves, so callers await every write before they report it done.
 * `commitRun` writes the journal record and the baseline in one durable transaction.
 */
export interface Store {
  /** Baseline: what the last successful sync established, per reconciled user. Absent user = never reconciled. */
  getBaseline(users?: string[]): Promise<Map<string, Access>>;
  /** Per reconciled user, the rules that granted each baseline value; null for a row written before they were kept. */
  getBaselineReasons(users?: string[]): Promise<Map<string, GrantReasons | null>>;
  /**
   * Append a journal record and replace the baseline of the given users (null removes the user), atomically.
   * The pending run of the same id, if any, is removed in the same transaction.
   */
  commitRun(
    record: NewJournalRecord,
    baseline: Map<string, Access | null>,
    options?: CommitOptions,
  ): Promise<JournalRecord>;

  putPendingRun(run: PendingRun): Promise<void>;
  listPendingRuns(): Promise<PendingRun[]>;

  listJournal(options?: { limit?: number; beforeSequence?: number }): Promise<JournalSummary[]>;
  getJournal(id: string): Promise<JournalRecord | null>;
  /**
   * The slices of the journal's records that touch `user` (normalised), oldest first, of records ended within
   * [since, until) when given: one indexed read, kept at each append and built from the records on migration.
   */
  listUserJournal(user: string, options?: { since?: Date; until?: Date }): Promise<UserJournalSlice[]>;
  /** walks the chain, hashing under the journal key the store was opened with (when it has one) */
  verifyJournal(): Promise<JournalVerifyResult>;
  /**
   * Migrates a journal to the store's key: checks the chain as written (unkeyed records as plain SHA-256, keyed ones
   * under `previousKey`, the key they were written with, when it is not the store's), re-hashes every record under the
   * store's key and appends `record` (the re-key's own record), in one transaction. Refuses (BadRequestError) a chain
   * that does not verify as it stands, or a store opened without a key.
   */
  rekeyJournal(
    record: NewJournalRecord,
    options?: { previousKey?: JournalHasher },
  ): Promise<{ rekeyed: number; record: JournalRecord }>;

  listExceptions(options?: { includeInactive?: boolean; now?: Date }): Promise<AccessException[]>;
  getException(id: string): Promise<AccessException | null>;
  addException(exception: AccessException): Promise<void>;
  revokeException(id: string, at: Date): Promise<boolean>;

  putHeldPlan(held: HeldPlan): Promise<void>;
  getHeldPlan(runId: string): Promise<HeldPlan | null>;
  listHeldPlans(): Promise<HeldPlan[]>;
  deleteHeldPlan(runId: string): Promise<void>;

  /** Pending approvals (policy.approvals), oldest first; `statuses` filters by the stored status. */
  listApprovals(options?: { statuses?: readonly StoredApprovalStatus[] }): Promise<PendingApproval[]>;
  getApproval(id: string): Promise<PendingApproval | null>;
  /** Adds new approvals; one with an id already stored is left as it is (a run retried finds the same grants). */
  addApprovals(approvals: readonly PendingApproval[]): Promise<void>;
  /**
   * Replaces an approval only while its stored status is still `ifStatus`, atomically: two approvers deciding at
   * once cannot both win. Resolves false when the status had changed (or there is no such approval).
   */
  updateApproval(approval: PendingApproval, ifStatus: StoredApprovalStatus): Promise<boolean>;
  /** Access reviews: a campaign and all its items in one transaction (items keep their order by id). */
  createReview(campaign: ReviewCampaign, items: readonly ReviewItem[]): Promise<void>;
  /** replaces a campaign's record (close); the items are untouched */
  putReview(campaign: ReviewCampaign): Promise<void>;
  getReview(id: string): Promise<ReviewCampaign | null>;
  /** every campaign, by creation time then id */
  listReviews(): Promise<ReviewCampaign[]>;
  /** a campaign's items by id; [] for an unknown campaign */
  listReviewItems(campaignId: string): Promise<ReviewItem[]>;
  /** replaces one item (a decision); rejects when the campaign has no such item */
  putReviewItem(campaignId: string, item: ReviewItem): Promise<void>;

  /** when each open drift item was first seen (grace before revert), by user then entitlement */
  listDriftSightings(): Promise<DriftSighting[]>;
  /**
   * Replaces the sightings of the users in `scope` (every user when null) with `sightings`, in one transaction:
   * a run's complete drift over its scope, so drift that is gone stops being remembered.
   */
  putDriftSightings(sightings: readonly DriftSighting[], scope: readonly string[] | null): Promise<void>;

  /** alert states by key, each with its version; `keys` limits them to those keys */
  getAlertStates(keys?: readonly string[]): Promise<AlertState[]>;
  /**
   * Writes each state only while its key's stored version is still `state.version` (0 or absent: no state yet),
   * storing it as the next version, all in one transaction; resolves with the keys written (keys must be distinct).
   * A key another writer changed first is left as that writer left it: read it again and decide again. Replicas
   * sharing the store update alert states only this way, so none undoes another's (a sink's delivery mark lost, a
   * resolved alert reopened) and only one of them opens or resolves an alert.
   */
  compareAndSetAlertStates(states: readonly AlertState[]): Promise<Set<string>>;

  /** assisted changes (DESIGN §12), by creation time then id; `statuses` limits the list, `user` to one subject */
  listTasks(options?: { statuses?: readonly TaskStatus[]; user?: string }): Promise<AssistedTask[]>;
  getTask(id: string): Promise<AssistedTask | null>;
  /** inserts or replaces each task (by id), all in one transaction */
  putTasks(tasks: readonly AssistedTask[]): Promise<void>;

  /**
   * Dashboard sign-ins, shared by every replica, each under the SHA-256 digest of its session id: the id itself
   * (what the cookie holds) is never stored, so nothing in the database or a backup can be replayed as a sign-in.
   * Adding one first removes the sessions expired at `now` and, when `max` are still live, the oldest of them.
   */
  createSession(digest: string, session: Session, options: { now: Date; max: number }): Promise<void>;
  /** the session stored under `digest` while it has not expired at `now`, else null */
  lookupSession(digest: string, now: Date): Promise<Session | null>;
  /** signs out: removes the session; resolves true when there was one */
  endSession(digest: string): Promise<boolean>;

  getSourceState(source: string): Promise<SourceState | null>;
  putSourceState(state: SourceState): Promise<void>;

  /**
   * One run at a time per target. A lock held by a process that died is taken over after `staleMs`
   * (the holder refreshes it while running). Resolves false when another live run holds it.
   */
  acquireLock(name: string, owner: string, staleMs: number, now: Date): Promise<boolean>;
  /** rejects when `owner` no longer holds the lock (it was taken over) */
  refreshLock(name: string, owner: string, now: Date): Promise<void>;
  releaseLock(name: string, owner: string): Promise<void>;

  /**
   * Takes each named claim for the moment `at`, unless it was taken less than `spacingMs` before `at` (or at or after
   * it); resolves with the names this call took. Replicas sharing the store do a thing once with it: a schedule
   * tick, an exception's expiry, an alert's delivery. Two callers at once never both take a name.
   */
  claim(names: readonly string[], at: Date, spacingMs: number): Promise<Set<string>>;
  /** forgets the named claims: the next `claim` of each takes it */
  releaseClaims(names: readonly string[]): Promise<void>;

  /** closes the connection; closing twice is harmless */
  close(): Promise<void>;
}

/** A claim's spacing that never lapses (`Infinity` is taken as this too). */
export const CLAIM_FOREVER_MS = Number.MAX_SAFE_INTEGER;
