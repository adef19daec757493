import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainUser } from '../../../src/mapping/explain.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import { renderExplanationText } from '../../../src/mapping/render-explanation.js';
import { parseDirectory } from '../../../src/sources/file/read-file-directory.js';
import { directory, group, mappingOf, user } from './builders.js';

const example = async () => ({
  mapping: (await loadMappingDir('mappings')).mapping,
  snapshot: parseDirectory(fs.readFileSync('examples/directory.json', 'utf8'), 'file', 'examples/directory.json'),
});

describe('explainUser', () => {
  it('shows every candidate of an entitlement, the winner and why (multiGroup: highest)', async () => {
    const { mapping, snapshot } = await example();
    const e = explainUser(mapping, snapshot, 'Farah.Haddad@acme.example');
    expect(e.user).toBe('farah.haddad@acme.example');
    expect(e.found && e.mapped).toBe(true);
    expect(e.groups.map((g) => [g.displayName, g.rules])).toEqual([
      ['All Staff', []],
      ['Analytics', ['analysts']],
      ['Product Managers', ['product-managers']],
    ]);
    const staging = e.entitlements.find((x) => x.entitlement === 'project:web-staging');
    expect(staging).toMatchObject({ value: 'Member', decidedBy: 'highest' });
    expect(staging?.candidates.map((c) => `${c.rule}:${c.value}:${c.selector}`)).toEqual([
      'analysts:Member:environment:staging',
      'product-managers:Viewer:environment:staging',
    ]);
    expect(staging?.winners.map((c) => c.rule)).toEqual(['analysts']);
    expect(staging?.why).toBe('multiGroup: highest: Member is the most privileged of Member, Viewer (rule analysts)');
    expect(e.entitlements.map((x) => x.entitlement).slice(0, 2)).toEqual(['membership', 'org']);
    expect(e.entitlements.find((x) => x.entitlement === 'org')).toMatchObject({
      value: 'Member',
      decidedBy: 'default',
    });
  });

  it('explains a priority decision, including a tie broken by privilege', () => {
    const mapping = mappingOf(`policy: { multiGroup: priority }
rules:
  - { name: contractors, group: Contractors, priority: 10, projects: { web-staging: Viewer } }
  - { name: devs, group: Devs, priority: 20, projects: { web-staging: Admin, web-dev: Member } }
  - { name: leads, group: Leads, priority: 20, projects: { web-dev: Admin } }
`);
    const snapshot = directory(
      [user('ann')],
      [group('Contractors', ['ann']), group('Devs', ['ann']), group('Leads', ['ann'])],
    );
    const e = explainUser(mapping, snapshot, 'ann');
    const staging = e.entitlements.find((x) => x.entitlement === 'project:web-staging');
    expect(staging).toMatchObject({ value: 'Viewer', decidedBy: 'priority' });
    expect(staging?.why).toBe('multiGroup: priority: rule contractors has the lowest priority number (10)');
    const dev = e.entitlements.find((x) => x.entitlement === 'project:web-dev');
    expect(dev?.why).toBe(
      'multiGroup: priority: rule leads has the lowest priority number (20); tied with devs, Admin is the more privileged',
    );
  });

  it('notes an inactive identity and the unmappedUsers policy', async () => {
    const { mapping, snapshot } = await example();
    const e = explainUser(mapping, snapshot, 'u009');
    expect(e).toMatchObject({ user: 'ivan.petrov@acme.example', found: true, mapped: false, entitlements: [] });
    expect(e.groups.every((g) => !g.counts)).toBe(true);
    expect(e.notes).toEqual([
      'identity u009 (file) is inactive in the IdP: its groups grant nothing',
      'unmapped: they are inactive in the IdP; unmappedUsers: deactivate: they are set to membership deactivated in Heap',
    ]);
  });

  it('notes a user in no mapped group, and a user no source knows', async () => {
    const { mapping, snapshot } = await example();
    expect(explainUser(mapping, snapshot, 'wendy.clark@acme.example').notes).toEqual([
      'unmapped: no rule matches any of their groups; unmappedUsers: deactivate: they are set to membership deactivated in Heap',
    ]);
    const nobody = explainUser(mapping, snapshot, 'nobody@acme.example');
    expect(nobody).toMatchObject({ found: false, user: null, identities: [], groups: [] });
    expect(nobody.notes[0]).toContain('no identity source knows "nobody@acme.example"');
  });

  it('reports a module grant without project access as not applied', () => {
    const mapping = mappingOf(
      `rules:\n  - { name: ux, group: UX, modules: { illuminate: [web-prod] }, projects: { web-staging: Viewer } }\n`,
    );
    const e = explainUser(mapping, directory([user('bo')], [group('UX', ['bo'])]), 'bo@acme.example');
    const ent = e.entitlements.find((x) => x.entitlement === 'module:illuminate:web-prod');
    expect(ent).toMatchObject({ value: null, decidedBy: 'not-applied' });
    expect(e.notes).toEqual([
      'module:illuminate:web-prod: not applied: enabled needs access to project web-prod, and no matching rule gives any',
    ]);
  });

  it('renders readable text with the winners marked', async () => {
    const { mapping, snapshot } = await example();
    const text = renderExplanationText(explainUser(mapping, snapshot, 'farah.haddad@acme.example'));
    expect(text).toContain('farah.haddad@acme.example (Farah Haddad): mapped\n');
    expect(text).toContain(
      '  project:web-staging = Member\n' +
        '    * Member from rule analysts <- group Analytics (file), priority 50 via "environment:staging"\n' +
        '    - Viewer from rule product-managers <- group Product Managers (file), priority 60 via "environment:staging"\n' +
        '    why: multiGroup: highest: Member is the most privileged of Member, Viewer (rule analysts)\n',
    );
  });
});
