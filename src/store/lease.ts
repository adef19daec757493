import { RunInProgressError } from '../domain/errors.js';

/**
 * A lease (the run queue's active run, the target's run lock) is refreshed every LEASE_HEARTBEAT_MS by its holder
 * and taken over by another replica once LEASE_STALE_MS passed without a refresh: a replica that died (on another
 * host: no process to look for) is replaced within LEASE_STALE_MS plus one look (a heartbeat) of the others, under
 * 30 s; a live holder would have to miss three refreshes in a row to lose it. Replicas' clocks must agree to well
 * within LEASE_STALE_MS (NTP).
 */
export const LEASE_HEARTBEAT_MS = 5_000;
export const LEASE_STALE_MS = 20_000;

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
