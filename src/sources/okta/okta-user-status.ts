import type { UserStatus } from '@okta/okta-sdk-nodejs';

/**
 * Which Okta lifecycle states count as an active employee for Heap access.
 *
 * Active: ACTIVE; PASSWORD_EXPIRED, LOCKED_OUT and RECOVERY (a credential problem of someone still employed,
 * fixed by a reset: revoking Heap for it would churn roles); PROVISIONED (activated by an admin, first sign-in
 * pending: a new hire who should find access ready).
 * Inactive: STAGED (created, never activated: not started yet), SUSPENDED (an admin stopped sign-in) and
 * DEPROVISIONED (deactivated). An unknown future status is inactive: the safe side for access.
 */
const ACTIVE_STATUSES: ReadonlySet<string> = new Set<UserStatus>([
  'ACTIVE',
  'PASSWORD_EXPIRED',
  'LOCKED_OUT',
  'RECOVERY',
  'PROVISIONED',
]);

export function isActiveOktaStatus(status: string | undefined): boolean {
  return status !== undefined && ACTIVE_STATUSES.has(status);
}
