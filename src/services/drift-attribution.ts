import type { Logger } from 'pino';
import { normalizeUserKey } from '../domain/entitlement.js';
import type { DriftItem } from '../domain/plan.js';
import type { AccessTarget, ActivityRecord } from '../ports/access-target.js';

/**
 * Who changed Heap (DESIGN §11): each drift item not yet attributed gets `changedBy` / `changedAt` from the
 * target's activity log, when it has one: the latest change by hand (`via: ui`) of that user's entitlement to the
 * value Heap has now. Informational: a log that cannot be read leaves the items as they are, and the run goes on.
 */
export async function attributeDrift(
  target: AccessTarget,
  drift: readonly DriftItem[],
  options: { logger: Logger; signal?: AbortSignal },
): Promise<void> {
  const open = drift.filter((d) => d.changedBy === undefined);
  if (!open.length || !target.readActivity || !target.capabilities().activityLog) return;
  let records: ActivityRecord[];
  try {
    const users = [...new Set(open.map((d) => normalizeUserKey(d.user)))];
    records = await target.readActivity({ users }, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (options.signal?.aborted) throw err;
    options.logger.warn({ error: (err as Error).message }, 'could not read who changed Heap; drift left unattributed');
    return;
  }
  const latest = new Map<string, ActivityRecord>();
  for (const r of records) {
    if (r.via !== 'ui') continue;
    // oldest first: a later change of the same entitlement replaces an earlier one
    latest.set(`${normalizeUserKey(r.user)}\u0000${r.entitlement}`, r);
  }
  for (const d of open) {
    const r = latest.get(`${normalizeUserKey(d.user)}\u0000${d.entitlement}`);
    if (!r || r.to !== d.actual) continue;
    d.changedBy = r.actor;
    d.changedAt = r.at;
  }
}
