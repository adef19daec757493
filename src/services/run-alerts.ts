import type { AlertDispatcher } from '../alerts/index.js';
import { guardBlocked, planHeld, runFailed } from '../alerts/index.js';
import type { Alert } from '../ports/alert-sink.js';
import type { RunOutcome } from './sync.js';

/**
 * Turns a finished run into alerts: drift detected/resolved (once per item), run failed, plan held, guard blocked.
 * Dry runs only report; they never open or resolve drift alerts, since nothing was reconciled.
 */
export async function alertOnRun(dispatcher: AlertDispatcher, { record, plan }: RunOutcome, now: Date): Promise<void> {
  const alerts: Alert[] = [];
  if (record.status === 'failed' || record.status === 'partial') {
    alerts.push(runFailed(record, now));
  }
  if (plan && record.status !== 'dry-run' && record.status !== 'failed') {
    await dispatcher.reconcileDrift(plan.drift, record.id, record.scope ? new Set(record.scope) : null);
  }
  if (plan && record.status === 'held') alerts.push(planHeld(record.id, plan.summary, plan.heldBy, now));
  if (plan && record.status !== 'dry-run' && plan.changes.some((c) => c.blocked)) {
    alerts.push(guardBlocked(plan.changes, record.id, now));
  }
  if (alerts.length) await dispatcher.enqueue(alerts);
}
