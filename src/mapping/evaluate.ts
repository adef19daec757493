import { CompactDesired, EvaluatedUser } from '../domain/compact-desired.js';
import type { DesiredState, DesiredUser, EvaluationWarning, RuleReason } from '../domain/desired.js';
import { normalizeUserKey } from '../domain/entitlement.js';
import type { DirectorySnapshot } from '../domain/identity.js';
import type { MappingSet } from '../domain/mapping.js';
import { type CompiledMapping, type CompiledRule, compileMapping } from './compile.js';
import { matchUsers, rulesOfGroup, type UserMatches } from './match-users.js';
import { RankedChoice } from './ranked-choice.js';
import { moduleWarning, SharedEntitlements } from './shared-entitlements.js';
import { matchValueOf } from './user-key.js';

/**
 * Desired Heap access of every IdP user (DESIGN §3): pure and deterministic, users in key order whatever the
 * input order. Built for 100k users: rules are indexed by group and compiled to integer arrays once, reasons are
 * shared per (rule, group), users with the same (rule, group) set are decided once, per-user scratch state
 * lives in typed arrays reused across users, and the result is written to a CompactDesired (no record per user:
 * each user's `entitlements` record is built when read, frozen). The DesiredEntitlement values and their
 * reason lists are shared between users: replace a user's record, never mutate it.
 */
export function evaluateMapping(mapping: MappingSet, snapshot: DirectorySnapshot): DesiredState {
  const c = compileMapping(mapping);
  const m = matchUsers(c, snapshot);
  const store = new CompactDesired(c.entKeys, c.entIndex, c.entValues, m.userKeys.length, slotBound(c, m), m);
  const evaluator = new UserEvaluator(c, m, store);
  const users: DesiredUser[] = new Array<DesiredUser>(m.userKeys.length);
  const warnings: EvaluationWarning[] = [];
  for (let u = 0; u < m.userKeys.length; u++) users[u] = evaluator.evaluate(u, warnings);
  return { users, warnings, absentGroups: absentGroups(c, snapshot) };
}

/**
 * The userName to give the teammate in Heap: the IdP's, unless it looks like an e-mail other than the user's (Heap
 * takes an e-mail userName as the teammate's e-mail: writing it would change who the teammate is); then the e-mail.
 */
export function heapUserNameOf(idpUserName: string, user: string): string {
  // the usual case first: the userName is the (normalised) e-mail itself
  if (idpUserName === user) return idpUserName;
  return !idpUserName.includes('@') || normalizeUserKey(idpUserName) === user ? idpUserName : user;
}

/** DESIGN §10: a rule whose group is in no snapshot it may come from, named on every plan (a typo grants nothing). */
function absentGroups(c: CompiledMapping, snapshot: DirectorySnapshot): string[] {
  const matched = new Set<number>();
  for (const group of snapshot.groups) for (const r of rulesOfGroup(c, group)) matched.add(r);
  const out: string[] = [];
  c.rules.forEach(({ rule }, i) => {
    if (matched.has(i)) return;
    const group = rule.group !== undefined ? `group "${rule.group}"` : `group id "${rule.groupId ?? ''}"`;
    const where = rule.source ? `the snapshot of source ${rule.source}` : "any source's snapshot";
    out.push(`rule "${rule.name}": ${group} is not in ${where}; nobody gets its access`);
  });
  return out;
}

/**
 * At most how many slots the evaluation writes (membership, org and one per grant of each reason, per user; users
 * matched by one reason share its slots): allocated up front, the slot arrays are never copied to grow.
 */
function slotBound(c: CompiledMapping, m: UserMatches): number {
  const grantsOf = (reason: number) => c.rules[m.reasonRule[reason] ?? 0]?.ents.length ?? 0;
  const singleSeen = new Uint8Array(m.reasons.length);
  let slots = 0;
  for (let u = 0; u < m.userKeys.length; u++) {
    const from = m.reasonStart[u] ?? 0;
    const to = m.reasonStart[u + 1] ?? 0;
    if (from === to) continue;
    if (to - from === 1) {
      const reason = m.reasonIds[from] ?? 0;
      if (singleSeen[reason]) continue;
      singleSeen[reason] = 1;
    }
    slots += 2;
    for (let k = from; k < to; k++) slots += grantsOf(m.reasonIds[k] ?? 0);
  }
  return slots;
}

/** What one set of (rule, group) reasons decides, as a range of slots; shared by every user with that set. */
interface Decided {
  from: number;
  to: number;
  notApplied: { entitlement: string; message: string }[];
}

function reasonSetKey(ids: Int32Array, from: number, to: number): string {
  let key = String(ids[from]);
  for (let k = from + 1; k < to; k++) key += `,${ids[k]}`;
  return key;
}

/** Per-user scratch state, indexed by entitlement id, reused from one user to the next. */
class UserEvaluator {
  private readonly choice: RankedChoice;
  /** per entitlement of the current user: how many reasons give the winning value, the first one's candidate */
  private readonly reasonCount: Int32Array;
  private readonly firstCandidate: Int32Array;
  /** reason lists of winners with two or more reasons */
  private readonly lists: RuleReason[][];
  private candEnt = new Int32Array(256);
  private candRank = new Int32Array(256);
  private candReason = new Int32Array(256);
  private candGrant = new Int32Array(256);
  private readonly shared: SharedEntitlements;
  private readonly memo = new Map<number | string, Decided>();
  /** the current user's grants that are not applied (scratch, reused) */
  private readonly notApplied: Decided['notApplied'] = [];
  /** sets of several reasons are remembered only while that pays: in some directories nearly every set is unique */
  private memoMulti = true;
  private memoHits = 0;
  private memoMisses = 0;

  constructor(
    private readonly c: CompiledMapping,
    private readonly m: UserMatches,
    private readonly store: CompactDesired,
  ) {
    const n = c.entKeys.length;
    this.choice = new RankedChoice(c);
    this.reasonCount = new Int32Array(n);
    this.firstCandidate = new Int32Array(n);
    this.lists = new Array<RuleReason[]>(n);
    this.shared = new SharedEntitlements(c, m, store);
  }

  evaluate(u: number, warnings: EvaluationWarning[]): DesiredUser {
    const { c, m, store } = this;
    const identity = m.representative[u];
    if (!identity) throw new Error(`no identity for user ${u}`);
    const user = m.userKeys[u] ?? '';
    const from = m.reasonStart[u] ?? 0;
    const to = m.reasonStart[u + 1] ?? 0;
    const userName = heapUserNameOf(identity.userName, user);
    const desired = new EvaluatedUser(
      {
        user,
        matchValue: matchValueOf(identity, c.mapping.policy.match, user),
        identityId: identity.id,
        externalId: identity.externalId ?? identity.id,
        source: identity.source,
        mapped: from < to,
      },
      identity.displayName,
      userName !== user ? userName : undefined,
      store,
      u,
    );
    if (from === to) {
      store.assign(u, 0, 0);
      return desired;
    }
    // users matched by the same (rule, group) pairs get the same access: decide once, share the slots
    const single = to - from === 1;
    const key = single ? (m.reasonIds[from] ?? 0) : this.memoMulti ? reasonSetKey(m.reasonIds, from, to) : null;
    let decided = key === null ? undefined : this.memo.get(key);
    if (decided) {
      if (!single) this.memoHits++;
    } else {
      const notApplied = this.notApplied;
      notApplied.length = 0;
      const start = store.end;
      this.decide(from, to, notApplied);
      if (key === null) {
        store.assign(u, start, store.end);
        for (const w of notApplied) warnings.push({ user, entitlement: w.entitlement, message: w.message });
        return desired;
      }
      decided = { from: start, to: store.end, notApplied: [...notApplied] };
      this.memo.set(key, decided);
      if (!single && ++this.memoMisses >= 4096 && this.memoHits * 8 < this.memoMisses) this.memoMulti = false;
    }
    store.assign(u, decided.from, decided.to);
    for (const w of decided.notApplied) warnings.push({ user, entitlement: w.entitlement, message: w.message });
    return desired;
  }

  /**
   * Appends the user's slots in canonical key order (membership, org, projects, modules: entitlement ids are in
   * that order), and the grants it does not apply to `notApplied`.
   */
  private decide(from: number, to: number, notApplied: Decided['notApplied']): void {
    const { c, m, shared, store, choice } = this;
    const touched = this.collect(from, to);
    // membership and org (unless a rule names it) have every reason the user matched: shared for a single one
    const defaults = to - from === 1 ? shared.defaultsOf(m.reasonIds[from] ?? 0) : null;
    if (defaults) store.push(c.membershipEnt, c.activeRank, defaults.membership);
    else store.pushAllReasons(c.membershipEnt, c.activeRank);
    if (choice.has(c.orgEnt)) this.pushWinner(c.orgEnt);
    else if (defaults) store.push(c.orgEnt, c.orgFallbackRank, defaults.org);
    else store.pushAllReasons(c.orgEnt, c.orgFallbackRank);
    for (let t = 0; t < touched; t++) {
      const ent = choice.decidedAt(t);
      if (ent === c.orgEnt) continue;
      const project = c.moduleProject[ent] ?? -1;
      if (project >= 0 && !choice.has(project)) notApplied.push(this.moduleWithoutProject(ent));
      else this.pushWinner(ent);
    }
  }

  /** The decided value of an entitlement; one reason (the usual case) gives a grant shared by every such user. */
  private pushWinner(ent: number): void {
    const rank = this.choice.rankOf(ent);
    if (this.reasonCount[ent] === 1) {
      const cand = this.firstCandidate[ent] ?? 0;
      this.store.push(ent, rank, this.shared.grant(this.candReason[cand] ?? 0, this.candGrant[cand] ?? 0));
    } else {
      const grant = this.store.addGrant({ value: this.valueOf(ent, rank), reasons: this.lists[ent] ?? [] });
      this.store.push(ent, rank, grant);
    }
  }

  private moduleWithoutProject(ent: number): Decided['notApplied'][number] {
    const entitlement = this.c.entKeys[ent] ?? '';
    const cand = this.firstCandidate[ent] ?? 0;
    const message =
      this.reasonCount[ent] === 1
        ? this.shared.warning(this.candReason[cand] ?? 0, this.candGrant[cand] ?? 0)
        : moduleWarning(entitlement, this.valueOf(ent, this.choice.rankOf(ent)), this.lists[ent] ?? []);
    return { entitlement, message };
  }

  private valueOf(ent: number, rank: number): string {
    return this.c.entValues[ent]?.[rank] ?? '';
  }

  /** Gathers every candidate of the user's reasons, decides each entitlement, and counts the winning reasons. */
  private collect(from: number, to: number): number {
    const { c, m, choice } = this;
    choice.start();
    let n = 0;
    for (let k = from; k < to; k++) {
      const reason = m.reasonIds[k] ?? 0;
      const rule = c.rules[m.reasonRule[reason] ?? 0];
      if (!rule) continue;
      const { ents, ranks } = rule;
      for (let g = 0; g < ents.length; g++) {
        const ent = ents[g] ?? 0;
        const rank = ranks[g] ?? 0;
        if (n === this.candEnt.length) this.grow();
        this.candEnt[n] = ent;
        this.candRank[n] = rank;
        this.candReason[n] = reason;
        this.candGrant[n++] = g;
        if (choice.offer(ent, rank, rule)) this.reasonCount[ent] = 0;
      }
    }
    // each (reason, entitlement) pair occurs once: a user's reasons are distinct and a rule grants a key once
    for (let i = 0; i < n; i++) {
      const ent = this.candEnt[i] ?? 0;
      const reason = this.candReason[i] ?? 0;
      if (!choice.wins(ent, this.candRank[i] ?? 0, c.rules[m.reasonRule[reason] ?? 0] as CompiledRule)) continue;
      const count = this.reasonCount[ent] ?? 0;
      if (count === 0) this.firstCandidate[ent] = i;
      else if (count === 1) {
        const first = this.candReason[this.firstCandidate[ent] ?? 0] ?? 0;
        this.lists[ent] = [m.reasons[first] as RuleReason, m.reasons[reason] as RuleReason];
      } else (this.lists[ent] as RuleReason[]).push(m.reasons[reason] as RuleReason);
      this.reasonCount[ent] = count + 1;
    }
    return choice.decide();
  }

  private grow(): void {
    const size = this.candEnt.length * 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.candEnt = grow(this.candEnt);
    this.candRank = grow(this.candRank);
    this.candReason = grow(this.candReason);
    this.candGrant = grow(this.candGrant);
  }
}
