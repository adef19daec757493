import {
  ACTIVE,
  DEACTIVATED,
  type EntitlementKey,
  type EntitlementValue,
  parseEntitlement,
  TEAM_MEMBER,
} from './entitlement.js';

/** The target's vocabulary, declared by the mapping (DESIGN §2). Values are listed least privileged first. */
export interface AccessModel {
  orgRoles: string[];
  projectRoles: string[];
  modules: Record<string, string[]>;
  licensedModules: string[];
}

export interface Project {
  key: string;
  name: string;
  environment: string;
}

export const DEFAULT_MODEL: AccessModel = {
  orgRoles: ['Member', 'Admin'],
  projectRoles: ['Viewer', 'Member', 'Admin'],
  modules: { govern: ['viewer', 'editor'], illuminate: ['enabled'], activate: ['enabled'] },
  licensedModules: ['govern', 'illuminate', 'activate'],
};

export const MEMBER = 'Member';

/**
 * The most privileged org role and project role: the last value of `orgRoles` / `projectRoles`, whatever the
 * mapping calls it (DESIGN §10). The last-Admin guards protect them and the risk flags name them.
 */
export interface TopRoles {
  org: string;
  project: string;
}

export const topRolesOf = (model: AccessModel): TopRoles => ({
  org: model.orgRoles[model.orgRoles.length - 1] ?? '',
  project: model.projectRoles[model.projectRoles.length - 1] ?? '',
});

/** The allowed values of an entitlement, least privileged first (null, no access, ranks below all of them). */
export function valuesOf(model: AccessModel, key: EntitlementKey): readonly string[] | null {
  const ref = parseEntitlement(key);
  if (!ref) return null;
  switch (ref.kind) {
    case 'membership':
      return [DEACTIVATED, ACTIVE];
    case 'org':
      return model.orgRoles;
    case 'project':
      return model.projectRoles;
    case 'module':
      return model.modules[ref.module] ?? null;
    case 'team':
      return [TEAM_MEMBER];
  }
}

/** Privilege rank of a value: -1 for null (no access), else its index in the model. */
export function rankOf(model: AccessModel, key: EntitlementKey, value: EntitlementValue): number {
  if (value === null) return -1;
  const values = valuesOf(model, key);
  return values ? values.indexOf(value) : -1;
}
