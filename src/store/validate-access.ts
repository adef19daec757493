import type { Access } from '../domain/entitlement.js';
import { StoreError } from './store-error.js';

/**
 * Baseline rows are what the next run trusts as "what we last applied": refuse anything that is not
 * `{ entitlement: string value }` rather than store something the planner would misread.
 */
export function assertBaselineEntry(user: string, access: unknown): asserts access is Access {
  if (typeof user !== 'string' || user.length === 0)
    throw new StoreError('baseline user key must be a non-empty string');
  if (typeof access !== 'object' || access === null || Array.isArray(access)) {
    throw new StoreError(`baseline of ${user} must be an object of entitlement values`);
  }
  for (const [key, value] of Object.entries(access)) {
    if (key.length === 0 || typeof value !== 'string') {
      throw new StoreError(`baseline of ${user}: entitlement ${JSON.stringify(key)} must have a string value`);
    }
  }
}
