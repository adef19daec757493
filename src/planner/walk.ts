import { type CompactDesired, EvaluatedUser } from '../domain/compact-desired.js';
import type { DesiredEntitlement, GrantReasons, Reason } from '../domain/desired.js';
import {
  type Access,
  DEACTIVATED,
  type EntitlementValue,
  MEMBERSHIP,
  normalizeUserKey,
} from '../domain/entitlement.js';
import type { AccessException } from '../domain/exception.js';
import type { MappingSet } from '../domain/mapping.js';
import { type TopRoles, topRolesOf } from '../domain/model.js';
import type { Cause, Change, DriftItem } from '../domain/plan.js';
import { factsOf, type Teammate } from '../domain/teammate.js';
import { AdminCensus, isTopRole } from './census.js';
import { classifyDifference } from './classify.js';
import { EMPTY_ACCESS, visitWanted } from './effective.js';
import { grantReasonsOf, lostGrantReasons } from './grant-reasons.js';
import { type ExceptionIndex, type ExceptionSlot, exceptionReason } from './exceptions.js';
import { sortReasons } from './order.js';
import type { SuggestionSubject } from './side-effects.js';
import { assessRisk, environmentsOf } from './risk.js';
import { baselineOf, type Subject } from './subjects.js';
import { sightingKey, type DriftSighting } from '../domain/drift.js';

/** Grace before revert (DESIGN §11): when each drift was first seen, and how long a manual change waits. */
export interface Grace {
  now: Date;
  revertAfterMs: number;
  sightings: ReadonlyMap<string, DriftSighting>;
  /** an administrator asked to revert now: every drift the policy reverts is reverted by this run */
  revertNow: boolean;
}

export interface DriftDraft {
  item: Omit<DriftItem, 'suggestion' | 'suggestedActions'>;
  desiredReasons: readonly Reason[] | null;
  exception: AccessException | null;
  /** the user's mapping and Heap access, to evaluate the suggestions' side effects */
  subject: SuggestionSubject;
}

interface SlotsScratch {
  store: CompactDesired;
  seen: Int32Array;
  slot: Int32Array;
}

/** One entitlement whose actual value differs from the effective desired value. */
interface Difference {
  key: string;
  desired: EntitlementValue;
  reasons: readonly Reason[] | null;
  exception: AccessException | null;
  slot: ExceptionSlot | undefined;
  actual: EntitlementValue;
}

/**
 * Walks every subject's entitlements once, turning differences into changes and drift (DESIGN §4) and counting
 * Admins for the guards on the way. Built for 100k users: the common case (a mapped user without exceptions)
 * is a tight loop over two records; the baseline is looked up only for users with a difference.
 */
export class PlanWalker {
  readonly changes: Change[] = [];
  readonly drafts: DriftDraft[] = [];
  /** by normalised e-mail: the teammate of every user with changes, for the guards */
  readonly teammateOf = new Map<string, Teammate | null>();
  readonly census: AdminCensus;
  /** subjects with a teammate that is not deactivated in Heap (see SubjectWalk.managedActiveUnvisited) */
  activeTeammates = 0;
  private readonly environments: Map<string, string>;
  private readonly diff: Difference = {
    key: '',
    desired: null,
    reasons: null,
    exception: null,
    slot: undefined,
    actual: null,
  };
  /** per entitlement id of the slots being walked: the slot of the current user's value, while `seen` is `epoch` */
  private slotsScratch: SlotsScratch | null = null;
  private epoch = 0;
  /** the current user's Admin roles in Heap, counted once its membership is known */
  private readonly admins: string[] = [];
  /** the current subject's baseline, looked up on its first difference */
  private baseLoaded = false;
  private base: Access | undefined;
  private readonly top: TopRoles;
  private readonly nowIso: string;
  private nowPlusGrace: string | undefined;

  constructor(
    private readonly mapping: MappingSet,
    private readonly baseline: ReadonlyMap<string, Access>,
    private readonly exceptions: ExceptionIndex,
    private readonly grace: Grace,
    /** per user, the rules behind each baseline value: a revocation names the ones that granted what it takes */
    private readonly grantReasons?: ReadonlyMap<string, GrantReasons | null>,
  ) {
    this.environments = environmentsOf(mapping.projects);
    this.top = topRolesOf(mapping.model);
    this.nowIso = grace.now.toISOString();
    this.census = new AdminCensus(this.top);
  }

  /** Plans one subject. `s` may be reused by the caller afterwards: nothing keeps a reference to it. */
  walk(s: Subject): void {
    this.baseLoaded = false;
    // a user renamed by immutable id keeps the exceptions made under the e-mail Heap knew them by
    const slots = this.exceptions.size
      ? (this.exceptions.get(s.key) ??
        (s.renamedFrom === null ? undefined : this.exceptions.get(normalizeUserKey(s.renamedFrom))))
      : undefined;
    const d = s.desired;
    if (s.mode !== 'mapped' || !d || slots) {
      this.walkGeneral(s, slots);
      return;
    }
    const store = EvaluatedUser.slotsOf(d);
    if (store) this.walkSlots(s, store, EvaluatedUser.indexOf(d), s.teammate?.access ?? EMPTY_ACCESS);
    else this.walkMapped(s, d.entitlements, s.teammate?.access ?? EMPTY_ACCESS);
  }

  /**
   * walkMapped for an evaluated user, in one merge walk of Heap's access against the user's slots: both are
   * usually in the same (canonical) key order, so most keys match the next slot by identity and no record is
   * built. From the first key out of step, the remaining slots are marked by entitlement id and looked up instead.
   * Touching each access object once matters more than anything else here: at 100k users every read of an
   * object with its own hidden class is a cache miss (and a named property read an inline-cache miss).
   */
  private walkSlots(s: Subject, store: CompactDesired, u: number, access: Access): void {
    const to = store.to(u);
    let next = store.from(u);
    let marked = -1; // the epoch of the marks once out of step
    const admins = this.admins;
    admins.length = 0;
    let membership: EntitlementValue | undefined;
    for (const key in access) {
      const a = access[key];
      if (a === undefined || a === null) continue;
      if (key === MEMBERSHIP) membership = a;
      else if (isTopRole(this.top, key, a)) admins.push(key);
      let k: number;
      if (marked < 0 && next < to && key === store.keyOf(next)) k = next++;
      else {
        if (marked < 0) marked = this.mark(store, next, to);
        const ent = store.keyIndex.get(key);
        const { seen, slot } = this.slotsScratch as SlotsScratch;
        if (ent === undefined || seen[ent] !== marked) {
          this.slotDiffers(s, store, u, -1, key, a);
          continue;
        }
        seen[ent] = 0;
        k = slot[ent] ?? 0;
      }
      if (a !== store.valueOf(k)) this.slotDiffers(s, store, u, k, key, a);
    }
    if (s.teammate !== null && membership !== DEACTIVATED) {
      this.activeTeammates++;
      for (const key of admins) this.census.countRole(key, access[key]);
    }
    if (marked < 0) for (let k = next; k < to; k++) this.slotDiffers(s, store, u, k, store.keyOf(k), null);
    else {
      const { seen } = this.slotsScratch as SlotsScratch;
      for (let k = next; k < to; k++) {
        if (seen[store.entOf(k)] === marked) this.slotDiffers(s, store, u, k, store.keyOf(k), null);
      }
    }
  }

  /** Marks the slots [from, to) by entitlement id for lookup; returns the marks' epoch. */
  private mark(store: CompactDesired, from: number, to: number): number {
    if (this.slotsScratch?.store !== store) {
      const n = store.keys.length;
      this.slotsScratch = { store, seen: new Int32Array(n), slot: new Int32Array(n) };
      this.epoch = 0;
    }
    const { seen, slot } = this.slotsScratch;
    const epoch = ++this.epoch;
    for (let k = from; k < to; k++) {
      const ent = store.entOf(k);
      seen[ent] = epoch;
      slot[ent] = k;
    }
    return epoch;
  }

  /** A difference at slot k (-1: an entitlement the user has in Heap and the mapping does not give). */
  private slotDiffers(
    s: Subject,
    store: CompactDesired,
    u: number,
    k: number,
    key: string,
    actual: EntitlementValue,
  ): void {
    const diff = this.diff;
    diff.key = key;
    diff.desired = k < 0 ? null : store.valueOf(k);
    diff.reasons = k < 0 ? null : store.reasonsOf(u, k);
    diff.exception = null;
    diff.slot = undefined;
    diff.actual = actual;
    this.differ(s, diff);
  }
  private walkMapped(s: Subject, ents: Record<string, DesiredEntitlement>, access: Access): void {
    const counted = s.teammate !== null && access[MEMBERSHIP] !== DEACTIVATED;
    if (counted) this.activeTeammates++;
    const diff = this.diff;
    for (const key in ents) {
      const e = ents[key] as DesiredEntitlement;
      const a = access[key];
      if (counted) this.census.countRole(key, a);
      if (a === e.value) continue;
      diff.key = key;
      diff.desired = e.value;
      diff.reasons = e.reasons;
      diff.exception = null;
      diff.slot = undefined;
      diff.actual = a ?? null;
      this.differ(s, diff);
    }
    for (const key in access) {
      const a = access[key];
      if (a === undefined || a === null || ents[key] !== undefined) continue;
      if (counted) this.census.countRole(key, a);
      diff.key = key;
      diff.desired = null;
      diff.reasons = null;
      diff.exception = null;
      diff.slot = undefined;
      diff.actual = a;
      this.differ(s, diff);
    }
  }

  /** Policy-managed users and users with exceptions: rare, so clarity beats speed here. */
  private walkGeneral(s: Subject, slots: ReadonlyMap<string, ExceptionSlot> | undefined): void {
    const access = s.teammate?.access ?? EMPTY_ACCESS;
    if (s.teammate) this.census.countTeammate(access);
    if (s.teammate && access[MEMBERSHIP] !== DEACTIVATED) this.activeTeammates++;
    visitWanted(s, access, slots, (w) => {
      const a = access[w.key] ?? null;
      if (a === w.value) return;
      this.differ(s, {
        key: w.key,
        desired: w.value,
        reasons: w.reasons,
        exception: w.exception,
        slot: w.slot,
        actual: a,
      });
    });
  }

  private differ(s: Subject, d: Difference): void {
    const a = d.actual;
    const expired = d.exception ? null : d.slot?.expired;
    if (expired && expired.value === a) {
      // An approved temporary value ran out: revert it whatever the drift policy, and say why.
      this.emit(s, d, 'exception', [exceptionReason(expired, true), ...this.reasonsFor(s, d)]);
      return;
    }
    this.loadBase(s);
    const b = this.base === undefined ? undefined : (this.base[d.key] ?? null);
    const cause = classifyDifference(a, d.desired, b);
    if (cause === 'idp-change') {
      this.emit(s, d, d.exception ? 'exception' : 'idp-change', this.reasonsFor(s, d));
      return;
    }
    const action = this.mapping.policy.manualOverrides;
    const { firstSeen, revertsAt, seen } = this.timing(s, d.key, a, cause, action);
    this.drafts.push({
      item: {
        user: s.user,
        entitlement: d.key,
        baseline: b ?? null,
        actual: a,
        desired: d.desired,
        cause,
        // a manual raise to the model's top role (whatever it is called) is how someone grants themselves Admin
        ...(isTopRole(this.top, d.key, a) && !isTopRole(this.top, d.key, d.desired) && { escalation: true }),
        action,
        firstSeen,
        revertsAt,
        ...(seen?.changedBy !== undefined && { changedBy: seen.changedBy }),
        ...(seen?.changedAt !== undefined && { changedAt: seen.changedAt }),
        ...factsOf(s.teammate),
      },
      desiredReasons: d.reasons,
      exception: d.exception,
      subject: { desired: s.desired, access: s.teammate?.access ?? EMPTY_ACCESS },
    });
    // a manual change waits out the grace from when it was first seen: alerted now, reverted by a later run
    const due = revertsAt !== null && Date.parse(revertsAt) <= this.grace.now.getTime();
    if (action === 'revert' && (due || this.grace.revertNow)) {
      this.emit(s, d, cause, this.reasonsFor(s, d));
    }
  }

  /**
   * When this drift was first seen (an earlier run's sighting of the same value, else now) and when it is reverted:
   * a manual override after policy.revertAfter; a conflict (the IdP changed too) or unmanaged access at once.
   */
  private timing(s: Subject, key: string, actual: EntitlementValue, cause: string, action: 'revert' | 'keep') {
    const found = this.grace.sightings.get(sightingKey(s.user, key));
    // another value than the one seen before is a new manual change: its grace starts now
    const seen = found && found.actual === actual ? found : undefined;
    const firstSeen = seen ? seen.firstSeen : this.nowIso;
    if (action === 'keep') return { firstSeen, revertsAt: null, seen };
    const wait = cause === 'manual-override' ? this.grace.revertAfterMs : 0;
    // first seen now (most drift, and all of a first run's): the two possible times, computed once
    if (!seen)
      return { firstSeen, revertsAt: wait ? (this.nowPlusGrace ??= this.isoAfter(firstSeen, wait)) : firstSeen, seen };
    return { firstSeen, revertsAt: this.isoAfter(firstSeen, wait), seen };
  }

  private isoAfter(iso: string, ms: number): string {
    return new Date(Date.parse(iso) + ms).toISOString();
  }

  private loadBase(s: Subject): void {
    if (this.baseLoaded) return;
    this.baseLoaded = true;
    this.base = baselineOf(this.baseline, s);
  }

  /**
   * Why an entitlement changes: rules or policy say so, or (for a mapped user) nothing grants the old value any more:
   * then the rules that had granted it, as the baseline recorded them when the sync applied it.
   */
  private reasonsFor(s: Subject, d: Difference): Reason[] {
    if (d.reasons) return sortReasons(d.reasons);
    if (d.actual === null) return [];
    this.loadBase(s);
    return lostGrantReasons(grantReasonsOf(this.grantReasons, s), d.key, this.base !== undefined);
  }

  private emit(s: Subject, d: Difference, cause: Cause, reasons: Reason[]): void {
    const risk = assessRisk(this.mapping.model, this.environments, d.key, d.actual, d.desired);
    // Heap's guide: before lowering someone, check what they own and transfer it
    if ((s.teammate?.ownedAssets ?? 0) > 0 && risk.includes('revokes-access')) risk.push('owns-assets');
    this.changes.push({
      user: s.user,
      entitlement: d.key,
      from: d.actual,
      to: d.desired,
      cause,
      reasons,
      risk,
      blocked: null,
      ...factsOf(s.teammate),
    });
    if (!this.teammateOf.has(s.key)) this.teammateOf.set(s.key, s.teammate);
  }
}
