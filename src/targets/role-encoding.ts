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
  /** the role value for an entitlement (`membership` is carried by `active` and teams by Groups: they have none) */
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
 * Builds the codec for one encoding. Decoding considers every way a role value can be split over every template,
 * and accepts the role only when exactly one reading is a valid entitlement: a separator that also occurs inside
 * keys or values (`p-{project}-{value}` with project `web-prod`) makes a role ambiguous, and an ambiguous role is
 * refused rather than read wrongly.
 */
export function createRoleCodec(encoding: RoleEncoding): RoleCodec {
  checkEncoding(encoding);
  const templates = (['org', 'project', 'module'] as const).map((kind) => ({
    kind,
    parts: splitTemplate(encoding[kind]),
  }));

  const fill = (template: string, parts: Record<string, string>) =>
    template.replace(/\{(value|project|module)\}/g, (_, name: string) => parts[name] ?? '');

  const encode = (entitlement: EntitlementKey, value: string): string | null => {
    const ref = parseEntitlement(entitlement);
    if (!ref || !value) return null;
    switch (ref.kind) {
      case 'membership':
      case 'team':
        return null;
      case 'org':
        return fill(encoding.org, { value });
      case 'project':
        return fill(encoding.project, { project: ref.project, value });
      case 'module':
        return fill(encoding.module, { module: ref.module, project: ref.project, value });
    }
  };

  // role values repeat across thousands of users: remember the answers (bounded, roles are few)
  const decoded = new Map<string, DecodedRole | null>();
  const decode = (role: string): DecodedRole | null => {
    const known = decoded.get(role);
    if (known !== undefined) return known;
    const result = decodeUncached(role);
    if (decoded.size < 10_000) decoded.set(role, result);
    return result;
  };
  const decodeUncached = (role: string): DecodedRole | null => {
    const readings = new Map<string, DecodedRole>();
    for (const { kind, parts } of templates) {
      for (const b of bindings(parts, role)) {
        const entitlement =
          kind === 'org'
            ? ORG
            : kind === 'project'
              ? projectEntitlement(b.project ?? '')
              : moduleEntitlement(b.module ?? '', b.project ?? '');
        const value = b.value ?? '';
        if (!value || !parseEntitlement(entitlement) || encode(entitlement, value) !== role) continue;
        readings.set(`${entitlement}\u0000${value}`, { entitlement, value });
      }
    }
    return readings.size === 1 ? ([...readings.values()][0] ?? null) : null;
  };

  return { encode, decode };
}

type TemplatePart = { literal: string } | { placeholder: string };

function splitTemplate(template: string): TemplatePart[] {
  return template
    .split(/(\{(?:value|project|module)\})/)
    .filter(Boolean)
    .map((part) => {
      const name = /^\{(value|project|module)\}$/.exec(part)?.[1];
      return name ? { placeholder: name } : { literal: part };
    });
}

/** Every assignment of non-empty strings to the placeholders that makes the template spell `text`. */
function bindings(parts: TemplatePart[], text: string, from = 0, pos = 0): Record<string, string>[] {
  if (from === parts.length) return pos === text.length ? [{}] : [];
  const part = parts[from] as TemplatePart;
  if ('literal' in part) {
    return text.startsWith(part.literal, pos) ? bindings(parts, text, from + 1, pos + part.literal.length) : [];
  }
  const next = parts[from + 1];
  // a placeholder can only end where the next literal starts (or at the end of the text, when it is last)
  const ends: number[] = [];
  if (!next) ends.push(text.length);
  else if ('literal' in next) {
    for (let at = text.indexOf(next.literal, pos + 1); at >= 0; at = text.indexOf(next.literal, at + 1)) ends.push(at);
  } else for (let end = pos + 1; end <= text.length; end++) ends.push(end);
  const out: Record<string, string>[] = [];
  for (const end of ends) {
    if (end <= pos) continue;
    for (const rest of bindings(parts, text, from + 1, end))
      out.push({ [part.placeholder]: text.slice(pos, end), ...rest });
  }
  return out;
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
