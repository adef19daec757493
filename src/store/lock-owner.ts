import { randomUUID } from 'node:crypto';
import os from 'node:os';

/**
 * A lock owner names its process (`<hostname>:<pid>:<run>`), so a run killed with SIGKILL on this host releases
 * its lock at once instead of after `staleMs`.
 */
export const createLockOwner = (run: string = randomUUID()): string => `${os.hostname()}:${process.pid}:${run}`;

/** True only when the owner is a process of this host that no longer exists; unknown formats are never "dead". */
export function isLockOwnerDead(owner: string, hostname: string = os.hostname()): boolean {
  const match = /^([^:]+):(\d+):/.exec(owner);
  if (!match || match[1] !== hostname) return false;
  const pid = Number(match[2]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM means the process exists under another user: alive.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
