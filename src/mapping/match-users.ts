import type { RuleReason } from '../domain/desired.js';
import type { DirectorySnapshot, Group, Identity } from '../domain/identity.js';
import { type CompiledMapping, cmp } from './compile.js';
import { userKeyOf } from './user-key.js';

/**
 * Who matches which rule through which group, as flat arrays: users (identities merged by Heap identity) in
 * key order, one shared RuleReason per (rule, group), and per user the reasons that apply (CSR layout).
 */
export interface UserMatches {
  userKeys: string[];
  /** per user, the identity that speaks for it: active first, then by source and id */
  representative: Identity[];
  reasons: RuleReason[];
  reasonRule: Int32Array;
  /** reasons of user u: reasonIds[reasonStart[u] .. reasonStart[u + 1]), ascending, distinct */
  reasonStart: Int32Array;
  reasonIds: Int32Array;
}

/** Walks only the memberships of groups some rule references; inactive identities match nothing. */
export function matchUsers(c: CompiledMapping, snapshot: DirectorySnapshot): UserMatches {
  const { userKeys, representative, lookup } = mergeIdentities(snapshot.users);
  const matched = matchedGroups(c, snapshot.groups);
  // one reason per (rule, group), numbered in (rule, group) order so reason lists sort by rule then group
  const pairs: { rule: number; group: number }[] = [];
  matched.forEach((m, group) => m.rules.forEach((rule) => pairs.push({ rule, group })));
  pairs.sort((a, b) => a.rule - b.rule || a.group - b.group);
  const reasons: RuleReason[] = [];
  const reasonRule = new Int32Array(pairs.length);
  const groupReasons = matched.map((): number[] => []);
  pairs.forEach((p, i) => {
    const g = matched[p.group]?.group;
    reasons.push({ rule: c.rules[p.rule]?.rule.name ?? '', group: g?.displayName ?? '', source: g?.source ?? '' });
    reasonRule[i] = p.rule;
    groupReasons[p.group]?.push(i);
  });
  const memberUsers = matched.map((m) => activeMembers(m.group, lookup));
  const counts = new Int32Array(userKeys.length + 1);
  memberUsers.forEach((users, g) => {
    const n = groupReasons[g]?.length ?? 0;
    for (const u of users) counts[u + 1] = (counts[u + 1] ?? 0) + n;
  });
  for (let u = 0; u < userKeys.length; u++) counts[u + 1] = (counts[u + 1] ?? 0) + (counts[u] ?? 0);
  const reasonStart = counts;
  const fill = reasonStart.slice(0, userKeys.length);
  const reasonIds = new Int32Array(reasonStart[userKeys.length] ?? 0);
  memberUsers.forEach((users, g) => {
    const ids = groupReasons[g] ?? [];
    for (const u of users) for (const r of ids) reasonIds[(fill[u] as number)++] = r;
  });
  const distinct = sortAndDedupe(reasonStart, reasonIds);
  return { userKeys, representative, reasons, reasonRule, reasonStart, reasonIds: distinct };
}

interface MatchedGroup {
  group: Group;
  rules: number[];
}

/** Indexes of the rules that match a group: by display name or id, and the rule's source restriction. */
export function rulesOfGroup(c: CompiledMapping, group: Group): number[] {
  const byName = c.byGroupName.get(group.displayName);
  const byId = c.byGroupId.get(group.id);
  if (!byName && !byId) return [];
  const rules = [...(byName ?? []), ...(byId ?? [])].filter((r) => {
    const source = c.rules[r]?.rule.source;
    return source === undefined || source === group.source;
  });
  return rules.sort((a, b) => a - b);
}

function matchedGroups(c: CompiledMapping, groups: readonly Group[]): MatchedGroup[] {
  const out: MatchedGroup[] = [];
  for (const group of groups) {
    const rules = rulesOfGroup(c, group);
    if (rules.length) out.push({ group, rules });
  }
  return out.sort(
    (a, b) =>
      cmp(a.group.source, b.group.source) ||
      cmp(a.group.id, b.group.id) ||
      cmp(a.group.displayName, b.group.displayName),
  );
}

/** The users of a group's members; `lookup` gives -1 for an inactive identity. */
function activeMembers(group: Group, lookup: Map<string, Map<string, number>>): number[] {
  const ids = lookup.get(group.source);
  const out: number[] = [];
  if (!ids) return out;
  for (const member of group.members) {
    const u = ids.get(member);
    if (u !== undefined && u >= 0) out.push(u);
  }
  return out;
}

/**
 * Identities merged by Heap identity (userKeyOf), users numbered in key order whatever the input order.
 * `lookup` finds an identity's user by source and id (-1 when the identity is inactive and matches nothing).
 */
function mergeIdentities(identities: readonly Identity[]) {
  const n = identities.length;
  const keyOf = new Array<string>(n);
  for (let i = 0; i < n; i++) keyOf[i] = userKeyOf(identities[i] as Identity);
  // sorting identity indexes by key numbers users in key order and groups a person's identities, with no hash sets
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => cmp(keyOf[a] as string, keyOf[b] as string) || a - b);
  const userKeys: string[] = [];
  const identityUser = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const key = keyOf[i] as string;
    if (userKeys[userKeys.length - 1] !== key) userKeys.push(key);
    identityUser[i] = userKeys.length - 1;
  }
  const representative: Identity[] = new Array<Identity>(userKeys.length);
  const lookup = new Map<string, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    const identity = identities[i] as Identity;
    const u = identityUser[i] as number;
    const current = representative[u];
    if (!current || speaksBefore(identity, current)) representative[u] = identity;
    let ids = lookup.get(identity.source);
    if (!ids) lookup.set(identity.source, (ids = new Map()));
    ids.set(identity.id, identity.active ? u : -1);
  }
  return { userKeys, representative, lookup };
}

const speaksBefore = (a: Identity, b: Identity): boolean =>
  a.active !== b.active ? a.active : a.source !== b.source ? a.source < b.source : a.id < b.id;

/** Each user's reasons ascending and without repeats (a member listed twice, or two identities in one group). */
function sortAndDedupe(start: Int32Array, ids: Int32Array): Int32Array {
  const n = start.length - 1;
  let w = 0;
  let from = start[0] ?? 0;
  for (let u = 0; u < n; u++) {
    const to = start[u + 1] ?? 0;
    if (!isAscending(ids, from, to)) ids.subarray(from, to).sort();
    start[u] = w;
    for (let k = from; k < to; k++) {
      const id = ids[k] ?? 0;
      if (k === from || id !== ids[k - 1]) ids[w++] = id;
    }
    from = to;
  }
  start[n] = w;
  return ids.subarray(0, w);
}

function isAscending(ids: Int32Array, from: number, to: number): boolean {
  for (let k = from + 1; k < to; k++) if ((ids[k] ?? 0) <= (ids[k - 1] ?? 0)) return false;
  return true;
}
