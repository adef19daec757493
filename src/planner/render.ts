import type { Reason } from '../domain/desired.js';
import type { EntitlementValue } from '../domain/entitlement.js';
import type { Change, DriftItem, Plan } from '../domain/plan.js';

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
  ];
}

function renderDrift(drift: readonly DriftItem[]): string[] {
  if (!drift.length) return ['No drift.'];
  const out = [`Drift (${drift.length}):`];
  for (const d of drift) {
    out.push(
      `  ${d.user}  ${d.entitlement}: baseline ${show(d.baseline)}, actual ${show(d.actual)}, desired ${show(d.desired)}` +
        `  [${d.cause}, ${d.action}]`,
      `    suggestion: ${d.suggestion}`,
    );
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
  if (plan.held)
    lines.push('', `HELD by ${plan.heldBy}: nothing is applied until an administrator approves this plan.`);
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
    })),
    drift: plan.drift.map((d) => ({
      user: d.user,
      entitlement: d.entitlement,
      baseline: d.baseline,
      actual: d.actual,
      desired: d.desired,
      cause: d.cause,
      action: d.action,
      suggestion: d.suggestion,
      suggestedActions: d.suggestedActions,
    })),
    held: plan.held,
    heldBy: plan.heldBy,
    summary: plan.summary,
    warnings: plan.warnings,
  };
}
