import type { DirectorySnapshot, Group, Identity } from '../../../src/domain/identity.js';
import type { MappingSet } from '../../../src/domain/mapping.js';
import { parseMappingFiles } from '../../../src/mapping/parse-mapping.js';

/** Four projects: two production, one staging, one development. */
export const PROJECTS = `apiVersion: heap-access-sync/v1
projects:
  - { key: web-prod, name: Web, environment: production }
  - { key: mobile-prod, name: Mobile, environment: production }
  - { key: web-staging, name: Web (staging), environment: staging }
  - { key: web-dev, name: Web (dev), environment: development }
`;

/** A mapping from YAML written after the projects: `policy:` and `rules:` sections. */
export function mappingOf(yaml: string): MappingSet {
  return parseMappingFiles([{ file: 'mappings/test.yaml', text: `${PROJECTS}${yaml}` }]).mapping;
}

export function user(name: string, fields: Partial<Identity> = {}): Identity {
  return {
    id: name,
    userName: `${name}@acme.example`,
    email: `${name}@acme.example`,
    active: true,
    source: 'file',
    ...fields,
  };
}

export function group(displayName: string, members: string[], fields: Partial<Group> = {}): Group {
  return { id: `g-${displayName.toLowerCase().replace(/\W+/g, '-')}`, displayName, members, source: 'file', ...fields };
}

export function directory(users: Identity[], groups: Group[]): DirectorySnapshot {
  return { users, groups };
}

/** `{ entitlement: value }` of one evaluated user, for compact assertions. */
export function valuesOf(entitlements: Record<string, { value: string }>): Record<string, string> {
  return Object.fromEntries(Object.entries(entitlements).map(([k, v]) => [k, v.value]));
}
