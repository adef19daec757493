import type { Candidate } from '../domain/desired.js';
import type { Access } from '../domain/entitlement.js';
import type { AccessException } from '../domain/exception.js';
import { ACTIVE, compareEntitlements, DEACTIVATED, MEMBERSHIP, normalizeUserKey, ORG } from '../domain/entitlement.js';
import type { DirectorySnapshot, Identity } from '../domain/identity.js';
import type { MappingSet, MultiGroupPolicy, UnmappedUsersPolicy } from '../domain/mapping.js';
import { cmp, type CompiledMapping, compileMapping } from './compile.js';
import { decideCandidates } from './decide.js';
import { rulesOfGroup } from './match-users.js';
import { userKeyOf } from './user-key.js';

export interface ExplainedIdentity {
  id: string;
  source: string;
  userName: string;
  email: string | null;
  displayName?: string;
  active: boolean;
}

export interface ExplainedGroup {
  id: string;
  displayName: string;
  source: string;
  /** the identity of this user that is a member */
  identityId: string;
  /** false when that identity is inactive: the group then grants nothing */
  counts: boolean;
  rules: string[];
}

/** A candidate value, with the selector of the rule that produced it (`*`, `environment:production`, a key). */
export interface ExplainedCandidate extends Candidate {
  selector: string;
}

export interface ExplainedEntitlement {
  entitlement: string;
  /** the value the mapping gives (null: not applied) */
  value: string | null;
  candidates: ExplainedCandidate[];
  /** the candidates that give the winning value */
  winners: ExplainedCandidate[];
  decidedBy: 'single' | 'highest' | 'priority' | 'default' | 'not-applied';
  why: string;
}

export interface UserExplanation {
  query: string;
  /** the Heap identity (normalised e-mail), null when no source knows the user */
  user: string | null;
  displayName: string | null;
  found: boolean;
  mapped: boolean;
  mappingVersion: string;
  policy: { multiGroup: MultiGroupPolicy; unmappedUsers: UnmappedUsersPolicy };
  identities: ExplainedIdentity[];
  groups: ExplainedGroup[];
  entitlements: ExplainedEntitlement[];
  notes: string[];
  /** what Heap has for the user, when explain read it (a config, no --directory) */
  heap?: ExplainedHeapSide;
  /** the user's active exceptions, when explain read the store: they win over the mapping until they expire */
  exceptions?: AccessException[];
}

/** Heap's side of one user: their access now and the facts that matter before a revocation. */
export interface ExplainedHeapSide {
  /** false: Heap has no teammate with this e-mail */
  found: boolean;
  access: Access;
  ownedAssets?: number;
  lastActiveAt?: string;
}

/**
 * Why one user gets what they get: their identities and groups, every candidate value of every entitlement,
 * the winner and the policy that chose it. `user` is an e-mail, a userName or an identity id.
 */
export function explainUser(mapping: MappingSet, snapshot: DirectorySnapshot, user: string): UserExplanation {
  const c = compileMapping(mapping);
  const { multiGroup, unmappedUsers } = mapping.policy;
  const identities = findIdentities(snapshot.users, user);
  const key = identities[0] ? userKeyOf(identities[0]) : null;
  const out: UserExplanation = {
    query: user,
    user: key,
    displayName: identities.find((i) => i.displayName)?.displayName ?? null,
    found: identities.length > 0,
    mapped: false,
    mappingVersion: mapping.version,
    policy: { multiGroup, unmappedUsers },
    identities: identities.map(describeIdentity),
    groups: [],
    entitlements: [],
    notes: [],
  };
  if (!identities.length) {
    out.notes.push(`no identity source knows "${user}"; if they are in Heap, ${unmappedNote(unmappedUsers)}`);
    return out;
  }
  for (const i of identities.filter((i) => !i.active)) {
    out.notes.push(`identity ${i.id} (${i.source}) is inactive in the IdP: its groups grant nothing`);
  }
  out.groups = groupsOf(c, snapshot, identities);
  const byKey = candidatesOf(c, out.groups);
  const matched = matchedPairs(c, out.groups);
  out.mapped = matched.length > 0;
  if (!out.mapped) {
    const why = identities.some((i) => i.active)
      ? 'no rule matches any of their groups'
      : 'they are inactive in the IdP';
    out.notes.push(`unmapped: ${why}; ${unmappedNote(unmappedUsers)}`);
    return out;
  }
  out.entitlements = decideAll(c, byKey, matched);
  for (const e of out.entitlements) if (e.decidedBy === 'not-applied') out.notes.push(`${e.entitlement}: ${e.why}`);
  return out;
}

function findIdentities(users: readonly Identity[], query: string): Identity[] {
  const q = normalizeUserKey(query);
  const hits = users.filter(
    (i) =>
      userKeyOf(i) === q ||
      i.userName.toLowerCase() === q ||
      i.id === query ||
      `${i.source}:${i.id}` === query ||
      i.externalId === query,
  );
  const keys = [...new Set(hits.map(userKeyOf))].sort(cmp);
  const first = keys[0];
  if (first === undefined) return [];
  return users
    .filter((i) => userKeyOf(i) === first)
    .sort((a, b) => Number(b.active) - Number(a.active) || cmp(a.source, b.source) || cmp(a.id, b.id));
}

function describeIdentity(i: Identity): ExplainedIdentity {
  return {
    id: i.id,
    source: i.source,
    userName: i.userName,
    email: i.email,
    ...(i.displayName !== undefined && { displayName: i.displayName }),
    active: i.active,
  };
}

function groupsOf(c: CompiledMapping, snapshot: DirectorySnapshot, identities: readonly Identity[]): ExplainedGroup[] {
  const out: ExplainedGroup[] = [];
  for (const g of snapshot.groups) {
    for (const i of identities) {
      if (i.source !== g.source || !g.members.includes(i.id)) continue;
      const rules = rulesOfGroup(c, g).map((r) => c.rules[r]?.rule.name ?? '');
      out.push({ id: g.id, displayName: g.displayName, source: g.source, identityId: i.id, counts: i.active, rules });
    }
  }
  return out.sort((a, b) => cmp(a.displayName, b.displayName) || cmp(a.source, b.source) || cmp(a.id, b.id));
}

/** (rule, group) pairs that apply, in rule order; each counts once even if two identities are in the group. */
function matchedPairs(
  c: CompiledMapping,
  groups: readonly ExplainedGroup[],
): { rule: number; group: ExplainedGroup }[] {
  const seen = new Set<string>();
  const out: { rule: number; group: ExplainedGroup }[] = [];
  for (const group of groups) {
    if (!group.counts) continue;
    for (const name of group.rules) {
      const rule = c.rules.findIndex((r) => r.rule.name === name);
      const id = `${rule}\0${group.source}\0${group.id}`;
      if (rule < 0 || seen.has(id)) continue;
      seen.add(id);
      out.push({ rule, group });
    }
  }
  return out.sort((a, b) => a.rule - b.rule);
}

function candidatesOf(c: CompiledMapping, groups: readonly ExplainedGroup[]): Map<string, ExplainedCandidate[]> {
  const byKey = new Map<string, ExplainedCandidate[]>();
  for (const { rule, group } of matchedPairs(c, groups)) {
    const cr = c.rules[rule];
    if (!cr) continue;
    cr.ents.forEach((ent, g) => {
      const key = c.entKeys[ent] ?? '';
      const candidate: ExplainedCandidate = {
        value: c.entValues[ent]?.[cr.ranks[g] ?? 0] ?? '',
        rule: cr.rule.name,
        group: group.displayName,
        source: group.source,
        priority: cr.rule.priority,
        selector: cr.selectors[g] ?? '',
      };
      byKey.set(key, [...(byKey.get(key) ?? []), candidate]);
    });
  }
  return byKey;
}

function decideAll(
  c: CompiledMapping,
  byKey: Map<string, ExplainedCandidate[]>,
  matched: { rule: number; group: ExplainedGroup }[],
): ExplainedEntitlement[] {
  const { model, policy } = c.mapping;
  const implicit = (value: string): ExplainedCandidate[] =>
    matched.map(({ rule, group }) => {
      const r = c.rules[rule]?.rule;
      return {
        value,
        rule: r?.name ?? '',
        group: group.displayName,
        source: group.source,
        priority: r?.priority ?? 0,
        selector: '',
      };
    });
  const ruleNames = [...new Set(matched.map((m) => c.rules[m.rule]?.rule.name ?? ''))].join(', ');
  const active = implicit(ACTIVE);
  const out: ExplainedEntitlement[] = [
    {
      entitlement: MEMBERSHIP,
      value: ACTIVE,
      candidates: active,
      winners: active,
      decidedBy: 'default',
      why: `active member of the organization: rules ${ruleNames} match`,
    },
  ];
  if (!byKey.has(ORG)) {
    const member = c.entValues[c.orgEnt]?.[c.orgFallbackRank] ?? 'Member';
    const cands = implicit(member);
    out.push({
      entitlement: ORG,
      value: member,
      candidates: cands,
      winners: cands,
      decidedBy: 'default',
      why: `${member} of the organization: no matching rule gives an org role`,
    });
  }
  const keys = [...byKey.keys()].sort(compareEntitlements);
  const decided = new Map<string, string>();
  for (const key of keys) {
    const candidates = byKey.get(key) ?? [];
    const d = decideCandidates(candidates, policy.multiGroup, model, key);
    if (!d) continue;
    decided.set(key, d.value);
    const moduleProject = key.startsWith('module:') ? `project:${key.split(':')[2]}` : null;
    if (moduleProject && !decided.has(moduleProject)) {
      const project = moduleProject.slice('project:'.length);
      out.push({
        entitlement: key,
        value: null,
        candidates,
        winners: d.winners,
        decidedBy: 'not-applied',
        why: `not applied: ${d.value} needs access to project ${project}, and no matching rule gives any`,
      });
      continue;
    }
    out.push({
      entitlement: key,
      value: d.value,
      candidates,
      winners: d.winners,
      decidedBy: candidates.length === 1 ? 'single' : policy.multiGroup,
      why: explainWinner(candidates, d.value, d.winners, policy.multiGroup),
    });
  }
  return out;
}

function explainWinner(
  candidates: readonly ExplainedCandidate[],
  value: string,
  winners: readonly ExplainedCandidate[],
  policy: MultiGroupPolicy,
): string {
  const names = [...new Set(winners.map((w) => w.rule))].join(', ');
  if (candidates.length === 1) return `only rule ${names} gives it`;
  const values = [...new Set(candidates.map((x) => x.value))];
  if (values.length === 1) return `every matching rule gives ${value} (${names})`;
  if (policy === 'highest') {
    return `multiGroup: highest: ${value} is the most privileged of ${values.join(', ')} (rule ${names})`;
  }
  const priority = winners[0]?.priority ?? 0;
  const rivals = candidates.filter((x) => x.priority === priority && x.value !== value).map((x) => x.rule);
  const tie = rivals.length ? `; tied with ${[...new Set(rivals)].join(', ')}, ${value} is the more privileged` : '';
  return `multiGroup: priority: rule ${names} has the lowest priority number (${priority})${tie}`;
}

const unmappedNote = (policy: UnmappedUsersPolicy): string =>
  policy === 'deactivate'
    ? `unmappedUsers: deactivate: they are set to membership ${DEACTIVATED} in Heap`
    : policy === 'remove'
      ? 'unmappedUsers: remove: they are removed from Heap'
      : 'unmappedUsers: keep: their Heap access is left as it is';
