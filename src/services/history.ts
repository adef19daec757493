import type { Reason } from '../domain/desired.js';
import { MEMBERSHIP, normalizeUserKey, ORG } from '../domain/entitlement.js';
import type { HistoryEntry, UserJournalSlice } from '../domain/history.js';
import { describeReason } from '../planner/render.js';
import type { Store } from '../ports/store.js';

const show = (v: string | null): string => v ?? '(none)';

/** "project web-prod added (Member)": an entitlement's change in the seed's words. */
export function summarizeChange(entitlement: string, from: string | null, to: string | null): string {
  if (entitlement === MEMBERSHIP) {
    if (to === 'active') return from === null ? 'added to Heap' : 'reactivated';
    return to === null ? 'removed from Heap' : 'deactivated';
  }
  if (entitlement === ORG) return `org role ${show(from)} -> ${show(to)}`;
  const [kind, a, b] = entitlement.split(':');
  const what = kind === 'module' ? `module ${a} on ${b}` : kind === 'team' ? `Team ${a}` : `project ${a}`;
  const [added, removed] = kind === 'module' ? ['granted', 'revoked'] : ['added', 'removed'];
  if (from === null) return `${what} ${added} (${show(to)})`;
  if (to === null) return `${what} ${removed} (was ${from})`;
  return `${what}: ${from} -> ${to}`;
}

const exceptionOf = (reasons: readonly Reason[]) => reasons.find((r) => 'exception' in r);

/** The entries one journal record (or its slice about the user) holds for one user, in the record's order. */
export function historyOf(record: UserJournalSlice, user: string): HistoryEntry[] {
  const key = normalizeUserKey(user);
  const base = { at: record.endedAt, record: record.id, sequence: record.sequence, trigger: record.trigger };
  const out: HistoryEntry[] = [];
  // a dry run changed nothing
  for (const r of record.status === 'dry-run' ? [] : record.results) {
    const c = r.change;
    if (normalizeUserKey(c.user) !== key || r.outcome === 'skipped') continue;
    const exception = exceptionOf(c.reasons);
    out.push({
      ...base,
      actor: record.actor ?? null,
      kind: 'change',
      entitlement: c.entitlement,
      from: c.from,
      to: c.to,
      summary: summarizeChange(c.entitlement, c.from, c.to),
      reason: c.reasons.length ? c.reasons.map(describeReason).join('; ') : c.to === null ? 'no rule grants it' : '',
      approver:
        exception && 'approver' in exception
          ? exception.approver
          : record.approvedRun
            ? (record.actor ?? 'approved run')
            : null,
      until: exception && 'expiresAt' in exception && !exception.expired ? exception.expiresAt : null,
      outcome: r.outcome,
    });
  }
  // a manual change in Heap the run saw (listed once per sighting by userHistory)
  for (const d of record.status === 'dry-run' ? [] : (record.plan?.drift ?? [])) {
    if (normalizeUserKey(d.user) !== key) continue;
    out.push({
      ...base,
      at: d.firstSeen ?? record.startedAt,
      actor: d.changedBy ?? null,
      kind: 'drift-seen',
      entitlement: d.entitlement,
      from: d.baseline,
      to: d.actual,
      summary: `changed by hand in Heap: ${summarizeChange(d.entitlement, d.baseline, d.actual)}`,
      reason:
        d.action === 'revert'
          ? `${d.cause}; reverted to ${show(d.desired)}${d.revertsAt ? ` by the first sync after ${d.revertsAt}` : ''}`
          : `${d.cause}; kept by policy`,
      approver: null,
      until: null,
      outcome: null,
    });
  }
  const e = record.event;
  if (
    (e?.kind === 'exception-created' || e?.kind === 'exception-revoked') &&
    normalizeUserKey(e.exception.user) === key
  ) {
    const x = e.exception;
    out.push({
      ...base,
      actor: record.actor ?? x.approver,
      kind: e.kind,
      entitlement: x.entitlement,
      from: null,
      to: x.value,
      summary: `exception ${x.id} ${e.kind === 'exception-created' ? 'created' : 'revoked'}: ${x.entitlement} = ${show(x.value)}`,
      reason: x.reason,
      approver: x.approver,
      until: x.expiresAt,
      outcome: null,
    });
  }
  if (e?.kind === 'approval-decided' && normalizeUserKey(e.approval.user) === key) {
    const a = e.approval;
    out.push({
      ...base,
      actor: a.decidedBy,
      kind: 'approval-decided',
      entitlement: a.entitlement,
      from: a.from,
      to: a.value,
      summary: `grant ${summarizeChange(a.entitlement, a.from, a.value)} ${a.status}`,
      reason: a.reason ?? '',
      approver: a.decidedBy,
      until: null,
      outcome: null,
    });
  }
  if (e?.kind === 'task-done' && normalizeUserKey(e.task.user) === key) {
    out.push({
      ...base,
      actor: record.actor ?? null,
      kind: 'task-done',
      entitlement: e.task.entitlement,
      from: e.task.from,
      to: e.task.to,
      summary: `made by hand in Heap: ${summarizeChange(e.task.entitlement, e.task.from, e.task.to)}`,
      reason: e.note ?? `task ${e.task.id}`,
      approver: null,
      until: null,
      outcome: null,
    });
  }
  const rv = record.review;
  if (rv?.event === 'decided' && rv.user && rv.entitlement && normalizeUserKey(rv.user) === key) {
    out.push({
      ...base,
      actor: record.actor ?? null,
      kind: 'review-decided',
      entitlement: rv.entitlement,
      from: rv.actual ?? null,
      to: rv.value ?? rv.actual ?? null,
      summary: `access review ${rv.campaign}: ${rv.decision}`,
      reason: rv.reason ?? '',
      approver: record.actor ?? null,
      until: null,
      outcome: null,
    });
  }
  return out;
}

/** A user's access history from the journal, oldest first, within [since, until) when given: one indexed read. */
export async function userHistory(
  store: Pick<Store, 'listUserJournal'>,
  user: string,
  options: { since?: Date; until?: Date } = {},
): Promise<HistoryEntry[]> {
  const entries = (await store.listUserJournal(user, options)).flatMap((slice) => historyOf(slice, user));
  entries.sort((a, b) => a.sequence - b.sequence);
  // a manual change is seen by every run until it is resolved: list its first sighting only
  const seen = new Set<string>();
  return entries.filter((e) => {
    if (e.kind !== 'drift-seen') return true;
    const sighting = `${e.entitlement}\u0000${e.to ?? ''}\u0000${e.at}`;
    if (seen.has(sighting)) return false;
    seen.add(sighting);
    return true;
  });
}

const CSV_COLUMNS = [
  'at',
  'kind',
  'entitlement',
  'from',
  'to',
  'summary',
  'reason',
  'approver',
  'until',
  'outcome',
  'actor',
  'record',
] as const;

const csvCell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function historyToCsv(entries: readonly HistoryEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\n')}\n`;
}

export function historyToText(user: string, entries: readonly HistoryEntry[]): string {
  if (!entries.length) return `no journal record touches ${user}\n`;
  const lines = [`history of ${user} (${entries.length} entries, oldest first):`];
  for (const e of entries) {
    const temp = e.until ? ` [temporary until ${e.until}]` : '';
    const by = e.approver ? `, approved by ${e.approver}` : '';
    const outcome = e.outcome && e.outcome !== 'applied' ? ` (${e.outcome})` : '';
    lines.push(`  ${e.at.slice(0, 19).replace('T', ' ')}  ${e.summary}${outcome}${temp}`);
    lines.push(`      ${e.reason || '-'}${by}; ${e.trigger}${e.actor ? ` by ${e.actor}` : ''}, ${e.record}`);
  }
  return `${lines.join('\n')}\n`;
}
