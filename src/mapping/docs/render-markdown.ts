import type { DocsData, DocsGrant, DocsRule } from './docs-data.js';
import { describeGuards, describePolicy, ENFORCEMENT_MEANING, KIND_NAMES, reasonText } from './docs-text.js';

/** Markdown for a wiki or a pull request; tables escape `|` so any group name is safe. */
export function renderMarkdown(d: DocsData): string {
  const out: string[] = [];
  out.push('# Heap access mapping', '');
  out.push(`Mapping version \`${d.mappingVersion}\`, generated ${d.generatedAt}.`, '');
  out.push(`Files: ${d.files.map((f) => `\`${f}\``).join(', ')}`, '');

  out.push('## Access model', '');
  const modelRows = [
    ['organization role', d.model.orgRoles.join(', '), ''],
    ['project role', d.model.projectRoles.join(', '), ''],
    ...d.model.modules.map((m) => [`module ${m.name}`, m.values.join(', '), m.licensed ? 'licensed' : 'not licensed']),
  ];
  out.push(...table(['scope', 'values (least privileged first)', 'licence'], modelRows), '');

  out.push('## Projects by environment', '');
  for (const env of d.environments) {
    out.push(
      `### ${esc(env.environment)}${env.production && env.environment !== 'production' ? ' (production)' : ''}`,
      '',
    );
    out.push(
      ...table(
        ['key', 'name'],
        env.projects.map((p) => [p.key, p.name]),
      ),
      '',
    );
  }

  out.push('## Groups and what they grant', '');
  for (const r of d.rules) out.push(...ruleSection(r));

  out.push('## Project roles by group', '');
  const header = ['project', 'environment', ...d.matrix.columns.map((c) => `${c.group} (${c.rule})`)];
  out.push(
    ...table(
      header,
      d.matrix.rows.map((r) => [r.project, r.environment, ...r.roles.map((x) => x ?? '')]),
    ),
    '',
  );

  out.push('## Module grants', '');
  if (d.moduleGrants.length) {
    const rows = d.moduleGrants.map((g) => [g.module, g.project, g.group, g.rule, g.value]);
    out.push(...table(['module', 'project', 'group', 'rule', 'value'], rows), '');
  } else out.push('No rule grants a module.', '');

  out.push('## Heap Teams', '');
  if (d.teams.length) {
    const rows = d.teams.map((t) => [
      t.name,
      t.projects.join(', ') || '(none)',
      t.rules.map((r) => `${r.group} (${r.rule})`).join(', ') || '(none)',
    ]);
    out.push(...table(['Team', 'gives projects (bound in Heap)', 'joined by group (rule)'], rows), '');
  } else out.push('The mapping declares no Teams.', '');

  if (d.enforcement) {
    out.push('## What the sync enforces in this Heap', '');
    const rows = Object.entries(d.enforcement).map(([kind, label]) => [
      KIND_NAMES[kind] ?? kind,
      label,
      ENFORCEMENT_MEANING[label] ?? '',
    ]);
    out.push(...table(['entitlement', 'label', 'meaning'], rows), '');
  }

  out.push('## Policy and guards', '');
  out.push(...table(['setting', 'value', 'meaning'], [...describePolicy(d.policy), ...describeGuards(d.policy)]), '');

  if (d.access) {
    const mapped = d.access.users.filter((u) => u.mapped);
    out.push(`## Effective access (${mapped.length} of ${d.access.users.length} users mapped)`, '');
    for (const u of mapped) {
      out.push(`### ${esc(u.user)}${u.displayName ? ` (${esc(u.displayName)})` : ''}`, '');
      const rows = u.entitlements.map((e) => [
        e.entitlement,
        e.value,
        ...(d.enforcement ? [e.enforcement ?? ''] : []),
        e.reasons.map(reasonText).join('; '),
      ]);
      const header = ['entitlement', 'value', ...(d.enforcement ? ['enforcement'] : []), 'because'];
      out.push(...table(header, rows), '');
    }
    const unmapped = d.access.users.filter((u) => !u.mapped);
    out.push('### Users no rule maps', '');
    if (unmapped.length) {
      out.push(
        `These users get no access; policy \`unmappedUsers: ${d.policy.unmappedUsers}\` applies to them in Heap.`,
        '',
      );
      for (const u of unmapped) out.push(`- ${esc(u.user)}${u.displayName ? ` (${esc(u.displayName)})` : ''}`);
      out.push('');
    } else out.push('None.', '');
    if (d.access.warnings.length) {
      out.push('### Grants not applied', '');
      for (const w of d.access.warnings) out.push(`- ${esc(w.user)}: ${esc(w.message)}`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function ruleSection(r: DocsRule): string[] {
  const out = [`### ${esc(r.group)}`, ''];
  const by = r.groupBy === 'id' ? 'group id' : 'group';
  out.push(
    `Rule \`${r.name}\` (${r.definedAt}): ${by} ${esc(r.group)}${r.source ? ` from source ${esc(r.source)}` : ''}, priority ${r.priority}.`,
    '',
  );
  if (r.orgRole) out.push(`- organization role: ${esc(r.orgRole)}`);
  for (const g of r.projects) out.push(`- project role ${esc(g.value)} on ${grantTarget(g)}`);
  for (const g of r.modules) out.push(`- module ${esc(g.module)} ${esc(g.value)} on ${grantTarget(g)}`);
  for (const t of r.teams) out.push(`- member of Heap Team ${esc(t)}`);
  if (r.allowProductionAdmin) out.push('- allowed to give Admin on production projects (allowProductionAdmin)');
  out.push('');
  return out;
}

function grantTarget(g: DocsGrant): string {
  const list = g.projects.map((p) => `\`${p}\``).join(', ');
  return g.projects.length === 1 && g.projects[0] === g.selector ? list : `\`${g.selector}\` (${list})`;
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)];
}

const cell = (s: string): string => esc(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Markdown metacharacters in names from the IdP must not turn into formatting or HTML. */
const esc = (s: string): string => s.replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`);
