export { createScimTarget, type ScimTarget, type ScimTargetOptions } from './scim-target.js';
export { SCIM_PROFILES, type ScimProfile } from './profile.js';
export { createRoleCodec, DEFAULT_ROLE_ENCODING, type RoleCodec, type RoleEncoding } from '../role-encoding.js';
