import { showAccess } from '../domain/entitlement.js';
import { NotFoundError } from '../domain/errors.js';
import type { ReviewCampaign, ReviewItem } from '../domain/review.js';
import type { Store } from '../ports/store.js';

export type ReviewExportFormat = 'csv' | 'json' | 'html';
export const REVIEW_EXPORT_FORMATS: readonly ReviewExportFormat[] = ['csv', 'json', 'html'];

/** The evidence pack of a campaign: its items and decisions, the reviewers, and the journal range that pins it. */
export interface ReviewEvidence {
  campaign: ReviewCampaign;
  items: ReviewItem[];
  /** the journal's head when exported: a later `journal verify` shows nothing before it changed */
  journalHead: { sequence: number; hash: string };
  exportedAt: string;
}

const COLUMNS = [
  'item',
  'user',
  'entitlement',
  'actual',
  'desired',
  'drift',
  'flags',
  'reasons',
  'last_active_at',
  'owned_assets',
  'unchanged_since',
  'decision',
  'value',
  'reviewer',
  'justification',
  'decided_at',
  'journal_record',
] as const;

function row(i: ReviewItem): string[] {
  const d = i.decision;
  return [
    i.id,
    i.user,
    i.entitlement,
    showAccess(i.actual),
    showAccess(i.desired),
    i.drift ? 'yes' : 'no',
    i.flags.join(' '),
    i.reasons.join('; '),
    i.lastActiveAt ?? '',
    i.ownedAssets === null ? '' : String(i.ownedAssets),
    i.unchangedSince ? `${i.unchangedSince.campaign} (${i.unchangedSince.decision ?? 'undecided'})` : '',
    d?.decision ?? '',
    d && d.value !== undefined ? showAccess(d.value) : '',
    d?.actor ?? '',
    d?.reason ?? '',
    d?.at ?? '',
    d?.journalId ?? '',
  ];
}

/** RFC 4180 quoting; a leading =, +, - or @ is neutralised so a spreadsheet never runs a cell as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function pins(e: ReviewEvidence): [string, string][] {
  const c = e.campaign;
  const end = c.journalEnd ?? e.journalHead;
  return [
    ['campaign', c.id],
    ['status', c.status],
    ['scope', c.project ? `project ${c.project}` : 'the whole organization'],
    ['started', `${c.createdAt} by ${c.createdBy}`],
    ['due', c.dueAt],
    ['closed', c.closedAt ? `${c.closedAt} by ${c.closedBy}` : 'open'],
    ['reviewers', c.reviewers.join(', ')],
    ['items', `${e.items.length} (${e.items.filter((i) => i.decision).length} decided)`],
    ['journal range', `records ${c.journalStart.sequence + 1}..${end.sequence}`],
    ['journal at start', `#${c.journalStart.sequence} ${c.journalStart.hash}`],
    ['journal at close', c.journalEnd ? `#${c.journalEnd.sequence} ${c.journalEnd.hash}` : 'open'],
    ['journal head at export', `#${e.journalHead.sequence} ${e.journalHead.hash}`],
    ['remediation run', c.remediation?.runId ? `${c.remediation.runId} (${c.remediation.runStatus})` : 'none'],
    ['exported', e.exportedAt],
  ];
}

export function renderReviewEvidence(e: ReviewEvidence, format: ReviewExportFormat): string {
  if (format === 'json') return `${JSON.stringify(e, null, 2)}\n`;
  if (format === 'csv') {
    const header = pins(e).map(([k, v]) => `# ${k}: ${v}`);
    const lines = [COLUMNS.join(','), ...e.items.map((i) => row(i).map(csvCell).join(','))];
    return `${[...header, ...lines].join('\r\n')}\r\n`;
  }
  const c = e.campaign;
  const suggestions = c.remediation?.suggestions ?? [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access review ${escapeHtml(c.id)}</title>
<style>
body { font: 12px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #eee; } dl { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; } dt { font-weight: 600; }
code { font-size: 11px; word-break: break-all; } @media print { body { margin: 0; } tr { break-inside: avoid; } }
</style></head><body>
<h1>Access review ${escapeHtml(c.id)}</h1>
<dl>${pins(e)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd><code>${escapeHtml(v)}</code></dd>`)
    .join('')}</dl>
${suggestions.length ? `<h2>IdP changes to make</h2><ul>${suggestions.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` : ''}
<h2>Items and decisions</h2>
<table><thead><tr>${COLUMNS.map((h) => `<th>${escapeHtml(h.replace(/_/g, ' '))}</th>`).join('')}</tr></thead><tbody>
${e.items
  .map(
    (i) =>
      `<tr>${row(i)
        .map((v) => `<td>${escapeHtml(v)}</td>`)
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody></table>
</body></html>
`;
}

/** The evidence of one campaign as the store has it now, pinned to the journal's current head. */
export async function reviewEvidence(store: Store, id: string, now: Date): Promise<ReviewEvidence> {
  const campaign = await store.getReview(id);
  if (!campaign) throw new NotFoundError(`no review campaign ${id}`);
  const [last] = await store.listJournal({ limit: 1 });
  const head = last ? { sequence: last.sequence, hash: (await store.getJournal(last.id))?.hash ?? '' } : null;
  return {
    campaign,
    items: await store.listReviewItems(id),
    journalHead: head ?? { sequence: 0, hash: '0'.repeat(64) },
    exportedAt: now.toISOString(),
  };
}
