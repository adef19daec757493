import { ConfigError } from '../domain/errors.js';
import {
  type EntitlementKey,
  moduleEntitlement,
  ORG,
  parseEntitlement,
  projectEntitlement,
} from '../domain/entitlement.js';

/** How entitlements are written as SCIM `roles` values; `{value}`, `{project}`, `{module}` are replaced. */
export interface RoleEncoding {
  org: string;
  project: string;
  module: string;
}

export const DEFAULT_ROLE_ENCODING: RoleEncoding = {
  org: 'org:{value}',
  project: 'project:{project}:{value}',
  module: 'module:{module}:{project}:{value}',
};

export interface DecodedRole {
  entitlement: EntitlementKey;
  value: string;
}

export interface RoleCodec {
  /** the role value for an entitlement (`membership` is carried by `active`, so it has none) */
  encode(entitlement: EntitlementKey, value: string): string | null;
  decode(role: string): DecodedRole | null;
}

type Kind = keyof RoleEncoding;
const PLACEHOLDERS: Record<Kind, string[]> = {
  org: ['value'],
  project: ['project', 'value'],
  module: ['module', 'project', 'value'],
};

/**
 * Builds the codec for one encoding. Decoding tries the most specific template first (module, project, org) and
 * only accepts a role that encodes back to itself, so separators inside keys cannot produce a wrong entitlement.
 */
export function createRoleCodec(encoding: RoleEncoding): RoleCodec {
  checkEncoding(encoding);
  const patterns = (['module', 'project', 'org'] as const).map((kind) => ({ kind, regex: toRegex(encoding[kind]) }));

  const fill = (template: string, parts: Record<string, string>) =>
    template.replace(/\{(value|project|module)\}/g, (_, name: string) => parts[name] ?? '');

  const encode = (entitlement: EntitlementKey, value: string): string | null => {
    const ref = parseEntitlement(entitlement);
    if (!ref || !value) return null;
    switch (ref.kind) {
      case 'membership':
        return null;
      case 'org':
        return fill(encoding.org, { value });
      case 'project':
        return fill(encoding.project, { project: ref.project, value });
      case 'module':
        return fill(encoding.module, { module: ref.module, project: ref.project, value });
    }
  };

  const decode = (role: string): DecodedRole | null => {
    for (const { kind, regex } of patterns) {
      const groups = regex.exec(role)?.groups;
      if (!groups) continue;
      const value = groups.value ?? '';
      const entitlement =
        kind === 'org'
          ? ORG
          : kind === 'project'
            ? projectEntitlement(groups.project ?? '')
            : moduleEntitlement(groups.module ?? '', groups.project ?? '');
      if (!value || !parseEntitlement(entitlement) || encode(entitlement, value) !== role) continue;
      return { entitlement, value };
    }
    return null;
  };

  return { encode, decode };
}

function checkEncoding(encoding: RoleEncoding): void {
  const problems: string[] = [];
  for (const kind of Object.keys(PLACEHOLDERS) as Kind[]) {
    const template = encoding[kind];
    for (const name of PLACEHOLDERS[kind]) {
      const count = template.split(`{${name}}`).length - 1;
      if (count !== 1) problems.push(`target.roleEncoding.${kind}: must contain {${name}} exactly once`);
    }
    const unknown = template.match(/\{(?!value\}|project\}|module\})[^}]*\}/g);
    if (unknown) problems.push(`target.roleEncoding.${kind}: unknown placeholder ${unknown.join(', ')}`);
    if (kind !== 'module' && template.includes('{module}')) {
      problems.push(`target.roleEncoding.${kind}: {module} belongs in the module template only`);
    }
    if (kind === 'org' && template.includes('{project}')) {
      problems.push('target.roleEncoding.org: {project} belongs in the project and module templates only');
    }
  }
  if (new Set([encoding.org, encoding.project, encoding.module]).size < 3) {
    problems.push('target.roleEncoding: the org, project and module templates must differ');
  }
  if (problems.length) throw new ConfigError(problems);
}

function toRegex(template: string): RegExp {
  const source = template
    .split(/(\{(?:value|project|module)\})/)
    .map((part) => {
      const name = /^\{(value|project|module)\}$/.exec(part)?.[1];
      return name ? `(?<${name}>.+?)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}
