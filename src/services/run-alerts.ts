import type { AlertDispatcher } from '../alerts/index.js';
import { driftAlertKey, guardBlocked, planHeld, runFailed } from '../alerts/index.js';
import type { Alert } from '../ports/alert-sink.js';
import type { RunOutcome } from './sync.js';

const DRIFT_CAUSES = new Set(['manual-override', 'conflict', 'unmanaged']);

/**
 * Turns a finished run into alerts: run failed, plan held, guard blocked, and the resolution of the drift it
 * reverted. Drift detected (once per item) went out during the run, before anything was reverted (the sync
 * service's alertDriftBeforeRevert).
 */
export async function alertOnRun(dispatcher: AlertDispatcher, { record, plan }: RunOutcome, now: Date): Promise<void> {
  const alerts: Alert[] = [];
  if (record.status === 'failed' || record.status === 'partial') {
    alerts.push(runFailed(record, now));
  }
  // drift this run reverted is resolved now, not by the next run
  if (plan && (record.status === 'succeeded' || record.status === 'partial')) {
    const reverted = new Set(
      record.results
        .filter((r) => r.outcome === 'applied' && DRIFT_CAUSES.has(r.change.cause))
        .map((r) => driftAlertKey(r.change.user, r.change.entitlement)),
    );
    if (reverted.size) {
      const left = plan.drift.filter((d) => !reverted.has(driftAlertKey(d.user, d.entitlement)));
      await dispatcher.reconcileDrift(left, record.id, record.scope ? new Set(record.scope) : null);
    }
  }
  if (plan && record.status === 'held') alerts.push(planHeld(record.id, plan.summary, plan.heldBy, now, record.actor));
  if (plan && record.status !== 'dry-run' && plan.changes.some((c) => c.blocked)) {
    alerts.push(guardBlocked(plan.changes, record.id, now));
  }
  if (alerts.length) await dispatcher.enqueue(alerts);
}
