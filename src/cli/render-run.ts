import { showAccess } from '../domain/entitlement.js';
import type { JournalRecord } from '../domain/journal.js';
import type { JournalSummary } from '../ports/store.js';
import { describeSideEffects } from '../domain/plan.js';
import { describeFacts, describeReasons } from '../planner/index.js';
import type { JournalVerdict } from '../services/journal.js';

/** A run's summary line per drift item names this many side effects, then how many more (`drift` lists them all). */
const SIDE_EFFECTS_SHOWN = 5;

/** A run as a person reads it in a terminal: status, counts, then each change with its outcome. */
export function renderRunText(record: JournalRecord): string {
  const lines: string[] = [];
  const count = (o: string) => record.results.filter((r) => r.outcome === o).length;
  lines.push(`run ${record.id} (#${record.sequence}) ${record.status}  trigger=${record.trigger}`);
  lines.push(`  ${record.startedAt} -> ${record.endedAt}  mapping ${record.mappingVersion ?? '-'}`);
  if (record.error) lines.push(`  error: ${record.error}`);
  if (record.plan) {
    lines.push(
      `  changes: ${record.plan.changes.length} (applied ${count('applied')}, failed ${count('failed')}, blocked ${count('blocked')}, skipped ${count('skipped')})  drift: ${record.plan.drift.length}`,
    );
  }
  for (const r of record.results) {
    const c = r.change;
    lines.push(
      `  ${r.outcome.padEnd(8)} ${c.user} ${c.entitlement}: ${showAccess(c.from)} -> ${showAccess(c.to)} [${c.cause}]${r.error ? `  (${r.error})` : ''}`,
    );
    const why = describeReasons(c);
    if (why) lines.push(`           because ${why}`);
    if (c.risk.includes('owns-assets')) lines.push(`           ${describeFacts(c)}: transfer them first`);
  }
  for (const d of record.plan?.drift ?? []) {
    const effects = d.sideEffects ? ` (side effects: ${describeSideEffects(d.sideEffects, SIDE_EFFECTS_SHOWN)})` : '';
    lines.push(`  drift    ${d.user} ${d.entitlement}: ${d.cause}, ${d.action}; ${d.suggestion}${effects}`);
  }
  if (record.status === 'held' && record.plan?.heldBy === 'ownedAssets') {
    lines.push(`  held until the asset transfer is confirmed: heap-access-sync sync --approve ${record.id}`);
  } else if (record.status === 'held') {
    if (record.plan?.holdReason) lines.push(`  held by ${record.plan.heldBy}: ${record.plan.holdReason}`);
    // four eyes: whoever started the held run cannot approve it, so the hint says who may not
    const approver = record.actor ? ` (by someone other than ${record.actor})` : '';
    lines.push(`  held for approval${approver}: heap-access-sync sync --approve ${record.id} --actor <you>`);
  }
  for (const item of record.postSyncDiff) {
    lines.push(
      `  still different: ${item.user} ${item.entitlement} wants ${showAccess(item.desired)} has ${showAccess(item.actual)}: ${item.why}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderJournalList(rows: JournalSummary[]): string {
  if (rows.length === 0) return 'no runs yet\n';
  const header =
    'seq  id                              status     trigger           started                   changes applied failed blocked drift';
  const body = rows.map(
    (r) =>
      `${String(r.sequence).padEnd(4)} ${r.id.padEnd(31)} ${r.status.padEnd(10)} ${r.trigger.padEnd(17)} ${r.startedAt.padEnd(25)} ${String(r.changes).padStart(7)} ${String(r.applied).padStart(7)} ${String(r.failed).padStart(6)} ${String(r.blocked).padStart(7)} ${String(r.drift).padStart(5)}`,
  );
  return `${[header, ...body].join('\n')}\n`;
}

/** `journal verify`: the chain, then each pin (checkpoint, --expect-head). */
export function renderVerdict(verdict: JournalVerdict): string {
  const lines: string[] = [];
  const head = verdict.head ? `head #${verdict.head.sequence} ${verdict.head.hash}` : 'no records';
  if (verdict.firstBad) {
    const bad = verdict.firstBad;
    lines.push(`journal TAMPERED: record #${bad.sequence} (${bad.id}): ${bad.problem}`);
  } else lines.push(`chain intact: ${verdict.records} record(s), ${head}`);
  for (const pin of verdict.pins) {
    const what = pin.source === 'checkpoint' ? 'latest checkpoint' : 'expected head';
    const at = pin.sequence === null ? '' : ` #${pin.sequence}`;
    lines.push(pin.ok ? `${what}${at}: held by the chain` : `journal TAMPERED: ${what}${at}: ${pin.problem}`);
  }
  lines.push(verdict.ok ? 'journal ok' : 'journal NOT ok');
  return `${lines.join('\n')}\n`;
}
