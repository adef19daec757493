import { RunInProgressError } from '../domain/errors.js';

export interface Lease {
  lock: string;
  owner: string;
}

/** The fencing check of a commit: the run's owner must still hold its lock, else nothing of the run is written. */
export function assertLease(lease: Lease, holder: string | undefined, runId: string): void {
  if (holder === lease.owner) return;
  throw new RunInProgressError(
    `run ${runId} no longer holds lock ${lease.lock} (${holder ? `taken over by ${holder}` : 'released'}): not journaled`,
  );
}
