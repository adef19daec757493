import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDocs, DOCS_FORMATS } from '../../../src/mapping/docs/render-docs.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import { parseDirectory } from '../../../src/sources/file/read-file-directory.js';
import { directory, group, mappingOf, user } from './builders.js';

const GOLDEN = 'test/fixtures/mappings/golden';
const generatedAt = '2026-01-15T09:00:00.000Z';

/** Compares with the golden file; `UPDATE_GOLDEN=1` rewrites it after an intended change (review the diff). */
function expectGolden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

const example = async () => ({
  mapping: (await loadMappingDir('mappings')).mapping,
  snapshot: parseDirectory(fs.readFileSync('examples/directory.json', 'utf8'), 'file', 'examples/directory.json'),
});

describe('renderDocs golden files (the example mapping)', () => {
  it.each(DOCS_FORMATS)('%s', async (format) => {
    const { mapping } = await example();
    expectGolden(`docs.${format}`, renderDocs(mapping, format, { generatedAt }));
  });

  it.each(DOCS_FORMATS)('%s with members (the access review)', async (format) => {
    const { mapping, snapshot } = await example();
    expectGolden(`docs-members.${format}`, renderDocs(mapping, format, { generatedAt, snapshot, withMembers: true }));
  });
});

describe('renderDocs', () => {
  const hostile = mappingOf(`rules:
  - name: hostile
    group: "<script>alert('x')</script> | =HYPERLINK(\\"http://x\\") *bold*"
    projects: { web-staging: Viewer }
`);
  const snapshot = directory(
    [user('eve', { displayName: '<img src=x onerror=alert(1)>' })],
    [group('<script>alert(\'x\')</script> | =HYPERLINK("http://x") *bold*', ['eve'])],
  );

  it('escapes names from the IdP in HTML', () => {
    const html = renderDocs(hostile, 'html', { generatedAt, snapshot, withMembers: true });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('keeps Markdown tables intact and inert', () => {
    const md = renderDocs(hostile, 'md', { generatedAt });
    const row = md.split('\n').find((l) => l.startsWith('| project | environment |'));
    // one escaped pipe inside the group's column header: the table still has 3 columns
    expect(row?.split(/(?<!\\)\|/).length).toBe(5);
    expect(md).toContain('\\<script\\>');
    expect(md).toContain('\\*bold\\*');
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    const csv = renderDocs(hostile, 'csv', { generatedAt, snapshot, withMembers: true });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('user,display_name,mapped,entitlement,value,rules,groups,sources,mapping_version');
    expect(lines[1]).toContain('"<script>alert(\'x\')</script> | =HYPERLINK(""http://x"") *bold*"');
    const formula = renderDocs(
      mappingOf(`rules:\n  - { name: f, group: "=1+2", projects: { web-dev: Viewer } }\n`),
      'csv',
      {
        generatedAt,
      },
    );
    expect(formula).toContain("f,'=1+2,displayName,");
  });

  it('needs a snapshot for the member listing', () => {
    expect(() => renderDocs(hostile, 'md', { generatedAt, withMembers: true })).toThrow(/snapshot/);
  });

  it('renders JSON with the version, date, matrix and access', async () => {
    const { mapping, snapshot: snap } = await example();
    const doc = JSON.parse(renderDocs(mapping, 'json', { generatedAt, snapshot: snap, withMembers: true })) as {
      mappingVersion: string;
      generatedAt: string;
      matrix: { columns: { rule: string }[]; rows: { project: string; roles: (string | null)[] }[] };
      access: { users: { user: string; mapped: boolean }[] };
    };
    expect(doc.mappingVersion).toBe(mapping.version);
    expect(doc.generatedAt).toBe(generatedAt);
    const col = doc.matrix.columns.findIndex((c) => c.rule === 'contractors');
    expect(doc.matrix.rows.map((r) => [r.project, r.roles[col]])).toEqual([
      ['web-prod', null],
      ['mobile-prod', null],
      ['web-staging', 'Viewer'],
      ['mobile-staging', 'Viewer'],
      ['web-dev', 'Viewer'],
      ['mobile-dev', 'Viewer'],
    ]);
    expect(doc.access.users.filter((u) => !u.mapped).map((u) => u.user)).toEqual([
      'ivan.petrov@acme.example',
      'wendy.clark@acme.example',
    ]);
  });
});
