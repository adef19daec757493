import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MappingSet } from '../../../src/domain/mapping.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { evaluateReasons } from '../../../src/mapping/evaluate-reasons.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import { parseDirectory } from '../../../src/sources/file/read-file-directory.js';

const snapshot = parseDirectory(fs.readFileSync('examples/directory.json', 'utf8'), 'file', 'examples/directory.json');
const example = (await loadMappingDir('mappings')).mapping;

/** Every mapped user's access, by evaluateMapping and by evaluateReasons over the reasons it gave them. */
function bothWays(mapping: MappingSet) {
  return evaluateMapping(mapping, snapshot)
    .users.filter((u) => u.mapped)
    .map((u) => ({
      user: u.user,
      evaluated: Object.fromEntries(Object.entries(u.entitlements).map(([k, e]) => [k, e.value])),
      fromReasons: Object.fromEntries(evaluateReasons(mapping, u.entitlements.membership?.reasons ?? []) ?? []),
    }));
}

describe('evaluateReasons: one user, decided as evaluateMapping decides', () => {
  it.each(['highest', 'priority'] as const)(
    'gives every example user what evaluateMapping gives (multiGroup %s)',
    (multiGroup) => {
      const mapping = { ...example, policy: { ...example.policy, multiGroup } };
      const users = bothWays(mapping);
      expect(users.length).toBeGreaterThan(20);
      for (const u of users)
        expect({ user: u.user, access: u.fromReasons }).toEqual({ user: u.user, access: u.evaluated });
    },
  );

  it('is null when no reason names a rule of the mapping (the user would be unmapped)', () => {
    expect(evaluateReasons(example, [])).toBeNull();
    expect(evaluateReasons(example, [{ rule: 'no-such-rule', group: 'All Staff', source: 'file' }])).toBeNull();
  });
});
