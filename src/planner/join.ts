import type { DesiredUser } from '../domain/desired.js';
import { normalizeUserKey } from '../domain/entitlement.js';
import type { MatchKey } from '../domain/mapping.js';
import type { Teammate } from '../domain/teammate.js';

/** Desired identities joined to Heap teammates by `policy.match`. */
export interface Join {
  /** positions in `actual` of the teammates the planner may manage (one per match key); null: all of them */
  managed: number[] | null;
  /** match key of each teammate (normalised), by position */
  keys: (string | null)[];
  /** the identity matched to each teammate, by position */
  claimed: (DesiredUser | undefined)[];
  /** identities matching no teammate, by normalised e-mail */
  absent: Map<string, DesiredUser>;
  /** teammates that cannot be managed: no match key, or a duplicate one */
  unjoinable: Teammate[];
  warnings: string[];
}

const normalizeMatch = (match: MatchKey, value: string | undefined | null): string | null => {
  if (value === undefined || value === null || value === '') return null;
  // SCIM userName and e-mail compare case-insensitively; externalId is case-exact (RFC 7643).
  return match === 'externalId' ? value : normalizeUserKey(value);
};

const teammateMatchValue = (t: Teammate, match: MatchKey): string | undefined =>
  match === 'email' ? t.email : match === 'userName' ? t.userName : t.externalId;

const desiredMatchValue = (d: DesiredUser, match: MatchKey): string =>
  d.matchValue || (match === 'email' ? d.user : '');

/** Deterministic choice between two identities claiming the same Heap user: mapped first, then by source and id. */
const preferDesired = (x: DesiredUser, y: DesiredUser): DesiredUser => {
  if (x.mapped !== y.mapped) return x.mapped ? x : y;
  if (x.source !== y.source) return x.source < y.source ? x : y;
  return x.identityId <= y.identityId ? x : y;
};

function ascending(keys: readonly (string | null)[], strict: boolean): boolean {
  let prev = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === null || k === undefined) return false;
    if (i > 0 && (strict ? k <= prev : k < prev)) return false;
    prev = k;
  }
  return true;
}

/**
 * Joins identities to teammates. Both lists usually arrive sorted (the evaluator yields users in key order,
 * Heap lists teammates by e-mail): then a merge join does it without hashing 100k keys; otherwise a hash join.
 * Either way the result is the same.
 */
export function joinIdentities(actual: readonly Teammate[], desired: readonly DesiredUser[], match: MatchKey): Join {
  const keys = actual.map((t) => normalizeMatch(match, teammateMatchValue(t, match)));
  const dKeys = desired.map((d) => normalizeMatch(match, desiredMatchValue(d, match)));
  const join: Join = {
    managed: null,
    keys,
    claimed: new Array(actual.length),
    absent: new Map(),
    unjoinable: [],
    warnings: [],
  };
  if (ascending(keys, true) && ascending(dKeys, false)) mergeJoin(join, actual, desired, dKeys);
  else hashJoin(join, actual, desired, dKeys, match);
  if (join.absent.size && match !== 'externalId') claimRenamed(join, actual);
  return join;
}

/**
 * One person, one teammate: an identity whose e-mail (or userName) matches no teammate, but whose immutable id is
 * the externalId of a teammate no identity claimed, is that teammate under a new name (a rename), not a new
 * person beside an old one who left.
 */
function claimRenamed(join: Join, actual: readonly Teammate[]): void {
  const manageable = join.managed === null ? null : new Set(join.managed);
  const byExternalId = new Map<string, number>();
  for (let i = 0; i < actual.length; i++) {
    const id = (actual[i] as Teammate).externalId;
    if (id === undefined || id === '' || join.claimed[i] || (manageable && !manageable.has(i))) continue;
    if (byExternalId.has(id)) byExternalId.set(id, -1);
    else byExternalId.set(id, i);
  }
  if (!byExternalId.size) return;
  for (const [key, d] of join.absent) {
    const i = d.externalId === undefined ? undefined : byExternalId.get(d.externalId);
    if (i === undefined || i < 0) continue; // none, or two teammates share the id: nothing is guessed
    claim(join, actual, i, d);
    byExternalId.delete(d.externalId as string);
    join.absent.delete(key);
  }
}

function claim(join: Join, actual: readonly Teammate[], i: number, d: DesiredUser): void {
  const other = join.claimed[i];
  if (other) {
    const pair = [other.identityId, d.identityId].sort().join(' and ');
    join.warnings.push(`identities ${pair} both match teammate ${(actual[i] as Teammate).email}: one is used`);
  }
  join.claimed[i] = other ? preferDesired(other, d) : d;
}

function leaveAbsent(join: Join, d: DesiredUser): void {
  const key = normalizeUserKey(d.user);
  const other = join.absent.get(key);
  join.absent.set(key, other ? preferDesired(other, d) : d);
}

function mergeJoin(
  join: Join,
  actual: readonly Teammate[],
  desired: readonly DesiredUser[],
  dKeys: (string | null)[],
): void {
  let j = 0;
  for (let i = 0; i < actual.length; i++) {
    const key = join.keys[i] as string;
    while (j < desired.length && (dKeys[j] as string) < key) leaveAbsent(join, desired[j++] as DesiredUser);
    while (j < desired.length && dKeys[j] === key) claim(join, actual, i, desired[j++] as DesiredUser);
  }
  while (j < desired.length) leaveAbsent(join, desired[j++] as DesiredUser);
}

function hashJoin(
  join: Join,
  actual: readonly Teammate[],
  desired: readonly DesiredUser[],
  dKeys: (string | null)[],
  match: MatchKey,
): void {
  const index = new Map<string, number>();
  let unmatchable = 0;
  for (let i = 0; i < actual.length; i++) {
    const t = actual[i] as Teammate;
    const mk = join.keys[i] ?? null;
    if (mk === null) {
      unmatchable++;
      join.unjoinable.push(t);
      continue;
    }
    const seen = index.get(mk);
    if (seen === undefined) {
      index.set(mk, i);
      continue;
    }
    const first = actual[seen] as Teammate;
    const pair = [first.email, t.email].sort().join(' and ');
    join.warnings.push(`teammates ${pair} share the ${match} "${mk}": only the first is managed`);
    if (t.email < first.email) {
      index.set(mk, i);
      join.unjoinable.push(first);
    } else join.unjoinable.push(t);
  }
  if (unmatchable) {
    join.warnings.push(
      `${unmatchable} teammate(s) have no ${match}: they cannot be matched to an identity and are left alone`,
    );
  }
  for (let j = 0; j < desired.length; j++) {
    const d = desired[j] as DesiredUser;
    const mk = dKeys[j] ?? null;
    const i = mk === null ? undefined : index.get(mk);
    if (i !== undefined) claim(join, actual, i, d);
    else leaveAbsent(join, d);
  }
  join.managed = [...index.values()];
}
