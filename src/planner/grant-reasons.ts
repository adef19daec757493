import type { GrantReasons, Reason, RuleReason, UnknownGrantReason } from '../domain/desired.js';
import { normalizeUserKey } from '../domain/entitlement.js';
import type { Subject } from './subjects.js';

/** Said instead of guessing every rule that grants the value (DESIGN §4: reasons name the rules the user had). */
export const UNKNOWN_GRANT: UnknownGrantReason = Object.freeze({
  grantedBy: 'unknown',
  detail: 'the rules that granted it are unknown: it was applied before the sync kept the reasons of its grants',
});

/** The recorded reasons of a subject's baseline, whichever form of its e-mail they are keyed by (as baselineOf). */
export function grantReasonsOf(
  recorded: ReadonlyMap<string, GrantReasons | null> | undefined,
  s: Subject,
): GrantReasons | null | undefined {
  if (!recorded) return undefined;
  return (
    recorded.get(s.key) ??
    (s.key === s.user ? undefined : recorded.get(s.user)) ??
    (s.renamedFrom === null ? undefined : recorded.get(normalizeUserKey(s.renamedFrom)))
  );
}

/**
 * Why a revoked value had been granted: the rules the baseline recorded when the sync applied it, marked `lost`.
 * None when the sync never held the user (nothing it granted); UNKNOWN_GRANT when the record predates reasons.
 */
export function lostGrantReasons(
  recorded: GrantReasons | null | undefined,
  key: string,
  reconciled: boolean,
): Reason[] {
  if (recorded) return (recorded[key] ?? []).map((r): RuleReason => ({ ...r, lost: true }));
  return reconciled ? [UNKNOWN_GRANT] : [];
}

/** Only the rule reasons of a value, as the baseline keeps them (exceptions and policy are not grants of a rule). */
export function ruleReasonsOf(reasons: readonly Reason[] | null): RuleReason[] {
  const out: RuleReason[] = [];
  for (const r of reasons ?? []) if ('rule' in r) out.push({ rule: r.rule, group: r.group, source: r.source });
  return out;
}
