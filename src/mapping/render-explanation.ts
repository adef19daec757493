import { describeFacts } from '../planner/render.js';
import type { ExplainedCandidate, UserExplanation } from './explain.js';

/** A plain-text explanation for a terminal: no colours, so it reads the same when piped or saved. */
export function renderExplanationText(e: UserExplanation): string {
  const lines: string[] = [];
  const who = e.user ?? e.query;
  const state = !e.found ? 'not found in any identity source' : e.mapped ? 'mapped' : 'unmapped';
  lines.push(`${who}${e.displayName ? ` (${e.displayName})` : ''}: ${state}`);
  lines.push(
    `mapping ${e.mappingVersion}, multiGroup: ${e.policy.multiGroup}, unmappedUsers: ${e.policy.unmappedUsers}`,
  );
  if (e.identities.length) {
    lines.push('', 'identities:');
    for (const i of e.identities) {
      lines.push(
        `  ${i.source} ${i.id} ${i.userName}${i.email && i.email !== i.userName ? ` <${i.email}>` : ''} ${i.active ? 'active' : 'INACTIVE'}`,
      );
    }
  }
  if (e.groups.length) {
    lines.push('', 'groups:');
    for (const g of e.groups) {
      const rules = g.rules.length ? `rules ${g.rules.join(', ')}` : 'no rule';
      lines.push(`  ${g.displayName} (${g.source}) -> ${rules}${g.counts ? '' : ' [ignored: identity inactive]'}`);
    }
  }
  if (e.entitlements.length) {
    lines.push('', 'entitlements (* = winning candidate):');
    for (const ent of e.entitlements) {
      lines.push(`  ${ent.entitlement} = ${ent.value ?? '(not applied)'}`);
      for (const c of ent.candidates) lines.push(`    ${ent.winners.includes(c) ? '*' : '-'} ${describe(c)}`);
      lines.push(`    why: ${ent.why}`);
    }
  }
  if (e.exceptions?.length) {
    lines.push('', 'exceptions (they win over the mapping until they expire):');
    for (const x of e.exceptions) {
      const mapped = e.entitlements.find((ent) => ent.entitlement === x.entitlement)?.value ?? null;
      lines.push(
        `  ${x.entitlement} = ${x.value ?? '(none)'} until ${x.expiresAt} (the mapping: ${mapped ?? '(not applied)'}); ` +
          `${x.id}, "${x.reason}", approved by ${x.approver}`,
      );
    }
  }
  if (e.heap) {
    lines.push('', 'in Heap now:');
    if (!e.heap.found) lines.push('  no teammate with this e-mail');
    else {
      const access = Object.entries(e.heap.access).map(([k, v]) => `${k} = ${v}`);
      lines.push(...(access.length ? access.map((a) => `  ${a}`) : ['  no access']));
      const facts = describeFacts(e.heap);
      if (facts) lines.push(`  ${facts}`);
    }
  }
  if (e.notes.length) {
    lines.push('', 'notes:');
    for (const n of e.notes) lines.push(`  - ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

function describe(c: ExplainedCandidate): string {
  const isSelector = c.selector === '*' || c.selector.startsWith('environment:');
  const via = isSelector ? ` via "${c.selector}"` : '';
  return `${c.value} from rule ${c.rule} <- group ${c.group} (${c.source}), priority ${c.priority}${via}`;
}
