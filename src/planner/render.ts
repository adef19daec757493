import type { Reason } from '../domain/desired.js';
import type { EntitlementValue } from '../domain/entitlement.js';
import { type Change, describeSideEffects, type DriftItem, type Plan } from '../domain/plan.js';

const show = (v: EntitlementValue): string => v ?? '(none)';

/** One reason in a line: "rule analysts (group Analytics, okta)", "exception ex-1 by bob (expired)". */
export function describeReason(r: Reason): string {
  if ('rule' in r) return `rule ${r.rule} (group ${r.group}, ${r.source})`;
  if ('exception' in r) {
    return `exception ${r.exception} approved by ${r.approver} until ${r.expiresAt}${r.expired ? ' (expired)' : ''}: ${r.reason}`;
  }
  return `unmappedUsers: ${r.value} (${r.detail})`;
}

/** Why a change is made, in one cell. A revocation without reasons has lost its last grant. */
export function describeReasons(c: Change): string {
  if (!c.reasons.length) return c.to === null ? 'no rule grants it' : '';
  const text = c.reasons.map(describeReason).join('; ');
  const revokedByRules = c.to === null && c.reasons.every((r) => 'rule' in r);
  return revokedByRules ? `no longer granted by ${text}` : text;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function renderChanges(changes: readonly Change[]): string[] {
  if (!changes.length) return ['No changes.'];
  const rows = changes.map((c) => [
    c.user,
    c.entitlement,
    `${show(c.from)} -> ${show(c.to)}`,
    c.cause,
    c.risk.join(',') || '-',
    c.blocked ?? '-',
    describeReasons(c),
  ]);
  return [
    `Changes (${changes.length}):`,
    ...table(['USER', 'ENTITLEMENT', 'FROM -> TO', 'CAUSE', 'RISK', 'BLOCKED', 'REASONS'], rows),
    ...ownersOf(changes),
  ];
}

/** "owns 12 assets, last active 2026-11-02": what Heap says about a user, or '' when it says nothing. */
export function describeFacts(f: { ownedAssets?: number; lastActiveAt?: string }): string {
  const parts: string[] = [];
  if (f.ownedAssets !== undefined) parts.push(`owns ${f.ownedAssets} asset${f.ownedAssets === 1 ? '' : 's'}`);
  parts.push(f.lastActiveAt ? `last active ${f.lastActiveAt.slice(0, 10)}` : 'never active');
  return f.ownedAssets === undefined && f.lastActiveAt === undefined ? '' : parts.join(', ');
}

/** One line per user whose access is lowered while they own assets: the transfer to do first. */
function ownersOf(changes: readonly Change[]): string[] {
  const lines = new Map<string, string>();
  for (const c of changes) {
    if (c.risk.includes('owns-assets') && !lines.has(c.user)) {
      lines.set(c.user, `  ${c.user} ${describeFacts(c)}: transfer their events, funnels, segments and dashboards`);
    }
  }
  return lines.size ? ['', 'Asset owners losing access:', ...lines.values()] : [];
}

/** When the drift was seen, by whom it was made, and when it is reverted (grace before revert). */
export function describeTiming(d: DriftItem): string {
  const parts: string[] = [];
  if (d.changedBy) parts.push(`changed by ${d.changedBy}${d.changedAt ? ` at ${d.changedAt}` : ''}`);
  if (d.firstSeen) parts.push(`first seen ${d.firstSeen}`);
  if (d.revertsAt) parts.push(`reverts at ${d.revertsAt}`);
  return parts.join('; ');
}

/**
 * A drift item's suggestions, one line each, with what else each would change; the first is the item's
 * `suggestion` (fewest side effects). Plans made before side effects existed show their one suggestion.
 */
export function describeSuggestions(d: DriftItem, indent: string): string[] {
  const all = d.suggestions ?? [
    { suggestion: d.suggestion, suggestedActions: d.suggestedActions, sideEffects: d.sideEffects },
  ];
  return all.flatMap((s, i) => [
    `${indent}${i === 0 ? 'suggestion' : 'or'}: ${s.suggestion}`,
    ...(s.sideEffects ? [`${indent}  side effects: ${describeSideEffects(s.sideEffects)}`] : []),
  ]);
}

function renderDrift(drift: readonly DriftItem[]): string[] {
  if (!drift.length) return ['No drift.'];
  const out = [`Drift (${drift.length}):`];
  for (const d of drift) {
    out.push(
      `  ${d.user}  ${d.entitlement}: baseline ${show(d.baseline)}, actual ${show(d.actual)}, desired ${show(d.desired)}` +
        `  [${d.cause}, ${d.action}]`,
      ...describeSuggestions(d, '    '),
    );
    const when = describeTiming(d);
    if (when) out.push(`    ${when}`);
    const facts = describeFacts(d);
    if (facts) out.push(`    in Heap: ${facts}`);
  }
  return out;
}

/** The plan as a plain-text report (no colours): changes, drift with suggestions, summary. */
export function renderPlanText(plan: Plan): string {
  const s = plan.summary;
  const causes = Object.entries(s.byCause)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
  const lines = [
    ...renderChanges(plan.changes),
    '',
    ...renderDrift(plan.drift),
    '',
    'Summary:',
    `  users planned: ${s.users}`,
    `  changes: ${s.changes} (${s.blocked} blocked)${causes ? `; ${causes}` : ''}`,
    `  revocations: ${s.revocations}`,
    `  drift: ${s.drift}`,
    `  org Admins after: ${s.orgAdminsAfter}`,
    ...s.risk.map((r) => `  risk: ${r}`),
    ...plan.warnings.map((w) => `  warning: ${w}`),
  ];
  if (plan.held && plan.heldBy === 'ownedAssets') {
    lines.push('', 'HELD by ownedAssets: nothing is applied until someone confirms the assets were transferred.');
  } else if (plan.held) {
    const why = plan.holdReason ? ` (${plan.holdReason})` : '';
    lines.push('', `HELD by ${plan.heldBy}${why}: nothing is applied until an administrator approves this plan.`);
  }
  return `${lines.join('\n')}\n`;
}

/** DESIGN §6's JSON shape, fields in the documented order. */
export function planToJson(plan: Plan): Plan {
  return {
    changes: plan.changes.map((c) => ({
      user: c.user,
      entitlement: c.entitlement,
      from: c.from,
      to: c.to,
      cause: c.cause,
      reasons: c.reasons,
      risk: c.risk,
      blocked: c.blocked,
      ...(c.ownedAssets !== undefined && { ownedAssets: c.ownedAssets }),
      ...(c.lastActiveAt !== undefined && { lastActiveAt: c.lastActiveAt }),
    })),
    renames: plan.renames ?? [],
    drift: plan.drift.map((d) => ({
      user: d.user,
      entitlement: d.entitlement,
      baseline: d.baseline,
      actual: d.actual,
      desired: d.desired,
      cause: d.cause,
      action: d.action,
      ...(d.escalation && { escalation: true }),
      suggestion: d.suggestion,
      suggestedActions: d.suggestedActions,
      ...(d.sideEffects !== undefined && { sideEffects: d.sideEffects }),
      ...(d.suggestions !== undefined && { suggestions: d.suggestions }),
      ...(d.ownedAssets !== undefined && { ownedAssets: d.ownedAssets }),
      ...(d.lastActiveAt !== undefined && { lastActiveAt: d.lastActiveAt }),
      ...(d.firstSeen !== undefined && { firstSeen: d.firstSeen }),
      ...(d.revertsAt !== undefined && { revertsAt: d.revertsAt }),
      ...(d.changedBy !== undefined && { changedBy: d.changedBy }),
      ...(d.changedAt !== undefined && { changedAt: d.changedAt }),
    })),
    held: plan.held,
    heldBy: plan.heldBy,
    holdReason: plan.holdReason ?? null,
    summary: plan.summary,
    warnings: plan.warnings,
  };
}
