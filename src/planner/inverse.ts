import type { RuleReason } from '../domain/desired.js';
import { ACTIVE, MEMBERSHIP, ORG, moduleEntitlement, projectEntitlement } from '../domain/entitlement.js';
import type { MappingSet, Rule } from '../domain/mapping.js';
import { MEMBER, type Project } from '../domain/model.js';

/** An org role above Member outweighs any number of project grants. */
const ORG_ROLE_BREADTH = 1_000_000;

/** The group a rule matches, as an administrator names it. */
export const groupOf = (rule: Rule): string => rule.group ?? rule.groupId ?? rule.name;

/**
 * Resolves a rule's selectors to project keys. A named project is more specific than `environment:<name>`,
 * which is more specific than `*`; the most specific selector decides the rule's value for a project.
 */
function resolveSelectors(selectors: Record<string, string>, projects: readonly Project[]): Map<string, string> {
  const out = new Map<string, string>();
  const specificity = new Map<string, number>();
  const put = (key: string, value: string, level: number) => {
    if ((specificity.get(key) ?? -1) > level) return;
    specificity.set(key, level);
    out.set(key, value);
  };
  for (const [selector, value] of Object.entries(selectors)) {
    if (selector === '*') for (const p of projects) put(p.key, value, 0);
    else if (selector.startsWith('environment:')) {
      const env = selector.slice('environment:'.length);
      for (const p of projects) if (p.environment === env) put(p.key, value, 1);
    } else put(selector, value, 2);
  }
  return out;
}

/**
 * The mapping inverted: for an entitlement and a value, the rules (and their groups) whose membership produces
 * that value. Used for drift suggestions and to say which grant a revocation takes away.
 */
export class InverseMapping {
  /** entitlement -> value -> rules granting it (nested maps: no key strings built per lookup) */
  private readonly grants = new Map<string, Map<string, RuleReason[]>>();
  private readonly groups = new Map<string, Map<string, readonly string[]>>();
  /** how much a group's rules grant: suggestions offer the narrowest group first (least privilege) */
  private readonly breadth = new Map<string, number>();
  /** group -> the rules naming it */
  private readonly rulesByGroup = new Map<string, Rule[]>();

  constructor(mapping: MappingSet) {
    const rules = [...mapping.rules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const rule of rules) {
      const reason: RuleReason = { rule: rule.name, group: groupOf(rule), source: rule.source ?? 'any' };
      let grants = rule.orgRole !== undefined && rule.orgRole !== MEMBER ? ORG_ROLE_BREADTH : 0;
      this.add(MEMBERSHIP, ACTIVE, reason);
      this.add(ORG, rule.orgRole ?? MEMBER, reason);
      for (const [project, value] of resolveSelectors(rule.projects, mapping.projects)) {
        this.add(projectEntitlement(project), value, reason);
        grants++;
      }
      for (const [module, selectors] of Object.entries(rule.modules)) {
        for (const [project, value] of resolveSelectors(selectors, mapping.projects)) {
          this.add(moduleEntitlement(module, project), value, reason);
          grants++;
        }
      }
      this.breadth.set(reason.group, Math.min(this.breadth.get(reason.group) ?? Infinity, grants));
      const named = this.rulesByGroup.get(reason.group);
      if (named) named.push(rule);
      else this.rulesByGroup.set(reason.group, [rule]);
    }
  }

  private add(key: string, value: string, reason: RuleReason): void {
    let values = this.grants.get(key);
    if (!values) this.grants.set(key, (values = new Map()));
    const list = values.get(value);
    if (list) list.push(reason);
    else values.set(value, [reason]);
  }

  /** The rules a member of `group` matches (as groupOf names groups), ordered by rule name. */
  rulesOfGroup(group: string): readonly Rule[] {
    return this.rulesByGroup.get(group) ?? [];
  }

  /** Rules granting exactly `value` on `key`, ordered by rule name. */
  rulesGranting(key: string, value: string): readonly RuleReason[] {
    return this.grants.get(key)?.get(value) ?? [];
  }

  /** The distinct groups of those rules, narrowest first, then by name (computed once per entitlement and value). */
  groupsGranting(key: string, value: string): readonly string[] {
    let values = this.groups.get(key);
    if (!values) this.groups.set(key, (values = new Map()));
    let groups = values.get(value);
    if (!groups) {
      const breadthOf = (g: string) => this.breadth.get(g) ?? 0;
      groups = [...new Set(this.rulesGranting(key, value).map((r) => r.group))].sort(
        (a, b) => breadthOf(a) - breadthOf(b) || (a < b ? -1 : a > b ? 1 : 0),
      );
      values.set(value, groups);
    }
    return groups;
  }
}
