import type { EntitlementCapabilities } from '../../ports/access-target.js';

/**
 * What the SCIM endpoint carries. `full`: the role-carrying encoding the stand-in speaks (org, project and module
 * roles as SCIM `roles` values). `heap-documented`: what Heap documents for its SCIM 2.0 endpoint: Users (name,
 * e-mail, active) and Groups as Teams with members; roles, project access and modules are changed in Heap's UI.
 */
export type ScimProfile = 'full' | 'heap-documented';

export const SCIM_PROFILES: readonly ScimProfile[] = ['full', 'heap-documented'];

const BOTH = { observe: true, write: true };
const NEITHER = { observe: false, write: false };

export function profileCapabilities(profile: ScimProfile): EntitlementCapabilities {
  return profile === 'full'
    ? { membership: BOTH, org: BOTH, project: BOTH, module: BOTH, team: BOTH }
    : { membership: BOTH, org: NEITHER, project: NEITHER, module: NEITHER, team: BOTH };
}

/** Where a SCIM root's Heap keeps its admin API, when it is the stand-in: `…/scim/v2` -> `…/api`. */
export function standInAdminApiOf(scimUrl: string): string | null {
  const trimmed = scimUrl.replace(/\/+$/, '');
  return /\/scim\/v2$/i.test(trimmed) ? trimmed.replace(/\/scim\/v2$/i, '/api') : null;
}
