import type { DesiredEntitlement, RuleReason } from '../domain/desired.js';
import type { CompiledMapping } from './compile.js';
import type { UserMatches } from './match-users.js';

/**
 * Objects that many users share, created once: the value one (rule, group) gives, and membership and org for
 * users matched by a single (rule, group). Frozen, because evaluation results are read-only.
 */
export class SharedEntitlements {
  private readonly grants: (DesiredEntitlement | undefined)[][];
  private readonly warnings: (string | undefined)[][];
  private readonly single: ({ membership: DesiredEntitlement; org: DesiredEntitlement } | undefined)[];

  constructor(
    private readonly c: CompiledMapping,
    private readonly m: UserMatches,
  ) {
    this.grants = m.reasons.map(() => []);
    this.warnings = m.reasons.map(() => []);
    this.single = new Array(m.reasons.length);
  }

  grant(reason: number, g: number): DesiredEntitlement {
    const row = this.grants[reason] as (DesiredEntitlement | undefined)[];
    const hit = row[g];
    if (hit) return hit;
    const rule = this.c.rules[this.m.reasonRule[reason] ?? 0];
    const ent = rule?.ents[g] ?? 0;
    const value = this.c.entValues[ent]?.[rule?.ranks[g] ?? 0] ?? '';
    return (row[g] = freeze(value, [this.m.reasons[reason] as RuleReason]));
  }

  warning(reason: number, g: number): string {
    const row = this.warnings[reason] as (string | undefined)[];
    const hit = row[g];
    if (hit !== undefined) return hit;
    const ent = this.c.rules[this.m.reasonRule[reason] ?? 0]?.ents[g] ?? 0;
    const { value, reasons } = this.grant(reason, g);
    return (row[g] = moduleWarning(this.c.entKeys[ent] ?? '', value, reasons));
  }

  /** membership: active, and org: Member unless a rule says otherwise, with every reason the user matched. */
  defaultsOf(ids: Int32Array, from: number, to: number): { membership: DesiredEntitlement; org: DesiredEntitlement } {
    const { c, m } = this;
    const active = c.entValues[c.membershipEnt]?.[c.activeRank] ?? 'active';
    const member = c.entValues[c.orgEnt]?.[c.orgFallbackRank] ?? 'Member';
    if (to - from === 1) {
      const reason = ids[from] ?? 0;
      const hit = this.single[reason];
      if (hit) return hit;
      const reasons = Object.freeze([m.reasons[reason] as RuleReason]) as RuleReason[];
      return (this.single[reason] = { membership: freeze(active, reasons), org: freeze(member, reasons) });
    }
    const all: RuleReason[] = [];
    for (let k = from; k < to; k++) all.push(m.reasons[ids[k] ?? 0] as RuleReason);
    return { membership: { value: active, reasons: all }, org: { value: member, reasons: all } };
  }
}

const freeze = (value: string, reasons: RuleReason[]): DesiredEntitlement =>
  Object.freeze({ value, reasons: Object.isFrozen(reasons) ? reasons : (Object.freeze(reasons) as RuleReason[]) });

export function moduleWarning(key: string, value: string, reasons: readonly RuleReason[]): string {
  const [, module, project] = key.split(':');
  const from = reasons.map((r) => `rule ${r.rule} (group ${r.group})`).join(', ');
  return `${module} "${value}" on ${project} from ${from} is not applied: no access to project ${project}`;
}
