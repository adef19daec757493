import { randomUUID } from 'node:crypto';
import type { AccessException } from '../domain/exception.js';
import { isExceptionActive } from '../domain/exception.js';
import { parseEntitlement } from '../domain/entitlement.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import type { MappingSet } from '../domain/mapping.js';
import { valuesOf } from '../domain/model.js';
import type { DriftItem } from '../domain/plan.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { createEventJournal, type EventJournal, type EventJournalDeps } from './journal-events.js';

const sameActor = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export interface NewException {
  user: string;
  entitlement: string;
  value: string | null;
  reason: string;
  /** who approved it; required with four eyes, and then not the requester. Without four eyes it defaults to them */
  approver?: string;
  /** an ISO date-time, or a duration from now such as `7d`, `12h`, `30m` */
  expires: string;
  /** who asks for it (`--actor`, the API caller); the journal records them, four eyes compare them */
  requestedBy?: string;
}

const MAX_EXCEPTION_DAYS = 366;
export const EXPIRING_SOON_MS = 7 * 24 * 3600 * 1000;

/** Approved, time-bound overrides of the mapping (the seed's "temporary elevation"). */
export interface ExceptionDeps {
  store: Store;
  clock: Clock;
  mapping: () => MappingSet;
  /** the journal's checkpoint writer: creating and revoking an exception are records of the chain */
  journal?: EventJournalDeps['journal'];
}

export function createExceptionService(deps: ExceptionDeps) {
  const journalEvent = createEventJournal(deps);
  function validate(input: NewException): AccessException {
    const problems: string[] = [];
    const mapping = deps.mapping();
    const user = input.user?.trim().toLowerCase();
    if (!user) problems.push('user is required');
    const ref = parseEntitlement(input.entitlement ?? '');
    if (!ref)
      problems.push(
        `entitlement "${input.entitlement}" is not membership, org, project:<key> or module:<module>:<key>`,
      );
    if (ref && (ref.kind === 'project' || ref.kind === 'module')) {
      if (!mapping.projects.some((p) => p.key === ref.project)) problems.push(`unknown project "${ref.project}"`);
    }
    if (ref && input.value !== null) {
      const allowed = valuesOf(mapping.model, input.entitlement);
      if (!allowed) problems.push(`unknown module in "${input.entitlement}"`);
      else if (!allowed.includes(input.value)) {
        problems.push(`value "${input.value}" is not one of ${allowed.join(', ')} for ${input.entitlement}`);
      }
    }
    if (ref?.kind === 'module' && !mapping.model.licensedModules.includes(ref.module) && input.value !== null) {
      problems.push(`module "${ref.module}" is not licensed`);
    }
    if (!input.reason?.trim()) problems.push('reason is required (auditors ask why)');
    const requester = input.requestedBy?.trim();
    const { fourEyes } = mapping.policy;
    const approver = input.approver?.trim() || (fourEyes ? '' : (requester ?? ''));
    if (!approver) {
      problems.push(
        fourEyes && requester
          ? `approver is required: four eyes (policy.fourEyes), so someone other than ${requester} approves it`
          : 'approver is required',
      );
    } else if (fourEyes && requester && sameActor(requester, approver)) {
      // four eyes: whoever asks for an exception does not approve it
      problems.push(`four eyes: ${requester} asks for this exception, so someone else must approve it`);
    }
    const now = deps.clock.now();
    const expiresAt = parseExpiry(input.expires, now);
    if (!expiresAt) problems.push(`expires "${input.expires}" is neither an ISO date-time nor a duration like 7d, 12h`);
    else if (expiresAt.getTime() <= now.getTime()) problems.push('expires must be in the future');
    else if (expiresAt.getTime() - now.getTime() > MAX_EXCEPTION_DAYS * 24 * 3600 * 1000) {
      problems.push(`exceptions last at most ${MAX_EXCEPTION_DAYS} days: make a permanent change in the IdP instead`);
    }
    if (problems.length) throw new BadRequestError(problems.join('; '), problems);
    return {
      id: `exc-${randomUUID().slice(0, 8)}`,
      user: user!,
      entitlement: input.entitlement,
      value: input.value,
      reason: input.reason.trim(),
      approver,
      ...(requester && { requestedBy: requester }),
      createdAt: now.toISOString(),
      expiresAt: expiresAt!.toISOString(),
      revokedAt: null,
    };
  }

  // The overlap check and the insert must not interleave with another add in this process (it was one
  // synchronous step while the store was synchronous); a store shared by processes still relies on this check only.
  let writes: Promise<unknown> = Promise.resolve();
  const oneWriteAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const next = writes.then(work, work);
    writes = next.catch(() => undefined);
    return next;
  };

  return {
    add(input: NewException): Promise<AccessException> {
      return oneWriteAtATime(async () => {
        const exception = validate(input);
        const clash = (await deps.store.listExceptions({ now: deps.clock.now() })).find(
          (e) => e.user === exception.user && e.entitlement === exception.entitlement,
        );
        if (clash)
          throw new BadRequestError(
            `exception ${clash.id} already covers ${exception.user} ${exception.entitlement}; revoke it first`,
          );
        await deps.store.addException(exception);
        await journalEvent('exception', exception.requestedBy ?? exception.approver, exception.user, {
          kind: 'exception-created',
          exception,
        });
        return exception;
      });
    },
    /** Accepts a manual change seen as drift until the expiry: the exception's value is what Heap has now. */
    addFromDrift(
      item: DriftItem,
      input: Omit<NewException, 'user' | 'entitlement' | 'value'>,
    ): Promise<AccessException> {
      return this.add({ ...input, user: item.user, entitlement: item.entitlement, value: item.actual });
    },
    list(options: { all?: boolean } = {}): Promise<AccessException[]> {
      return deps.store.listExceptions({ includeInactive: Boolean(options.all), now: deps.clock.now() });
    },
    /** ends an exception now; `actor` (who revokes it) is journaled with it */
    revoke(id: string, actor = 'unknown'): Promise<AccessException> {
      return oneWriteAtATime(async () => {
        const existing = await deps.store.getException(id);
        if (!existing) throw new NotFoundError(`no exception ${id}`);
        if (!(await deps.store.revokeException(id, deps.clock.now())))
          throw new BadRequestError(`exception ${id} is already revoked`);
        const revoked = (await deps.store.getException(id))!;
        await journalEvent('exception', actor, revoked.user, { kind: 'exception-revoked', exception: revoked });
        return revoked;
      });
    },
    /** active exceptions that expire within 7 days (the dashboard shows them, alerts fire within 24 h) */
    async expiringSoon(withinMs = EXPIRING_SOON_MS): Promise<AccessException[]> {
      const now = deps.clock.now();
      return (await deps.store.listExceptions({ now })).filter(
        (e) => isExceptionActive(e, now) && Date.parse(e.expiresAt) - now.getTime() <= withinMs,
      );
    },
    /** when the next active exception expires (the service schedules a run then) */
    async nextExpiry(): Promise<Date | null> {
      const now = deps.clock.now();
      const next = (await deps.store.listExceptions({ now }))
        .map((e) => Date.parse(e.expiresAt))
        .sort((a, b) => a - b)[0];
      return next === undefined ? null : new Date(next);
    },
  };
}

export type ExceptionService = ReturnType<typeof createExceptionService>;

/** the actor journaled for exceptions the sync moves on a rename */
const MOVED_BY = 'heap-access-sync';

/**
 * A rename by immutable id moves the person's active exceptions to the new e-mail (DESIGN §10, one person, one
 * teammate): each is revoked under the old e-mail and made again, same value, approver and expiry, under the new.
 */
export async function moveExceptionsOnRename(
  store: Pick<Store, 'listExceptions' | 'addException' | 'revokeException' | 'getException'>,
  renames: readonly { from: string; to: string }[],
  now: Date,
  /** journals each revocation and creation in the chain, as the exception service does (actor: the sync) */
  journalEvent?: EventJournal,
): Promise<AccessException[]> {
  const moved: AccessException[] = [];
  const renamed = renames.filter((r) => r.from.toLowerCase() !== r.to.toLowerCase());
  if (!renamed.length) return moved;
  const active = await store.listExceptions({ now });
  for (const { from, to } of renamed) {
    for (const e of active.filter((x) => x.user.toLowerCase() === from.toLowerCase())) {
      const next: AccessException = {
        ...e,
        id: `exc-${randomUUID().slice(0, 8)}`,
        user: to.toLowerCase(),
        reason: `${e.reason} (moved from ${from} when the identity provider renamed them)`,
        revokedAt: null,
      };
      await store.revokeException(e.id, now);
      await journalEvent?.('exception', MOVED_BY, from, {
        kind: 'exception-revoked',
        exception: (await store.getException(e.id)) ?? { ...e, revokedAt: now.toISOString() },
      });
      await store.addException(next);
      await journalEvent?.('exception', MOVED_BY, to, { kind: 'exception-created', exception: next });
      moved.push(next);
    }
  }
  return moved;
}

export function parseExpiry(text: string, now: Date): Date | null {
  const duration = /^(\d+)\s*(m|h|d|w)$/.exec(text?.trim() ?? '');
  if (duration) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[duration[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() + Number(duration[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text ?? '')) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}
