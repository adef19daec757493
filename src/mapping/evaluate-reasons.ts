import type { RuleReason } from '../domain/desired.js';
import type { MappingSet } from '../domain/mapping.js';
import { type CompiledMapping, compileMapping } from './compile.js';
import { RankedChoice } from './ranked-choice.js';

interface Compiled {
  ruleIndex: Map<string, number>;
  choice: RankedChoice;
}

const compiled = new WeakMap<CompiledMapping, Compiled>();

function compiledOf(c: CompiledMapping): Compiled {
  let hit = compiled.get(c);
  if (!hit) {
    const ruleIndex = new Map(c.rules.map((r, i) => [r.rule.name, i]));
    compiled.set(c, (hit = { ruleIndex, choice: new RankedChoice(c) }));
  }
  return hit;
}

/**
 * The access the mapping gives one user matched by exactly these (rule, group) reasons, decided as evaluateMapping
 * decides (the same RankedChoice over compiled ranks; decideCandidates states the rule for explain): for "what if
 * this user joined or left a group" questions, one user at a time. Reasons naming no rule of the mapping are ignored;
 * null when none is left (the user would be unmapped, and policy.unmappedUsers applies). A Map, not a record: records
 * with ever other key sets are slow to build (see dictionaryRecord in compact-desired.ts).
 */
export function evaluateReasons(mapping: MappingSet, reasons: readonly RuleReason[]): Map<string, string> | null {
  const c = compileMapping(mapping);
  const { ruleIndex, choice } = compiledOf(c);
  choice.start();
  let matched = false;
  for (const reason of reasons) {
    const cr = c.rules[ruleIndex.get(reason.rule) ?? -1];
    if (!cr) continue;
    matched = true;
    for (let g = 0; g < cr.ents.length; g++) choice.offer(cr.ents[g] ?? 0, cr.ranks[g] ?? 0, cr);
  }
  if (!matched) return null;
  const access = new Map<string, string>([
    [c.entKeys[c.membershipEnt] ?? '', c.entValues[c.membershipEnt]?.[c.activeRank] ?? ''],
    [c.entKeys[c.orgEnt] ?? '', c.entValues[c.orgEnt]?.[c.orgFallbackRank] ?? ''],
  ]);
  // entitlement ids are in canonical order: a module's project is decided before the module
  for (let i = 0, n = choice.decide(); i < n; i++) {
    const ent = choice.decidedAt(i);
    const key = c.entKeys[ent] ?? '';
    const project = c.moduleProject[ent] ?? -1;
    if (project >= 0 && !access.has(c.entKeys[project] ?? '')) continue;
    access.set(key, c.entValues[ent]?.[choice.rankOf(ent)] ?? '');
  }
  return access;
}
