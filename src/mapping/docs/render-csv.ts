import type { DocsData } from './docs-data.js';

/**
 * CSV for spreadsheets: one row per grant a rule makes (resolved to projects), or with members one row per user
 * and entitlement (the access review). RFC 4180 quoting; cells that a spreadsheet would run as a formula are
 * prefixed with an apostrophe.
 */
export function renderCsv(d: DocsData): string {
  const rows: string[][] = [];
  if (d.access) {
    rows.push([
      'user',
      'display_name',
      'mapped',
      'entitlement',
      'value',
      'rules',
      'groups',
      'sources',
      'mapping_version',
    ]);
    for (const u of d.access.users) {
      if (!u.mapped) {
        rows.push([u.user, u.displayName ?? '', 'false', '', '', '', '', '', d.mappingVersion]);
        continue;
      }
      for (const e of u.entitlements) {
        const join = (f: (r: (typeof e.reasons)[number]) => string) => e.reasons.map(f).join('; ');
        rows.push([
          u.user,
          u.displayName ?? '',
          'true',
          e.entitlement,
          e.value,
          join((r) => r.rule),
          join((r) => r.group),
          join((r) => r.source),
          d.mappingVersion,
        ]);
      }
    }
  } else {
    rows.push([
      'rule',
      'group',
      'group_by',
      'source',
      'priority',
      'entitlement',
      'value',
      'selector',
      'environment',
      'mapping_version',
    ]);
    const envOf = new Map(d.environments.flatMap((e) => e.projects.map((p) => [p.key, e.environment] as const)));
    for (const r of d.rules) {
      const base = [r.name, r.group, r.groupBy, r.source ?? '', String(r.priority)];
      if (r.orgRole) rows.push([...base, 'org', r.orgRole, '', '', d.mappingVersion]);
      for (const g of r.projects) {
        for (const p of g.projects)
          rows.push([...base, `project:${p}`, g.value, g.selector, envOf.get(p) ?? '', d.mappingVersion]);
      }
      for (const g of r.modules) {
        for (const p of g.projects) {
          rows.push([...base, `module:${g.module}:${p}`, g.value, g.selector, envOf.get(p) ?? '', d.mappingVersion]);
        }
      }
      for (const team of r.teams) {
        const bound = d.teams.find((t) => t.name === team)?.projects.join('; ') ?? '';
        rows.push([...base, `team:${team}`, 'member', bound, '', d.mappingVersion]);
      }
    }
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
