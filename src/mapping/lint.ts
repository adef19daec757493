import type { Issue } from '../domain/errors.js';
import type { DirectorySnapshot } from '../domain/identity.js';
import type { MappingSet, Rule } from '../domain/mapping.js';
import { topRolesOf } from '../domain/model.js';
import { type CompiledMapping, compileMapping } from './compile.js';
import { decideCandidates } from './decide.js';
import { evaluateMapping } from './evaluate.js';
import { matchUsers } from './match-users.js';
import { didYouMean } from './suggest.js';

/**
 * Warnings about a mapping against the current directory; none of them stops loading: rules whose group matches
 * nothing, overlapping rules where `multiGroup` decides, and more org Admins than `maxOrgAdmins`.
 */
export function lintMapping(mapping: MappingSet, snapshot: DirectorySnapshot): Issue[] {
  const c = compileMapping(mapping);
  const issues = [
    ...unmatchedGroups(mapping, snapshot),
    ...overlaps(c, snapshot),
    ...tooManyOrgAdmins(mapping, snapshot),
  ];
  const order = (file: string) => mapping.files.indexOf(file);
  return issues
    .map((issue, seq) => ({ issue, seq }))
    .sort((x, y) => order(x.issue.file) - order(y.issue.file) || x.issue.line - y.issue.line || x.seq - y.seq)
    .map((x) => x.issue);
}

function unmatchedGroups(mapping: MappingSet, snapshot: DirectorySnapshot): Issue[] {
  const out: Issue[] = [];
  mapping.rules.forEach((rule, i) => {
    const groups = snapshot.groups.filter((g) => rule.source === undefined || g.source === rule.source);
    const from = rule.source === undefined ? '' : ` from source "${rule.source}"`;
    if (rule.group !== undefined && !groups.some((g) => g.displayName === rule.group)) {
      const hint = didYouMean(rule.group, new Set(groups.map((g) => g.displayName)));
      out.push(warning(mapping, i, 'group', `group "${rule.group}" matches no group${from} in the directory${hint}`));
    }
    if (rule.groupId !== undefined && !groups.some((g) => g.id === rule.groupId)) {
      const hint = didYouMean(rule.groupId, new Set(groups.map((g) => g.id)));
      out.push(
        warning(mapping, i, 'groupId', `groupId "${rule.groupId}" matches no group${from} in the directory${hint}`),
      );
    }
  });
  return out;
}

interface Overlap {
  a: number;
  b: number;
  users: number;
  example: string;
}

/** Pairs of rules that give different values for one entitlement to someone in both: multiGroup decides. */
function overlaps(c: CompiledMapping, snapshot: DirectorySnapshot): Issue[] {
  const m = matchUsers(c, snapshot);
  const conflicts = new Map<number, string[] | null>();
  const found = new Map<number, Overlap>();
  const n = c.rules.length;
  for (let u = 0; u < m.userKeys.length; u++) {
    const from = m.reasonStart[u] ?? 0;
    const to = m.reasonStart[u + 1] ?? 0;
    if (to - from < 2) continue;
    const rules = [...new Set(Array.from(m.reasonIds.subarray(from, to), (r) => m.reasonRule[r] ?? 0))];
    for (let x = 0; x < rules.length; x++) {
      for (let y = x + 1; y < rules.length; y++) {
        const a = Math.min(rules[x] ?? 0, rules[y] ?? 0);
        const b = Math.max(rules[x] ?? 0, rules[y] ?? 0);
        const pair = a * n + b;
        if (!conflicts.has(pair)) conflicts.set(pair, conflictingKeys(c, a, b));
        if (!conflicts.get(pair)) continue;
        const seen = found.get(pair);
        if (seen) seen.users++;
        else found.set(pair, { a, b, users: 1, example: m.userKeys[u] ?? '' });
      }
    }
  }
  return [...found.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([pair, o]) => overlapWarning(c, o, conflicts.get(pair) ?? []));
}

/** Entitlements both rules grant with different values, or null. */
function conflictingKeys(c: CompiledMapping, a: number, b: number): string[] | null {
  const ra = c.rules[a];
  const rb = c.rules[b];
  if (!ra || !rb) return null;
  const ranks = new Map<number, number>();
  ra.ents.forEach((ent, g) => ranks.set(ent, ra.ranks[g] ?? 0));
  const out: string[] = [];
  rb.ents.forEach((ent, g) => {
    const rank = ranks.get(ent);
    if (rank !== undefined && rank !== rb.ranks[g]) out.push(c.entKeys[ent] ?? '');
  });
  return out.length ? out.sort() : null;
}

function overlapWarning(c: CompiledMapping, o: Overlap, keys: string[]): Issue {
  const { mapping } = c;
  const a = mapping.rules[o.a] as Rule;
  const b = mapping.rules[o.b] as Rule;
  const shown = keys.slice(0, 3).map((key) => {
    const va = valueOf(a, key, c);
    const vb = valueOf(b, key, c);
    const cands = [
      { value: va, rule: a.name, group: '', source: '', priority: a.priority },
      { value: vb, rule: b.name, group: '', source: '', priority: b.priority },
    ];
    const winner = decideCandidates(cands, mapping.policy.multiGroup, mapping.model, key)?.value;
    return `${key} (${va} vs ${vb}: ${winner} wins)`;
  });
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : '';
  const people = o.users === 1 ? '1 user' : `${o.users} users`;
  const message =
    `rules "${a.name}" and "${b.name}" give different values to ${people} in both groups (e.g. ${o.example}): ` +
    `${shown.join(', ')}${more}; multiGroup: ${mapping.policy.multiGroup} decides`;
  return warning(mapping, o.b, '', message);
}

function valueOf(rule: Rule, key: string, c: CompiledMapping): string {
  const cr = c.rules[c.mapping.rules.indexOf(rule)];
  const g = cr ? Array.from(cr.ents).indexOf(c.entIndex.get(key) ?? -1) : -1;
  return cr && g >= 0 ? (c.entValues[cr.ents[g] ?? 0]?.[cr.ranks[g] ?? 0] ?? '') : '';
}

function tooManyOrgAdmins(mapping: MappingSet, snapshot: DirectorySnapshot): Issue[] {
  const max = mapping.policy.guards.maxOrgAdmins;
  const top = topRolesOf(mapping.model).org;
  const admins = evaluateMapping(mapping, snapshot).users.filter((u) => u.entitlements.org?.value === top);
  if (admins.length <= max) return [];
  const at = mapping.rules.findIndex((r) => r.orgRole === top);
  const names = admins.slice(0, 10).map((u) => u.user);
  const more = admins.length > 10 ? `, and ${admins.length - 10} more` : '';
  const message = `${admins.length} users would be org Admin, more than policy.guards.maxOrgAdmins (${max}): ${names.join(', ')}${more}`;
  return [warning(mapping, Math.max(0, at), 'orgRole', message)];
}

/** A warning at a rule: `rules[<index in its file>].<key>`, on the rule's line. */
function warning(mapping: MappingSet, ruleIndex: number, key: string, message: string): Issue {
  const rule = mapping.rules[ruleIndex];
  if (!rule) return { file: mapping.files[0] ?? '', line: 1, path: '', message, severity: 'warning' };
  const inFile = mapping.rules.slice(0, ruleIndex).filter((r) => r.location.file === rule.location.file).length;
  const path = `rules[${inFile}]${key ? `.${key}` : ''}`;
  return { file: rule.location.file, line: rule.location.line, path, message, severity: 'warning' };
}
