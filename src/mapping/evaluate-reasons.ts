import type { Candidate, RuleReason } from '../domain/desired.js';
import type { MappingSet } from '../domain/mapping.js';
import { type CompiledMapping, compileMapping } from './compile.js';
import { decideCandidates } from './decide.js';

const ruleIndexes = new WeakMap<CompiledMapping, Map<string, number>>();

function ruleIndexOf(c: CompiledMapping): Map<string, number> {
  let index = ruleIndexes.get(c);
  if (!index) ruleIndexes.set(c, (index = new Map(c.rules.map((r, i) => [r.rule.name, i]))));
  return index;
}

/**
 * The access the mapping gives one user matched by exactly these (rule, group) reasons, decided as evaluateMapping
 * decides (by decideCandidates, the reference rule explain uses): for "what if this user joined or left a group"
 * questions, one user at a time. Reasons naming no rule of the mapping are ignored; null when none is left (the
 * user would be unmapped, and policy.unmappedUsers applies). A Map, not a record: records with ever other key sets
 * are slow to build (see dictionaryRecord in evaluate.ts).
 */
export function evaluateReasons(mapping: MappingSet, reasons: readonly RuleReason[]): Map<string, string> | null {
  const c = compileMapping(mapping);
  const index = ruleIndexOf(c);
  const byEnt = new Map<number, Candidate[]>();
  let matched = false;
  for (const reason of reasons) {
    const cr = c.rules[index.get(reason.rule) ?? -1];
    if (!cr) continue;
    matched = true;
    for (let g = 0; g < cr.ents.length; g++) {
      const ent = cr.ents[g] ?? 0;
      const value = c.entValues[ent]?.[cr.ranks[g] ?? 0] ?? '';
      const candidate = {
        value,
        rule: cr.rule.name,
        group: reason.group,
        source: reason.source,
        priority: cr.rule.priority,
      };
      const list = byEnt.get(ent);
      if (list) list.push(candidate);
      else byEnt.set(ent, [candidate]);
    }
  }
  if (!matched) return null;
  const access = new Map<string, string>([
    [c.entKeys[c.membershipEnt] ?? '', c.entValues[c.membershipEnt]?.[c.activeRank] ?? ''],
    [c.entKeys[c.orgEnt] ?? '', c.entValues[c.orgEnt]?.[c.orgFallbackRank] ?? ''],
  ]);
  // entitlement ids are in canonical order: a module's project is decided before the module
  for (const ent of [...byEnt.keys()].sort((a, b) => a - b)) {
    const key = c.entKeys[ent] ?? '';
    const project = c.moduleProject[ent] ?? -1;
    if (project >= 0 && !access.has(c.entKeys[project] ?? '')) continue;
    const decided = decideCandidates(byEnt.get(ent) ?? [], mapping.policy.multiGroup, mapping.model, key);
    if (decided) access.set(key, decided.value);
  }
  return access;
}
