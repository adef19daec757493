import type { Logger } from 'pino';
import type { ChangeResult, RenameResult } from '../domain/journal.js';
import type { Change, Rename } from '../domain/plan.js';
import type { DesiredUser } from '../domain/desired.js';
import { TargetWriteError, type AccessTarget, type UserChangeSet } from '../ports/access-target.js';

export interface ApplyProgress {
  done: number;
  total: number;
}

/**
 * Applies the unblocked changes, batched per user (one target call per user), a few users at a time.
 * A user whose call fails gets every one of its changes journaled as failed with the error; others go on.
 * The order of `results` follows the plan, whatever order the calls finish in.
 * A renamed user's call carries the rename (the teammate is found by its old e-mail and updated in place, never
 * re-created); a rename with no other change is a call of its own. Each rename's outcome goes to `onRenamed`.
 */
export async function applyPlan(
  changes: Change[],
  target: AccessTarget,
  options: {
    profiles: Map<string, DesiredUser>;
    concurrency: number;
    logger: Logger;
    signal?: AbortSignal;
    /** named in every write, so Heap (the stand-in) can tell the writes of two runs apart */
    runId?: string;
    onProgress?: (p: ApplyProgress) => void;
    /** called after each user's call returns, so an interrupted run still knows what was applied */
    onUserDone?: (results: ChangeResult[]) => void;
    /** the plan's renames; their changes name the new e-mail (`to`) */
    renames?: readonly Rename[];
    onRenamed?: (result: RenameResult) => void;
  },
): Promise<ChangeResult[]> {
  const byUser = new Map<string, Change[]>();
  const results = new Map<Change, ChangeResult>();
  for (const change of changes) {
    if (change.blocked) {
      results.set(change, { change, outcome: 'blocked', error: `blocked by guard ${change.blocked}` });
      continue;
    }
    const list = byUser.get(change.user) ?? [];
    list.push(change);
    byUser.set(change.user, list);
  }
  const renameOf = new Map((options.renames ?? []).map((r) => [r.to, r]));
  for (const user of renameOf.keys()) if (!byUser.has(user)) byUser.set(user, []);
  // Users who only gain access go first, so an Admin handover never passes through a moment with no Admin.
  const revokes = (user: string) => byUser.get(user)!.some((c) => c.risk.includes('revokes-access'));
  const users = [...byUser.keys()].sort((a, b) => Number(revokes(a)) - Number(revokes(b)));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++]!;
      const userChanges = byUser.get(user)!;
      const rename = renameOf.get(user);
      const outcome = await applyUser(user, userChanges, target, options, rename);
      for (const r of outcome.results) results.set(r.change, r);
      if (rename)
        options.onRenamed?.({ rename, outcome: outcome.outcome, ...(outcome.error && { error: outcome.error }) });
      options.onUserDone?.(outcome.results);
      options.onProgress?.({ done: ++done, total: users.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, users.length) }, worker));
  return changes.map((c) => results.get(c)!);
}

async function applyUser(
  user: string,
  changes: Change[],
  target: AccessTarget,
  options: { profiles: Map<string, DesiredUser>; logger: Logger; signal?: AbortSignal; runId?: string },
  rename: Rename | undefined,
): Promise<{ results: ChangeResult[]; outcome: RenameResult['outcome']; error?: string }> {
  const profile = options.profiles.get(user);
  const externalId = rename?.id ?? profile?.externalId;
  const set: UserChangeSet = {
    user,
    set: Object.fromEntries(changes.map((c) => [c.entitlement, c.to])),
    ...(profile?.displayName !== undefined && { displayName: profile.displayName }),
    ...((rename?.userName?.to ?? profile?.userName) !== undefined && {
      userName: rename?.userName?.to ?? profile?.userName,
    }),
    ...(externalId !== undefined && { externalId }),
    ...(rename && { rename: { from: rename.from } }),
  };
  const every = (outcome: ChangeResult['outcome'] & RenameResult['outcome'], error?: string) => ({
    results: changes.map((change): ChangeResult => ({ change, outcome, ...(error !== undefined && { error }) })),
    outcome,
    ...(error !== undefined && { error }),
  });
  if (options.signal?.aborted) return every('skipped', 'run aborted before this user');
  try {
    await target.applyUserChanges(set, {
      ...(options.signal && { signal: options.signal }),
      ...(options.runId !== undefined && { runId: options.runId }),
    });
    return every('applied');
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    options.logger.warn({ user, changes: changes.length, error }, 'apply failed');
    const failed = every('failed', error);
    // Heap may hold it anyway: the run reads it back before journaling (DESIGN §10, ambiguous writes)
    if (err instanceof TargetWriteError && err.ambiguous) {
      return { ...failed, results: failed.results.map((r) => ({ ...r, recheck: 'unknown' as const })) };
    }
    return failed;
  }
}
