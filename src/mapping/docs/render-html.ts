import type { DocsData, DocsGrant, DocsRule } from './docs-data.js';
import { describeGuards, describePolicy, ENFORCEMENT_MEANING, KIND_NAMES, reasonText } from './docs-text.js';

/** A standalone page (inline style, no scripts) an auditor can open or archive; every value is escaped. */
export function renderHtml(d: DocsData): string {
  const body: string[] = [];
  body.push('<h1>Heap access mapping</h1>');
  body.push(
    `<p class="meta">Mapping version <code>${esc(d.mappingVersion)}</code>, generated ${esc(d.generatedAt)}.<br>`,
  );
  body.push(`Files: ${d.files.map((f) => `<code>${esc(f)}</code>`).join(', ')}</p>`);

  body.push('<h2>Access model</h2>');
  body.push(
    table(
      ['scope', 'values (least privileged first)', 'licence'],
      [
        ['organization role', d.model.orgRoles.join(', '), ''],
        ['project role', d.model.projectRoles.join(', '), ''],
        ...d.model.modules.map((m) => [
          `module ${m.name}`,
          m.values.join(', '),
          m.licensed ? 'licensed' : 'not licensed',
        ]),
      ],
    ),
  );

  body.push('<h2>Projects by environment</h2>');
  for (const env of d.environments) {
    body.push(`<h3>${esc(env.environment)}${env.production ? ' <span class="prod">production</span>' : ''}</h3>`);
    body.push(
      table(
        ['key', 'name'],
        env.projects.map((p) => [p.key, p.name]),
      ),
    );
  }

  body.push('<h2>Groups and what they grant</h2>');
  for (const r of d.rules) body.push(ruleSection(r));

  body.push('<h2>Project roles by group</h2>');
  const header = ['project', 'environment', ...d.matrix.columns.map((c) => `${c.group} (${c.rule})`)];
  body.push(
    table(
      header,
      d.matrix.rows.map((r) => [r.project, r.environment, ...r.roles.map((x) => x ?? '')]),
    ),
  );

  body.push('<h2>Module grants</h2>');
  body.push(
    d.moduleGrants.length
      ? table(
          ['module', 'project', 'group', 'rule', 'value'],
          d.moduleGrants.map((g) => [g.module, g.project, g.group, g.rule, g.value]),
        )
      : '<p>No rule grants a module.</p>',
  );

  body.push('<h2>Heap Teams</h2>');
  body.push(
    d.teams.length
      ? table(
          ['Team', 'gives projects (bound in Heap)', 'joined by group (rule)'],
          d.teams.map((t) => [
            t.name,
            t.projects.join(', ') || '(none)',
            t.rules.map((r) => `${r.group} (${r.rule})`).join(', ') || '(none)',
          ]),
        )
      : '<p>The mapping declares no Teams.</p>',
  );

  if (d.enforcement) {
    body.push('<h2>What the sync enforces in this Heap</h2>');
    body.push(
      table(
        ['entitlement', 'label', 'meaning'],
        Object.entries(d.enforcement).map(([kind, label]) => [
          KIND_NAMES[kind] ?? kind,
          label,
          ENFORCEMENT_MEANING[label] ?? '',
        ]),
      ),
    );
  }

  body.push('<h2>Policy and guards</h2>');
  body.push(table(['setting', 'value', 'meaning'], [...describePolicy(d.policy), ...describeGuards(d.policy)]));

  if (d.access) {
    const mapped = d.access.users.filter((u) => u.mapped);
    body.push(`<h2>Effective access (${mapped.length} of ${d.access.users.length} users mapped)</h2>`);
    for (const u of mapped) {
      body.push(`<h3>${esc(u.user)}${u.displayName ? ` (${esc(u.displayName)})` : ''}</h3>`);
      const rows = u.entitlements.map((e) => [
        e.entitlement,
        e.value,
        ...(d.enforcement ? [e.enforcement ?? ''] : []),
        e.reasons.map(reasonText).join('; '),
      ]);
      body.push(table(['entitlement', 'value', ...(d.enforcement ? ['enforcement'] : []), 'because'], rows));
    }
    const unmapped = d.access.users.filter((u) => !u.mapped);
    body.push('<h3>Users no rule maps</h3>');
    body.push(
      unmapped.length
        ? `<p>These users get no access; policy <code>unmappedUsers: ${esc(d.policy.unmappedUsers)}</code> applies to them in Heap.</p>` +
            list(unmapped.map((u) => `${u.user}${u.displayName ? ` (${u.displayName})` : ''}`))
        : '<p>None.</p>',
    );
    if (d.access.warnings.length) {
      body.push('<h3>Grants not applied</h3>');
      body.push(list(d.access.warnings.map((w) => `${w.user}: ${w.message}`)));
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Heap access mapping ${esc(d.mappingVersion)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
code { background: #f6f6f6; padding: 0 0.2rem; }
.meta { color: #555; }
.prod { background: #fde2e2; color: #8a1010; font-size: 0.8rem; padding: 0 0.3rem; border-radius: 0.2rem; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function ruleSection(r: DocsRule): string {
  const by = r.groupBy === 'id' ? 'group id' : 'group';
  const items: string[] = [];
  if (r.orgRole) items.push(`organization role: ${esc(r.orgRole)}`);
  for (const g of r.projects) items.push(`project role ${esc(g.value)} on ${grantTarget(g)}`);
  for (const g of r.modules) items.push(`module ${esc(g.module)} ${esc(g.value)} on ${grantTarget(g)}`);
  for (const t of r.teams) items.push(`member of Heap Team ${esc(t)}`);
  if (r.allowProductionAdmin) items.push('allowed to give Admin on production projects (allowProductionAdmin)');
  return [
    `<h3>${esc(r.group)}</h3>`,
    `<p>Rule <code>${esc(r.name)}</code> (${esc(r.definedAt)}): ${by} ${esc(r.group)}${r.source ? ` from source ${esc(r.source)}` : ''}, priority ${r.priority}.</p>`,
    `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`,
  ].join('\n');
}

function grantTarget(g: DocsGrant): string {
  const list = g.projects.map((p) => `<code>${esc(p)}</code>`).join(', ');
  return g.projects.length === 1 && g.projects[0] === g.selector ? list : `<code>${esc(g.selector)}</code> (${list})`;
}

function table(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const list = (items: string[]): string => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
