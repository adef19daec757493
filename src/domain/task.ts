import type { EntitlementKey, EntitlementValue } from './entitlement.js';

/**
 * `open`: waiting for a Heap administrator. `done`: the administrator says it is done; the next run checks it.
 * `verified`: the next run saw it in Heap. `attested`: Heap cannot show it, so the administrator's word is recorded
 * as Heap's state. `closed`: a later run found it unnecessary (`closedReason` says why).
 */
export type TaskStatus = 'open' | 'done' | 'verified' | 'attested' | 'closed';
export const TASK_STATUSES: readonly TaskStatus[] = ['open', 'done', 'verified', 'attested', 'closed'];
/** tasks still waiting for someone: the administrator (open) or the next run (done) */
export const PENDING_TASK_STATUSES: readonly TaskStatus[] = ['open', 'done'];

/** One thing that happened to a task, oldest first: its own small journal. */
export interface TaskEvent {
  at: string;
  /** `opened`, `done`, `verified`, `attested`, `reopened`, `closed`, `updated` */
  action: string;
  /** the administrator who said it is done, or `sync` for what a run decided */
  actor: string;
  runId?: string;
  note?: string;
}

/**
 * An assisted change: what the target cannot write, for a Heap administrator to do in Heap's UI.
 * `user` is the teammate's e-mail, or `team:<name>` for a Team's project binding.
 */
export interface AssistedTask {
  id: string;
  user: string;
  entitlement: EntitlementKey;
  from: EntitlementValue;
  to: EntitlementValue;
  /** whether the next run can check it (assisted) or has to take the administrator's word (unobservable) */
  enforcement: 'assisted' | 'unobservable';
  /** the step in Heap's UI, as the administrator's guide describes it */
  step: string;
  /** why the change is wanted: the rules and groups, or the policy */
  why: string;
  status: TaskStatus;
  createdAt: string;
  updatedAt: string;
  /** the run that opened it */
  runId: string;
  doneBy?: string;
  doneAt?: string;
  closedReason?: string;
  history: TaskEvent[];
}

/** Tasks for a teammate are keyed by user and entitlement: at most one pending task per key. */
export const taskKey = (user: string, entitlement: string): string => `${user.toLowerCase()}\n${entitlement}`;
