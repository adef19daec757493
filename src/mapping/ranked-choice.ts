import type { CompiledMapping, CompiledRule } from './compile.js';

/**
 * The multiGroup rule on compiled ranks (decideCandidates states it on values, for explain): `highest` takes the
 * most privileged value; `priority` the lowest priority number, then the most privileged value (the rule name,
 * decideCandidates' last tie-break, cannot change the value: equal priority and rank are the same value).
 * Scratch state per entitlement id, reused from one user to the next: `start`, `offer` each candidate, then
 * `decide` and read `decidedAt` (ascending ids: canonical key order) and `rankOf`.
 */
export class RankedChoice {
  private readonly priorityMode: boolean;
  private readonly stamp: Int32Array;
  private readonly bestRank: Int32Array;
  private readonly bestPriority: Int32Array;
  private touched: Int32Array;
  private count = 0;
  private epoch = 0;

  constructor(c: CompiledMapping) {
    const n = c.entKeys.length;
    this.priorityMode = c.mapping.policy.multiGroup === 'priority';
    this.stamp = new Int32Array(n);
    this.bestRank = new Int32Array(n);
    this.bestPriority = new Int32Array(n);
    this.touched = new Int32Array(Math.max(16, n));
  }

  start(): void {
    this.epoch++;
    this.count = 0;
  }

  /** One candidate: rule `rule` gives entitlement `ent` the value of rank `rank`. True when it is the best so far. */
  offer(ent: number, rank: number, rule: CompiledRule): boolean {
    const priority = rule.rule.priority;
    if (this.stamp[ent] !== this.epoch) {
      this.stamp[ent] = this.epoch;
      this.touched[this.count++] = ent;
    } else if (!this.beats(ent, rank, priority)) return false;
    this.bestRank[ent] = rank;
    this.bestPriority[ent] = priority;
    return true;
  }

  /** Whether a candidate of this rank from this rule gives the winning value (at the winning priority). */
  wins(ent: number, rank: number, rule: CompiledRule): boolean {
    if (rank !== this.bestRank[ent]) return false;
    return !this.priorityMode || rule.rule.priority === this.bestPriority[ent];
  }

  /** Whether entitlement `ent` was offered since `start`. */
  has(ent: number): boolean {
    return this.stamp[ent] === this.epoch;
  }

  /** Sorts the entitlements offered since `start` by id (canonical key order); returns how many: read `decidedAt`. */
  decide(): number {
    sortPrefix(this.touched, this.count);
    return this.count;
  }

  /** the i-th entitlement id decided, ascending (after `decide`) */
  decidedAt(i: number): number {
    return this.touched[i] ?? 0;
  }

  rankOf(ent: number): number {
    return this.bestRank[ent] ?? 0;
  }

  private beats(ent: number, rank: number, priority: number): boolean {
    const best = this.bestRank[ent] ?? 0;
    if (!this.priorityMode) return rank > best;
    const bestPriority = this.bestPriority[ent] ?? 0;
    return priority !== bestPriority ? priority < bestPriority : rank > best;
  }
}

/** Sorts a[0 .. n) in place: a user touches a dozen entitlements, for which insertion sort needs no allocation. */
function sortPrefix(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (a[j] ?? 0) > x) {
      a[j + 1] = a[j] ?? 0;
      j--;
    }
    a[j + 1] = x;
  }
}
