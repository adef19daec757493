import type { CompactDesired } from '../domain/compact-desired.js';
import type { DesiredEntitlement, RuleReason } from '../domain/desired.js';
import type { CompiledMapping } from './compile.js';
import type { UserMatches } from './match-users.js';

/**
 * Objects that many users share, created once and numbered in the CompactDesired: the value one (rule, group)
 * gives, and membership and org for users matched by a single (rule, group). Frozen, because evaluation results
 * are read-only.
 */
export class SharedEntitlements {
  private readonly grants: (number | undefined)[][];
  private readonly warnings: (string | undefined)[][];
  private readonly single: ({ membership: number; org: number } | undefined)[];

  constructor(
    private readonly c: CompiledMapping,
    private readonly m: UserMatches,
    private readonly store: CompactDesired,
  ) {
    this.grants = m.reasons.map(() => []);
    this.warnings = m.reasons.map(() => []);
    this.single = new Array(m.reasons.length);
  }

  /** The grant id of the value grant `g` of a reason's rule gives, with that one reason. */
  grant(reason: number, g: number): number {
    const row = this.grants[reason] as (number | undefined)[];
    const hit = row[g];
    if (hit !== undefined) return hit;
    const rule = this.c.rules[this.m.reasonRule[reason] ?? 0];
    const ent = rule?.ents[g] ?? 0;
    const value = this.c.entValues[ent]?.[rule?.ranks[g] ?? 0] ?? '';
    return (row[g] = this.store.addGrant(freeze(value, [this.m.reasons[reason] as RuleReason])));
  }

  warning(reason: number, g: number): string {
    const row = this.warnings[reason] as (string | undefined)[];
    const hit = row[g];
    if (hit !== undefined) return hit;
    const rule = this.c.rules[this.m.reasonRule[reason] ?? 0];
    const ent = rule?.ents[g] ?? 0;
    const value = this.c.entValues[ent]?.[rule?.ranks[g] ?? 0] ?? '';
    return (row[g] = moduleWarning(this.c.entKeys[ent] ?? '', value, [this.m.reasons[reason] as RuleReason]));
  }

  /** Grant ids of membership: active and org: Member for a user matched by this one reason only. */
  defaultsOf(reason: number): { membership: number; org: number } {
    const hit = this.single[reason];
    if (hit) return hit;
    const reasons = Object.freeze([this.m.reasons[reason] as RuleReason]) as RuleReason[];
    const membership = this.store.addGrant(freeze(this.activeValue, reasons));
    const org = this.store.addGrant(freeze(this.memberValue, reasons));
    return (this.single[reason] = { membership, org });
  }

  get activeValue(): string {
    return this.c.entValues[this.c.membershipEnt]?.[this.c.activeRank] ?? 'active';
  }

  /** the org role of a matched user when no rule names one */
  get memberValue(): string {
    return this.c.entValues[this.c.orgEnt]?.[this.c.orgFallbackRank] ?? 'Member';
  }
}

const freeze = (value: string, reasons: RuleReason[]): DesiredEntitlement =>
  Object.freeze({ value, reasons: Object.isFrozen(reasons) ? reasons : (Object.freeze(reasons) as RuleReason[]) });

export function moduleWarning(key: string, value: string, reasons: readonly RuleReason[]): string {
  const [, module, project] = key.split(':');
  const from = reasons.map((r) => `rule ${r.rule} (group ${r.group})`).join(', ');
  return `${module} "${value}" on ${project} from ${from} is not applied: no access to project ${project}`;
}
