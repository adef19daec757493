import {
  type Enforcement,
  ENTITLEMENT_KINDS,
  entitlementKind,
  type EntitlementKey,
  type EntitlementKind,
  type EntitlementValue,
  type KindEnforcement,
} from '../domain/entitlement.js';
import type { Teammate } from '../domain/teammate.js';

/** The changes for one user, applied together. Setting `membership` to null removes the user from Heap. */
export interface UserChangeSet {
  /** the user's e-mail in Heap (after a rename, the new one) */
  user: string;
  displayName?: string;
  userName?: string;
  /** the IdP's immutable id: written on create (and on a rename), read back on the teammate */
  externalId?: string;
  /** "the teammate now known as `user` was `from`": found by the old key and updated in place, same teammate */
  rename?: { from: string };
  set: Record<EntitlementKey, EntitlementValue>;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  /** the run writing, sent to Heap with each write so the writes of different runs can be told apart */
  runId?: string;
}

/** What a target can do with one kind of entitlement. */
export interface KindCapability {
  /** reads report it; an entitlement of a kind not observed never appears in a read */
  observe: boolean;
  /** applyUserChanges sets it; a change to a kind not written is refused with TargetWriteError */
  write: boolean;
}

export type EntitlementCapabilities = Record<EntitlementKind, KindCapability>;

export interface TargetCapabilities {
  assetOwnership: boolean;
  lastActivity: boolean;
  /** per entitlement kind; absent (older targets): every kind observed and written */
  entitlements?: EntitlementCapabilities;
  /** readActivity answers who changed what in Heap; absent: false */
  activityLog?: boolean;
  /** readTeams answers the projects each Team gives; absent: false */
  teamBindings?: boolean;
  /** reads report each teammate's externalId and userName, and writes set them; absent: false */
  identities?: boolean;
}

/** One change recorded in Heap's activity log. */
export interface ActivityRecord {
  /** the teammate's e-mail; `team:<name>` for a change to what a Team gives (its project bindings) */
  user: string;
  /** an entitlement key (`project:<key>` for a Team binding), or `userName` for a rename */
  entitlement: string;
  from: string | null;
  to: string | null;
  /** who made it: an administrator's name for a change in Heap's UI, the provisioning client for SCIM */
  actor: string;
  /** `ui`: by hand in Heap; `scim`: through provisioning */
  via: 'ui' | 'scim';
  /** the run that wrote it, when the write named one */
  runId?: string;
  /** ISO 8601 */
  at: string;
}

export interface ActivityQuery {
  /** ISO 8601: only changes at or after it */
  since?: string;
  /** only these users (e-mails, case-insensitive) */
  users?: string[];
}

/** A Heap Team and the projects it gives its members (set in Heap's UI). */
export interface HeapTeam {
  name: string;
  /** project key -> the role the Team gives on it */
  projects: Record<string, string>;
  /** member e-mails */
  members: string[];
}

/**
 * Heap, behind one port. Reads are complete or throw; `applyUserChanges` is idempotent (re-applying a change
 * that is already in place is harmless) and retries transient failures itself before throwing TargetWriteError.
 */
export interface AccessTarget {
  readonly name: string;
  /** how long one request to Heap may take before the target gives up on it (ms); a write sent by a run that
   * died can still land until then, so a run taking over waits this out before it reads */
  readonly requestTimeoutMs?: number;
  readAll(options?: { signal?: AbortSignal }): Promise<Teammate[]>;
  /** read only these users (incremental runs); users absent from Heap are simply missing from the result */
  readUsers(users: string[], options?: { signal?: AbortSignal }): Promise<Teammate[]>;
  applyUserChanges(changes: UserChangeSet, options?: ApplyOptions): Promise<void>;
  capabilities(): TargetCapabilities;
  /** Heap's activity log, oldest first; only when `capabilities().activityLog` */
  readActivity?(query: ActivityQuery, options?: { signal?: AbortSignal }): Promise<ActivityRecord[]>;
  /** every Team with its project bindings; only when `capabilities().teamBindings` */
  readTeams?(options?: { signal?: AbortSignal }): Promise<HeapTeam[]>;
}

const EVERYTHING: KindCapability = { observe: true, write: true };

/** The per-kind capabilities of a target, with an older target's silence read as "every kind". */
export function entitlementCapabilities(caps: TargetCapabilities): EntitlementCapabilities {
  return (
    caps.entitlements ?? (Object.fromEntries(ENTITLEMENT_KINDS.map((k) => [k, EVERYTHING])) as EntitlementCapabilities)
  );
}

/** Whether the target reports this entitlement in its reads (false for a key that is not an entitlement). */
export function canObserve(caps: TargetCapabilities, key: EntitlementKey): boolean {
  const kind = entitlementKind(key);
  return kind !== null && entitlementCapabilities(caps)[kind].observe;
}

/** Whether applyUserChanges can set this entitlement (false for a key that is not an entitlement). */
export function canWrite(caps: TargetCapabilities, key: EntitlementKey): boolean {
  const kind = entitlementKind(key);
  return kind !== null && entitlementCapabilities(caps)[kind].write;
}

/** Observed and written: enforced; observed only: assisted; not observed: unobservable (whatever it writes). */
export function enforcementOfKind(kind: KindCapability): Enforcement {
  return !kind.observe ? 'unobservable' : kind.write ? 'enforced' : 'assisted';
}

/** The label of every entitlement kind on this target. */
export function enforcementOf(caps: TargetCapabilities): KindEnforcement {
  const kinds = entitlementCapabilities(caps);
  return Object.fromEntries(ENTITLEMENT_KINDS.map((k) => [k, enforcementOfKind(kinds[k])])) as KindEnforcement;
}

/** The label of one entitlement key (null for a key that is not an entitlement). */
export function enforcementOfKey(caps: TargetCapabilities, key: EntitlementKey): Enforcement | null {
  const kind = entitlementKind(key);
  return kind === null ? null : enforcementOfKind(entitlementCapabilities(caps)[kind]);
}

export class TargetReadError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TargetReadError';
  }
}

export class TargetWriteError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryable = false,
    override readonly cause?: unknown,
    /**
     * The outcome is unknown: a request timed out or its connection dropped after it was sent, or part of the
     * user's change set was applied before the failure. Heap may hold the change: read it back before journaling.
     */
    readonly ambiguous = false,
  ) {
    super(message);
    this.name = 'TargetWriteError';
  }
}
