import type { DesiredEntitlement, DesiredUser, RuleReason } from './desired.js';
import type { EntitlementKey } from './entitlement.js';

/** The grant of a slot whose reasons are every reason the user matched (membership, and org when no rule names it). */
const ALL_REASONS = -1;

/**
 * The desired access of one evaluation in compact form, written by the evaluator and read by the planner.
 * Built for 100k users: entitlement keys are interned to small integers (in canonical order), each user's
 * entitlements are a range of slots (entitlement id, value, grant) in key order, the (value, reasons) objects
 * are interned and shared by every user they apply to, and users decided alike share one range. The planner
 * compares a user's slots with Heap's access without building a record per user; `DesiredUser.entitlements`
 * is built from the slots only when something reads it (explain, docs, the API, the JSON of the desired state).
 */
export class CompactDesired {
  /** interned (value, reasons) of the slots, by grant id */
  private readonly grants: DesiredEntitlement[] = [];
  private slotEnt: Int32Array;
  private slotGrant: Int32Array;
  /** the value of a slot as its rank among its entitlement's values: no array of a million strings to grow */
  private slotRank: Int32Array;
  private size = 0;
  private readonly userFrom: Int32Array;
  private readonly userTo: Int32Array;

  /**
   * @param keys entitlement keys by id, in canonical order
   * @param values allowed values of each entitlement by id, least privileged first (slots hold ranks into them)
   * @param capacity slots to allocate up front (at most what the evaluation will write: growing copies them)
   * @param userReasons every reason user u matched: reasons[reasonIds[reasonStart[u] .. reasonStart[u + 1])]
   */
  constructor(
    readonly keys: readonly EntitlementKey[],
    readonly keyIndex: ReadonlyMap<EntitlementKey, number>,
    private readonly values: readonly (readonly string[])[],
    users: number,
    capacity: number,
    private readonly userReasons: {
      reasons: readonly RuleReason[];
      reasonStart: Int32Array;
      reasonIds: Int32Array;
    },
  ) {
    this.userFrom = new Int32Array(users);
    this.userTo = new Int32Array(users);
    const size = Math.max(16, capacity);
    this.slotEnt = new Int32Array(size);
    this.slotGrant = new Int32Array(size);
    this.slotRank = new Int32Array(size);
  }

  /** Numbers a (value, reasons) object for slots to refer to; callers add each shared object once. */
  addGrant(e: DesiredEntitlement): number {
    this.grants.push(e);
    return this.grants.length - 1;
  }

  /** Appends a slot: value `values[ent][rank]`; `grant` is an interned id, or -1 for every reason of the user. */
  push(ent: number, rank: number, grant: number): void {
    if (this.size === this.slotEnt.length) this.grow();
    this.slotEnt[this.size] = ent;
    this.slotGrant[this.size] = grant;
    this.slotRank[this.size++] = rank;
  }

  /** a slot for value rank `rank` given by every reason the user matched */
  pushAllReasons(ent: number, rank: number): void {
    this.push(ent, rank, ALL_REASONS);
  }

  /** where the next slot goes: start a user's range here, end it with `assign` */
  get end(): number {
    return this.size;
  }

  /** User u's entitlements are the slots [from, to) (several users may share one range). */
  assign(u: number, from: number, to: number): void {
    this.userFrom[u] = from;
    this.userTo[u] = to;
  }

  from(u: number): number {
    return this.userFrom[u] ?? 0;
  }

  to(u: number): number {
    return this.userTo[u] ?? 0;
  }

  entOf(slot: number): number {
    return this.slotEnt[slot] ?? 0;
  }

  keyOf(slot: number): EntitlementKey {
    return this.keys[this.slotEnt[slot] ?? 0] ?? '';
  }

  valueOf(slot: number): string {
    return this.values[this.slotEnt[slot] ?? 0]?.[this.slotRank[slot] ?? 0] ?? '';
  }

  /** The reasons for a slot's value (shared between users: read-only). */
  reasonsOf(u: number, slot: number): readonly RuleReason[] {
    const grant = this.slotGrant[slot] ?? 0;
    return grant === ALL_REASONS ? this.allReasonsOf(u) : (this.grants[grant]?.reasons ?? []);
  }

  /** User u's entitlements as a record (frozen: it must stay what the slots say, which the planner reads). */
  entitlementsOf(u: number): Record<EntitlementKey, DesiredEntitlement> {
    const record = dictionaryRecord<DesiredEntitlement>();
    let all: RuleReason[] | null = null;
    for (let k = this.from(u); k < this.to(u); k++) {
      const grant = this.slotGrant[k] ?? 0;
      if (grant !== ALL_REASONS) record[this.keyOf(k)] = this.grants[grant] as DesiredEntitlement;
      else record[this.keyOf(k)] = { value: this.valueOf(k), reasons: (all ??= this.allReasonsOf(u)) };
    }
    return Object.freeze(record);
  }

  /** Every (rule, group) reason user u matched (what membership: active is given by). */
  allReasonsOf(u: number): RuleReason[] {
    const { reasons, reasonStart, reasonIds } = this.userReasons;
    const out: RuleReason[] = [];
    for (let k = reasonStart[u] ?? 0; k < (reasonStart[u + 1] ?? 0); k++)
      out.push(reasons[reasonIds[k] ?? 0] as RuleReason);
    return out;
  }

  private grow(): void {
    const grown = (a: Int32Array): Int32Array => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.slotEnt = grown(this.slotEnt);
    this.slotGrant = grown(this.slotGrant);
    this.slotRank = grown(this.slotRank);
  }
}

/**
 * An empty record that V8 keeps as a hash table ("dictionary mode"); to every program it is an ordinary `{}`.
 * 100k records with distinct key sets would otherwise each get their own hidden class, built key by key: when
 * every user's record is built (the JSON of the whole desired state) that would cost more than the evaluation.
 * Deleting a property that is not the last one added is what switches an object to dictionary mode.
 */
function dictionaryRecord<T>(): Record<string, T> {
  const record: Record<string, unknown> = { a: 0, b: 0 };
  delete record.a;
  delete record.b;
  return record as Record<string, T>;
}

let ENTITLEMENTS: PropertyDescriptor;

/**
 * A DesiredUser whose entitlements are slots of a CompactDesired. `entitlements` is an own enumerable property
 * (JSON, spread, deep equality and `for in` see an ordinary DesiredUser) that builds the record on first read.
 * Assigning another record detaches the user from the slots: the planner then reads the record.
 */
export class EvaluatedUser implements DesiredUser {
  #store: CompactDesired | null;
  #u: number;
  #record: Record<EntitlementKey, DesiredEntitlement> | null = null;
  declare user: string;
  declare matchValue: string;
  declare identityId: string;
  declare externalId?: string;
  declare source: string;
  declare displayName?: string;
  declare userName?: string;
  declare mapped: boolean;
  declare entitlements: Record<EntitlementKey, DesiredEntitlement>;

  /** Properties in the order JSON shows them: `entitlements` after `mapped`, as the evaluator always wrote it. */
  constructor(
    fields: Omit<DesiredUser, 'entitlements' | 'displayName' | 'userName'>,
    displayName: string | undefined,
    userName: string | undefined,
    store: CompactDesired,
    u: number,
  ) {
    this.#store = store;
    this.#u = u;
    this.user = fields.user;
    this.matchValue = fields.matchValue;
    this.identityId = fields.identityId;
    if (fields.externalId !== undefined) this.externalId = fields.externalId;
    this.source = fields.source;
    this.mapped = fields.mapped;
    Object.defineProperty(this, 'entitlements', ENTITLEMENTS);
    if (displayName !== undefined) this.displayName = displayName;
    if (userName !== undefined) this.userName = userName;
  }

  static {
    ENTITLEMENTS = {
      enumerable: true,
      configurable: true,
      get(this: EvaluatedUser): Record<EntitlementKey, DesiredEntitlement> {
        return (this.#record ??= this.#store?.entitlementsOf(this.#u) ?? {});
      },
      set(this: EvaluatedUser, record: Record<EntitlementKey, DesiredEntitlement>): void {
        this.#record = record;
        this.#store = null;
      },
    };
  }

  /** The slots holding d's entitlements, or null when d is a plain DesiredUser or its record was replaced. */
  static slotsOf(d: DesiredUser): CompactDesired | null {
    return #store in d ? d.#store : null;
  }

  /** d's index in its slots' CompactDesired (valid when slotsOf(d) is not null). */
  static indexOf(d: DesiredUser): number {
    return #u in d ? d.#u : -1;
  }
}
