import type { EntitlementKey, EntitlementValue } from '../domain/entitlement.js';
import type { Teammate } from '../domain/teammate.js';

/** The changes for one user, applied together. Setting `membership` to null removes the user from Heap. */
export interface UserChangeSet {
  user: string;
  displayName?: string;
  userName?: string;
  externalId?: string;
  set: Record<EntitlementKey, EntitlementValue>;
}

export interface TargetCapabilities {
  assetOwnership: boolean;
  lastActivity: boolean;
}

/**
 * Heap, behind one port. Reads are complete or throw; `applyUserChanges` is idempotent (re-applying a change
 * that is already in place is harmless) and retries transient failures itself before throwing TargetWriteError.
 */
export interface AccessTarget {
  readonly name: string;
  readAll(options?: { signal?: AbortSignal }): Promise<Teammate[]>;
  /** read only these users (incremental runs); users absent from Heap are simply missing from the result */
  readUsers(users: string[], options?: { signal?: AbortSignal }): Promise<Teammate[]>;
  applyUserChanges(changes: UserChangeSet, options?: { signal?: AbortSignal }): Promise<void>;
  capabilities(): TargetCapabilities;
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
  ) {
    super(message);
    this.name = 'TargetWriteError';
  }
}
