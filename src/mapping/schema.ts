import { z } from 'zod';

/** The one mapping format this version reads. */
export const API_VERSION = 'heap-access-sync/v1';

/** Sections are validated one by one so that a bad rule does not hide the problems of the others. */
export const fileSchema = z.strictObject({
  apiVersion: z.unknown().optional(),
  model: z.unknown().optional(),
  projects: z.array(z.unknown()).optional(),
  policy: z.unknown().optional(),
  teams: z.array(z.unknown()).optional(),
  rules: z.array(z.unknown()).optional(),
});

const name = z.string().min(1, 'must not be empty');
const uniqueNames = z.array(name).min(1, 'must list at least one value');

export const modelSchema = z.strictObject({
  orgRoles: uniqueNames.optional(),
  projectRoles: uniqueNames.optional(),
  modules: z.record(name, uniqueNames).optional(),
  licensedModules: z.array(name).optional(),
});

/** Keys end up in entitlement keys (`project:<key>`), so no `:`; `*` and `environment:` are selectors. */
export const projectSchema = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, ".", "_" or "-" (no ":", spaces or "*")'),
  name: name.optional(),
  environment: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a single word such as production'),
});

/** A Heap Team: the name Heap shows (any text but blank), and the project keys it is bound to in Heap. */
export const teamSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty'),
  projects: z.array(name).optional(),
});

export const guardsSchema = z.strictObject({
  lastProjectAdmin: z.boolean().optional(),
  lastOrgAdmin: z.boolean().optional(),
  maxOrgAdmins: z.number().int().min(0).optional(),
  maxRevocations: z.number().int().min(0).optional(),
  maxRevocationPercent: z.number().min(0).max(100).optional(),
  minSourceFraction: z.number().min(0).max(1).optional(),
  productionAdminNeedsAllow: z.boolean().optional(),
  ownedAssets: z.enum(['warn', 'hold']).optional(),
});

export const policySchema = z.strictObject({
  multiGroup: z.enum(['highest', 'priority']).optional(),
  unmappedUsers: z.enum(['deactivate', 'remove', 'keep']).optional(),
  manualOverrides: z.enum(['revert', 'keep']).optional(),
  match: z.enum(['email', 'userName', 'externalId']).optional(),
  allowEmpty: z.boolean().optional(),
  guards: z.unknown().optional(),
  approvals: z
    .strictObject({
      orgAdmin: z.boolean().optional(),
      productionAdmin: z.boolean().optional(),
      modules: z.array(name).optional(),
    })
    .optional(),
  approvalTtl: z
    .string()
    .regex(/^[1-9]\d*(m|h|d|w)$/, 'must be a duration such as 7d, 12h, 30m, 2w')
    .optional(),
  fourEyes: z.boolean().optional(),
  revertAfter: z
    .string()
    .regex(/^\d+(s|m|h|d|w)$/, 'must be a duration such as 1h, 30m, 90s, or 0s to revert at once')
    .optional(),
});

/** A module grant: `{ <selector>: <value> }`, or a list of selectors for a module with a single value. */
const moduleGrant = z.union([z.array(name), z.record(name, name)], {
  error: 'must be a map of project: value, or a list of projects',
});

/** Group names and ids as written; a numeric id (`groupId: 4711`) is read as the string it is. */
const groupRef = z.union([name, z.number().transform(String)], { error: 'must be a group display name or id' });

export const ruleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, ".", "_" or "-"'),
  group: groupRef.optional(),
  groupId: groupRef.optional(),
  source: name.optional(),
  priority: z.number().int().min(0).optional(),
  orgRole: name.optional(),
  projects: z.record(name, name).optional(),
  modules: z.record(name, moduleGrant).optional(),
  teams: z.array(name).optional(),
  allowProductionAdmin: z.boolean().optional(),
});

export type RawModel = z.infer<typeof modelSchema>;
export type RawProject = z.infer<typeof projectSchema>;
export type RawPolicy = z.infer<typeof policySchema>;
export type RawGuards = z.infer<typeof guardsSchema>;
export type RawRule = z.infer<typeof ruleSchema>;
export type RawTeam = z.infer<typeof teamSchema>;

/** Known keys per section, for "unknown key" suggestions. */
export const KNOWN_KEYS = {
  file: Object.keys(fileSchema.shape),
  model: Object.keys(modelSchema.shape),
  project: Object.keys(projectSchema.shape),
  policy: Object.keys(policySchema.shape),
  guards: Object.keys(guardsSchema.shape),
  team: Object.keys(teamSchema.shape),
  rule: Object.keys(ruleSchema.shape),
} as const;

/** Rules without a priority sort after every explicit one below 100. */
export const DEFAULT_PRIORITY = 100;
